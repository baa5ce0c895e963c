package harden

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func rulesOf(text string) []auditRule {
	var out []auditRule
	for _, l := range splitRuleLines("t.rules", []byte(text)) {
		out = append(out, parseRule(l))
	}
	return out
}

// The rules of testdata/auditctl-l.rules are written as `auditctl -l`
// prints loaded rules (-F key= rather than -k; perm= and path= for a
// file watch the kernel turned into a syscall rule).
func TestCoverAuditctlListFormat(t *testing.T) {
	data, err := os.ReadFile("testdata/auditctl-l.rules")
	if err != nil {
		t.Fatal(err)
	}
	rules := rulesOf(string(data))
	for _, c := range []struct{ path, want string }{
		{"/etc/passwd", "wa"},
		{"/opt/goservice/bin/goservice", "x"},
		{"/usr/local/bin/payments", "x"},
		{"/etc/goservice/app.yaml", ""}, // perm= with -S open,openat: not judged as a path watch
		{"/usr/bin/sudo", "x"},
		{"/usr/bin/other", ""},
	} {
		if got := cover(rules, c.path).Perms; got != c.want {
			t.Errorf("%s: recorded %q, want %q", c.path, got, c.want)
		}
	}
	if c := cover(rules, "/var/log/noise"); c.Silenced == nil {
		t.Errorf("/var/log/noise: the never rule does not silence it")
	}
}

func TestCoverRules(t *testing.T) {
	for _, c := range []struct {
		name, rules, path, want string
	}{
		{"watch without -p is every type", "-w /opt/a", "/opt/a", "rwxa"},
		{"watched directory covers below", "-w /etc/app/ -p wa", "/etc/app/x.conf", "wa"},
		{"a sibling is not below", "-w /etc/app -p wa", "/etc/application", ""},
		{"-W removes the watch", "-w /opt/a -p x\n-W /opt/a -p x", "/opt/a", ""},
		{"exit,always order", "-a exit,always -F path=/opt/a -F perm=x", "/opt/a", "x"},
		{"path rule without perm or -S is every type", "-a always,exit -F path=/opt/a", "/opt/a", "rwxa"},
		{"exe with execve", "-a always,exit -F arch=b64 -S execve -F exe=/opt/a -k e", "/opt/a", "x"},
		{"exe without a syscall records nothing of a path", "-a always,exit -F exe=/opt/a", "/opt/a", ""},
		{"never action records nothing", "-a never,exit -F path=/opt/a", "/opt/a", ""},
		{"user list is not the exit list", "-a always,user -F path=/opt/a", "/opt/a", ""},
		{"union of two rules", "-w /opt/a -p x\n-w /opt/a -p wa", "/opt/a", "xwa"},
		{"path != is not a watch", "-a always,exit -F path!=/opt/a -F perm=x", "/opt/a", ""},
	} {
		got := cover(rulesOf(c.rules), c.path).Perms
		if ordered(got) != ordered(c.want) {
			t.Errorf("%s: recorded %q, want %q", c.name, got, c.want)
		}
	}
	if c := cover(rulesOf("-a never,exit -F path=/opt/a\n-w /opt/a -p x"), "/opt/a"); c.Silenced == nil {
		t.Error("a never rule ahead of the watch does not silence it")
	}
	if c := cover(rulesOf("-w /opt/a -p x\n-a never,exit -F path=/opt/a"), "/opt/a"); c.Silenced != nil {
		t.Error("a never rule after the watch silences it")
	}
	if c := cover(rulesOf("-w /opt/a -p x\n-A never,exit -F path=/opt/a"), "/opt/a"); c.Silenced == nil {
		t.Error("-A puts the never rule first")
	}
	if c := cover(rulesOf("-e 2\n-e 0"), "/x"); c.Enabled != "0" {
		t.Errorf("the last -e wins: %q", c.Enabled)
	}
}

