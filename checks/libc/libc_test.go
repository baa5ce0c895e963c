package libc

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/libc/libctest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
)

func TestMain(m *testing.M) {
	code := m.Run()
	libctest.Cleanup()
	os.Exit(code)
}

// run builds the libc checks for artifacts (binaries on this machine) with
// an optional libc section and runs them on h. Results are keyed by
// "compat", "libs" and "targets" for the single artifact.
func run(t *testing.T, h *host.Host, yaml string, artifact string) map[string]engine.Result {
	t.Helper()
	file := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Resolve(profile.Request{Profile: file})
	if err != nil {
		t.Fatal(err)
	}
	p.Service.Artifacts = []string{artifact}
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	m := map[string]engine.Result{}
	for _, r := range out.Results {
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.ID, kind+"/"), ":")
		m[kind] = r
	}
	return m
}

func live(t *testing.T) *host.Host {
	t.Helper()
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestKindsAndFlavoursOnThisMachine(t *testing.T) {
	b := libctest.Build(t)
	cases := []struct {
		name, kind, flavour string
		bin                 *string
	}{
		{"dynamic C", kindDynamic, flavourGlibc, &b.CDynamic},
		{"static C", kindStatic, flavourNone, &b.CStatic},
		{"static-pie C", kindStaticPIE, flavourNone, &b.CStaticPIE},
		{"musl", kindDynamic, flavourMusl, &b.Musl},
		{"Go, no cgo", kindStatic, flavourNone, &b.GoStatic},
		{"Go with cgo", kindDynamic, flavourGlibc, &b.GoCgo},
		{"C++", kindDynamic, flavourGlibc, &b.CPP},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := b.Need(t, c.bin)
			r := run(t, live(t), "", path)["compat"]
			if r.Details["kind"] != c.kind || r.Details["libc"] != c.flavour {
				t.Errorf("kind %v libc %v, want %s %s", r.Details["kind"], r.Details["libc"], c.kind, c.flavour)
			}
			if r.Status != engine.Pass {
				t.Errorf("%s on the machine that built it: %s %q", c.name, r.Status, r.Message)
			}
		})
	}
}

func TestGoBuildInfo(t *testing.T) {
	b := libctest.Build(t)
	for bin, cgo := range map[*string]string{&b.GoStatic: "0", &b.GoCgo: "1"} {
		r := run(t, live(t), "", b.Need(t, bin))["compat"]
		g, ok := r.Details["go"].(*goInfo)
		if !ok || g.CGO != cgo || !strings.HasPrefix(g.Version, "go1.") || g.GOOS != "linux" {
			t.Errorf("go build info %+v, want CGO_ENABLED=%s", r.Details["go"], cgo)
		}
	}
}

func TestForeignArchitectureFails(t *testing.T) {
	b := libctest.Build(t)
	r := run(t, live(t), "", b.Need(t, &b.GoArm64))["compat"]
	if r.Status != engine.Fail || !strings.Contains(r.Message, "built for aarch64") || r.Remediation == nil {
		t.Errorf("%s %q", r.Status, r.Message)
	}
}

func TestGlibcRequirementAgainstFixtureRoots(t *testing.T) {
	b := libctest.Build(t)
	bin := b.Need(t, &b.CDynamic) // needs GLIBC_2.34 (built on glibc >= 2.34)
	if got := libctest.ReadelfMaxGLIBC(t, bin); got != "2.34" {
		t.Fatalf("the dynamic test binary needs GLIBC %q; these assertions are written for a GLIBC_2.34 binary (Debian 12's toolchain)", got)
	}
	for root, want := range map[string]engine.Status{"centos-7": engine.Fail, "rocky-9": engine.Pass, "ubuntu-22.04": engine.Pass} {
		t.Run(root, func(t *testing.T) {
			r := run(t, hosttest.Fixture(t, root), "", bin)["compat"]
			if r.Status != want {
				t.Fatalf("%s: %s %q", root, r.Status, r.Message)
			}
			if want == engine.Fail && (!strings.Contains(r.Message, "needs GLIBC_2.34, host has glibc 2.17") || !strings.Contains(r.Message, "__libc_start_main")) {
				t.Errorf("message %q should name the version, the host's glibc and the symbol", r.Message)
			}
		})
	}
}

