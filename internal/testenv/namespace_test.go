package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The helper is what keeps differential tests off the host: prove that a
// bind mount and a tmpfs are seen inside and gone outside, and that a
// write inside a tmpfs never reaches the host's directory.
func TestNamespaceIsPrivate(t *testing.T) {
	NeedNamespaces(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("case\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cover := filepath.Join(dir, "covered")
	if err := os.Mkdir(cover, 0o755); err != nil {
		t.Fatal(err)
	}
	ns := Namespace{
		Net:   true,
		PID:   true,
		Tmpfs: []string{cover},
		Binds: []Bind{{Source: src, Target: target}, {Source: src, Target: filepath.Join(cover, "new"), ReadOnly: true}},
		Setup: "echo written >" + Quote(filepath.Join(cover, "scratch")),
	}
	out, err := ns.Output("sh", "-c", `cat "$1" "$2" "$3"; echo pid=$$; ip -o link | wc -l`, "sh",
		target, filepath.Join(cover, "new"), filepath.Join(cover, "scratch"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), "case\ncase\nwritten\npid=1\n1\n"; got != want {
		t.Errorf("inside: %q, want %q", got, want)
	}
	if b, _ := os.ReadFile(target); string(b) != "host\n" {
		t.Errorf("host's target changed: %q", b)
	}
	if ents, _ := os.ReadDir(cover); len(ents) != 0 {
		t.Errorf("tmpfs writes reached the host: %v", ents)
	}
}

func TestQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{"", "a b", "it's", "$(false)\"`x`'\\n", "*"} {
		out, err := exec.Command("/bin/sh", "-c", "printf %s "+Quote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh printed %q (%v) for Quote(%q)", out, err, s)
		}
	}
}
