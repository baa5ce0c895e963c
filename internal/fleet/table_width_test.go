package fleet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/fleet/fleettest"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/textfmt"
)

// wideFleet has values longer than any column of an 80-column terminal: a
// long FQDN, a long distro, check IDs of 60 columns, an unchecked host
// whose reason is a long error, and a long notice.
func wideFleet() *Fleet {
	long := "payments-db-primary-01.eu-west-1.compute.internal.example.com"
	ids := []string{
		"rlimit/unit:payments-settlement-worker.service/nofile",
		"selinux/label:/opt/payments/settlement/bin/settlement-worker",
		"libc/compat:/opt/payments/settlement/bin/settlement-worker",
		"sysctl/net.ipv4.tcp_max_syn_backlog",
	}
	f := &Fleet{FailOn: "fail", Summary: Summary{Hosts: 3, NotReady: 2, Unchecked: 1}}
	f.Hosts = []Host{
		{Host: long, Distro: "Red Hat Enterprise Linux 9.4 (Plow) with extended update support", Profile: "rhel-9",
			Verdict: "fail", State: StateNotReady, Summary: &report.Summary{Pass: 120, Fail: 4}, Failing: ids},
		{Host: "db2", Distro: "Rocky Linux 9.3 (Blue Onyx)", Profile: "rocky-9", Verdict: "fail", State: StateNotReady,
			Summary: &report.Summary{Pass: 118, Fail: 1, Warn: 2}, Failing: ids[3:]},
		{Host: "bastion-behind-the-jump-host.internal.example.com:2222", Verdict: VerdictUnchecked, State: StateUnchecked, ErrorKind: KindUnreachable,
			Error: "dial tcp 10.20.30.40:2222: connect: connection refused (through the jump host jump.internal.example.com, ProxyJump from ~/.ssh/config)\x1b[2J"},
	}
	for _, id := range ids {
		f.Checks = append(f.Checks, CheckTally{ID: id, HostsFailing: 1, FailingHosts: []string{long}})
	}
	f.Checks[3].HostsFailing, f.Checks[3].FailingHosts = 2, []string{long, "db2"}
	f.Notices = []string{"reports/payments-db-primary-01.json and reports/payments-db-primary-01-rerun-after-the-kernel-upgrade.json are the same machine (machine-id 0123456789abcdef0123456789abcdef): kept the later"}
	return f
}

// At 80, 120 and 200 columns no line is wider than the terminal, and every
// value reads whole in its column or sentence; with no width every value
// is on one line, as written.
func TestTableFitsTheWidthAndCutsNothing(t *testing.T) {
	f := wideFleet()
	for _, width := range []int{0, 80, 120, 200} {
		var b strings.Builder
		if err := TableWith(&b, f, TableOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, l := range strings.Split(out, "\n") {
			if w := textfmt.Width(l); width > 0 && w > width {
				t.Errorf("width %d: line is %d wide: %q", width, w, l)
			}
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("width %d: an escape sequence from a host reached the terminal", width)
		}
		whole := func(where, text, value string) {
			t.Helper()
			in := fleettest.Squeeze(text)
			if width == 0 {
				in = text
				value = cell(value)
			} else {
				value = fleettest.Squeeze(cell(value))
			}
			if !strings.Contains(in, value) {
				t.Errorf("width %d: %s lacks %q whole:\n%s", width, where, value, out)
			}
		}
		cols := fleettest.TableColumns(out)
		for _, h := range f.Hosts {
			whole("HOST", cols["HOST"], h.Host)
			whole("DISTRO", cols["DISTRO"], h.Distro)
			for _, id := range h.Failing[:min(len(h.Failing), firstFailures)] {
				whole("FIRST FAILURES", cols["FIRST FAILURES"], id)
			}
			if h.State == StateUnchecked {
				_, notChecked, _ := strings.Cut(out, "not checked:")
				whole("not checked", notChecked, h.Error)
			}
		}
		for _, c := range f.Checks {
			whole("CHECK", cols["CHECK"], c.ID)
			for _, h := range c.FailingHosts {
				whole("FAILING ON", cols["FAILING ON"], h)
			}
		}
		whole("notes", out, f.Notices[0])
		whole("summary", out, f.SummaryLine())
		if width == 0 && strings.Contains(out, "…") {
			t.Errorf("no width: something was cut:\n%s", out)
		}
	}
}

// The row limits are summaries, not cuts: past them the table says how
// many more, whatever the width.
func TestTableSummarisesPastItsRowLimits(t *testing.T) {
	f := &Fleet{FailOn: "fail"}
	var hosts []string
	for i := range 7 {
		hosts = append(hosts, fmt.Sprintf("h%d", i))
	}
	for i := range maxCheckRows + 3 {
		f.Checks = append(f.Checks, CheckTally{ID: fmt.Sprintf("sysctl/k%d", i), HostsFailing: 7, FailingHosts: hosts})
	}
	f.Hosts = []Host{{Host: "h0", Verdict: "fail", State: StateNotReady, Summary: &report.Summary{Fail: 5},
		Failing: []string{"a/1", "a/2", "a/3", "a/4", "a/5"}}}
	for _, width := range []int{0, 80} {
		var b strings.Builder
		if err := TableWith(&b, f, TableOptions{Width: width}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		cols := fleettest.TableColumns(out)
		for _, want := range []struct{ in, text string }{
			{cols["FIRST FAILURES"], "a/1, a/2, a/3, +2 more"},
			{cols["FAILING ON"], "h0, h1, h2, h3, h4, +2 more"},
			{out, "… 3 more checks fail or warn on some host"},
		} {
			if !strings.Contains(fleettest.Squeeze(want.in), fleettest.Squeeze(want.text)) {
				t.Errorf("width %d: no %q:\n%s", width, want.text, out)
			}
		}
		if strings.Contains(out, "sysctl/k20") {
			t.Errorf("width %d: more than %d checks shown", width, maxCheckRows)
		}
	}
}
