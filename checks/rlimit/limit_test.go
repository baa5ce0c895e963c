package rlimit

import (
	"errors"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/expect"
)

func TestParseSystemdLimit(t *testing.T) {
	nofile, memlock := resources["nofile"], resources["memlock"]
	cases := []struct {
		name    string
		r       resource
		value   string
		version int
		want    Limit
		err     string
	}{
		{"one value sets both", nofile, "1048576", 0, Limit{1048576, 1048576}, ""},
		{"soft:hard", nofile, "1024:524288", 252, Limit{1024, 524288}, ""},
		{"infinity", nofile, "infinity", 252, Limit{Infinity, Infinity}, ""},
		{"soft:infinity", resources["core"], "0:infinity", 252, Limit{0, Infinity}, ""},
		{"hex as strtoull base 0", nofile, "0x100000", 252, Limit{1048576, 1048576}, ""},
		{"octal as strtoull base 0", nofile, "010", 252, Limit{8, 8}, ""},
		{"size suffix", memlock, "64M", 252, Limit{64 << 20, 64 << 20}, ""},
		{"size components are summed", memlock, "1G 512M", 252, Limit{1<<30 + 512<<20, 1<<30 + 512<<20}, ""},
		{"size fraction", memlock, "1.5K", 252, Limit{1536, 1536}, ""},
		{"size without suffix is bytes", memlock, "65536", 252, Limit{65536, 65536}, ""},
		{"a count takes no suffix", nofile, "64K", 252, Limit{}, "not a number"},
		{"soft above hard is ignored", nofile, "4096:1024", 252, Limit{}, "soft limit above the hard limit"},
		{"empty is ignored, not a reset", nofile, "", 252, Limit{}, "cannot be reset"},
		{"a word", nofile, "lots", 252, Limit{}, "not a number"},
		{"negative", nofile, "-1", 252, Limit{}, "not a number"},
		{"two colons", nofile, "1:2:3", 252, Limit{}, "more than one colon"},
		{"out of range", nofile, "18446744073709551616", 252, Limit{}, "out of range"},
		{"RLIM_INFINITY as a number is out of range", nofile, "18446744073709551615", 252, Limit{}, "out of range"},
		{"systemd 219 takes one integer", nofile, "65536", 219, Limit{65536, 65536}, ""},
		{"systemd 219 ignores soft:hard", nofile, "65536:1048576", 219, Limit{}, "systemd 219 takes one integer"},
		{"systemd 219 ignores a suffix", memlock, "64M", 219, Limit{}, "systemd 219"},
		{"systemd 219 takes infinity", nofile, "infinity", 219, Limit{Infinity, Infinity}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseSystemdLimit(c.r, c.value, c.version)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("parse %q: %v, %v; want an error with %q", c.value, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("parse %q = %v, %v; want %v", c.value, got, err, c.want)
			}
		})
	}
	if _, err := parseSystemdLimit(nofile, "4096:1024", 0); !errors.Is(err, errSoftAboveHard) {
		t.Errorf("soft > hard: %v, want errSoftAboveHard", err)
	}
}

func TestLimitString(t *testing.T) {
	cases := map[Limit]string{
		{1024, 524288}:       "1024:524288",
		{1048576, 1048576}:   "1048576",
		{Infinity, Infinity}: "unlimited",
		{0, Infinity}:        "0:unlimited",
	}
	for l, want := range cases {
		if got := l.String(); got != want {
			t.Errorf("%#v = %q, want %q", l, got, want)
		}
	}
	if got := systemdLimit(Limit{0, Infinity}, 252); got != "0:infinity" {
		t.Errorf("systemdLimit = %q", got)
	}
	if got := systemdLimit(Limit{1024, 4096}, 219); got != "4096" {
		t.Errorf("systemd 219 gets one value: %q", got)
	}
}

func TestUnlimitedIsAboveEveryNumber(t *testing.T) {
	cases := []struct {
		expect string
		value  uint64
		ok     bool
	}{
		{">= 1048576", Infinity, true},
		{">= 1048576", 524288, false},
		{"unlimited", Infinity, true},
		{"== infinity", Infinity, true},
		{"unlimited", 1 << 40, false},
		{"<= 0", 0, true},
		{"in [0, unlimited]", Infinity, true},
		{"!= unlimited", 1024, true},
	}
	for _, c := range cases {
		e, err := expect.Parse(c.expect)
		if err != nil {
			t.Fatal(err)
		}
		if err := validExpectation(e); err != nil {
			t.Fatalf("%q: %v", c.expect, err)
		}
		got, err := satisfies(e, c.value)
		if err != nil || got != c.ok {
			t.Errorf("%q on %s = %v, %v; want %v", c.expect, formatValue(c.value), got, err, c.ok)
		}
	}
}

func TestValidExpectationRejectsWhatIsNotALimit(t *testing.T) {
	for _, s := range []string{"lots", "== 1 2", "in [1, many]"} {
		e, err := expect.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if validExpectation(e) == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestFixValueMovesAsLittleAsPossible(t *testing.T) {
	ge, _ := expect.Parse(">= 1048576")
	if v, ok := fixValue(ge, 4096); !ok || v != 1048576 {
		t.Errorf("fix >= from 4096 = %d %v", v, ok)
	}
	unl, _ := expect.Parse("unlimited")
	if v, ok := fixValue(unl, 0); !ok || v != Infinity {
		t.Errorf("fix unlimited = %d %v", v, ok)
	}
	ne, _ := expect.Parse("!= 0")
	if _, ok := fixValue(ne, 0); ok {
		t.Error("!= has no fix value")
	}
}
