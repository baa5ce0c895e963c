package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/profile"
)

func waiver(check, expires string) profile.Waiver {
	day, err := time.Parse(time.DateOnly, expires)
	if err != nil {
		panic(err)
	}
	return profile.Waiver{Check: check, Reason: "reason for " + check, Ticket: "OPS-" + expires,
		Expires: expires, Until: day.AddDate(0, 0, 1), Where: "golive.yaml:7"}
}

func outcome(results ...Result) *Outcome {
	for i := range results {
		results[i].Category, _, _ = strings.Cut(results[i].ID, "/")
	}
	return &Outcome{Results: results}
}

func TestApplyWaivers(t *testing.T) {
	now := time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC) // the last minute of a waiver ending 2027-01-31
	out := outcome(
		Result{ID: "sysctl/vm.swappiness", Status: Fail, Message: "60 > 10", Details: map[string]any{"runtime": "60"}},
		Result{ID: "sysctl/net.core.somaxconn", Status: Warn, Message: "reverts on reboot"},
		Result{ID: "dns/resolve:db1", Status: Error, Message: "no answer"},
		Result{ID: "os/eol", Status: Fail, Message: "end of life"},
		Result{ID: "os/kernel", Status: Pass},
		Result{ID: "cgroup/version", Status: Skip},
	)
	shared := out.Results[0].Details
	applyWaivers(out, []profile.Waiver{
		waiver("sysctl/vm.swappiness", "2027-01-31"),
		waiver("sysctl", "2027-06-30"), // a category
		waiver("dns/*", "2027-06-30"),  // a glob
		waiver("os/*", "2027-01-30"),   // expired yesterday
	}, now)

	want := []Status{Waived, Waived, Waived, Fail, Pass, Skip}
	for i, r := range out.Results {
		if r.Status != want[i] {
			t.Errorf("%s: status %s, want %s (%s)", r.ID, r.Status, want[i], r.Message)
		}
	}
	sw := out.Results[0]
	d, ok := sw.Details["waiver"].(map[string]any)
	if !ok || d["ticket"] != "OPS-2027-01-31" || d["status"] != "fail" || d["expires"] != "2027-01-31" || d["where"] != "golive.yaml:7" {
		t.Errorf("waiver details = %#v", sw.Details)
	}
	if sw.Details["runtime"] != "60" {
		t.Errorf("the check's own details were lost: %#v", sw.Details)
	}
	if _, touched := shared["waiver"]; touched {
		t.Error("applyWaivers wrote into the check's own details map")
	}
	if !strings.Contains(sw.Message, "reason for sysctl/vm.swappiness") || !strings.Contains(sw.Message, "was fail: 60 > 10") {
		t.Errorf("message = %q", sw.Message)
	}
	eol := out.Results[3]
	if !strings.Contains(eol.Message, "expired on 2027-01-30") || eol.Details["waiver_expired"] == nil {
		t.Errorf("expired waiver not reported: %q %#v", eol.Message, eol.Details)
	}
}

func TestApplyWaiversPrefersAValidWaiverOverAnExpiredOne(t *testing.T) {
	out := outcome(Result{ID: "os/eol", Status: Fail})
	applyWaivers(out, []profile.Waiver{waiver("os/*", "2020-01-01"), waiver("os/eol", "2030-01-01")},
		time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC))
	if out.Results[0].Status != Waived || out.Results[0].Details["waiver"].(map[string]any)["ticket"] != "OPS-2030-01-01" {
		t.Errorf("got %+v", out.Results[0])
	}
}

func TestApplyWaiversExpiresAtMidnightUTCAfterTheLastDay(t *testing.T) {
	w := []profile.Waiver{waiver("os/eol", "2027-01-31")}
	for _, tc := range []struct {
		now  time.Time
		want Status
	}{
		{time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC), Waived},
		{time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), Fail},
	} {
		out := outcome(Result{ID: "os/eol", Status: Fail})
		applyWaivers(out, w, tc.now)
		if out.Results[0].Status != tc.want {
			t.Errorf("at %v: %s, want %s", tc.now, out.Results[0].Status, tc.want)
		}
	}
}

func TestWaiverChecksWarnAboutWaiversThatMatchNothing(t *testing.T) {
	planned := []Check{fixed("sysctl/vm.swappiness", "sysctl", Pass), fixed("os/eol", "os", Fail)}
	got := waiverChecks([]profile.Waiver{
		waiver("sysctl/vm.swappiness", "2027-01-31"),
		waiver("sysctl/vm.swapiness", "2027-01-31"), // the typo
		waiver("os", "2027-01-31"),
		waiver("dns/*", "2027-01-31"),
	}, planned, time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	if len(got) != 2 || got[0].ID() != "waiver/sysctl/vm.swapiness" || got[1].ID() != "waiver/dns/*" {
		t.Fatalf("got %v", ids(got))
	}
	r := got[0].Run(context.Background(), nil)
	m := got[0].Meta()
	if r.Status != Warn || m.Category != WaiverCategory || m.Where != "golive.yaml:7" || !strings.Contains(r.Message, "matches no check") {
		t.Errorf("result %+v meta %+v", r, m)
	}
}

// A waiver in force that matches warns in its last ExpiringDays days, and
// every waiver's details carry the days left.
func TestWaiverChecksWarnBeforeAWaiverLapses(t *testing.T) {
	planned := []Check{fixed("os/eol", "os", Fail), fixed("sysctl/vm.swappiness", "sysctl", Fail)}
	now := time.Date(2027, 1, 18, 9, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		expires string
		warn    bool
		left    int
		part    string
	}{
		{"2027-02-01", false, 14, ""},
		{"2027-01-31", true, 13, "in 13 days"},
		{"2027-01-19", true, 1, "tomorrow is its last day"},
		{"2027-01-18", true, 0, "today is its last day"},
		{"2027-01-17", false, -1, ""}, // expired: applyWaivers says so on the finding
	} {
		got := waiverChecks([]profile.Waiver{waiver("os/eol", tc.expires)}, planned, now)
		if (len(got) == 1) != tc.warn {
			t.Errorf("expires %s: %d waiver checks, want warning %v", tc.expires, len(got), tc.warn)
			continue
		}
		if d := daysLeft(waiver("os/eol", tc.expires), now); d != tc.left {
			t.Errorf("expires %s: %d days left, want %d", tc.expires, d, tc.left)
		}
		if !tc.warn {
			continue
		}
		r := got[0].Run(context.Background(), nil)
		w, _ := r.Details["waiver"].(map[string]any)
		if r.Status != Warn || got[0].ID() != "waiver/os/eol" || !strings.Contains(r.Message, tc.part) || w["days_left"] != tc.left {
			t.Errorf("expires %s: %+v", tc.expires, r)
		}
	}
	out := outcome(Result{ID: "os/eol", Status: Fail})
	applyWaivers(out, []profile.Waiver{waiver("os/eol", "2027-01-31")}, now)
	if w, _ := out.Results[0].Details["waiver"].(map[string]any); out.Results[0].Status != Waived || w["days_left"] != 13 {
		t.Errorf("waived result %+v", out.Results[0])
	}
}

func TestExplainWaiverWarning(t *testing.T) {
	m, ok := Explain("waiver/sysctl/vm.swapiness")
	if !ok || m.ID != "waiver/sysctl/vm.swapiness" || m.Category != WaiverCategory || m.Why == "" || m.Fix == "" {
		t.Errorf("Explain = %+v, %v", m, ok)
	}
	if _, ok := Explain("waiver/"); ok {
		t.Error("an empty pattern is not a waiver check")
	}
}
