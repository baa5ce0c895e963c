package cgroup

import (
	"math/big"
	"testing"
)

// Sizes as systemd's parse_size(s, 1024) reads them.
func TestParseSizeFollowsSystemd(t *testing.T) {
	good := map[string]uint64{
		"2G": 2 << 30, "1536M": 1536 << 20, "1.5G": 3 << 29, "1G 512M": 3 << 29, "1024": 1024, "100B": 100,
		"1K": 1024, "10.M": 10 << 20, " 5 K": 5 << 10, "0": 0, "1.5": 1, "15E": 15 << 60, "0.1K": 102,
	}
	for in, want := range good {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "G", "-1", "1Gi", "1g", "1M 1G", "1G 1G", "16E", "18446744073709551616", "infinity", "1 2", "+", "0x10", "1e3"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestParseLimitValues(t *testing.T) {
	mem := []struct {
		in   string
		want limitValue
		ok   bool
	}{
		{"infinity", limitValue{infinity: true}, true},
		{"2G", limitValue{n: 2 << 30}, true},
		{"50%", limitValue{permyriad: 5000, isShare: true}, true},
		{"12.5%", limitValue{permyriad: 1250, isShare: true}, true},
		{"5‰", limitValue{permyriad: 50, isShare: true}, true},
		{"1‱", limitValue{permyriad: 1, isShare: true}, true},
		{"101%", limitValue{}, false},
		{"12.345%", limitValue{}, false},
		{"%", limitValue{}, false},
		{"lots", limitValue{}, false},
	}
	for _, c := range mem {
		got, err := parseMemoryLimit(c.in)
		if (err == nil) != c.ok || c.ok && got != c.want {
			t.Errorf("ParseMemoryLimit(%q) = %+v, %v", c.in, got, err)
		}
	}
	tasks := []struct {
		in   string
		want limitValue
		ok   bool
	}{
		{"infinity", limitValue{infinity: true}, true},
		{"4096", limitValue{n: 4096}, true},
		{"15%", limitValue{permyriad: 1500, isShare: true}, true},
		{"0", limitValue{}, false},
		{"-1", limitValue{}, false},
		{"4096x", limitValue{}, false},
		{"2K", limitValue{}, false},
	}
	for _, c := range tasks {
		got, err := parseTasksMax(c.in)
		if (err == nil) != c.ok || c.ok && got != c.want {
			t.Errorf("ParseTasksMax(%q) = %+v, %v", c.in, got, err)
		}
	}
	quota := map[string]*big.Rat{"150%": big.NewRat(3, 2), "1000%": big.NewRat(10, 1), "0.5%": big.NewRat(1, 200), "0%": nil, "": nil, "50": nil, "max": nil}
	for in, want := range quota {
		got, err := parseCPUQuota(in)
		if want == nil && err == nil || want != nil && (err != nil || got.Cmp(want) != 0) {
			t.Errorf("ParseCPUQuota(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestSharesResolveAgainstTheHost(t *testing.T) {
	v, _ := parseMemoryLimit("50%")
	if a, ok := v.resolve(8 << 30); !ok || a.text() != "4294967296" {
		t.Errorf("50%% of 8 GiB = %v %v", a.text(), ok)
	}
	if _, ok := v.resolve(0); ok {
		t.Error("a share of an unknown total must be unknown")
	}
	for p, want := range map[uint64]string{1500: "15%", 1250: "12.5%", 5: "0.05%", 10000: "100%"} {
		if got := formatPermyriad(p); got != want {
			t.Errorf("formatPermyriad(%d) = %q, want %q", p, got, want)
		}
	}
}
