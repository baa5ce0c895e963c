package unit

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestLoadFollowsTheSearchPath(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		unit   string
		path   string
		masked bool
	}{
		{"vendor unit only", map[string]string{
			"usr/lib/systemd/system/app.service": "[Service]\nExecStart=/bin/app\n",
		}, "app.service", "/usr/lib/systemd/system/app.service", false},
		{"/etc overrides the vendor unit", map[string]string{
			"usr/lib/systemd/system/app.service": "[Service]\nExecStart=/bin/vendor\n",
			"etc/systemd/system/app.service":     "[Service]\nExecStart=/bin/admin\n",
		}, "app.service", "/etc/systemd/system/app.service", false},
		{"/run beats /usr/lib", map[string]string{
			"usr/lib/systemd/system/app.service": "[Service]\n",
			"run/systemd/system/app.service":     "[Service]\n",
		}, "app.service", "/run/systemd/system/app.service", false},
		{"split-usr /lib", map[string]string{
			"lib/systemd/system/app.service": "[Service]\n",
		}, "app.service", "/lib/systemd/system/app.service", false},
		{"masked by a link to /dev/null", map[string]string{
			"usr/lib/systemd/system/app.service": "[Service]\n",
			"etc/systemd/system/app.service":     "->/dev/null",
		}, "app.service", "/etc/systemd/system/app.service", true},
		{"alias symlink is followed", map[string]string{
			"usr/lib/systemd/system/real.service": "[Service]\nExecStart=/bin/real\n",
			"etc/systemd/system/app.service":      "->/usr/lib/systemd/system/real.service",
		}, "app.service", "/etc/systemd/system/app.service", false},
		{"instance uses its template", map[string]string{
			"usr/lib/systemd/system/app@.service": "[Service]\nExecStart=/bin/app %i\n",
		}, "app@blue.service", "/usr/lib/systemd/system/app@.service", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Load(hosttest.Root(t, c.files), c.unit)
			if err != nil {
				t.Fatal(err)
			}
			if f.Path != c.path || f.Masked != c.masked {
				t.Errorf("path %s masked %v, want %s %v", f.Path, f.Masked, c.path, c.masked)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/systemd/system/bad.service":   "[Service\nExecStart=/bin/x\n",
		"etc/systemd/system/big.service":   "[Service]\nX=" + strings.Repeat("a", MaxFileSize) + "\n",
		"etc/systemd/system/dir.service/x": "",
	})
	cases := []struct {
		unit, want string
		notExist   bool
	}{
		{"missing.service", "unit not found", true},
		{"app", "no unit type suffix", false},
		{"../etc/passwd.service", "not a unit name", false},
		{"bad.service", "parse /etc/systemd/system/bad.service", false},
		{"big.service", "larger than the read limit", false},
		{"dir.service", "not a regular file", false},
	}
	for _, c := range cases {
		t.Run(c.unit, func(t *testing.T) {
			_, err := Load(h, c.unit)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if errors.Is(err, fs.ErrNotExist) != c.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v", !c.notExist)
			}
		})
	}
}

