package apparmor

import (
	"os"
	"strings"
	"testing"
)

// FuzzParseProfiles: every non-blank line is a profile or malformed, and
// the modes add up.
func FuzzParseProfiles(f *testing.F) {
	if data, err := os.ReadFile("../../testdata/roots/ubuntu-22.04/sys/kernel/security/apparmor/profiles"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{"", "a (enforce)", "a (b) (complain)\n(x)\n ( )", "x (\xff)\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := parseProfiles(data)
		sum := 0
		for m, n := range l.modes {
			if m == "" || strings.ContainsAny(m, " ()") || n <= 0 {
				t.Fatalf("mode %q x%d", m, n)
			}
			sum += n
		}
		lines := 0
		for _, line := range strings.Split(string(data), "\n") {
			if strings.TrimSpace(line) != "" {
				lines++
			}
		}
		if sum != l.total || l.total+l.malformed != lines {
			t.Fatalf("%+v for %d lines", l, lines)
		}
	})
}

// FuzzParseEnabled: only Y and N (with blanks) are answers.
func FuzzParseEnabled(f *testing.F) {
	for _, s := range []string{"Y\n", "N\n", "", "y", "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		on, err := parseEnabled(data)
		v := strings.TrimSpace(string(data))
		if (err == nil) != (v == "Y" || v == "N") || (err == nil && on != (v == "Y")) {
			t.Fatalf("ParseEnabled(%q) = %v, %v", data, on, err)
		}
	})
}
