package http

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzPattern: body patterns come from profiles; any text gives a pattern
// or an error, and a pattern matches any body without panicking.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"ok", "!error", "/^\\{.*\\}$/", "/(/", "!", "//", "!/a+/"} {
		f.Add(s, []byte(`{"status": "up"}`))
	}
	f.Fuzz(func(t *testing.T, s string, body []byte) {
		if p, err := parsePattern(s); err == nil {
			p.matches(body)
		}
	})
}

// FuzzStatuses: status: as YAML (a number, a list, anything else).
func FuzzStatuses(f *testing.F) {
	for _, s := range []string{"200", "[200, 204]", "[]", "x", "{a: 1}", "999", "[200, [1]]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) != nil || len(n.Content) == 0 {
			return
		}
		if st, err := statuses(n.Content[0]); err == nil {
			for _, v := range st {
				if v < 100 || v > 599 {
					t.Fatalf("%q gave %d", s, v)
				}
			}
		}
	})
}
