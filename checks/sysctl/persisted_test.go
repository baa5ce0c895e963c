package sysctl

import (
	"fmt"
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
		"net..core...somaxconn":               "net.core.somaxconn",
		"net//core/somaxconn":                 "net.core.somaxconn",
		"net/./core/./somaxconn":              "net.core.somaxconn",
		".net.core.somaxconn.":                "net.core.somaxconn",
		"net/core/somaxconn/":                 "net.core.somaxconn",
		"net./.core.somaxconn":                "net.core.somaxconn",
		"net.ipv4.conf.eth0/100..rp_filter":   "net.ipv4.conf.eth0/100.rp_filter",
		"/a.b":                                "a/b", // the leading "/" goes after the first-separator rule
		"net/../core":                         "net.//.core",
		"":                                    "",
		"/":                                   "",
		".":                                   "",
		"./":                                  "",
		"//.//":                               "",
	} {
		if got := normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := procPath("net.ipv4.conf.enp3s0/200.forwarding"); got != "/proc/sys/net/ipv4/conf/enp3s0.200/forwarding" {
		t.Errorf("ProcPath = %q", got)
	}
}

func TestParseFileSyntax(t *testing.T) {
	data := "# comment\n; also\n\n net.core.somaxconn = 65535 \r\n-net.ipv4.conf.all.rp_filter\n-kernel.foo = 1\nnot an assignment\n= novalue\nnet.ipv4.tcp_rmem = 4096 87380 134217728\n"
	got := ParseFile("/etc/sysctl.d/x.conf", []byte(data))
	want := []assignment{
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
	cfg, err := readConfig(h)
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
		p, ok := cfg.resolve(c.key)
		if ok != c.set || p.value != c.value || (c.set && p.file != c.file) {
			t.Errorf("Resolve(%s) = %+v, %v; want %q from %s, %v", c.key, p, ok, c.value, c.file, c.set)
		}
	}
	if a, ok := cfg.transientSet("kernel.c"); !ok || a.Value != "late" {
		t.Errorf("TransientSet(kernel.c) = %+v, %v", a, ok)
	}
	if len(cfg.masked) != 1 || cfg.masked[0] != "/etc/sysctl.d/60-masked.conf" {
		t.Errorf("Masked = %v", cfg.masked)
	}
	// Read once, in the place of its 99-sysctl.conf link, under its own name.
	want := []string{"/usr/lib/sysctl.d/10-early.conf", "/etc/sysctl.d/30-explicit.conf", "/etc/sysctl.d/40-glob.conf",
		"/etc/sysctl.d/50-default.conf", sysctlConf, "/etc/sysctl.d/99-zzz-last.conf"}
	if strings.Join(cfg.files, " ") != strings.Join(want, " ") {
		t.Errorf("files read: %v\nwant %v", cfg.files, want)
	}
}

