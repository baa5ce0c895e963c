package remediate

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate/remediatetest"
	"github.com/golive-sh/golive/internal/testenv"
)

// typical is one fix of every kind, as the families write them.
func typical() Input {
	return testInput(
		fix("sysctl/net.core.somaxconn", SetSysctl("net.core.somaxconn", "65535")),
		fix("sysctl/net.ipv4.tcp_wmem", SetSysctl("net.ipv4.tcp_wmem", "4096\t65536\t134217728")),
		fix("sysctl/fs.file-max",
			Action{Kind: FileLine, Path: "/etc/sysctl.conf", Key: "fs.file-max", Line: "fs.file-max = 2097152"},
			Run("apply at runtime", "sysctl", "-w", "fs.file-max=2097152")),
		Fix{CheckID: "selinux/mode", Status: "warn", Plan: Plan{Summary: "enforce", Reboot: true, Actions: []Action{
			{Kind: FileLine, Path: "/etc/selinux/config", Key: "SELINUX", Line: "SELINUX=enforcing"},
			{Kind: DropIn, Path: "/.autorelabel", Content: "-F\n"},
			Tell("reboot: the relabel runs at the next boot"),
		}}},
		fix("systemd/restart:app.service",
			Action{Kind: DropIn, Path: "/etc/systemd/system/app.service.d/90-golive-restart.conf", Content: "[Service]\nRestart=always\n"},
			Run("make systemd load the new drop-in", "systemctl", "daemon-reload")),
		fix("os/eol", Tell("move the service to a supported release")),
	)
}