func TestFilevercmp(t *testing.T) {
	sorted := []string{"1.rules", "9-b.rules", "10-a.rules", "99.rules", "a~1.rules", "a.rules", "a1.rules", "b.rules"}
	for i := range sorted {
		for j := range sorted {
			c := filevercmp(sorted[i], sorted[j])
			if i < j && c >= 0 || i > j && c <= 0 || i == j && c != 0 {
				t.Errorf("filevercmp(%q, %q) = %d", sorted[i], sorted[j], c)
			}
		}
	}
}

func TestParseLockdownFile(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"[none] integrity confidentiality\n", "none"},
		{"none [integrity] confidentiality\n", "integrity"},
		{"none integrity [confidentiality]\n", "confidentiality"},
		{"none integrity confidentiality\n", ""},
		{"[none] [integrity]\n", ""},
		{"[bogus] none\n", ""},
		{"", ""},
	} {
		got, _, ok := parseLockdownFile([]byte(c.in))
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%q: %q %v, want %q", c.in, got, ok, c.want)
		}
	}
	if got := lockdownParam("ro lockdown=integrity quiet lockdown=confidentiality -- lockdown=none"); got != "confidentiality" {
		t.Errorf("lockdownParam: %q", got)
	}
	if got := auditOff("audit=0 ro audit=1"); got != "" {
		t.Errorf("auditOff: the last audit= wins, got %q", got)
	}
	if got := auditOff("ro audit=off"); got != "audit=off" {
		t.Errorf("auditOff: %q", got)
	}
}

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"2G", 2 << 30, true}, {"32G", 32 << 30, true}, {"1.5K", 1536, true}, {"infinity", -1, true},
		{"100 M", 100 << 20, true}, {"", 0, false}, {"-1", 0, false}, {"1X", 0, false}, {"G", 0, false},
	} {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || c.ok && got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// mkroot writes files (name -> content; "->target" makes a symlink).
func mkroot(t *testing.T, files map[string]string) *host.Host {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := host.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func testProfile(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

func run(t testing.TB, p *profile.Profile, h *host.Host) map[string]engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		m[r.ID] = r
	}
	return m
}

const auditdUnitText = "[Service]\nExecStart=/sbin/auditd\nExecStartPost=-/sbin/augenrules --load\n[Install]\nWantedBy=multi-user.target\n"

func auditRoot(rules map[string]string, enabled bool) map[string]string {
	files := map[string]string{"usr/lib/systemd/system/auditd.service": auditdUnitText}
	if enabled {
		files["etc/systemd/system/multi-user.target.wants/auditd.service"] = "->/usr/lib/systemd/system/auditd.service"
	}
	for name, body := range rules {
		files["etc/audit/rules.d/"+name] = body
	}
	return files
}

func TestAuditVerdicts(t *testing.T) {
	p := testProfile(t, "service:\n  binaries: [/opt/app/bin/app]\nharden:\n  audit:\n    enabled: true\n    paths: {/etc/app: wa}\n    level: fail\n")
	const bin, conf = "harden/audit:/opt/app/bin/app", "harden/audit:/etc/app"
	for _, c := range []struct {
		name    string
		files   map[string]string
		id      string
		want    engine.Status
		message string
	}{
		{"watched", auditRoot(map[string]string{"10-app.rules": "-w /opt/app/bin/app -p x -k app\n"}, true), bin, engine.Pass, "10-app.rules:1"},
		{"not watched", auditRoot(map[string]string{"audit.rules": "-D\n-b 8192\n"}, true), bin, engine.Fail, `no rule records "x"`},
		{"disabled", auditRoot(map[string]string{"10-app.rules": "-w /opt/app/bin/app -p x\n"}, false), bin, engine.Fail, "auditd is disabled"},
		{"not installed", map[string]string{}, bin, engine.Fail, "auditd is not installed"},
		{"-e 0", auditRoot(map[string]string{"10-app.rules": "-w /opt/app/bin/app -p x\n", "99-e.rules": "-e 0\n"}, true), bin, engine.Fail, "-e 0"},
		{"immutable is said", auditRoot(map[string]string{"10-app.rules": "-w /opt/app/bin/app -p x\n-e 2\n"}, true), bin, engine.Pass, "immutable"},
		{"partial perms", auditRoot(map[string]string{"10-app.rules": "-w /etc/app -p w\n"}, true), conf, engine.Fail, `no rule records "a"`},
		{"hidden and .conf files are not read", auditRoot(map[string]string{".app.rules": "-w /opt/app/bin/app -p x\n", "app.conf": "-w /opt/app/bin/app -p x\n"}, true), bin, engine.Fail, "no rule"},
		{"a missing final newline joins lines", auditRoot(map[string]string{"1.rules": "-w /etc/other -p wa", "2.rules": "-w /opt/app/bin/app -p x\n"}, true), bin, engine.Fail, "no rule"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, p, mkroot(t, c.files))[c.id]
			if r.Status != c.want || !strings.Contains(r.Message, c.message) {
				t.Errorf("%s %q (observed %q), want %s with %q", r.Status, r.Message, r.Observed, c.want, c.message)
			}
			if r.Status == engine.Fail && r.Remediation == nil {
				t.Error("a fail without remediation")
			}
		})
	}
	// Without rules.d, audit.rules is what auditd loads.
	files := map[string]string{"usr/lib/systemd/system/auditd.service": auditdUnitText,
		"etc/systemd/system/multi-user.target.wants/auditd.service": "->/usr/lib/systemd/system/auditd.service",
		"etc/audit/audit.rules": "-w /opt/app/bin/app -p x\n"}
	if r := run(t, p, mkroot(t, files))[bin]; r.Status != engine.Pass || r.Details["source"] != rulesFile {
		t.Errorf("audit.rules alone: %s %q %v", r.Status, r.Message, r.Details["source"])
	}
	// audit=0 on the next boot's command line.
	files["etc/default/grub"] = "GRUB_CMDLINE_LINUX=\"ro audit=0\"\n"
	if r := run(t, p, mkroot(t, files))[bin]; r.Status != engine.Fail || !strings.Contains(r.Message, "audit=0") {
		t.Errorf("audit=0: %s %q", r.Status, r.Message)
	}
}

