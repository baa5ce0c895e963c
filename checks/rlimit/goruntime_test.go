package rlimit

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/testenv"
)

// What each Go release does to NOFILE at start (src/syscall/rlimit.go).
func TestGoRaise(t *testing.T) {
	l := Limit{1024, 524288}
	cases := []struct {
		version string
		want    []Limit
	}{
		{"go1.18.10", []Limit{l}},
		{"go1.19", []Limit{{524288, 524288}}},
		{"go1.23.4", []Limit{{524288, 524288}}},
		{"go1.24.2", []Limit{{524287, 524288}, {524288, 524288}}},
		{"go1.26.1", []Limit{{524287, 524288}}},
		{"go1.27rc1", []Limit{{524287, 524288}}},
		{"", []Limit{{524287, 524288}, {524288, 524288}}},
	}
	for _, c := range cases {
		if got := goRaise(l, c.version); !reflect.DeepEqual(got, c.want) {
			t.Errorf("goRaise(%v, %q) = %v, want %v", l, c.version, got, c.want)
		}
	}
	// Go 1.26 leaves a soft limit of hard-1 or hard alone, and a hard limit of 0.
	for _, in := range []Limit{{65535, 65536}, {65536, 65536}, {0, 0}} {
		if got := goRaise(in, "go1.26.0"); len(got) != 1 || got[0] != in {
			t.Errorf("goRaise(%v) = %v, want it unchanged", in, got)
		}
	}
	if goRaisesNofile("go1.18") || !goRaisesNofile("go1.19.1") || !goRaisesNofile("") {
		t.Error("goRaisesNofile")
	}
}

// The model against this toolchain's runtime: a Go program started with
// each soft:hard pair reports the limit it runs with.
func TestGoRaiseMatchesThisToolchain(t *testing.T) {
	testenv.NeedCommand(t, "prlimit", "util-linux")
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(`package main

import (
	"fmt"
	"syscall"
)

func main() {
	var l syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	fmt.Println(l.Cur, l.Max)
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "nofile")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, hard := range []uint64{1, 2, 3, 64, 1024, 4096, 65536, rl.Max} {
		if hard > rl.Max {
			continue
		}
		for _, soft := range []uint64{0, 1, hard / 2, hard - 2, hard - 1, hard} {
			if soft > hard || hard-soft > hard { // underflow
				continue
			}
			out, err := exec.Command("prlimit", "--nofile="+strconv.FormatUint(soft, 10)+":"+strconv.FormatUint(hard, 10), bin).Output()
			if err != nil {
				t.Fatalf("%d:%d: %v", soft, hard, err)
			}
			f := strings.Fields(string(out))
			got := Limit{}
			got.Soft, _ = strconv.ParseUint(f[0], 10, 64)
			got.Hard, _ = strconv.ParseUint(f[1], 10, 64)
			want := goRaise(Limit{soft, hard}, runtime.Version())
			if !containsLimit(want, got) {
				t.Errorf("%s started with %d:%d runs with %v, model says %v", runtime.Version(), soft, hard, got, want)
			}
			n++
		}
	}
	t.Logf("differential: %d limits, Go runtime %s", n, runtime.Version())
}

// The version comes from the unit's ExecStart= binary's build information.
func TestServiceBinaryVersion(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	h := hosttest.Root(t, map[string]string{
		"usr/bin/svc":                           string(data),
		"usr/bin/script":                        "#!/bin/sh\n",
		"etc/systemd/system/a.service":          "[Service]\nExecStart=-/usr/bin/svc --flag\n",
		"etc/systemd/system/b.service":          "[Service]\nExecStart=/usr/bin/script\n",
		"etc/systemd/system/c.service":          "[Service]\nExecStart=svc\n",
		"etc/systemd/system/c.service.d/x.conf": "",
	})
	for name, want := range map[string]string{"a.service": runtime.Version(), "b.service": "", "c.service": ""} {
		st := &shared{}
		u := st.unit(h, name)
		if u.err != nil {
			t.Fatal(u.err)
		}
		b := serviceBinary(h, u.file)
		if b.version != want {
			t.Errorf("%s: version %q (%s), want %q", name, b.version, b.why, want)
		}
		if want == "" && b.why == "" {
			t.Errorf("%s: no reason for an unknown version", name)
		}
	}
}

// A program without Go build information (C, or a wrapper script) keeps
// its limit, or a Go program it execs raises it: all are accepted.
func TestGoRunningOfAProgramThatIsNotGo(t *testing.T) {
	l := Limit{1024, 4096}
	got := goRunning(l, goBinary{path: "/bin/sleep", notGo: true})
	for _, want := range []Limit{l, {4095, 4096}, {4096, 4096}} {
		if !containsLimit(got, want) {
			t.Errorf("goRunning = %v, lacks %v", got, want)
		}
	}
	if got := goRunning(l, goBinary{version: "go1.26.0"}); len(got) != 1 || got[0] != (Limit{4095, 4096}) {
		t.Errorf("go1.26: %v", got)
	}
	if !strings.Contains(goRaiseText(l, goBinary{path: "/bin/sleep", notGo: true}), "no Go build information") {
		t.Error("text")
	}
}
