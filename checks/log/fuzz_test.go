package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

func addFixtures(f *testing.F, rels ...string) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		for _, rel := range rels {
			if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", root, rel)); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParseLogrotate: any bytes as /etc/logrotate.conf give bounded
// entries whose files come from their patterns, and never a panic.
func FuzzParseLogrotate(f *testing.F) {
	addFixtures(f, "etc/logrotate.conf", "etc/logrotate.d/syslog", "etc/logrotate.d/rsyslog", "etc/logrotate.d/logsvc")
	for _, c := range handCases() {
		f.Add([]byte(c.files["etc/logrotate.conf"]))
	}
	f.Add([]byte("/a {\n postrotate\n x\n endscript }\n}\n"))
	f.Add([]byte("\"/a b\" '/c' /d\\ e {\nrotate 0x10\nsize=1G\n}}"))
	root := f.TempDir()
	h, err := host.New(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l := &loader{h: h, cfg: &Config{}, defaults: defaultSettings(), taboo: defaultTaboo, claimed: map[string]bool{}}
		p := &fileParser{l: l, name: "/etc/logrotate.conf", data: data}
		p.parse()
		if len(l.cfg.Blocks) > maxBlocks || len(l.cfg.Problems) > maxProblems {
			t.Fatalf("%d blocks, %d problems", len(l.cfg.Blocks), len(l.cfg.Problems))
		}
		for _, b := range l.cfg.Blocks {
			if len(b.Patterns) == 0 || len(b.Files) > len(b.Patterns) {
				// The root is empty: each pattern stands for itself.
				t.Fatalf("entry %+v", b)
			}
			if b.Line < 1 || b.Line > strings.Count(string(data), "\n")+1 {
				t.Fatalf("line %d", b.Line)
			}
		}
	})
}

// FuzzJournaldConf: any journald.conf text gives only [Journal] keys
// golive reads, and sizes parse or fail without a panic.
func FuzzJournaldConf(f *testing.F) {
	addFixtures(f, "etc/systemd/journald.conf", "etc/systemd/journald.conf.d/50-volatile.conf")
	f.Add([]byte("[Journal]\nStorage=persistent\nSystemMaxUse=1.5G\\\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts, err := unit.Parse(data)
		if err != nil {
			return
		}
		for _, o := range parseJournald(opts) {
			if o.Section != "Journal" || !isJournaldKey(o.Name) {
				t.Fatalf("kept %+v", o)
			}
			if n, err := parseJournaldSize(o.Value); err == nil && n < 0 {
				t.Fatalf("%q: %d", o.Value, n)
			}
		}
	})
}
