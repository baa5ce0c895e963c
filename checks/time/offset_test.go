package clock

import (
	"fmt"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// offsetResult runs time/offset against server with the default
// thresholds (100ms warn, 1s fail).
func offsetResult(t *testing.T, server string, timeout time.Duration) engine.Result {
	t.Helper()
	p := testProfile(t, fmt.Sprintf("time:\n  servers: [%q]\n", server))
	h := hosttest.Root(t, map[string]string{"etc/hostname": "x\n"})
	r, ok := run(t, p, h, timeout)["time/offset:"+server]
	if !ok {
		t.Fatalf("no time/offset:%s", server)
	}
	return r
}

// TestOffsetAgainstAnNTPServer: the offset a real NTP exchange measures is
// the skew the server's clock has, within the loopback's noise, and the
// thresholds judge it.
func TestOffsetAgainstAnNTPServer(t *testing.T) {
	cases := []struct {
		skew   time.Duration
		status engine.Status
		words  []string
	}{
		{0, engine.Pass, []string{"within 100ms"}},
		{300 * time.Millisecond, engine.Warn, []string{"behind"}},
		{-300 * time.Millisecond, engine.Warn, []string{"ahead of"}},
		{3 * time.Second, engine.Fail, []string{"behind"}},
		{-90 * time.Second, engine.Fail, []string{"ahead of"}},
	}
	for _, c := range cases {
		t.Run(c.skew.String(), func(t *testing.T) {
			s := startNTP(t, ntpBehaviour{skew: c.skew, stratum: 2})
			r := offsetResult(t, s.addr, 2*time.Second)
			want(t, r, c.status, c.words...)
			got, ok := r.Details["offset_ms"].(float64)
			if !ok {
				t.Fatalf("offset_ms %v", r.Details["offset_ms"])
			}
			if d := time.Duration(got*1e6) - c.skew; d.Abs() > 50*time.Millisecond {
				t.Errorf("offset %vms, server skew %v: off by %v", got, c.skew, d)
			}
			if r.Details["stratum"] != 2 || s.requests() != 1 {
				t.Errorf("stratum %v, %d requests", r.Details["stratum"], s.requests())
			}
		})
	}
}

// TestOffsetCauses: a server that cannot be used is a fail naming why, as
// the other network checks name it.
func TestOffsetCauses(t *testing.T) {
	cases := map[string]struct {
		addr  func(t *testing.T) string
		cause string
		words []string
	}{
		"silent": {func(t *testing.T) string { return startNTP(t, ntpBehaviour{silent: true}).addr },
			depcheck.CauseTimeout, []string{"no answer before the check's deadline"}},
		"closed port": {closedPort, depcheck.CauseRefused, []string{"connection refused"}},
		"kiss RATE": {func(t *testing.T) string { return startNTP(t, ntpBehaviour{kiss: "RATE", leap: 3}).addr },
			causeKissOfDeath, []string{`kiss code "RATE"`, "asks too often"}},
		"kiss DENY": {func(t *testing.T) string { return startNTP(t, ntpBehaviour{kiss: "DENY", leap: 3}).addr },
			causeKissOfDeath, []string{`"DENY"`, "refuses this client"}},
		"unsynchronised server": {func(t *testing.T) string { return startNTP(t, ntpBehaviour{stratum: 16, leap: 3}).addr },
			depcheck.CauseProtocol, []string{"not synchronised itself"}},
		"short answer": {func(t *testing.T) string { return startNTP(t, ntpBehaviour{stratum: 2, short: true}).addr },
			depcheck.CauseProtocol, []string{"bad answer"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			addr := c.addr(t)
			start := time.Now()
			r := offsetResult(t, addr, 500*time.Millisecond)
			want(t, r, engine.Fail, c.words...)
			if r.Details["cause"] != c.cause || r.Observed != c.cause {
				t.Errorf("cause %v (observed %q), want %s", r.Details["cause"], r.Observed, c.cause)
			}
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v with a 500ms check timeout", el)
			}
			if kinds(r.Remediation) != "manual" {
				t.Errorf("remediation %q", kinds(r.Remediation))
			}
		})
	}
}

// TestOffsetIsANetworkCheck: --offline skips it, and the run does not
// send a datagram.
func TestOffsetIsANetworkCheck(t *testing.T) {
	s := startNTP(t, ntpBehaviour{stratum: 2})
	p := testProfile(t, fmt.Sprintf("time:\n  servers: [%q]\n", s.addr))
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	h := hosttest.Root(t, nil)
	out := engine.Run(t.Context(), h, checks, engine.RunOptions{Offline: true})
	for _, r := range out.Results {
		if r.ID == "time/offset:"+s.addr && r.Status != engine.Skip {
			t.Errorf("offline: %s %q", r.Status, r.Message)
		}
	}
	if s.requests() != 0 {
		t.Errorf("offline run sent %d requests", s.requests())
	}
}
