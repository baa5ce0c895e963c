package fleet

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/report"
)

// SchemaV1 identifies the fleet report format (docs/fleet.schema.json).
const SchemaV1 = "golive/fleet/v1"

// Host states in the fleet view.
const (
	StateReady     = "ready"
	StateNotReady  = "not_ready"
	StateUnchecked = "unchecked"
)

// VerdictUnchecked is the verdict of a host that has no report.
const VerdictUnchecked = "unchecked"

// KindInvalidReport marks a report file that could not be read or is not
// a golive/report/v1 document.
const KindInvalidReport Kind = "invalid_report"

// Fail-on thresholds, as `golive check --fail-on` defines them.
const (
	FailOnFail = "fail"
	FailOnWarn = "warn"
	FailOnNone = "none"
)

// Fleet is the merged view: golive/fleet/v1.
type Fleet struct {
	Schema  string       `json:"schema"`
	FailOn  string       `json:"fail_on"`
	Summary Summary      `json:"summary"`
	Notices []string     `json:"notices,omitempty"`
	Hosts   []Host       `json:"hosts"`
	Checks  []CheckTally `json:"checks"`
	// Findings are faults of the fleet as a whole, seen only by comparing
	// hosts: distinct hosts that share a machine-id (cloned VMs).
	Findings []Finding `json:"findings,omitempty"`
}

// Finding is a fault of the fleet, not of one host: its ID is
// <category>/<target> like a check's, and it makes every host it names
// not ready (unless --fail-on none).
type Finding struct {
	ID       string   `json:"id"`
	Category string   `json:"category"`
	Status   string   `json:"status"`
	Hosts    []string `json:"hosts"`
	Message  string   `json:"message"`
}

// CloneFinding is the finding category of distinct hosts sharing one
// machine-id: fleet/clone:<machine-id>.
const CloneFinding = "fleet/clone:"

// Summary counts hosts by state.
type Summary struct {
	Hosts     int `json:"hosts"`
	Ready     int `json:"ready"`
	NotReady  int `json:"not_ready"`
	Unchecked int `json:"unchecked"`
}

// Host is one host's line in the fleet view.
type Host struct {
	Host      string          `json:"host"`
	File      string          `json:"file,omitempty"`
	Hostname  string          `json:"hostname,omitempty"`
	MachineID string          `json:"machine_id,omitempty"`
	Distro    string          `json:"distro,omitempty"`
	Profile   string          `json:"profile,omitempty"`
	Verdict   string          `json:"verdict"`
	State     string          `json:"state"`
	Summary   *report.Summary `json:"summary,omitempty"`
	StartedAt string          `json:"started_at,omitempty"`
	Failing   []string        `json:"failing,omitempty"`
	ErrorKind Kind            `json:"error_kind,omitempty"`
	Error     string          `json:"error,omitempty"`
	// Stale is set when the host's report is one fleet check kept from an
	// earlier run (fleet_stale): the host is unchecked, and what is shown
	// of it (hostname, distro, started_at...) is from that report.
	Stale bool `json:"stale,omitempty"`
}

// CheckTally is one check across the fleet: how many hosts had each status.
type CheckTally struct {
	ID           string   `json:"id"`
	Category     string   `json:"category"`
	HostsFailing int      `json:"hosts_failing"`
	HostsError   int      `json:"hosts_error"`
	HostsWarning int      `json:"hosts_warning"`
	HostsWaived  int      `json:"hosts_waived"`
	HostsSkipped int      `json:"hosts_skipped"`
	HostsPassing int      `json:"hosts_passing"`
	FailingHosts []string `json:"failing_hosts"`
}

// Entry is one input of a merge: a decoded report, or why there is none.
type Entry struct {
	Host   string // the name to show: the ssh target, or empty for the report's hostname
	File   string // where the report came from, when it is a file
	Report *HostReport
	Kind   Kind   // when Report is nil: why
	Err    string // when Report is nil
}

// MergeOptions tune a merge.
type MergeOptions struct {
	// FailOn is the readiness threshold: FailOnFail, FailOnWarn or
	// FailOnNone.
	FailOn string
	// KeepDuplicates keeps every entry of one host name, made unique with
	// #2, #3. Report files from re-runs of one host (the same name: the
	// fan-out's fleet_target, else the file's name) keep the newest.
	KeepDuplicates bool
}