func TestAuditUnitBinary(t *testing.T) {
	p := testProfile(t, "service:\n  unit: app.service\nharden:\n  audit:\n    enabled: true\n")
	files := auditRoot(map[string]string{"a.rules": "-a always,exit -F arch=b64 -S execve -F exe=/opt/app/app\n"}, true)
	files["etc/systemd/system/app.service"] = "[Service]\nExecStart=-/opt/app/app --serve\n"
	r := run(t, p, mkroot(t, files))["harden/audit:app.service"]
	if r.Status != engine.Pass || r.Details["path"] != "/opt/app/app" {
		t.Errorf("%s %q %v", r.Status, r.Message, r.Details["path"])
	}
}

func TestCoredumpVerdicts(t *testing.T) {
	const coredumpPattern = "kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n"
	for _, c := range []struct {
		name, want string
		files      map[string]string
		status     engine.Status
		place      string
	}{
		{"systemd-coredump default", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern}, engine.Pass, placeBounded},
		{"Storage=none in a drop-in", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/coredump.conf.d/x.conf": "[Coredump]\nStorage=none\n"}, engine.Fail, placeNowhere},
		{"a later drop-in wins", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/coredump.conf": "[Coredump]\nStorage=none\n", "usr/lib/systemd/coredump.conf.d/z.conf": "[Coredump]\nStorage=journal\n"}, engine.Pass, placeBounded},
		{"masked drop-in", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"usr/lib/systemd/coredump.conf.d/x.conf": "[Coredump]\nStorage=none\n", "etc/systemd/coredump.conf.d/x.conf": "->/dev/null"}, engine.Pass, placeBounded},
		{"ProcessSizeMax=0", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/coredump.conf": "[Coredump]\nProcessSizeMax=0\n"}, engine.Fail, placeNowhere},
		{"MaxUse=infinity", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/coredump.conf": "[Coredump]\nMaxUse=infinity\n"}, engine.Warn, placeUnbounded},
		{"pid per file", "required", map[string]string{"etc/sysctl.d/c.conf": "kernel.core_pattern=/var/crash/core.%p\n", "var/crash/.keep": ""}, engine.Warn, placeUnbounded},
		{"one overwritten file", "required", map[string]string{"etc/sysctl.d/c.conf": "kernel.core_pattern=/var/crash/core\n", "var/crash/.keep": ""}, engine.Pass, placeBounded},
		{"core_uses_pid makes it per crash", "required", map[string]string{"etc/sysctl.d/c.conf": "kernel.core_pattern=/var/crash/core\nkernel.core_uses_pid=1\n", "var/crash/.keep": ""}, engine.Warn, placeUnbounded},
		{"missing directory", "required", map[string]string{"etc/sysctl.d/c.conf": "kernel.core_pattern=/var/crash/core\n"}, engine.Fail, placeNowhere},
		{"pipe to false", "required", map[string]string{"etc/sysctl.d/c.conf": "kernel.core_pattern=|/bin/false\n"}, engine.Fail, placeNowhere},
		{"forbidden and kept", "forbidden", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern}, engine.Fail, placeBounded},
		{"forbidden and none", "forbidden", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/coredump.conf": "[Coredump]\nStorage=none\n"}, engine.Pass, placeNowhere},
		{"any and nowhere", "any", map[string]string{"etc/sysctl.d/c.conf": "kernel.core_pattern=|/bin/false\n"}, engine.Pass, placeNowhere},
		{"LimitCORE=0 in the unit", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/system/app.service": "[Service]\nExecStart=/opt/app\nLimitCORE=0\n"}, engine.Fail, placeNowhere},
		{"DefaultLimitCORE=0:infinity", "required", map[string]string{"usr/lib/sysctl.d/50-coredump.conf": coredumpPattern,
			"etc/systemd/system.conf": "[Manager]\nDefaultLimitCORE=0:infinity\n"}, engine.Fail, placeNowhere},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := testProfile(t, "service:\n  unit: app.service\nharden:\n  coredump: "+c.want+"\n")
			r := run(t, p, mkroot(t, c.files))["harden/coredump"]
			if r.Status != c.status || r.Details["place"] != c.place {
				t.Errorf("%s, place %v: %q (observed %q); want %s, %s", r.Status, r.Details["place"], r.Message, r.Observed, c.status, c.place)
			}
			if (r.Status == engine.Fail || r.Status == engine.Warn) && r.Remediation == nil {
				t.Error("no remediation")
			}
		})
	}
}

func TestLockdownOnARoot(t *testing.T) {
	p := testProfile(t, "harden:\n  lockdown: integrity\n")
	for _, c := range []struct {
		grub string
		want engine.Status
	}{
		{"GRUB_CMDLINE_LINUX=\"ro quiet\"\n", engine.Fail},
		{"GRUB_CMDLINE_LINUX=\"ro lockdown=integrity\"\n", engine.Pass},
		{"GRUB_CMDLINE_LINUX=\"ro lockdown=confidentiality\"\n", engine.Pass},
		{"GRUB_CMDLINE_LINUX=\"ro lockdown=bogus\"\n", engine.Fail},
	} {
		r := run(t, p, mkroot(t, map[string]string{"etc/default/grub": c.grub}))["harden/lockdown"]
		if r.Status != c.want {
			t.Errorf("%q: %s %q, want %s", c.grub, r.Status, r.Message, c.want)
		}
		if r.Status == engine.Fail && (r.Remediation == nil || !r.Remediation.Reboot) {
			t.Errorf("%q: the fix is a manual reboot", c.grub)
		}
	}
}

func TestBuildRejects(t *testing.T) {
	for _, y := range []string{
		"harden:\n  lockdown: strict\n",
		"harden:\n  coredump: sometimes\n",
		"harden:\n  audit:\n    paths: {etc/app: wa}\n",
		"harden:\n  audit:\n    paths: {/etc/app: rwz}\n",
		"harden:\n  audit:\n    level: error\n",
		"harden:\n  coredump_level: error\n  coredump: any\n",
	} {
		p := testProfile(t, y)
		if _, err := build(p.Section(kind), p); err == nil {
			t.Errorf("%q: accepted", y)
		}
	}
}