func TestMuslBinaryOnGlibcRootNamesTheMissingLoader(t *testing.T) {
	b := libctest.Build(t)
	r := run(t, hosttest.Fixture(t, "rocky-9"), "", b.Need(t, &b.Musl))["compat"]
	if r.Status != engine.Fail || !strings.Contains(r.Message, "/lib/ld-musl-x86_64.so.1 does not exist") {
		t.Fatalf("%s %q", r.Status, r.Message)
	}
	if r.Remediation == nil || !strings.Contains(r.Remediation.Actions[0].Text, "musl") {
		t.Errorf("remediation %+v should say what to do about musl", r.Remediation)
	}
}

func TestCgoRemediationSaysCGOEnabled0(t *testing.T) {
	b := libctest.Build(t)
	bin := b.Need(t, &b.GoCgo)
	r := run(t, hosttest.Fixture(t, "centos-7"), "", bin)["compat"]
	if r.Status != engine.Fail {
		t.Skipf("this cgo build needs only %v, which CentOS 7 has", r.Details["glibc_required"])
	}
	if !strings.Contains(r.Remediation.Actions[0].Text, "CGO_ENABLED=0") {
		t.Errorf("remediation %q should suggest CGO_ENABLED=0 for a cgo build", r.Remediation.Actions[0].Text)
	}
}

func TestLibraryResolution(t *testing.T) {
	b := libctest.Build(t)
	cases := []struct {
		name    string
		bin     *string
		status  engine.Status
		via     string
		missing string
	}{
		{"DT_RUNPATH $ORIGIN", &b.Origin, engine.Pass, "runpath", ""},
		{"DT_RPATH $ORIGIN", &b.OriginRPATH, engine.Pass, "rpath", ""},
		{"missing library", &b.Missing, engine.Fail, "", "libgolivemissing.so"},
		{"static", &b.CStatic, engine.Pass, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, live(t), "", b.Need(t, c.bin))["libs"]
			if r.Status != c.status {
				t.Fatalf("%s %q", r.Status, r.Message)
			}
			if c.missing != "" && !strings.Contains(r.Observed, c.missing) {
				t.Errorf("observed %q should name %s", r.Observed, c.missing)
			}
			if c.via != "" {
				found := false
				for _, res := range r.Details["resolved"].([]resolvedLib) {
					if strings.HasPrefix(res.Name, "libgolivetest") && res.Via == c.via {
						found = true
					}
				}
				if !found {
					t.Errorf("libgolivetest not resolved via %s: %+v", c.via, r.Details["resolved"])
				}
			}
		})
	}
}

func TestWrongClassCandidateIsSkipped(t *testing.T) {
	// A 32-bit libgolivetest.so first on the RUNPATH must be passed over
	// as ld.so passes it over; a 64-bit one later is found.
	b := libctest.Build(t)
	orig := b.Need(t, &b.Origin)
	w32 := b.Need(t, &b.Wrong32)
	h := live(t)
	s := newSearcher(h, 2 /* ELFCLASS64 */, 62 /* EM_X86_64 */)
	if s.compatible(w32) {
		t.Fatal("a 32-bit object accepted for a 64-bit binary")
	}
	if !s.compatible(orig) {
		t.Fatal("a matching object refused")
	}
}

func TestTargets(t *testing.T) {
	b := libctest.Build(t)
	yaml := "libc:\n  targets: [centos-7, ubuntu-22.04, rocky-9]\n"
	r := run(t, live(t), yaml, b.Need(t, &b.CDynamic))["targets"]
	need := r.Details["glibc_required"].(string)
	if r.Status != engine.Fail || need != "GLIBC_2.34" && need != "GLIBC_2.33" && need != "GLIBC_2.32" {
		t.Fatalf("%s %q: this machine's C binary should need a glibc between 2.18 and 2.34", r.Status, r.Observed)
	}
	if want := "needs " + need + ": runs on ubuntu-22.04, rocky-9; not on centos-7 (glibc 2.17)"; r.Observed != want {
		t.Errorf("observed %q, want %q", r.Observed, want)
	}
	r = run(t, live(t), yaml, b.Need(t, &b.GoStatic))["targets"]
	if r.Status != engine.Pass {
		t.Errorf("static Go binary: %s %q", r.Status, r.Observed)
	}
	r = run(t, live(t), yaml, b.Need(t, &b.Musl))["targets"]
	if r.Status != engine.Fail || !strings.Contains(r.Observed, "needs musl") {
		t.Errorf("musl: %s %q", r.Status, r.Observed)
	}
}