// seedRoot is a root with files the typical fixes edit, at a path with
// blanks, quotes and a "$" in it.
func seedRoot(t testing.TB) string {
	root := newRoot(t)
	odd := filepath.Join(filepath.Dir(root), "my root's \"$dir\" `x`")
	if err := os.Rename(root, odd); err != nil {
		t.Fatal(err)
	}
	root = odd
	writeFile(t, root, "etc/sysctl.conf", "# sysctl settings\r\nfs.file-max = 100\r\n-fs.file-max=200\r\n")
	writeFile(t, root, "etc/selinux/config", "# SELINUX=disabled\nSELINUX=permissive\nSELINUXTYPE=targeted\n")
	if err := os.Chmod(filepath.Join(root, "etc/selinux/config"), 0o600); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestBashScriptsAreShellcheckClean(t *testing.T) {
	hostileFix := Fix{CheckID: "x/\n$(touch PWNED)", Status: "fail", Plan: Plan{Summary: "'\n`touch PWNED`", Reboot: true}}
	for _, v := range hostile {
		hostileFix.Plan.Actions = append(hostileFix.Plan.Actions,
			SetSysctl("k.v", v), Tell(v), Run(v, "echo", v),
			Action{Kind: DropIn, Path: "/etc/x.conf", Content: v},
			Action{Kind: FileLine, Path: "/etc/x.conf", Key: "K", Line: "K=" + v})
	}
	for name, in := range map[string]Input{
		"nothing to fix": testInput(),
		"typical":        typical(),
		"hostile":        testInput(hostileFix),
	} {
		t.Run(name, func(t *testing.T) { bashSyntax(t, renderBash(t, in)) })
	}
}

func TestBashAppliesOnceUnderRoot(t *testing.T) {
	root := seedRoot(t)
	script := renderBash(t, typical())
	before := remediatetest.Tree(t, root)

	dry := runScript(t, script, root, t.TempDir(), "DRY_RUN=1")
	if dry.code != 0 {
		t.Fatalf("DRY_RUN: exit %d\n%s", dry.code, dry.stderr)
	}
	if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, root)); len(d) > 0 {
		t.Fatalf("DRY_RUN changed files: %v", d)
	}
	for _, want := range []string{"DRY_RUN: would set net.core.somaxconn", "would write " + root + "/.autorelabel", "DRY_RUN: nothing was changed"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("DRY_RUN output misses %q:\n%s", want, dry.stdout)
		}
	}

	first := runScript(t, script, root, t.TempDir())
	if first.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", first.code, first.stdout, first.stderr)
	}
	files := map[string]string{
		"etc/sysctl.d/90-golive.conf": "net.core.somaxconn = 65535\nnet.ipv4.tcp_wmem = 4096\t65536\t134217728\n",
		// Every line that sets the key is replaced; CRLF elsewhere kept.
		"etc/sysctl.conf":               "# sysctl settings\r\nfs.file-max = 2097152\nfs.file-max = 2097152\n",
		"etc/sysctl.conf.golive.bak":    "# sysctl settings\r\nfs.file-max = 100\r\n-fs.file-max=200\r\n",
		"etc/selinux/config":            "# SELINUX=disabled\nSELINUX=enforcing\nSELINUXTYPE=targeted\n",
		"etc/selinux/config.golive.bak": "# SELINUX=disabled\nSELINUX=permissive\nSELINUXTYPE=targeted\n",
		".autorelabel":                  "-F\n",
		"etc/systemd/system/app.service.d/90-golive-restart.conf": "[Service]\nRestart=always\n",
	}
	for name, want := range files {
		if got := readFile(t, root, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// A file golive created has no original to back up, even when a later
	// fix of the same run edits it again.
	if _, err := os.Lstat(filepath.Join(root, "etc/sysctl.d/90-golive.conf.golive.bak")); err == nil {
		t.Error("backed up a file this run created")
	}
	for name, mode := range map[string]os.FileMode{"etc/selinux/config": 0o600, "etc/sysctl.d/90-golive.conf": 0o644, "etc/systemd/system/app.service.d": os.ModeDir | 0o755} {
		fi, err := os.Stat(filepath.Join(root, name))
		if err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v (%v), want %v", name, fi.Mode(), err, mode)
		}
	}
	for _, want := range []string{
		"skipped under ROOT: run on the booted system: sysctl -w net.core.somaxconn=65535",
		"systemctl daemon-reload",
		"os/eol: move the service to a supported release",
		"take effect after a reboot:\n    selinux/mode: enforce",
	} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("output misses %q:\n%s", want, first.stdout)
		}
	}

	applied := remediatetest.Tree(t, root)
	second := runScript(t, script, root, t.TempDir())
	if second.code != 0 {
		t.Fatalf("second run: exit %d\n%s", second.code, second.stderr)
	}
	if d := remediatetest.TreeDiff(applied, remediatetest.Tree(t, root)); len(d) > 0 {
		t.Errorf("a second run changed files: %v", d)
	}
	if !strings.Contains(second.stdout, "done: 0 file(s) changed") {
		t.Errorf("second run output:\n%s", second.stdout)
	}
}

