package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/textfmt"
)

// verdicts is the set golive_run_verdict is one-hot over.
var verdicts = []string{VerdictPass, VerdictWarn, VerdictFail, VerdictAborted}

// Prom writes r in the Prometheus text exposition format, for
// node_exporter's textfile collector. Statuses are one-hot: each check has
// one golive_check_status series per status, 1 for the one it has and 0 for
// the others, like node_exporter's systemd unit states, so a series never
// appears or vanishes when a check changes status and
// golive_check_status{status="fail"} == 1 is the alert. There is no
// hostname label: Prometheus adds instance. A status or verdict outside the
// known set sets none of its series to 1.
func Prom(w io.Writer, r *Report) error {
	if r == nil {
		return errors.New("render prom: nil report")
	}
	var b strings.Builder
	b.Grow(256 + len(r.Checks)*len(engine.Statuses)*96)

	family(&b, "golive_check_status", "Status of a golive check: 1 for the status it has, 0 for the others.")
	seen := make(map[string]bool, len(r.Checks))
	for _, c := range r.Checks {
		labels := `id="` + labelValue(c.ID) + `",category="` + labelValue(c.Category) +
			`",severity="` + labelValue(c.Severity) + `"`
		// The engine refuses duplicate IDs; should two results still share
		// a label set, the first is kept, because a textfile with duplicate
		// series is rejected whole.
		if seen[labels] {
			continue
		}
		seen[labels] = true
		for _, st := range engine.Statuses {
			sample(&b, "golive_check_status", labels+`,status="`+string(st)+`"`, oneHot(c.Status == st))
		}
	}

	// Days left of every waiver in force on a check, so that an alert
	// fires before a waiver lapses and the gate starts failing.
	first := true
	seenW := map[string]bool{}
	for _, c := range r.Checks {
		n, ok := waiverDaysLeft(c)
		labels := `id="` + labelValue(c.ID) + `",ticket="` + labelValue(waiverOf(c).Ticket) + `"`
		if !ok || seenW[labels] {
			continue
		}
		if first {
			family(&b, "golive_waiver_days_left", "Days from the run's date to the last day of the waiver a check is waived by (0: its last day).")
			first = false
		}
		seenW[labels] = true
		sample(&b, "golive_waiver_days_left", labels, strconv.Itoa(n))
	}

	family(&b, "golive_checks", "Checks of the last golive run by status.")
	s := r.Summary
	counts := map[engine.Status]int{engine.Pass: s.Pass, engine.Warn: s.Warn, engine.Fail: s.Fail,
		engine.Skip: s.Skip, engine.Error: s.Error, engine.Waived: s.Waived}
	for _, st := range engine.Statuses {
		sample(&b, "golive_checks", `status="`+string(st)+`"`, strconv.Itoa(counts[st]))
	}

	// Interrupted checks are counted in status="error" too; this says how
	// many of them are the run's end, not the host.
	family(&b, "golive_checks_interrupted", "Checks of the last golive run that did not finish because the run ended (--timeout, a signal); counted in golive_checks{status=\"error\"} too.")
	sample(&b, "golive_checks_interrupted", "", strconv.Itoa(s.Interrupted))

	family(&b, "golive_run_verdict", "Verdict of the last golive run: 1 for the verdict it had, 0 for the others.")
	for _, v := range verdicts {
		sample(&b, "golive_run_verdict", `verdict="`+v+`"`, oneHot(r.Verdict == v))
	}

	// A start time that does not parse (never one golive wrote) leaves the
	// metric out rather than putting a false time in it.
	if t, err := time.Parse(time.RFC3339Nano, r.StartedAt); err == nil {
		family(&b, "golive_run_timestamp_seconds", "Start time of the last golive run, in seconds since the Unix epoch.")
		sample(&b, "golive_run_timestamp_seconds", "", strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64))
	}
	family(&b, "golive_run_duration_seconds", "Wall time of the last golive run, in seconds.")
	sample(&b, "golive_run_duration_seconds", "", strconv.FormatFloat(r.DurationMS/1000, 'f', -1, 64))

	family(&b, "golive_info", "The golive version, profile and distro of the last run; always 1.")
	sample(&b, "golive_info", `version="`+labelValue(r.Tool.Version)+`",profile="`+labelValue(r.Profile.Name)+
		`",distro="`+labelValue(r.Host.Distro.ID)+`",distro_version="`+labelValue(r.Host.Distro.VersionID)+`"`, "1")

	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write prom: %w", err)
	}
	return nil
}

// family writes a metric family's HELP and TYPE lines; every golive metric
// is a gauge. help is a constant without backslashes or line breaks.
func family(b *strings.Builder, name, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
}

func sample(b *strings.Builder, name, labels, value string) {
	b.WriteString(name)
	if labels != "" {
		b.WriteString("{" + labels + "}")
	}
	b.WriteString(" " + value + "\n")
}

func oneHot(on bool) string {
	if on {
		return "1"
	}
	return "0"
}

// labelValue is the label-value escaping the fleet textfile shares.
func labelValue(s string) string { return textfmt.PromLabelValue(s) }

// waiverDaysLeft is details.waiver.days_left of a waived check: an int
// from the engine, a float64 from a report read back from JSON.
func waiverDaysLeft(c Check) (int, bool) {
	if c.Status != engine.Waived {
		return 0, false
	}
	w, ok := c.Details["waiver"].(map[string]any)
	if !ok {
		return 0, false
	}
	switch n := w["days_left"].(type) {
	case int:
		return n, true
	case float64:
		return int(n), true
	}
	return 0, false
}