// builtinGlibc is every built-in profile that names its glibc, in name
// order, read from the profiles themselves: the expected default targets.
func builtinGlibc(t *testing.T) (names []string, glibc map[string]string) {
	t.Helper()
	glibc = map[string]string{}
	for _, name := range profile.Builtins() {
		p, err := profile.Resolve(profile.Request{Profile: name})
		if err != nil {
			t.Fatal(err)
		}
		if g := glibcFact.Get(p); g != "" {
			names = append(names, name)
			glibc[name] = g
		}
	}
	if len(names) < 3 {
		t.Fatalf("only %d built-in profiles name their glibc: %v", len(names), names)
	}
	return names, glibc
}

// TestTargetsDefaultToEveryBuiltinDistro: without libc.targets the binary
// is judged against every built-in profile that has facts.glibc (never the
// generic linux), in name order, split into where it runs and where not.
func TestTargetsDefaultToEveryBuiltinDistro(t *testing.T) {
	b := libctest.Build(t)
	names, glibc := builtinGlibc(t)
	if _, ok := glibc["linux"]; ok {
		t.Fatal("the generic linux profile names a glibc; it must not be a default target")
	}
	for _, yaml := range []string{"", "libc:\n", "libc:\n  targets:\n"} {
		r := run(t, live(t), yaml, b.Need(t, &b.CDynamic))["targets"]
		need := r.Details["glibc_required"].(string)
		var runs, not []string
		for _, n := range names {
			if compareVersions(strings.TrimPrefix(need, "GLIBC_"), glibc[n]) > 0 {
				not = append(not, n+" (glibc "+glibc[n]+")")
			} else {
				runs = append(runs, n)
			}
		}
		want := "needs " + need + ": "
		switch {
		case len(not) == 0:
			want += "runs on " + strings.Join(runs, ", ")
		case len(runs) == 0:
			want += "not on " + strings.Join(not, ", ")
		default:
			want += "runs on " + strings.Join(runs, ", ") + "; not on " + strings.Join(not, ", ")
		}
		if r.Observed != want {
			t.Errorf("profile %q: observed %q, want %q", yaml, r.Observed, want)
		}
		if r.Expected != "runs on "+strings.Join(names, ", ") {
			t.Errorf("profile %q: expected %q, want every built-in distro", yaml, r.Expected)
		}
		if got := reflect.ValueOf(r.Details["targets"]).Len(); got != len(names) {
			t.Errorf("details.targets has %d verdicts, want %d", got, len(names))
		}
	}
	// A static binary runs on every one of them.
	r := run(t, live(t), "", b.Need(t, &b.GoStatic))["targets"]
	if r.Status != engine.Pass || r.Observed != "static: runs on "+strings.Join(names, ", ") {
		t.Errorf("static Go binary: %s %q", r.Status, r.Observed)
	}
}

