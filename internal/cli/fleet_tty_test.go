package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/fleet/fleettest"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
	"github.com/golive-sh/golive/internal/textfmt"
)

// fleetReports writes into a new directory the JSON reports `golive check`
// makes of the fixture roots, under host names and distro names longer
// than any column of an 80-column terminal, plus a copy of one under a
// long file name (the same host: a notice names both files) and a file
// that is not a report (a host not checked, with its reason).
func fleetReports(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	roots := map[string]string{
		"centos-7":     "payments-db-primary-01.eu-west-1.compute.internal.example.com",
		"ubuntu-22.04": "payments-api-canary-03.eu-west-1.compute.internal.example.com",
		"rocky-9":      "settlement-batch-worker-17.eu-west-1.compute.internal.example.com",
		"broken":       "broken-image-under-test.build-farm.internal.example.com",
	}
	for root, hostname := range roots {
		path := filepath.Join(dir, root+".json")
		r := exe(t, golive, dir, nil, "check", "--root", filepath.Join(repoRoot(t), "testdata", "roots", root), "--offline", "--format", "json", "--output", path)
		if r.code > 1 {
			t.Fatalf("check %s: exit %d\n%s", root, r.code, r.stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var rep map[string]any
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		host := rep["host"].(map[string]any)
		host["hostname"] = hostname
		distro := host["distro"].(map[string]any)
		distro["pretty_name"] = "Extended Support Release of " + root + " for the payments platform"
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		write(t, reports, hostname+".json", string(out))
		if root == "rocky-9" {
			// An earlier run of the same host, as fleet check saved it
			// (fleet_target): one host, the notice names both files.
			rep["fleet_target"] = hostname
			again, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			write(t, reports, "settlement-batch-worker-17-before-the-kernel-upgrade-and-the-sysctl-rollout.json", string(again))
		}
	}
	write(t, reports, "payments-api-canary-04.eu-west-1.compute.internal.example.com.json", `{"schema": "golive/report/v1", "host": {`)
	return reports
}

// TestFleetTableFitsARealTerminal runs `golive fleet report` with its
// standard output on a pseudo-terminal 80, 120 and 200 columns wide: no
// line is wider than the terminal, and every value the table shows — host,
// distro, profile, failing check IDs, the hosts a check fails on, an
// unchecked host's reason, a notice — reads whole (wrapped in its column
// or sentence), compared with the fleet JSON of the same reports.
func TestFleetTableFitsARealTerminal(t *testing.T) {
	reports := fleetReports(t)
	view := fleetJSONOf(t, reports)
	for _, cols := range []int{80, 120, 200} {
		out := ttyRun(t, cols, []string{"NO_COLOR=1"}, "fleet", "report", reports)
		for _, l := range strings.Split(out, "\n") {
			if w := textfmt.Width(l); w > cols {
				t.Errorf("%d columns: line is %d wide: %q", cols, w, l)
			}
		}
		columns := fleettest.TableColumns(out)
		whole := func(where, text, value string) {
			t.Helper()
			if !strings.Contains(fleettest.Squeeze(text), fleettest.Squeeze(textfmt.OneLine(value))) {
				t.Errorf("%d columns: %s lacks %q whole:\n%s", cols, where, value, out)
			}
		}
		checkFleetView(t, view, out, columns, whole)
	}
}

// Written to a pipe, the fleet table cuts nothing: every value is on one
// line, as the fleet JSON has it.
func TestFleetTableToAPipeCutsNothing(t *testing.T) {
	reports := fleetReports(t)
	view := fleetJSONOf(t, reports)
	r := exe(t, golive, t.TempDir(), nil, "fleet", "report", reports)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (not ready)\n%s", r.code, r.stderr)
	}
	onALine := func(where, _, value string) {
		t.Helper()
		if !strings.Contains(r.stdout, textfmt.OneLine(value)) {
			t.Errorf("%s: %q is not whole on a line:\n%s", where, value, r.stdout)
		}
	}
	checkFleetView(t, view, r.stdout, nil, onALine)
}

// --wide keeps every row one line on a terminal, however narrow.
func TestFleetTableWideOnATerminal(t *testing.T) {
	reports := fleetReports(t)
	view := fleetJSONOf(t, reports)
	out := ttyRun(t, 80, []string{"NO_COLOR=1"}, "fleet", "report", "--wide", reports)
	longest := 0
	for _, l := range strings.Split(out, "\n") {
		longest = max(longest, textfmt.Width(l))
	}
	if longest <= 80 {
		t.Errorf("--wide: no line is wider than the 80-column terminal (longest %d)", longest)
	}
	for _, h := range view.Hosts {
		if !strings.Contains(out, "\n  "+h.Host+"  ") {
			t.Errorf("--wide: %s does not start a one-line row:\n%s", h.Host, out)
		}
	}
}

// checkFleetView calls whole(where, text, value) for every value of view
// the table must show: text is the column (from columns) or, with no
// columns, the whole output.
func checkFleetView(t *testing.T, view fleetTable, out string, columns map[string]string, whole func(where, text, value string)) {
	t.Helper()
	col := func(name string) string {
		if columns == nil {
			return out
		}
		return columns[name]
	}
	_, notChecked, _ := strings.Cut(out, "\nnot checked:\n")
	unchecked, shownChecks := 0, 0
	for _, h := range view.Hosts {
		whole("HOST", col("HOST"), h.Host)
		if h.State == "unchecked" {
			unchecked++
			whole("not checked", notChecked, h.Host+" ("+h.ErrorKind+"): "+h.Error)
			continue
		}
		whole("DISTRO", col("DISTRO"), h.Distro)
		whole("PROFILE", col("PROFILE"), h.Profile)
		for _, id := range h.Failing[:min(3, len(h.Failing))] {
			whole("FIRST FAILURES", col("FIRST FAILURES"), id)
		}
	}
	for _, c := range view.Checks {
		if c.HostsFailing+c.HostsError+c.HostsWarning == 0 || shownChecks == 20 {
			continue
		}
		shownChecks++
		whole("CHECK", col("CHECK"), c.ID)
		for _, h := range c.FailingHosts[:min(5, len(c.FailingHosts))] {
			whole("FAILING ON", col("FAILING ON"), h)
		}
	}
	for _, n := range view.Notices {
		whole("notices", out, "note: "+n)
	}
	if unchecked == 0 || len(view.Notices) == 0 || shownChecks == 0 {
		t.Fatalf("the fleet lacks what the test is about: %d unchecked, %d notices, %d checks failing", unchecked, len(view.Notices), shownChecks)
	}
}

type fleetTable struct {
	Hosts []struct {
		Host, Distro, Profile, State, Error string
		ErrorKind                           string `json:"error_kind"`
		Failing                             []string
	}
	Checks []struct {
		ID           string
		HostsFailing int      `json:"hosts_failing"`
		HostsError   int      `json:"hosts_error"`
		HostsWarning int      `json:"hosts_warning"`
		FailingHosts []string `json:"failing_hosts"`
	}
	Notices []string
}

func fleetJSONOf(t *testing.T, reports string) fleetTable {
	t.Helper()
	r := exe(t, golive, t.TempDir(), nil, "fleet", "report", "--format", "json", reports)
	var v fleetTable
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("fleet report --format json: %v\n%s", err, r.stderr)
	}
	return v
}

