package remediate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/remediate/remediatetest"
)

func renderAnsible(t testing.TB, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Ansible(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// scalars returns the playbook's strings: those tagged !unsafe (outside
// values) and the others (golive's own words and expressions).
func scalars(t testing.TB, playbook string) (unsafe, own []string) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(playbook), &doc); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, playbook)
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			if n.Tag == "!unsafe" {
				unsafe = append(unsafe, n.Value)
			} else {
				own = append(own, n.Value)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	return unsafe, own
}

// hostileInput carries every hostile value in every field.
func hostileInput() Input {
	var actions []Action
	for _, v := range hostile {
		actions = append(actions,
			SetSysctl("k.v", v), Tell(v), Run(v, "echo", v),
			Action{Kind: DropIn, Path: "/etc/x.conf", Content: v},
			Action{Kind: FileLine, Path: "/etc/x.conf", Key: "K", Line: "K=" + v})
	}
	return testInput(Fix{CheckID: "x/{{ lookup('pipe', 'touch PWNED') }}\n", Status: "fail", Plan: Plan{Summary: "{% raw %}\n", Reboot: true, Actions: actions}})
}

func TestPlaybookKeepsOutsideValuesInert(t *testing.T) {
	in := hostileInput()
	unsafe, own := scalars(t, renderAnsible(t, in))
	has := map[string]bool{}
	for _, u := range unsafe {
		has[u] = true
	}
	for _, a := range in.Fixes[0].Plan.Actions {
		var want []string
		switch a.Kind {
		case SysctlSet:
			want = []string{a.Key + " = " + a.Value, a.Value}
		case DropIn:
			want = []string{a.Content, a.Path}
		case FileLine:
			want = []string{a.Line}
		case Command:
			want = a.Argv
		}
		if checkAction(a, true) != nil {
			continue
		}
		for _, w := range want {
			if !has[w] {
				t.Errorf("%s action: %q is not an !unsafe value of the playbook", a.Kind, w)
			}
		}
	}
	for _, o := range own {
		if strings.Contains(o, "PWNED") || strings.Contains(o, "raw") {
			t.Errorf("outside text in a templated string: %q", o)
		}
	}
}

func TestPlaybookSyntax(t *testing.T) {
	// Nothing to fix, every kind, every hostile value in every field.
	playbookSyntax(t, renderAnsible(t, testInput()), renderAnsible(t, typical()), renderAnsible(t, hostileInput()))
}

// TestPlaybookMakesTheScriptsChanges applies the playbook and the script
// to two copies of a root: the files they leave are the same (backups
// aside), Jinja2 in values stays text, a second run changes nothing, and
// the guard refuses another distro.
func TestPlaybookMakesTheScriptsChanges(t *testing.T) {
	in := typical()
	marker := filepath.Join(t.TempDir(), "PWNED")
	jinja := "{{ lookup('pipe', 'touch " + marker + "') }}"
	for i, v := range []string{jinja, "$(touch " + marker + ") 'q' \"d\" \\ ", "{% if true %}x{% endif %}"} {
		key := "golive.hostile" + string(rune('a'+i))
		in.Fixes = append(in.Fixes, fix("sysctl/"+key, SetSysctl(key, v)))
	}
	in.Fixes = append(in.Fixes, fix("x/jinja", Action{Kind: DropIn, Path: "/etc/golive/jinja.conf", Content: jinja + "\n"}))
	in.Fixes = append(in.Fixes, fix("file/mode:/etc/app/conf", SetFileMode("/etc/app/conf", "0640", "", "")))
	// lineinfile replaces the last line that sets a key, the script all of
	// them: the roots here set each key once.
	seed := func() string {
		root := newRoot(t)
		writeFile(t, root, "etc/sysctl.conf", "# sysctl settings\nfs.file-max = 100\n")
		writeFile(t, root, "etc/selinux/config", "SELINUX=permissive\nSELINUXTYPE=targeted\n")
		writeFile(t, root, "etc/app/conf", "x\n")
		if err := os.Chmod(filepath.Join(root, "etc/app/conf"), 0o666); err != nil {
			t.Fatal(err)
		}
		return root
	}
	byScript, byPlaybook := seed(), seed()
	if r := runScript(t, renderBash(t, in), byScript, t.TempDir()); r.code != 0 {
		t.Fatalf("script: exit %d\n%s", r.code, r.stderr)
	}
	playbook := renderAnsible(t, in)
	first := runPlaybook(t, playbook, byPlaybook)
	if first.code != 0 {
		t.Fatalf("playbook: exit %d\n%s", first.code, first.output)
	}
	withoutBackups := func(h map[string]string) map[string]string {
		for k := range h {
			if strings.HasSuffix(k, ".golive.bak") || strings.HasSuffix(k, "~") {
				delete(h, k)
			}
		}
		return h
	}
	if d := remediatetest.TreeDiff(withoutBackups(remediatetest.Tree(t, byScript)), withoutBackups(remediatetest.Tree(t, byPlaybook))); len(d) > 0 {
		t.Errorf("the playbook and the script left different files:\n%s", strings.Join(d, "\n"))
	}
	if got := readFile(t, byPlaybook, "etc/golive/jinja.conf"); got != jinja+"\n" {
		t.Errorf("drop-in content was templated: %q", got)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("Jinja2 or shell in a value ran")
	}

	applied := remediatetest.Tree(t, byPlaybook)
	second := runPlaybook(t, playbook, byPlaybook)
	if second.code != 0 || remediatetest.Recap(t, second.output)["changed"] != 0 {
		t.Errorf("second run: exit %d, recap %v\n%s", second.code, remediatetest.Recap(t, second.output), second.output)
	}
	if d := remediatetest.TreeDiff(applied, remediatetest.Tree(t, byPlaybook)); len(d) > 0 {
		t.Errorf("a second run changed files: %v", d)
	}

	other := t.TempDir()
	writeFile(t, other, "etc/os-release", "ID=ubuntu\nVERSION_ID=\"22.04\"\nID_LIKE=\""+jinja+"\"\n")
	before := remediatetest.Tree(t, other)
	refused := runPlaybook(t, playbook, other)
	if refused.code == 0 || !strings.Contains(refused.output, "these fixes are for Test OS 1") || !strings.Contains(refused.output, "ID=ubuntu VERSION_ID=22.04") {
		t.Errorf("the guard let a playbook for Test OS 1 run on Ubuntu: exit %d\n%s", refused.code, refused.output)
	}
	if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, other)); len(d) > 0 {
		t.Errorf("a refused playbook changed files: %v", d)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("Jinja2 in os-release ran")
	}
}