func TestBashPassesHostileValuesThrough(t *testing.T) {
	var fixes []Fix
	for i, v := range hostile {
		if !oneLine(v) {
			continue
		}
		key := "golive.test" + string(rune('a'+i))
		fixes = append(fixes, fix("sysctl/"+key, SetSysctl(key, v)))
	}
	content := strings.Join(hostile, "\n")
	fixes = append(fixes,
		fix("x/drop-in", Action{Kind: DropIn, Path: "/etc/golive/hostile.conf", Content: content}),
		fix("x/line", Action{Kind: FileLine, Path: "/etc/golive/line.conf", Key: "KEY", Line: `KEY="$(touch PWNED)" '\''` + "`touch PWNED`"}),
		fix("x/command", Run("$(touch PWNED)", "touch", "PWNED", "$(touch PWNED)")),
		fix("x/newline", SetSysctl("golive.newline", "1\ngolive.other = 2"), Action{Kind: FileLine, Path: "/etc/golive/line.conf", Key: "NL", Line: "NL=1\nNL2=2"}),
		Fix{CheckID: "x/id\ntouch PWNED", Status: "fail", Plan: Plan{Summary: "summary\ntouch PWNED\n# ", Actions: []Action{Tell("text\ntouch PWNED")}}},
	)
	in := testInput(fixes...)
	script := renderBash(t, in)
	bashSyntax(t, script)

	root := newRoot(t)
	work := t.TempDir()
	for _, env := range [][]string{{"DRY_RUN=1"}, nil} {
		r := runScript(t, script, root, work, env...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", env, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, `touch PWNED \$\(touch\ PWNED\)`) {
			t.Errorf("the command is not shown as the argv it is:\n%s", r.stdout)
		}
	}
	for _, dir := range []string{root, work, filepath.Join(root, "etc"), "."} {
		if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
			t.Fatalf("a value ran as a command: %s/PWNED exists", dir)
		}
	}

	var want strings.Builder
	for i, v := range hostile {
		if oneLine(v) {
			want.WriteString("golive.test" + string(rune('a'+i)) + " = " + v + "\n")
		}
	}
	if got := readFile(t, root, "etc/sysctl.d/90-golive.conf"); got != want.String() {
		t.Errorf("90-golive.conf:\n%q\nwant\n%q", got, want.String())
	}
	if got := readFile(t, root, "etc/golive/hostile.conf"); got != content {
		t.Errorf("drop-in content %q, want %q", got, content)
	}
	if got := readFile(t, root, "etc/golive/line.conf"); got != `KEY="$(touch PWNED)" '\''`+"`touch PWNED`\n" {
		t.Errorf("line.conf = %q", got)
	}
	// A value with a newline would be two config lines: it is a manual step.
	if !strings.Contains(script, "# MANUAL: cannot apply automatically (a newline or control character cannot be part of one config line)") {
		t.Error("a newline value is not a manual comment")
	}
	for _, l := range strings.Split(script, "\n") {
		if strings.HasPrefix(l, "touch") || strings.HasPrefix(l, "golive.other") || strings.HasPrefix(l, "NL2") {
			t.Errorf("outside text escaped its comment or quotes: %q", l)
		}
	}
}

func TestBashStaysInsideRoot(t *testing.T) {
	outside := t.TempDir() // stands for the machine running the script
	writeFile(t, outside, "selinux/config", "SELINUX=disabled\n")
	hostBefore := remediatetest.Tree(t, outside)

	root := newRoot(t)
	link := func(target, name string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	link(outside+"/selinux", "etc/selinux")            // absolute: means ROOT/<outside>/selinux
	link("../../../../../../../../"+outside, "etc/up") // ".." stops at ROOT
	link("/etc/sysctl.real", "etc/sysctl.conf")        // the edited file is a link: edit its target
	writeFile(t, root, "etc/sysctl.real", "a.b = 1\n")
	script := renderBash(t, testInput(
		fix("selinux/mode", Action{Kind: FileLine, Path: "/etc/selinux/config", Key: "SELINUX", Line: "SELINUX=enforcing"}),
		fix("x/up", Action{Kind: DropIn, Path: "/etc/up/escaped", Content: "x\n"}),
		fix("x/link", Action{Kind: FileLine, Path: "/etc/sysctl.conf", Key: "a.b", Line: "a.b = 2"}),
	))
	r := runScript(t, script, root, t.TempDir())
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if d := remediatetest.TreeDiff(hostBefore, remediatetest.Tree(t, outside)); len(d) > 0 {
		t.Fatalf("the script changed files outside ROOT: %v", d)
	}
	if got := readFile(t, root, outside+"/selinux/config"); got != "SELINUX=enforcing\n" {
		t.Errorf("absolute link not resolved inside ROOT: %q", got)
	}
	if got := readFile(t, root, outside+"/escaped"); got != "x\n" {
		t.Errorf(".. not stopped at ROOT: %q", got)
	}
	if got := readFile(t, root, "etc/sysctl.real"); got != "a.b = 2\n" {
		t.Errorf("link target not edited: %q", got)
	}
	if fi, err := os.Lstat(filepath.Join(root, "etc/sysctl.conf")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}

	// A link to nothing (systemd's mask is a link to /dev/null) and a loop
	// are refused, not followed into creating files.
	for name, target := range map[string]string{"dangling": "/dev/null", "loop": "loop"} {
		t.Run(name, func(t *testing.T) {
			root := newRoot(t)
			if err := os.Symlink(target, filepath.Join(root, "etc/loop")); err != nil {
				t.Fatal(err)
			}
			before := remediatetest.Tree(t, root)
			r := runScript(t, renderBash(t, testInput(fix("x/y", Action{Kind: DropIn, Path: "/etc/loop", Content: "x"}))), root, t.TempDir())
			if r.code != 1 || r.stderr == "" {
				t.Fatalf("exit %d stderr %q, want a refusal", r.code, r.stderr)
			}
			if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, root)); len(d) > 0 {
				t.Errorf("changed: %v", d)
			}
		})
	}
}

