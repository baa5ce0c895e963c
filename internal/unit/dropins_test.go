package unit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

// DropIns' precedence rules, which unit.Load and facts.Manager share.
func TestDropInsPrecedence(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		// One name in three directories: the first directory wins.
		"etc/x.d/50-all.conf":     "etc",
		"run/x.d/50-all.conf":     "run",
		"usr/lib/x.d/50-all.conf": "usr",
		// Not in /etc: /run wins over /usr/lib.
		"run/x.d/40-run.conf":     "run",
		"usr/lib/x.d/40-run.conf": "usr",
		// A link to /dev/null masks the name in every lower directory...
		"etc/x.d/30-masked.conf":     "->/dev/null",
		"usr/lib/x.d/30-masked.conf": "usr",
		// ...but not in a higher one, whose file wins.
		"etc/x.d/35-unmasked.conf":     "etc",
		"usr/lib/x.d/35-unmasked.conf": "->/dev/null",
		// A link elsewhere is an ordinary drop-in.
		"etc/x.d/36-link.conf": "->../../usr/lib/elsewhere.conf",
		// Names sort across directories, whichever directory they are in.
		"usr/lib/x.d/10-first.conf": "usr",
		"run/x.d/99-last.conf":      "run",
		// Only *.conf files count.
		"etc/x.d/README":          "not a drop-in",
		"etc/x.d/60-backup.conf~": "not a drop-in",
		// A file where a directory is expected is no directory.
		"run/notadir.d": "a file",
	})
	dirs := []string{"/etc/x.d", "/run/x.d", "/run/notadir.d", "/missing/x.d", "/usr/lib/x.d"}
	got, problems := DropIns(h, dirs, 0)
	want := []DropIn{
		{"10-first.conf", "/usr/lib/x.d/10-first.conf", false},
		{"30-masked.conf", "/etc/x.d/30-masked.conf", true},
		{"35-unmasked.conf", "/etc/x.d/35-unmasked.conf", false},
		{"36-link.conf", "/etc/x.d/36-link.conf", false},
		{"40-run.conf", "/run/x.d/40-run.conf", false},
		{"50-all.conf", "/etc/x.d/50-all.conf", false},
		{"99-last.conf", "/run/x.d/99-last.conf", false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("drop-ins\n%+v\nwant\n%+v", got, want)
	}
	if len(problems) != 0 {
		t.Errorf("problems %q: a missing directory, or a file in its place, is empty", problems)
	}

	// The limit keeps the first names met, directory by directory, and
	// names each directory that had more.
	got, problems = DropIns(h, dirs, 2)
	if len(got) != 2 || got[0].Name != "30-masked.conf" || got[1].Name != "35-unmasked.conf" {
		t.Errorf("limit 2: %+v", got)
	}
	if len(problems) != 3 || !strings.Contains(problems[0], "/etc/x.d: more than 2 drop-ins") {
		t.Errorf("limit 2: problems %q", problems)
	}
	if got, problems := DropIns(h, nil, 0); len(got) != 0 || len(problems) != 0 {
		t.Errorf("no directories: %+v, %q", got, problems)
	}
}

// The directories a unit's name selects, most general first: the
// type-level directory, each dash prefix, the template's, the unit's own.
func TestDropInDirs(t *testing.T) {
	for name, want := range map[string][]string{
		"app.service":        {"service.d", "app.service.d"},
		"a-b-c.service":      {"service.d", "a-.service.d", "a-b-.service.d", "a-b-c.service.d"},
		"web@blue.service":   {"service.d", "web@.service.d", "web@blue.service.d"},
		"-.mount":            {"mount.d", "-.mount.d"},
		"var-lib-data.mount": {"mount.d", "var-.mount.d", "var-lib-.mount.d", "var-lib-data.mount.d"},
	} {
		if got := dropInDirs(name); !reflect.DeepEqual(got, want) {
			t.Errorf("dropInDirs(%q) = %q, want %q", name, got, want)
		}
	}
}
