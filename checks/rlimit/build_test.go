package rlimit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
)

func buildErr(t *testing.T, yaml string) error {
	t.Helper()
	p := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(p, []byte("extends: rocky-9\n"+serviceYAML+yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	pr, err := profile.Resolve(profile.Request{Profile: p})
	if err != nil {
		return err
	}
	_, err = build(pr.Section(kind), pr)
	return err
}

func TestProfileErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, yaml, words string
	}{
		{"unknown limit", "rlimits:\n  unit: {nofiles: \">= 1\"}\n", `unknown limit "nofiles"`},
		{"not a limit value", "rlimits:\n  unit: {nofile: lots}\n", `"lots" is not a limit`},
		{"two fields", "rlimits:\n  login: {nofile: \">= 1 2\"}\n", "a limit is one value"},
		{"listed twice", "rlimits:\n  unit: {nofile: \">= 1\", NOFILE: \">= 2\"}\n", "listed twice"},
		{"unknown key", "rlimits:\n  units: {nofile: \">= 1\"}\n", `unknown key "units"`},
		{"unit is not a mapping", "rlimits:\n  unit: [nofile]\n", "expected a mapping of limits"},
		{"bad default", "rlimits:\n  systemd: {defaults: {nofile: \"4096:1024\"}}\n", "soft limit above the hard limit"},
		{"unknown default", "rlimits:\n  systemd: {defaults: {files: \"1\"}}\n", `unknown limit "files"`},
		{"bad version", "rlimits:\n  systemd: {version: -1}\n", "not a systemd release"},
		{"process path", "rlimits:\n  process: {/usr/bin/app: {nofile: \">= 1\"}}\n", "not a path"},
		{"pid 0", "rlimits:\n  process: {\"0\": {nofile: \">= 1\"}}\n", "pid 0"},
		{"process not a mapping", "rlimits:\n  process: [app]\n", "mapping of process names"},
		{"bad level", "rlimits:\n  unit: {nofile: {expect: \">= 1\", level: error}}\n", "level must be fail or warn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := buildErr(t, c.yaml)
			if err == nil || !strings.Contains(err.Error(), c.words) {
				t.Fatalf("error %v, want %q", err, c.words)
			}
			if !strings.Contains(err.Error(), "golive.yaml:") {
				t.Errorf("error %q does not name the file and line", err)
			}
		})
	}
}

func TestChecksNeedTheService(t *testing.T) {
	p := proposedProfile(t, "rocky-9", "")
	checks := plan(t, p)
	if len(checks) != 0 {
		t.Errorf("%d checks without service.unit and service.user", len(checks))
	}
	p = proposedProfile(t, "rocky-9", "service: {unit: app}\n")
	checks = plan(t, p)
	if len(checks) != 1 || checks[0].ID() != "rlimit/unit:app.service/nofile" {
		t.Errorf("unit only: %v", ids(checks))
	}
	p = proposedProfile(t, "rocky-9", "service: {user: app}\n")
	if got := ids(plan(t, p)); strings.Join(got, " ") != "rlimit/login:app/nofile rlimit/login:app/nproc" {
		t.Errorf("user only: %v", got)
	}
}

func TestRuleLevelAndWhyReachTheMeta(t *testing.T) {
	checks := plan(t, proposedProfile(t, "rocky-9", serviceYAML))
	for _, c := range checks {
		m := c.Meta()
		switch m.ID {
		case "rlimit/unit:golive-demo.service/nofile":
			if m.Level != "fail" || m.Severity != "high" || m.Expected != ">= 1048576" || !strings.Contains(m.Why, "EMFILE") || m.Where == "" {
				t.Errorf("unit meta %+v", m)
			}
		case "rlimit/login:golive-demo/nproc":
			if m.Level != "warn" || m.Severity != "low" {
				t.Errorf("login meta %+v", m)
			}
		}
	}
}

func TestExplainEveryKind(t *testing.T) {
	for id, words := range map[string]string{
		"rlimit/unit:myapp.service/nofile": "LimitNOFILE=",
		"rlimit/login:myapp/nproc":         "limits.conf",
		"rlimit/process:myapp/memlock":     "/proc/<pid>/limits",
		"rlimit/unit:a/b.service/core":     "LimitCORE=",
	} {
		m, ok := explain(id)
		if !ok || m.ID != id || !strings.Contains(strings.Join(m.Reads, " ")+m.Fix, words) || m.Why == "" {
			t.Errorf("explain %s = %+v, %v", id, m, ok)
		}
	}
	for _, id := range []string{"rlimit/unit:x/files", "rlimit/other:x/nofile", "rlimit/unit:x", "sysctl/fs.nr_open", "rlimit/login:x/NOFILE"} {
		if _, ok := explain(id); ok {
			t.Errorf("explain accepted %s", id)
		}
	}
}

func ids(checks []engine.Check) []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.ID())
	}
	return out
}

func TestUnitCheckWithoutSystemdInTheRoot(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"etc/os-release": "ID=alpine\n"})
	r := run(t, h, plan(t, proposedProfile(t, "linux", serviceYAML)))["rlimit/unit:golive-demo.service/nofile"]
	want(t, r, engine.Skip, "no systemd in this root")
	h = hosttest.Root(t, map[string]string{"etc/systemd/system.conf": "[Manager]\n"})
	r = run(t, h, plan(t, proposedProfile(t, "linux", serviceYAML)))["rlimit/unit:golive-demo.service/nofile"]
	want(t, r, engine.Error, "unit not found")
}
