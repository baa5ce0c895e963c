package remediate

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fuzzInput puts arbitrary text into every field of every action kind,
// and into the check ID, the summary and the guard.
func fuzzInput(kind, key, value, p, text string) Input {
	a := Action{Kind: Kind(kind), Key: key, Value: value, Path: p, Line: key + "=" + value, Content: text, Argv: []string{value, text}, Why: text, Text: text, Mode: key, Owner: value, Group: value}
	in := testInput(
		Fix{CheckID: text, Status: value, Plan: Plan{Summary: text, Reboot: len(text)%2 == 0, Actions: []Action{
			a,
			SetSysctl(key, value),
			{Kind: FileLine, Path: p, Key: key, Line: value},
			{Kind: DropIn, Path: p, Content: text},
			Run(text, value, key),
			SetFileMode(p, key, value, value),
			InstallPackage("apt", value, text),
			{Kind: Package, Manager: key, Package: value, Version: text, State: p},
			Tell(text),
		}}},
	)
	in.Host, in.Distro, in.Profile, in.Root = text, value, key, p
	in.Guard = Guard{Distro: text, Rules: []GuardRule{{ID: key, IDLike: value, VersionID: text}}}
	return in
}

func fuzzSeeds(f *testing.F) {
	f.Add("sysctl-set", "net.core.somaxconn", "65535", "/etc/sysctl.conf", "plain text")
	f.Add("file-line", "SELINUX", "enforcing", "/etc/selinux/config", "line one\nline two")
	f.Add("drop-in", "k", "v", "/etc/systemd/system/x.service.d/90-golive.conf", "[Service]\nRestart=always\n")
	f.Add("file-mode", "0640", "1000", "/etc/app/config.yaml", "chmod")
	f.Add("package", "dnf", "openssl", "present", "1:3.0.7-27.el9")
	f.Add("command", "-", "'", "/../../etc/passwd", "$(touch PWNED) `id` ${HOME}")
	f.Add("manual", "a=b", "x\ny", "relative/path", "{{ lookup('pipe','id') }} {% raw %}")
	f.Add("unknown", "#k", "\x00", "/", "\r\n\u2028\u0085\x1b[31m")
	f.Add("sysctl-set", "k", "\xff\xfe", "/etc/\xff", "\xc3\x28 invalid utf-8")
	f.Add("file-line", "", "'\\''", "/a/./b", "\t\v\f")
	// Hostile tokens of the issue: a limits.d domain for every user, a
	// user name with a newline, a unit name with an option.
	f.Add("drop-in", "* hard nofile 1 #", "app\n* hard nofile 1", "/etc/security/limits.d/90-golive.conf", "* hard nofile 1 #\n@wheel - nofile 1\n%g soft nproc 1")
	f.Add("command", "--now", "-", "/etc/systemd/system/--now.d/90-golive.conf", "systemctl")
}

// FuzzBash: whatever the fields hold, rendering does not panic and the
// script is valid bash with no NUL byte in it.
func FuzzBash(f *testing.F) {
	fuzzSeeds(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, kind, key, value, p, text string) {
		var b bytes.Buffer
		if err := Bash(&b, fuzzInput(kind, key, value, p, text)); err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(b.Bytes(), 0) >= 0 {
			t.Fatal("the script holds a NUL byte")
		}
		script := filepath.Join(dir, "fix.sh")
		if err := os.WriteFile(script, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
			t.Fatalf("bash -n: %v\n%s\n%s", err, out, b.String())
		}
	})
}

// FuzzAnsible: whatever the fields hold, rendering does not panic, the
// playbook parses as YAML, and every value it applies comes back exactly,
// tagged !unsafe.
func FuzzAnsible(f *testing.F) {
	fuzzSeeds(f)
	// golive's own strings (keys, words, Jinja2 expressions) do not depend
	// on the values: a playbook with every action kind has all of them.
	var ref bytes.Buffer
	every := typical()
	every.Fixes = append(every.Fixes, fix("file/mode:/etc/x", SetFileMode("/etc/x", "0640", "0", "0")),
		fix("package/installed:x", InstallPackage("apt", "x", "1"), InstallPackage("dnf", "x", "1"), RemovePackage("yum", "x")))
	if err := Ansible(&ref, every); err != nil {
		f.Fatal(err)
	}
	_, refOwn := scalars(f, ref.String())
	allowed := map[string]bool{}
	for _, o := range refOwn {
		allowed[o] = true
	}
	f.Fuzz(func(t *testing.T, kind, key, value, p, text string) {
		in := fuzzInput(kind, key, value, p, text)
		var b bytes.Buffer
		if err := Ansible(&b, in); err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, b.String())
		}
		unsafe, own := scalars(t, b.String())
		has := map[string]bool{}
		for _, u := range unsafe {
			has[u] = true
		}
		for _, a := range in.Fixes[0].Plan.Actions {
			if checkAction(a, true) != nil {
				continue
			}
			var want []string
			switch a.Kind {
			case SysctlSet:
				want = []string{a.Key + " = " + a.Value}
			case FileLine:
				want = []string{a.Line, a.Path}
			case DropIn:
				want = []string{a.Content, a.Path}
			case Command:
				want = a.Argv
			case Package:
				want = []string{packageSpec(a)}
			case FileMode:
				want = []string{a.Path}
				for _, v := range []string{a.Mode, a.Owner, a.Group} {
					if v != "" {
						want = append(want, v)
					}
				}
			}
			for _, w := range want {
				if !has[w] {
					t.Errorf("%s: %q did not come back as an !unsafe value", a.Kind, w)
				}
			}
		}
		// Outside text never lands in a string Ansible templates.
		for _, o := range own {
			if !allowed[o] {
				t.Errorf("a templated string holds outside text: %q", o)
			}
		}
	})
}
