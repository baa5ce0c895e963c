package sysctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

func mkroot(t *testing.T, files map[string]string) *host.Host {
	t.Helper()
	return hosttest.Root(t, files)
}

func TestNormalizeSwapsSeparatorsWhenPathForm(t *testing.T) {
	for in, want := range map[string]string{
		"net.core.somaxconn":                  "net.core.somaxconn",
		"net/core/somaxconn":                  "net.core.somaxconn",
		"net/ipv4/conf/enp3s0.200/forwarding": "net.ipv4.conf.enp3s0/200.forwarding",
		"net.ipv4.conf.enp3s0/200.forwarding": "net.ipv4.conf.enp3s0/200.forwarding",
		"/net/core/somaxconn":                 "net.core.somaxconn",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ProcPath("net.ipv4.conf.enp3s0/200.forwarding"); got != "/proc/sys/net/ipv4/conf/enp3s0.200/forwarding" {
		t.Errorf("ProcPath = %q", got)
	}
}

func TestParseFileSyntax(t *testing.T) {
	data := "# comment\n; also\n\n net.core.somaxconn = 65535 \r\n-net.ipv4.conf.all.rp_filter\n-kernel.foo = 1\nnot an assignment\n= novalue\nnet.ipv4.tcp_rmem = 4096 87380 134217728\n"
	got := ParseFile("/etc/sysctl.d/x.conf", []byte(data))
	want := []Assignment{
		{Key: "net.core.somaxconn", Value: "65535", Line: 4},
		{Key: "net.ipv4.conf.all.rp_filter", Exclude: true, Line: 5},
		{Key: "kernel.foo", Value: "1", Line: 6},
		{Key: "net.ipv4.tcp_rmem", Value: "4096 87380 134217728", Line: 9},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d assignments %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Key != w.Key || g.Value != w.Value || g.Exclude != w.Exclude || g.Line != w.Line {
			t.Errorf("assignment %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestResolveFollowsSystemdPrecedence(t *testing.T) {
	h := mkroot(t, map[string]string{
		// same name in /etc and /usr/lib: /etc wins, the /usr/lib one is not read
		"usr/lib/sysctl.d/50-default.conf": "net.core.somaxconn = 111\nkernel.a = vendor\n",
		"etc/sysctl.d/50-default.conf":     "kernel.b = admin\n",
		// later name overrides earlier
		"usr/lib/sysctl.d/10-early.conf": "kernel.c = early\n",
		"run/sysctl.d/20-late.conf":      "kernel.c = late\n",
		// explicit beats glob even when the glob comes later; exclusion
		"etc/sysctl.d/30-explicit.conf": "net.ipv4.conf.eth0.rp_filter = 1\n-net.ipv4.conf.lo.rp_filter\n",
		"etc/sysctl.d/40-glob.conf":     "net.ipv4.conf.*.rp_filter = 2\n",
		// masked file is not read
		"usr/lib/sysctl.d/60-masked.conf": "kernel.d = should-not-apply\n",
		"etc/sysctl.d/60-masked.conf":     "->/dev/null",
		// not .conf: ignored
		"etc/sysctl.d/README": "kernel.e = no\n",
		// sysctl.conf through the 99-sysctl.conf link, read once, in order
		"etc/sysctl.conf":               "kernel.f = conf\n",
		"etc/sysctl.d/99-sysctl.conf":   "->../sysctl.conf",
		"etc/sysctl.d/99-zzz-last.conf": "kernel.f = zzz\n",
	})
	cfg, err := LoadConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key, value, file string
		set              bool
	}{
		{"net.core.somaxconn", "", "", false},
		{"kernel.a", "", "", false},
		{"kernel.b", "admin", "/etc/sysctl.d/50-default.conf", true},
		{"kernel.c", "early", "/usr/lib/sysctl.d/10-early.conf", true}, // /run is gone at boot
		{"net.ipv4.conf.eth0.rp_filter", "1", "/etc/sysctl.d/30-explicit.conf", true},
		{"net.ipv4.conf.eth1.rp_filter", "2", "/etc/sysctl.d/40-glob.conf", true},
		{"net.ipv4.conf.lo.rp_filter", "", "", false},
		{"kernel.d", "", "", false},
		{"kernel.e", "", "", false},
		{"kernel.f", "zzz", "/etc/sysctl.d/99-zzz-last.conf", true},
	}
	for _, c := range cases {
		p, ok := cfg.Resolve(c.key)
		if ok != c.set || p.Value != c.value || (c.set && p.File != c.file) {
			t.Errorf("Resolve(%s) = %+v, %v; want %q from %s, %v", c.key, p, ok, c.value, c.file, c.set)
		}
	}
	if a, ok := cfg.TransientSet("kernel.c"); !ok || a.Value != "late" {
		t.Errorf("TransientSet(kernel.c) = %+v, %v", a, ok)
	}
	if len(cfg.Masked) != 1 || cfg.Masked[0] != "/etc/sysctl.d/60-masked.conf" {
		t.Errorf("Masked = %v", cfg.Masked)
	}
	// Read once, in the place of its 99-sysctl.conf link, under its own name.
	want := []string{"/usr/lib/sysctl.d/10-early.conf", "/etc/sysctl.d/30-explicit.conf", "/etc/sysctl.d/40-glob.conf",
		"/etc/sysctl.d/50-default.conf", SysctlConf, "/etc/sysctl.d/99-zzz-last.conf"}
	if strings.Join(cfg.Files, " ") != strings.Join(want, " ") {
		t.Errorf("files read: %v\nwant %v", cfg.Files, want)
	}
}

func TestSysctlConfReadLastWithoutTheSymlink(t *testing.T) {
	h := mkroot(t, map[string]string{
		"etc/sysctl.conf":        "kernel.x = conf\n",
		"etc/sysctl.d/99-z.conf": "kernel.x = dropin\n",
	})
	cfg, err := LoadConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := cfg.Resolve("kernel.x"); p.Value != "conf" || p.File != SysctlConf {
		t.Errorf("Resolve = %+v, want /etc/sysctl.conf to win as procps applies it last", p)
	}
}

func TestUnreadableFilesAreProblemsNotFailures(t *testing.T) {
	h := mkroot(t, map[string]string{
		"etc/sysctl.d/50-loop.conf": "->51-loop.conf",
		"etc/sysctl.d/51-loop.conf": "->50-loop.conf",
		"etc/sysctl.d/60-ok.conf":   "kernel.ok = 1\n",
	})
	if err := os.MkdirAll(filepath.Join(h.Root(), "etc/sysctl.d/70-dir.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := cfg.Resolve("kernel.ok"); !ok || p.Value != "1" {
		t.Errorf("readable file lost: %+v", p)
	}
	if len(cfg.Problems) != 3 {
		t.Errorf("Problems = %q, want the two loop links and the directory", cfg.Problems)
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte("net.core.somaxconn = 65535\n"))
	f.Add([]byte("-net.ipv4.conf.all.rp_filter\nnet.ipv4.conf.*.rp_filter = 2\n"))
	f.Add([]byte("# c\n; c\n\r\n=\n-\n-=\nkey/with/slash.and.dot = v\n"))
	f.Add([]byte(strings.Repeat("k", 5000) + " = " + strings.Repeat("v", 5000)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, a := range ParseFile("/f.conf", data) {
			if a.Key == "" {
				t.Fatalf("empty key from %q", data)
			}
			if a.Exclude && a.Value != "" {
				t.Fatalf("exclusion with a value: %+v", a)
			}
			_ = ProcPath(a.Key)
		}
	})
}
