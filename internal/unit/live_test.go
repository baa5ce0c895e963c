package unit

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestBooted(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		ok    bool
		words string
	}{
		{"systemd is PID 1", map[string]string{"proc/1/comm": "systemd\n", "run/systemd/system/.keep": ""}, true, "PID 1"},
		{"PID 1 renamed init still counts", map[string]string{"proc/1/comm": "init\n", "run/systemd/system/.keep": ""}, true, "exists"},
		{"no /proc: the directory decides", map[string]string{"run/systemd/system/.keep": ""}, true, "exists"},
		{"another init", map[string]string{"proc/1/comm": "tini\n", "run/systemd/system/.keep": ""}, false, `PID 1 is "tini"`},
		{"not booted with systemd", map[string]string{"proc/1/comm": "systemd\n"}, false, "no /run/systemd/system"},
		{"a file where the directory belongs", map[string]string{"run/systemd/system": "x"}, false, "not a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, why := Booted(hosttest.Root(t, c.files))
			if ok != c.ok || !strings.Contains(why, c.words) {
				t.Errorf("Booted = %v %q, want %v mentioning %q", ok, why, c.ok, c.words)
			}
		})
	}
}

func TestPropertyAccessorsTolerateMissingAndMistypedValues(t *testing.T) {
	props := map[string]any{
		"LoadState": "loaded", "LimitNOFILE": uint64(524288), "NRestarts": uint32(3),
		"NeedDaemonReload": true, "After": []string{"network.target"}, "Odd": 7,
	}
	if PropString(props, "LoadState") != "loaded" || PropString(props, "Odd") != "" || PropString(props, "Missing") != "" {
		t.Error("PropString")
	}
	if v, ok := PropUint64(props, "LimitNOFILE"); !ok || v != 524288 {
		t.Error("PropUint64 t")
	}
	if v, ok := PropUint64(props, "NRestarts"); !ok || v != 3 {
		t.Error("PropUint64 u")
	}
	if _, ok := PropUint64(props, "Odd"); ok {
		t.Error("PropUint64 accepted an int")
	}
	if v, ok := PropBool(props, "NeedDaemonReload"); !ok || !v {
		t.Error("PropBool")
	}
	if got := PropStrings(props, "After"); len(got) != 1 || got[0] != "network.target" {
		t.Error("PropStrings")
	}
	if PropStrings(props, "LoadState") != nil {
		t.Error("PropStrings accepted a string")
	}
}