// TestTargetsExplicitListWinsAndEmptyTurnsOff: a profile's own list is
// used as it is (order kept), and targets: [] builds no libc/targets check.
func TestTargetsExplicitListWinsAndEmptyTurnsOff(t *testing.T) {
	b := libctest.Build(t)
	r := run(t, live(t), "libc:\n  targets: [rocky-9]\n", b.Need(t, &b.GoStatic))["targets"]
	if r.Expected != "runs on rocky-9" {
		t.Errorf("explicit list: expected %q", r.Expected)
	}
	got := run(t, live(t), "libc:\n  targets: []\n", b.Need(t, &b.GoStatic))
	if _, ok := got["targets"]; ok {
		t.Errorf("targets: [] still built libc/targets: %+v", got["targets"])
	}
	if _, ok := got["compat"]; !ok {
		t.Error("targets: [] turned off libc/compat too")
	}
	// A user profile on top of one that lists targets turns them off too.
	dir := t.TempDir()
	base := filepath.Join(dir, "base.yaml")
	if err := os.WriteFile(base, []byte("libc:\n  targets: [rocky-9]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got = run(t, live(t), "extends: "+base+"\nlibc:\n  targets: []\n", b.Need(t, &b.GoStatic))
	if _, ok := got["targets"]; ok {
		t.Errorf("targets: [] over a base list still built libc/targets: %+v", got["targets"])
	}
}

// TestTargetsReadsNamesEveryBuiltinGlibc: `golive explain` says which
// distros the default compares with, generated from the profiles.
func TestTargetsReadsNamesEveryBuiltinGlibc(t *testing.T) {
	names, glibc := builtinGlibc(t)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + glibc[n]
	}
	m, ok := explain("libc/targets:/opt/app")
	if !ok {
		t.Fatal("explain does not know libc/targets")
	}
	if want := "(" + strings.Join(parts, ", ") + ")"; !strings.Contains(strings.Join(m.Reads, "\n"), want) {
		t.Errorf("Reads %q does not name %s", m.Reads, want)
	}
}

func TestBadTargetIsAProfileError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(file, []byte("libc:\n  targets: [centos-7, solaris-11]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Resolve(profile.Request{Profile: file})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), "p.yaml:2") {
		t.Errorf("err = %v, want a profile error at p.yaml:2", err)
	}
}

func TestNonBinaries(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	junk := filepath.Join(dir, "junk")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec app\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(junk, []byte("not an elf at all"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := map[string]engine.Status{script: engine.Skip, junk: engine.Error, filepath.Join(dir, "gone"): engine.Fail}
	for path, want := range cases {
		if r := run(t, live(t), "", path)["compat"]; r.Status != want {
			t.Errorf("%s: %s %q, want %s", filepath.Base(path), r.Status, r.Message, want)
		}
	}
}

func TestServiceBinariesAreReadInsideTheRoot(t *testing.T) {
	// /usr/lib64/libc.so.6 exists in the rocky-9 fixture root, not as such
	// on this Debian machine: a service binary path is a path in the root.
	file := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(file, []byte("service:\n  binaries: [/usr/lib64/libc.so.6]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Resolve(profile.Request{Profile: file})
	if err != nil {
		t.Fatal(err)
	}
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), hosttest.Fixture(t, "rocky-9"), checks, engine.RunOptions{})
	if r := out.Results[0]; r.ID != "libc/compat:/usr/lib64/libc.so.6" || r.Status == engine.Fail || r.Details["machine"] != "x86_64" {
		t.Errorf("%s %s %q %v", r.ID, r.Status, r.Message, r.Details)
	}
}

func TestHostGlibcOfFixtureRoots(t *testing.T) {
	for root, want := range map[string]string{"centos-7": "2.17", "rocky-9": "2.34", "ubuntu-22.04": "2.35"} {
		g, err := findHostGlibc(hosttest.Fixture(t, root), 2, 62)
		if err != nil || g.version != want || !g.defines["GLIBC_"+want] {
			t.Errorf("%s: %+v %v, want glibc %s", root, g, err, want)
		}
	}
}

// TestAgreesWithReadelf compares the highest GLIBC version golive finds
// with readelf -V for every ELF file in /usr/bin of this machine.
func TestAgreesWithReadelf(t *testing.T) {
	libctest.Readelf(t)
	entries, err := os.ReadDir("/usr/bin")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		p := filepath.Join("/usr/bin", e.Name())
		if !e.Type().IsRegular() {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		var magic [4]byte
		_, _ = f.ReadAt(magic[:], 0)
		if string(magic[:]) != "\x7fELF" {
			f.Close()
			continue
		}
		info, err := analyze(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		want := libctest.ReadelfMaxGLIBC(t, p) // "2.34", or "" for none
		if want != "" {
			want = "GLIBC_" + want
		}
		if info.glibc != want {
			t.Errorf("%s: golive %q, readelf %q", p, info.glibc, want)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d ELF files checked in /usr/bin", checked)
	}
	t.Logf("%d ELF files agree with readelf", checked)
}

func TestBrokenRoot(t *testing.T) {
	// The broken root has no C library at all: a dynamic glibc binary
	// cannot start there, a static one can, and nothing crashes.
	b := libctest.Build(t)
	h := hosttest.Fixture(t, "broken")
	r := run(t, h, "", b.Need(t, &b.CDynamic))
	if c := r["compat"]; c.Status != engine.Fail || !strings.Contains(c.Message, "does not exist") {
		t.Errorf("dynamic on broken: %s %q", c.Status, c.Message)
	}
	if l := r["libs"]; l.Status != engine.Fail || !strings.Contains(l.Observed, "libc.so.6") {
		t.Errorf("libs on broken: %s %q", l.Status, l.Observed)
	}
	if c := run(t, h, "", b.Need(t, &b.CStatic))["compat"]; c.Status != engine.Pass {
		t.Errorf("static on broken: %s %q", c.Status, c.Message)
	}
}
