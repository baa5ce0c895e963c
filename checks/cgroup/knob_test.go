package cgroup

import (
	"math/big"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/expect"
)

func mustExpect(t *testing.T, k knob, s string) knobExpect {
	t.Helper()
	e, err := expect.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	ke, err := compileExpect(k, e)
	if err != nil {
		t.Fatal(err)
	}
	return ke
}

// max is unlimited: above every number.
func TestMaxComparesAsUnlimited(t *testing.T) {
	mem, _ := knobByName("memory.max")
	cpu, _ := knobByName("cpu.max")
	pids, _ := knobByName("pids.max")
	max := amount{Max: true}
	cases := []struct {
		k    knob
		rule string
		v    amount
		want bool
	}{
		{mem, "<= 2147483648", max, false},
		{mem, "<= 2147483648", num(2147483648), true},
		{mem, "<= 2147483648", num(2147483649), false},
		{mem, "!= max", max, false},
		{mem, "!= max", num(1), true},
		{mem, "== max", max, true},
		{mem, "max", max, true},
		{mem, "infinity", max, true},
		{mem, "in [max, 1073741824]", num(1073741824), true},
		{mem, "in [max, 1073741824]", num(2), false},
		{pids, ">= 4096", max, true},
		{pids, ">= 4096", num(4095), false},
		{pids, "> 4096", num(4096), false},
		{cpu, ">= 1", amount{V: big.NewRat(1, 2)}, false},
		{cpu, ">= 1.5", amount{V: big.NewRat(3, 2)}, true},
		{cpu, "<= 2", max, false},
		{cpu, "< 2", amount{V: big.NewRat(199, 100)}, true},
	}
	for _, c := range cases {
		if got := mustExpect(t, c.k, c.rule).holds(c.v); got != c.want {
			t.Errorf("%s %q holds for %s = %v, want %v", c.k.Name, c.rule, c.v.text(), got, c.want)
		}
	}
}

func TestBadKnobExpectations(t *testing.T) {
	mem, _ := knobByName("memory.max")
	cpu, _ := knobByName("cpu.max")
	cases := []struct {
		k     knob
		rule  string
		words string
	}{
		{mem, "<= 1.5", "whole numbers"},
		{mem, "2G", "not a number of bytes"},
		{mem, "== 1 2", "one value"},
		{cpu, "== 0x10", "not a number of CPU cores"},
		{cpu, "== 1e3", "not a number"},
		{cpu, "in [1, lots]", "not a number"},
		{mem, "== -1", "not a number"},
	}
	for _, c := range cases {
		e, err := expect.Parse(c.rule)
		if err != nil {
			t.Fatalf("%q: %v", c.rule, err)
		}
		if _, err := compileExpect(c.k, e); err == nil || !strings.Contains(err.Error(), c.words) {
			t.Errorf("%s %q: err %v, want one mentioning %q", c.k.Name, c.rule, err, c.words)
		}
	}
}

func TestFixValueAndDirectiveValue(t *testing.T) {
	mem, _ := knobByName("memory.max")
	cpu, _ := knobByName("cpu.max")
	pids, _ := knobByName("pids.max")
	cases := []struct {
		k    knob
		rule string
		want string // "" when no value follows
	}{
		{mem, "<= 2147483648", "2147483648"},
		{mem, "== max", "infinity"},
		{mem, "!= max", ""},
		{mem, "< 2147483648", "2147483647"},
		{mem, "< 0", ""},
		{pids, "> 4096", "4097"},
		{pids, "in [8192, 4096]", "8192"},
		{cpu, ">= 1.5", "150%"},
		{cpu, ">= 0.333", "33.3%"},
		{cpu, "> 1", ""},
	}
	for _, c := range cases {
		a, ok := mustExpect(t, c.k, c.rule).fix(c.k.Q)
		got := ""
		if ok {
			got = directiveValue(c.k.Q, a)
		}
		if got != c.want {
			t.Errorf("%s %q: fix %q, want %q", c.k.Name, c.rule, got, c.want)
		}
	}
}

func TestAmountsShowUnits(t *testing.T) {
	for _, c := range []struct {
		a    amount
		q    quantity
		want string
	}{
		{num(2147483648), bytesQ, "2147483648 (2 GiB)"},
		{num(1610612736), bytesQ, "1610612736 (1.5 GiB)"},
		{num(0), bytesQ, "0"},
		{amount{Max: true}, bytesQ, "max"},
		{amount{V: big.NewRat(3, 2)}, coresQ, "1.5 cores"},
		{num(1), coresQ, "1 core"},
		{num(4096), countQ, "4096"},
	} {
		if got := c.a.show(c.q); got != c.want {
			t.Errorf("show = %q, want %q", got, c.want)
		}
	}
}