// Merge builds the fleet view. Hosts keep the input order and are keyed
// by their name (Entry.Host): two reports of one host keep the newer by
// started_at, with a notice. Distinct hosts are never merged: those that
// share a machine_id are each kept, and named by a fleet/clone finding.
// Every input is accounted for, as a host or in a notice.
func Merge(entries []Entry, o MergeOptions) *Fleet {
	failOn := o.FailOn
	f := &Fleet{Schema: SchemaV1, FailOn: failOn, Hosts: []Host{}, Checks: []CheckTally{}}
	entries = f.dropDuplicates(entries, o.KeepDuplicates)
	names := map[string]int{}
	tallies := map[string]*CheckTally{}
	for _, e := range entries {
		h := hostOf(e, failOn)
		// Host names label metrics and rows: keep them unique.
		if n := names[h.Host]; n > 0 {
			names[h.Host]++
			h.Host = h.Host + "#" + strconv.Itoa(n+1)
		} else {
			names[h.Host] = 1
		}
		if e.Report != nil && !h.Stale {
			tally(tallies, e.Report, h.Host)
		}
		f.Hosts = append(f.Hosts, h)
		f.Summary.Hosts++
		switch h.State {
		case StateReady:
			f.Summary.Ready++
		case StateNotReady:
			f.Summary.NotReady++
		default:
			f.Summary.Unchecked++
		}
	}
	f.findClones(tallies)
	for _, t := range tallies {
		f.Checks = append(f.Checks, *t)
	}
	slices.SortFunc(f.Checks, func(a, b CheckTally) int {
		return cmp.Or(
			cmp.Compare(b.HostsFailing+b.HostsError, a.HostsFailing+a.HostsError),
			cmp.Compare(b.HostsWarning, a.HostsWarning),
			cmp.Compare(a.ID, b.ID))
	})
	return f
}

// Ready reports whether the whole fleet may go live: every host checked
// and ready.
func (f *Fleet) Ready() bool { return f.Summary.Ready == f.Summary.Hosts }

func hostOf(e Entry, failOn string) Host {
	h := Host{Host: e.Host, File: e.File}
	r := e.Report
	if r == nil {
		if h.Host == "" {
			h.Host = e.File
		}
		h.Verdict, h.State, h.ErrorKind, h.Error = VerdictUnchecked, StateUnchecked, e.Kind, e.Err
		return h
	}
	h.Hostname = clip(r.Host.Hostname)
	h.MachineID = clip(r.Host.MachineID)
	if h.Host == "" {
		h.Host = cmp.Or(h.Hostname, e.File, "(unnamed)")
	}
	h.Distro = clip(cmp.Or(r.Host.Distro.PrettyName, r.Host.Distro.ID+" "+r.Host.Distro.VersionID))
	h.Profile = clip(r.Profile.Name)
	h.StartedAt = r.StartedAt
	if st := r.FleetStale; st != nil {
		// What was last known, not the host now: unchecked (never
		// ready), its checks not counted, the reason saying both runs.
		h.Verdict, h.State, h.Stale, h.ErrorKind = VerdictUnchecked, StateUnchecked, true, st.ErrorKind
		h.Error = fmt.Sprintf("%s — the run started %s could not check it; the report kept is stale, from the run started %s (verdict %s)",
			clip(st.Error), clip(st.RunStartedAt), clip(r.StartedAt), clip(r.Verdict))
		return h
	}
	var s report.Summary
	for _, c := range r.Checks {
		count(&s, c.Status)
		if c.Status == "fail" || c.Status == "error" {
			h.Failing = append(h.Failing, c.ID)
		}
	}
	h.Summary = &s
	// Recomputed from the checks rather than trusted: a report edited by
	// hand or by another tool could disagree with itself.
	h.Verdict = s.Verdict()
	if r.Verdict == report.VerdictAborted {
		h.Verdict = report.VerdictAborted
	}
	h.State = StateNotReady
	if readyBy(h.Verdict, failOn) {
		h.State = StateReady
	}
	return h
}

// readyBy applies --fail-on to a verdict. An aborted run is never ready:
// it did not check everything.
func readyBy(verdict, failOn string) bool {
	switch {
	case verdict == report.VerdictAborted:
		return false
	case failOn == FailOnNone:
		return true
	case verdict == report.VerdictFail:
		return false
	case verdict == report.VerdictWarn:
		return failOn != FailOnWarn
	}
	return true
}

func count(s *report.Summary, status string) {
	s.Total++
	switch status {
	case "pass":
		s.Pass++
	case "warn":
		s.Warn++
	case "fail":
		s.Fail++
	case "skip":
		s.Skip++
	case "error":
		s.Error++
	case "waived":
		s.Waived++
	}
}