func TestBashRejectsBadEnvironment(t *testing.T) {
	script := renderBash(t, typical())
	root := seedRoot(t)
	for name, env := range map[string][]string{
		"DRY_RUN=yes":     {"DRY_RUN=yes"},
		"ROOT not a dir":  {"ROOT=" + filepath.Join(root, "etc/selinux/config")},
		"ROOT is missing": {"ROOT=" + filepath.Join(root, "nope")},
		"no os-release":   {"ROOT=" + t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			before := remediatetest.Tree(t, root)
			r := runScript(t, script, root, t.TempDir(), env...)
			if r.code != 1 || !strings.HasPrefix(r.stderr, "golive: ") {
				t.Errorf("exit %d stderr %q", r.code, r.stderr)
			}
			if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, root)); len(d) > 0 {
				t.Errorf("changed: %v", d)
			}
		})
	}
}

func TestBashRefusesOtherShells(t *testing.T) {
	sh := testenv.NeedCommand(t, "dash", "dash")
	root := seedRoot(t)
	path := filepath.Join(t.TempDir(), "fix.sh")
	if err := os.WriteFile(path, []byte(renderBash(t, typical())), 0o755); err != nil {
		t.Fatal(err)
	}
	before := remediatetest.Tree(t, root)
	cmd := exec.Command(sh, path)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "ROOT=" + root}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || string(out) != "golive: run this script with bash\n" {
		t.Errorf("dash: %v %q", err, out)
	}
	if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, root)); len(d) > 0 {
		t.Errorf("changed: %v", d)
	}
}

// TestBashOnTheHostNeedsRoot runs a script without ROOT, so on this
// machine, as the unprivileged user nobody (who cannot change it anyway):
// it refuses, unless DRY_RUN=1, which only prints.
func TestBashOnTheHostNeedsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to nobody")
	}
	data, err := os.ReadFile("/etc/os-release")
	if err != nil {
		t.Skipf("this machine has no /etc/os-release: %v", err)
	}
	rel := host.ParseOSRelease(string(data))
	in := typical()
	in.Guard = Guard{Distro: "this machine", Rules: []GuardRule{{ID: rel.ID, VersionID: rel.VersionID}}}
	dir, err := os.MkdirTemp("", "golive-remediate-nobody")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	script := filepath.Join(dir, "fix.sh")
	if err := os.WriteFile(script, []byte(renderBash(t, in)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	asNobody := func(env ...string) (int, string) {
		cmd := exec.Command("bash", script)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C"}, env...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := asNobody(); code != 1 || !strings.Contains(out, "run as root to fix this host") {
		t.Errorf("as nobody: exit %d\n%s", code, out)
	}
	if code, out := asNobody("DRY_RUN=1"); code != 0 || !strings.Contains(out, "DRY_RUN: sysctl -w net.core.somaxconn=65535") {
		t.Errorf("as nobody with DRY_RUN=1: exit %d\n%s", code, out)
	}
}
