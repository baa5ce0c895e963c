package rlimit

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

const pid1LimitsText = `Limit                     Soft Limit           Hard Limit           Units
Max processes             96369                96369                processes
Max open files            20000                20000                files
`

// setrlimit_closest: a hard limit above PID 1's own is refused without
// CAP_SYS_RESOURCE, and systemd sets min(value, PID 1's hard).
func TestPID1Cap(t *testing.T) {
	nofile := resources["nofile"]
	noCap := hosttest.Root(t, map[string]string{
		"proc/1/status": "Name:\tsystemd\nCapEff:\t00000000fcecbfff\n",
		"proc/1/limits": pid1LimitsText,
	})
	withCap := hosttest.Root(t, map[string]string{
		"proc/1/status": "Name:\tsystemd\nCapEff:\t000001ffffffffff\n",
		"proc/1/limits": pid1LimitsText,
	})
	p := readPID1(noCap)
	if !p.known || p.canRaise {
		t.Fatalf("no CAP_SYS_RESOURCE: %+v", p)
	}
	nr := nrOpen{value: 1048576, known: true}
	cases := []struct {
		in, want Limit
		capped   bool
	}{
		{Limit{16384, 32768}, Limit{16384, 20000}, true},
		{Limit{65536, 1048576}, Limit{20000, 20000}, true},
		{Limit{4096, 8192}, Limit{4096, 8192}, false},
		{Limit{20000, 20000}, Limit{20000, 20000}, false},
	}
	for _, c := range cases {
		got, why := p.cap(nofile, c.in, nr)
		if got != c.want || (why != "") != c.capped {
			t.Errorf("cap(%v) = %v %q, want %v", c.in, got, why, c.want)
		}
		if c.capped && !strings.Contains(why, "CAP_SYS_RESOURCE") {
			t.Errorf("why %q", why)
		}
	}
	q := readPID1(withCap)
	if !q.canRaise {
		t.Fatal("CAP_SYS_RESOURCE not seen")
	}
	if got, why := q.cap(nofile, Limit{65536, 1048576}, nr); got != (Limit{65536, 1048576}) || why != "" {
		t.Errorf("with the capability: %v %q", got, why)
	}
	// Above fs.nr_open even root's systemd is refused: min(value, its hard).
	if got, why := q.cap(nofile, Limit{65536, 2097152}, nr); got != (Limit{20000, 20000}) || !strings.Contains(why, "fs.nr_open") {
		t.Errorf("above nr_open: %v %q", got, why)
	}
	if p := readPID1(hosttest.Root(t, nil)); p.known {
		t.Error("no /proc/1: unknown")
	}
}
