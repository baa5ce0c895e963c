package logs

import (
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

// TestJournaldStorage: drop-ins merge by name with /etc first and apply
// in name order; a masked name is skipped; an empty assignment restores
// the default; auto depends on /var/log/journal.
func TestJournaldStorage(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		status engine.Status
		words  []string
	}{
		{"default auto without the directory", map[string]string{"etc/systemd/journald.conf": "[Journal]\n#Storage=auto\n"},
			engine.Warn, []string{"Storage=auto (default) → volatile"}},
		{"default auto with the directory", map[string]string{"var/log/journal/x/system.journal": "LPKSHHRH"},
			engine.Pass, []string{"Storage=auto and /var/log/journal exists", "8B in 1 file"}},
		{"persistent in the main file", map[string]string{"etc/systemd/journald.conf": "[Journal]\nStorage=persistent\n"},
			engine.Pass, []string{"Storage=persistent → persistent"}},
		{"a later drop-in wins", map[string]string{
			"etc/systemd/journald.conf":                    "[Journal]\nStorage=persistent\n",
			"usr/lib/systemd/journald.conf.d/10-a.conf":    "[Journal]\nStorage=persistent\n",
			"run/systemd/journald.conf.d/50-volatile.conf": "[Journal]\nStorage=volatile\n",
		}, engine.Warn, []string{"Storage=volatile: /run/log/journal only"}},
		{"/etc masks a name", map[string]string{
			"etc/systemd/journald.conf.d/50-volatile.conf":     "->/dev/null",
			"usr/lib/systemd/journald.conf.d/50-volatile.conf": "[Journal]\nStorage=volatile\n",
			"etc/systemd/journald.conf":                        "[Journal]\nStorage=persistent\n",
		}, engine.Pass, nil},
		{"an empty assignment resets", map[string]string{
			"etc/systemd/journald.conf":          "[Journal]\nStorage=persistent\n",
			"etc/systemd/journald.conf.d/z.conf": "[Journal]\nStorage=\n",
		}, engine.Warn, []string{"Storage=auto (default)"}},
		{"none", map[string]string{"etc/systemd/journald.conf": "[Journal]\nStorage=none\n"},
			engine.Warn, []string{"journald keeps nothing"}},
		{"another section does not count", map[string]string{"etc/systemd/journald.conf": "[Other]\nStorage=persistent\n"},
			engine.Warn, []string{"(default)"}},
		{"main file from /usr/lib", map[string]string{"usr/lib/systemd/journald.conf": "[Journal]\nStorage=persistent\n"},
			engine.Pass, nil},
		{"SystemMaxUse above the bound", map[string]string{"etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nSystemMaxUse=8G\n"},
			engine.Warn, []string{"SystemMaxUse=8G (/etc/systemd/journald.conf) lets the journal take more than 4G"}},
		{"SystemMaxUse within", map[string]string{"etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nSystemMaxUse=2G\n"},
			engine.Pass, []string{"SystemMaxUse=2G"}},
	}
	p := profiletest.Resolve(t, "log: {journald: {storage: persistent, max_use: 4G}}\n")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want(t, run(t, p, hosttest.Root(t, c.files))["log/journald"], c.status, c.words...)
		})
	}
}

// TestJournaldFixYieldsToALaterDropIn: golive's drop-in would lose to a
// drop-in that sorts after it, so the fix is manual then.
func TestJournaldFixYieldsToALaterDropIn(t *testing.T) {
	p := profiletest.Resolve(t, "log: {journald: {storage: persistent}}\n")
	r := run(t, p, hosttest.Root(t, map[string]string{"etc/systemd/journald.conf.d/zz-volatile.conf": "[Journal]\nStorage=volatile\n"}))["log/journald"]
	if r.Remediation == nil || len(r.Remediation.Actions) != 1 || r.Remediation.Actions[0].Kind != remediate.Manual {
		t.Fatalf("plan %+v, want one manual step", r.Remediation)
	}
	r = run(t, p, hosttest.Root(t, map[string]string{"etc/systemd/journald.conf.d/10-volatile.conf": "[Journal]\nStorage=volatile\n"}))["log/journald"]
	if r.Remediation == nil || r.Remediation.Actions[0].Kind != remediate.DropIn || r.Remediation.Actions[0].Path != goliveJournaldDropIn {
		t.Fatalf("plan %+v, want golive's drop-in", r.Remediation)
	}
	any := profiletest.Resolve(t, "log: {journald: {storage: any}}\n")
	want(t, run(t, any, hosttest.Root(t, map[string]string{}))["log/journald"], engine.Pass)
}

func TestParseJournaldSize(t *testing.T) {
	for in, want := range map[string]int64{"4G": 4 << 30, "512M": 512 << 20, "100K": 100 << 10, "1024": 1024, "1.5G": 3 << 29, "2T": 2 << 40} {
		if got, err := parseJournaldSize(in); err != nil || got != want {
			t.Errorf("%q: %d, %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "G", "-1G", "lots"} {
		if _, err := parseJournaldSize(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
