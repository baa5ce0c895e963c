package systemd

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// FuzzParseTimespan: any RestartSec= text parses to a non-negative
// duration or is rejected.
func FuzzParseTimespan(f *testing.F) {
	for _, s := range []string{"5", "5s", "100ms", "1min 30s", "1.5h", "infinity", "", "5 parsecs", "1e309", "9999999999999999999y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := parseTimespan(s); err == nil && d < 0 {
			t.Fatalf("%q = %v", s, d)
		}
	})
}

// FuzzUnitHygiene layers a fuzzed fragment and drop-in (and a wants link)
// in a temp root and runs every systemd check: no panic, every result has
// a status, and only the statuses an image can give.
func FuzzUnitHygiene(f *testing.F) {
	f.Add("[Unit]\nAfter=network.target\n[Service]\nExecStart=/bin/app\nUser=app\nRestart=always\n[Install]\nWantedBy=multi-user.target\n", "[Service]\nRestart=\nUser=\n")
	f.Add("[Service]\nRestart=sometimes\nRestartSec=lots\nDynamicUser=maybe\n", "[Unit]\nAfter=\nStartLimitBurst=-1\n")
	f.Add("[Service\n", "garbage\n")
	f.Add("[Install]\nWantedBy=../../etc/passwd\nRequiredBy=a/b\n", "")
	p := testProfile(f, "rocky-9", "service: {unit: app}\n")
	f.Fuzz(func(t *testing.T, frag, drop string) {
		dir := t.TempDir()
		for p, content := range map[string]string{
			"etc/systemd/system/app.service":             frag,
			"etc/systemd/system/app.service.d/50-x.conf": drop,
			"etc/passwd": "app:x:1500:1500::/:/sbin/nologin\n",
		} {
			full := filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h, err := host.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range engine.Run(context.Background(), h, plan(t, p), engine.RunOptions{}).Results {
			switch r.Status {
			case engine.Pass, engine.Warn, engine.Fail, engine.Skip, engine.Error:
			default:
				t.Fatalf("%s: status %q", r.ID, r.Status)
			}
			if r.Status == engine.Error && r.Message == "" {
				t.Fatalf("%s: error without a message", r.ID)
			}
		}
	})
}