func TestSysctlConfIsReadOnlyThroughALink(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		value string // of kernel.x; "" when a boot does not set it
		file  string
		read  []string
	}{
		{"no link: a boot never reads it", map[string]string{
			"etc/sysctl.conf":        "kernel.x = conf\n",
			"etc/sysctl.d/10-a.conf": "kernel.y = a\n",
		}, "", "", []string{"/etc/sysctl.d/10-a.conf"}},
		{"a regular 99-sysctl.conf is just a file", map[string]string{
			"etc/sysctl.conf":             "kernel.x = conf\n",
			"etc/sysctl.d/99-sysctl.conf": "kernel.y = file\n",
		}, "", "", []string{"/etc/sysctl.d/99-sysctl.conf"}},
		{"absolute link: read once, in the link's place", map[string]string{
			"etc/sysctl.conf":             "kernel.x = conf\n",
			"etc/sysctl.d/99-sysctl.conf": "->/etc/sysctl.conf",
			"etc/sysctl.d/99-z.conf":      "kernel.x = z\n",
		}, "z", "/etc/sysctl.d/99-z.conf", []string{sysctlConf, "/etc/sysctl.d/99-z.conf"}},
		{"relative link from /usr/lib, early name", map[string]string{
			"etc/sysctl.conf":                 "kernel.x = conf\n",
			"usr/lib/sysctl.d/05-sysctl.conf": "->../../../etc/sysctl.conf",
			"etc/sysctl.d/10-a.conf":          "kernel.x = a\n",
		}, "a", "/etc/sysctl.d/10-a.conf", []string{sysctlConf, "/etc/sysctl.d/10-a.conf"}},
		{"link chain", map[string]string{
			"etc/sysctl.conf":             "kernel.x = conf\n",
			"etc/sysctl.d/99-sysctl.conf": "->/etc/alt.conf",
			"etc/alt.conf":                "->sysctl.conf",
		}, "conf", sysctlConf, []string{sysctlConf}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := readConfig(mkroot(t, c.files))
			if err != nil {
				t.Fatal(err)
			}
			p, ok := cfg.resolve("kernel.x")
			if ok != (c.value != "") || p.value != c.value || p.file != c.file {
				t.Errorf("Resolve(kernel.x) = %+v, %v; want %q from %q", p, ok, c.value, c.file)
			}
			if strings.Join(cfg.files, " ") != strings.Join(c.read, " ") {
				t.Errorf("files read %q, want %q", cfg.files, c.read)
			}
			if len(cfg.problems) > 0 {
				t.Errorf("problems: %q", cfg.problems)
			}
			linked := c.file == sysctlConf || len(c.read) > 0 && c.read[0] == sysctlConf
			if unread := len(cfg.unread) > 0; unread == linked {
				t.Errorf("Unread = %+v: want /etc/sysctl.conf's lines there exactly when no link reads it", cfg.unread)
			}
		})
	}
}