func tally(tallies map[string]*CheckTally, r *HostReport, host string) {
	seen := map[string]bool{}
	for _, c := range r.Checks {
		if seen[c.ID] { // a check listed twice counts once per host
			continue
		}
		seen[c.ID] = true
		t := tallies[c.ID]
		if t == nil {
			t = &CheckTally{ID: c.ID, Category: c.Category, FailingHosts: []string{}}
			tallies[c.ID] = t
		}
		switch c.Status {
		case "fail":
			t.HostsFailing++
			t.FailingHosts = append(t.FailingHosts, host)
		case "error":
			t.HostsError++
			t.FailingHosts = append(t.FailingHosts, host)
		case "warn":
			t.HostsWarning++
		case "waived":
			t.HostsWaived++
		case "skip":
			t.HostsSkipped++
		case "pass":
			t.HostsPassing++
		}
	}
}

// dropDuplicates keeps one report per host name, the newest, with a
// notice naming the dropped file; keepAll keeps them all (the fan-out's
// names are unique: a target listed twice is refused).
func (f *Fleet) dropDuplicates(entries []Entry, keepAll bool) []Entry {
	if keepAll {
		return entries
	}
	newest := map[string]int{} // host name -> index of the kept entry
	drop := map[int]bool{}
	for i, e := range entries {
		if e.Report == nil {
			continue
		}
		name := cmp.Or(e.Host, e.Report.Host.Hostname, e.File)
		j, ok := newest[name]
		if !ok {
			newest[name] = i
			continue
		}
		keep, lose := j, i
		if startedAfter(e.Report.StartedAt, entries[j].Report.StartedAt) {
			keep, lose = i, j
		}
		newest[name] = keep
		drop[lose] = true
		f.Notices = append(f.Notices, fmt.Sprintf("%s: two reports (%s, %s): kept the newer, started %s; dropped the one started %s",
			clip(name), clip(entries[lose].File), clip(entries[keep].File), clip(entries[keep].Report.StartedAt), clip(entries[lose].Report.StartedAt)))
	}
	if len(drop) == 0 {
		return entries
	}
	out := make([]Entry, 0, len(entries)-len(drop))
	for i, e := range entries {
		if !drop[i] {
			out = append(out, e)
		}
	}
	return out
}

// findClones adds a fleet/clone:<machine-id> finding for each machine-id
// that distinct hosts share — cloned VMs or images whose
// /etc/machine-id was not reset; journald, D-Bus, DHCP (systemd-networkd's
// DUID) and monitoring tell them apart by it. Each such host is not ready
// unless --fail-on none, and the finding is tallied like a check.
func (f *Fleet) findClones(tallies map[string]*CheckTally) {
	byID := map[string][]int{}
	var order []string
	for i, h := range f.Hosts {
		if h.MachineID == "" || h.State == StateUnchecked {
			continue
		}
		if byID[h.MachineID] == nil {
			order = append(order, h.MachineID)
		}
		byID[h.MachineID] = append(byID[h.MachineID], i)
	}
	for _, id := range order {
		idx := byID[id]
		if len(idx) < 2 {
			continue
		}
		fd := Finding{ID: CloneFinding + id, Category: "fleet", Status: "fail"}
		for _, i := range idx {
			fd.Hosts = append(fd.Hosts, f.Hosts[i].Host)
		}
		fd.Message = fmt.Sprintf("%d hosts share machine-id %s (%s): cloned without resetting /etc/machine-id; give each its own (rm /etc/machine-id && systemd-machine-id-setup, then reboot)",
			len(idx), id, strings.Join(fd.Hosts, ", "))
		f.Findings = append(f.Findings, fd)
		t := &CheckTally{ID: fd.ID, Category: fd.Category, FailingHosts: []string{}}
		tallies[fd.ID] = t
		for _, i := range idx {
			h := &f.Hosts[i]
			t.HostsFailing++
			t.FailingHosts = append(t.FailingHosts, h.Host)
			h.Failing = append(h.Failing, fd.ID)
			if h.State == StateReady && f.FailOn != FailOnNone {
				h.State = StateNotReady
				f.Summary.Ready--
				f.Summary.NotReady++
			}
		}
	}
}

// startedAfter compares RFC 3339 times; an unparsable time is older than
// any parsable one.
func startedAfter(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	switch {
	case errA != nil:
		return false
	case errB != nil:
		return true
	}
	return ta.After(tb)
}