func TestDropInsMergeByNameAndApplyInNameOrder(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"usr/lib/systemd/system/my-app.service":             "[Service]\nEnvironment=A=vendor\nLimitNOFILE=1024\n",
		"usr/lib/systemd/system/my-app.service.d/10-a.conf": "[Service]\nLimitNOFILE=2048\n",
		// The same name in /etc wins over /usr/lib.
		"usr/lib/systemd/system/my-app.service.d/50-b.conf": "[Service]\nLimitNOFILE=4096\n",
		"etc/systemd/system/my-app.service.d/50-b.conf":     "[Service]\nLimitNOFILE=8192\n",
		// Applies after 50-b whatever its directory.
		"run/systemd/system/my-app.service.d/60-c.conf": "[Service]\nEnvironment=B=run\n",
		// Type-level and dash-prefix drop-ins (systemd.unit(5)).
		"etc/systemd/system/service.d/05-all.conf":        "[Service]\nEnvironment=ALL=1\n",
		"etc/systemd/system/my-.service.d/07-prefix.conf": "[Service]\nEnvironment=PREFIX=1\n",
		// Masked drop-in and files that are not *.conf.
		"etc/systemd/system/my-app.service.d/20-masked.conf":     "->/dev/null",
		"usr/lib/systemd/system/my-app.service.d/20-masked.conf": "[Service]\nLimitNOFILE=1\n",
		"etc/systemd/system/my-app.service.d/README":             "not a drop-in",
		"etc/systemd/system/my-app.service.d/30-broken.conf":     "[Service\n",
	})
	f, err := Load(h, "my-app.service")
	if err != nil {
		t.Fatal(err)
	}
	wantDropIns := []string{
		"/etc/systemd/system/service.d/05-all.conf",
		"/etc/systemd/system/my-.service.d/07-prefix.conf",
		"/usr/lib/systemd/system/my-app.service.d/10-a.conf",
		"/etc/systemd/system/my-app.service.d/50-b.conf",
		"/run/systemd/system/my-app.service.d/60-c.conf",
	}
	if !reflect.DeepEqual(f.DropIns, wantDropIns) {
		t.Errorf("drop-ins\n%q\nwant\n%q", f.DropIns, wantDropIns)
	}
	if !reflect.DeepEqual(f.MaskedDropIns, []string{"/etc/systemd/system/my-app.service.d/20-masked.conf"}) {
		t.Errorf("masked drop-ins %q", f.MaskedDropIns)
	}
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0], "30-broken.conf") {
		t.Errorf("problems %q: the unparsable drop-in must be named", f.Problems)
	}
	if v, _ := f.Last("Service", "LimitNOFILE"); v != "8192" {
		t.Errorf("LimitNOFILE %q, want 8192 from /etc's 50-b.conf", v)
	}
	if got := f.Paths(); len(got) != 6 || got[0] != "/usr/lib/systemd/system/my-app.service" {
		t.Errorf("paths %q", got)
	}
}

func TestValuesResetOnEmptyAssignment(t *testing.T) {
	f := &File{Options: []Option{
		{Section: "Service", Name: "ExecStartPre", Value: "/bin/a"},
		{Section: "Service", Name: "ExecStartPre", Value: ""},
		{Section: "Service", Name: "ExecStartPre", Value: "/bin/b"},
		{Section: "Service", Name: "ExecStartPre", Value: "/bin/c"},
		{Section: "Unit", Name: "ExecStartPre", Value: "/bin/other-section"},
		{Section: "Service", Name: "Nice", Value: "5"},
		{Section: "Service", Name: "Nice", Value: ""},
	}}
	if got := f.Values("Service", "ExecStartPre"); !reflect.DeepEqual(got, []string{"/bin/b", "/bin/c"}) {
		t.Errorf("values %q", got)
	}
	if v, ok := f.Last("Service", "Nice"); ok {
		t.Errorf("Nice reset to empty must be unset, got %q", v)
	}
	if v, ok := f.Last("Service", "ExecStartPre"); !ok || v != "/bin/c" {
		t.Errorf("last %q %v", v, ok)
	}
}

func TestParseJoinsContinuationLines(t *testing.T) {
	opts, err := Parse([]byte("# comment\n[Service]\nEnvironment=A=1 \\\n  B=2\n; other comment\nExecStart=/bin/x\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{
		{Section: "Service", Name: "Environment", Value: "A=1    B=2"},
		{Section: "Service", Name: "ExecStart", Value: "/bin/x"},
	}
	if !reflect.DeepEqual(opts, want) {
		t.Errorf("got %+v\nwant %+v", opts, want)
	}
}

func TestNormalize(t *testing.T) {
	for in, out := range map[string]string{"app": "app.service", "app.service": "app.service", "app.socket": "app.socket", "my.app": "my.app.service", " x ": "x.service", "": ""} {
		if got := Normalize(in); got != out {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, out)
		}
	}
}