func TestExclusionsGlobsAndOrder(t *testing.T) {
	cfg, err := readConfig(mkroot(t, map[string]string{
		"etc/sysctl.d/10-a.conf": "kernel.a = 1\nkernel.b = 1\nnet.ipv4.conf.*.rp_filter = 2\nvm.* = 7\nfs.*.x = 1\n",
		// -key after an assignment drops the key: no value, off every glob
		"etc/sysctl.d/20-b.conf": "-kernel.a\n-vm.*\n-net.ipv4.conf.lo.rp_filter\n",
		// a glob repeated with its value keeps its first place; fs.?.x
		// comes later in the table and wins
		"etc/sysctl.d/30-c.conf": "fs.?.x = 2\nfs.*.x = 1\n",
		// [!a] negates
		"etc/sysctl.d/40-d.conf": "kernel.k[!a] = neg\n",
		// the value of a repeated setting is named at its latest line
		"etc/sysctl.d/50-e.conf": "kernel.b = 1\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"kernel.a": "", "kernel.b": "1 /etc/sysctl.d/50-e.conf:1",
		"net.ipv4.conf.eth0.rp_filter": "2 /etc/sysctl.d/10-a.conf:3", "net.ipv4.conf.lo.rp_filter": "",
		"vm.swappiness": "", "fs.a.x": "2 /etc/sysctl.d/30-c.conf:1", "fs.ab.x": "1 /etc/sysctl.d/30-c.conf:2",
		"kernel.kb": "neg /etc/sysctl.d/40-d.conf:1", "kernel.ka": "", "kernel.k!": "neg /etc/sysctl.d/40-d.conf:1",
	} {
		p, ok := cfg.resolve(key)
		got := ""
		if ok {
			got = fmt.Sprintf("%s %s:%d", p.value, p.file, p.line)
		}
		if got != want {
			t.Errorf("Resolve(%s) = %q, want %q", key, got, want)
		}
	}
	if a, ok := cfg.dropped("kernel.a"); !ok || a.File != "/etc/sysctl.d/20-b.conf" || a.Line != 1 {
		t.Errorf("Dropped(kernel.a) = %+v, %v", a, ok)
	}
	if _, ok := cfg.dropped("kernel.b"); ok {
		t.Error("kernel.b is set, not dropped")
	}
}

func TestHiddenFilesAreNotRead(t *testing.T) {
	cfg, err := readConfig(mkroot(t, map[string]string{
		"etc/sysctl.d/.10-a.conf":  "kernel.a = hidden\n",
		"usr/lib/sysctl.d/.b.conf": "kernel.a = hidden\n",
		"etc/sysctl.d/.conf":       "kernel.a = hidden\n",
		"run/sysctl.d/.c.conf":     "kernel.a = hidden\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := cfg.resolve("kernel.a"); ok || len(cfg.files) > 0 || len(cfg.transient) > 0 {
		t.Errorf("hidden files read: %+v %v %v", p, cfg.files, cfg.transient)
	}
}

func TestParseFileLineEnds(t *testing.T) {
	data := "k.a = 1\rk.b = 2\r\nk.c = 3\n\rk.d = 4\x00k.e = 5\n\nk.f = 6\r\rk.g = 7\x00\nk.h = 8\r\x00\nk.i = 9"
	want := []string{"k.a=1:1", "k.b=2:2", "k.c=3:3", "k.d=4:4", "k.e=5:5", "k.f=6:7", "k.g=7:9", "k.h=8:11", "k.i=9:13"}
	var got []string
	for _, a := range ParseFile("/f.conf", []byte(data)) {
		got = append(got, fmt.Sprintf("%s=%s:%d", a.Key, a.Value, a.Line))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestParseFileBlanksAreSystemds(t *testing.T) {
	// \v and \f are not blanks to systemd's strstrip: they stay in the key
	// and the value.
	got := ParseFile("/f.conf", []byte("\vk.a = 1\f\n -k.b= 2\n-\tk.c\n--k.d = 3\nk.e = a=b\n"))
	want := []assignment{{Key: "\vk.a", Value: "1\f"}, {Key: "k.b", Value: "2"}, {Key: "k.c", Exclude: true}, {Key: "-k.d", Value: "3"}, {Key: "k.e", Value: "a=b"}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].Key != want[i].Key || got[i].Value != want[i].Value || got[i].Exclude != want[i].Exclude {
			t.Errorf("%d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseFileStopsAtAnOverlongLine(t *testing.T) {
	data := "k.a = 1\nk.b = " + strings.Repeat("x", maxLine) + "\nk.c = 3\n"
	if got := ParseFile("/f.conf", []byte(data)); len(got) != 1 || got[0].Key != "k.a" {
		t.Errorf("got %d assignments; systemd stops reading at a line of 1 MiB", len(got))
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
	cfg, err := readConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := cfg.resolve("kernel.ok"); !ok || p.value != "1" {
		t.Errorf("readable file lost: %+v", p)
	}
	if len(cfg.problems) != 3 {
		t.Errorf("Problems = %q, want the two loop links and the directory", cfg.problems)
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte("net.core.somaxconn = 65535\n"))
	f.Add([]byte("-net.ipv4.conf.all.rp_filter\nnet.ipv4.conf.*.rp_filter = 2\n"))
	f.Add([]byte("# c\n; c\n\r\n=\n-\n-=\nkey/with/slash.and.dot = v\n"))
	f.Add([]byte(strings.Repeat("k", 5000) + " = " + strings.Repeat("v", 5000)))
	f.Add([]byte("a = 1\rb = 2\x00c = 3\n\r\x00d\r\r-e\n"))
	f.Add([]byte(".a..b. = 1\n/a/./b// = 2\n- a.[!b]* = 3\n-a.*\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		as := ParseFile("/f.conf", data)
		for _, a := range as {
			if a.Key == "" {
				t.Fatalf("empty key from %q", data)
			}
			if a.Exclude && a.Value != "" {
				t.Fatalf("exclusion with a value: %+v", a)
			}
			if strings.ContainsAny(a.Key+a.Value, "\n\r\x00") || a.Value != trimBlank(a.Value) {
				t.Fatalf("a line end or an outer blank kept: %+v", a)
			}
			_ = procPath(a.Key)
		}
		c := &config{assignments: as}
		c.index()
		for _, a := range as {
			p, ok := c.resolve(a.Key)
			if ok && p.glob == "" && p.value != a.Value && !isGlob(a.Key) {
				// the key's value is its last setting's
				last := a
				for _, b := range as {
					if b.Key == a.Key {
						last = b
					}
				}
				if last.Value != p.value {
					t.Fatalf("Resolve(%q) = %+v, last setting %+v", a.Key, p, last)
				}
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"net.core.somaxconn", "net/ipv4/conf/eth0.100/rp_filter", ".a..b.", "/a/./b//", "//.//", "a/../b", "/a.b", strings.Repeat("x", 300) + "/./y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		n := normalize(key)
		if n == "" {
			return
		}
		p := swapSeparators(n)
		long := false
		for _, c := range strings.Split(p, "/") {
			long = long || len(c) > nameMax
		}
		if long {
			return // systemd leaves the rest of the path as it was
		}
		if p != simplifyPath(p) || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
			t.Fatalf("Normalize(%q) = %q: path form %q is not simplified", key, n, p)
		}
		for _, c := range strings.Split(p, "/") {
			if c == "" || c == "." {
				t.Fatalf("Normalize(%q) = %q: empty or . component", key, n)
			}
		}
	})
}

func FuzzFnmatch(f *testing.F) {
	for _, s := range [][2]string{{"k[!1]", "k2"}, {"[[:digit:]]*", "1a"}, {"*", ".hid"}, {"k[", "k["}, {"[a-", "a"}, {"\\*", "*"}, {"[]a]", "]"}, {"[!]]", "x"}, {"*[[:alpha:]", "ab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		got := fnmatch(pattern, name)
		if !strings.ContainsAny(pattern, "*?[\\") && got != (pattern == name) {
			t.Fatalf("fnmatch(%q, %q) = %v for a literal pattern", pattern, name, got)
		}
		if pattern == "*" && got != !strings.HasPrefix(name, ".") {
			t.Fatalf("fnmatch(*, %q) = %v", name, got)
		}
	})
}

func TestFnmatchAsGlibc(t *testing.T) {
	for _, c := range []struct {
		pattern, name string
		want          bool
	}{
		{"k[!1]", "k2", true}, {"k[!1]", "k1", false}, {"k[^1]", "k2", true}, {"k[!1]", "k!", true},
		{"k[12]", "k2", true}, {"k[1-3]", "k2", true}, {"k[3-1]", "k2", false}, {"k[a-]", "k-", true},
		{"[]a]", "]", true}, {"[!]a]", "]", false}, {"[!]a]", "b", true},
		{"[[:digit:]]x", "1x", true}, {"[[:digit:]]x", "ax", false}, {"[[:nope:]]", "a", false},
		{"*", ".hid", false}, {"?hid", ".hid", false}, {"[.]hid", ".hid", false}, {".*", ".hid", true}, {"\\.hid", ".hid", true},
		{"a*", "a.hid", true}, {"*1", "k1", true}, {"k*1", "k1", true}, {"k*1", "kx", false}, {"*", "", true},
		{"k[1", "k[1", true}, {"k[1", "k1", false}, {"[a[", "[a[", true}, {"k\\*", "k*", true}, {"k\\*", "kx", false},
		{"k\\", "k\\", false}, {"[a-", "a", false}, {"[\\]]", "]", true}, {"[[=a=]]", "a", true}, {"[[.a.]]b", "ab", true},
	} {
		if got := fnmatch(c.pattern, c.name); got != c.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
	if !globMatch("net/*/conf/*/rp_filter", "net/ipv4/conf/eth0.100/rp_filter") || globMatch("net/*", "net/ipv4/conf") {
		t.Error("globMatch must match component by component")
	}
}
