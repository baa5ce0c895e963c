package cli_test

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/libc/libctest"
	"github.com/golive-sh/golive/internal/profile"
)

type libcCheck struct {
	ID      string         `json:"id"`
	Status  string         `json:"status"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func libcReport(t *testing.T, out string) map[string]libcCheck {
	t.Helper()
	decode(t, out) // validates against the schema
	var rep struct {
		Checks []libcCheck `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	m := map[string]libcCheck{}
	for _, c := range rep.Checks {
		m[c.ID] = c
	}
	return m
}

// The acceptance command: interpreter, flavour and the highest
// GLIBC version of /bin/ls, matching readelf -V.
func TestBinaryFlagOnThisMachine(t *testing.T) {
	readelf := libctest.Readelf(t)
	code, out, errb := runInProcess(t, "check", "--only", "libc/*", "--binary", "/bin/ls", "--format", "json")
	// libc/targets judges /bin/ls against every built-in distro by
	// default: it may fail on the older ones, and nothing else may.
	report := libcReport(t, out)
	for id, c := range report {
		if c.Status != "pass" && !strings.HasPrefix(id, "libc/targets:") {
			t.Errorf("%s: %s: %s", id, c.Status, c.Message)
		}
	}
	if tg, ok := report["libc/targets:/bin/ls"]; !ok || (code == 0) != (tg.Status == "pass") || code > 1 {
		t.Fatalf("exit %d, libc/targets %+v: %s\n%s", code, tg, errb, out)
	}
	c := report["libc/compat:/bin/ls"]
	if c.Status != "pass" || c.Details["libc"] != "glibc" || !strings.HasPrefix(c.Details["interpreter"].(string), "/lib") {
		t.Fatalf("%+v", c)
	}
	raw, err := exec.Command(readelf, "-V", "--wide", "/bin/ls").Output()
	if err != nil {
		t.Fatal(err)
	}
	highest := ""
	for _, m := range regexp.MustCompile(`GLIBC_\d+(\.\d+)+`).FindAllString(string(raw), -1) {
		if highest == "" || libctest.CompareVersions(strings.TrimPrefix(m, "GLIBC_"), strings.TrimPrefix(highest, "GLIBC_")) > 0 {
			highest = m
		}
	}
	if c.Details["glibc_required"] != highest {
		t.Errorf("glibc_required %v, readelf -V says %s", c.Details["glibc_required"], highest)
	}
}

func TestBinaryFlagAgainstFixtureRoots(t *testing.T) {
	b := libctest.Build(t)
	bin := b.Need(t, &b.CDynamic)
	code, out, _ := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--only", "libc/*", "--binary", bin, "--format", "json")
	if c := libcReport(t, out)["libc/compat:"+bin]; code != 1 || c.Status != "fail" || !strings.Contains(c.Message, "glibc 2.17") {
		t.Errorf("centos-7: exit %d %+v", code, c)
	}
	code, out, _ = runInProcess(t, "check", "--root", "../../testdata/roots/rocky-9", "--only", "libc/compat:*", "--binary", bin, "--format", "json")
	if c := libcReport(t, out)["libc/compat:"+bin]; code != 0 || c.Status != "pass" {
		t.Errorf("rocky-9: exit %d %+v", code, c)
	}
	musl := b.Need(t, &b.Musl)
	code, out, _ = runInProcess(t, "check", "--root", "../../testdata/roots/ubuntu-22.04", "--only", "libc/compat:*", "--binary", musl, "--format", "json")
	if c := libcReport(t, out)["libc/compat:"+musl]; code != 1 || !strings.Contains(c.Message, "ld-musl-x86_64.so.1") {
		t.Errorf("musl on ubuntu-22.04: exit %d %+v", code, c)
	}
}

// TestTargetsOutOfTheBox: with no libc section anywhere, libc/targets
// judges a binary against every built-in distro profile that names its
// glibc, in name order, and says where it runs and where not.
func TestTargetsOutOfTheBox(t *testing.T) {
	var want []string
	glibc := map[string]string{}
	for _, name := range profile.Builtins() {
		p, err := profile.Resolve(profile.Request{Profile: name})
		if err != nil {
			t.Fatal(err)
		}
		if g := glibcFact.Get(p); g != "" {
			want = append(want, name)
			glibc[name] = g
		}
	}
	_, out, errb := runInProcess(t, "check", "--only", "libc/targets:*", "--binary", "/bin/ls", "--format", "json")
	c, ok := libcReport(t, out)["libc/targets:/bin/ls"]
	if !ok {
		t.Fatalf("no libc/targets check: %s\n%s", errb, out)
	}
	need, _ := c.Details["glibc_required"].(string)
	var got, runs, not []string
	for _, v := range c.Details["targets"].([]any) {
		m := v.(map[string]any)
		name := m["profile"].(string)
		got = append(got, name)
		if m["glibc"] != glibc[name] {
			t.Errorf("%s: glibc %v, the profile says %s", name, m["glibc"], glibc[name])
		}
		if libctest.CompareVersions(strings.TrimPrefix(need, "GLIBC_"), glibc[name]) > 0 {
			not = append(not, name)
		} else {
			runs = append(runs, name)
		}
		if m["runs"] != !slices.Contains(not, name) {
			t.Errorf("%s: runs %v with %s needed and glibc %s", name, m["runs"], need, glibc[name])
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("targets %v, want every built-in distro with a glibc: %v", got, want)
	}
	t.Logf("%s: runs on %v; not on %v", need, runs, not)
}

// glibcFact reads facts.glibc of the built-in profiles; libc and dns
// declare it, and a declaration of the same type may be repeated.
var glibcFact = profile.DeclareFact(profile.FactSpec[string]{Key: "glibc", Family: "cli tests", Doc: "the distro's glibc version"})