// `golive fleet check` on an 80-column terminal: a host checked over ssh,
// one that is down and one that refuses the key. No line is wider than the
// terminal and each unchecked host's reason reads whole; with --wide each
// host is one line.
func TestFleetCheckTableOnATerminal(t *testing.T) {
	l := newFleetLab(t)
	up := l.server(t, true)
	stranger := sshdtest.NewKey(t, l.dir, "other_user_key")
	noAuth := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{stranger.Public}})
	l.trust(t, noAuth.KnownHostsLine())
	down := sshdtest.ClosedPort(t)
	outDir := filepath.Join(l.dir, "out")
	run := func(extra ...string) string {
		args := append([]string{"fleet", "check", "--identity", l.key.File, "--known-hosts", l.knownHosts,
			"--offline", "--only", "os/kernel", "--host-timeout", "2m", "--timeout", "60s",
			"--config", filepath.Join(l.dir, "notready.yaml"), "--out-dir", outDir}, extra...)
		return ttyRun(t, 80, []string{"NO_COLOR=1", "SSH_AUTH_SOCK=", "HOME=" + l.dir}, append(args, up.Addr, down, noAuth.Addr)...)
	}
	out := run()
	for _, l := range strings.Split(out, "\n") {
		if w := textfmt.Width(l); w > 80 {
			t.Errorf("line is %d wide: %q", w, l)
		}
	}
	v := l.fleetJSON(t, filepath.Join(outDir, "fleet.json"))
	_, notChecked, _ := strings.Cut(out, "\nnot checked:\n")
	for _, h := range v.Raw.Hosts {
		if h.State != "unchecked" {
			continue
		}
		if want := h.Host + " (" + h.ErrorKind + "): " + h.Error; !strings.Contains(fleettest.Squeeze(notChecked), fleettest.Squeeze(want)) {
			t.Errorf("the reason is not whole: %q\n%s", want, out)
		}
	}
	wide := run("--wide")
	for _, h := range []string{up.Addr, down, noAuth.Addr} {
		if !strings.Contains(wide, "\n  "+h+"  ") {
			t.Errorf("--wide: %s does not start a one-line row:\n%s", h, wide)
		}
	}
}
