package packages

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const rootsProfile = `package:
  openssl: {version: ">= 3.0"}
  bash: {}
  telnet: {installed: false}
  nginx: {}
  kernel: {version: ">= 5.14"}
  tzdata: {version: "== 2024a"}
`

// TestFixtureRoots: what each fixture root's package database says
// (testdata/roots/README.md, "Package databases"), read through the file
// each distro keeps: rpm's Berkeley DB on centos-7, its SQLite file on
// rocky-9, dpkg's status on ubuntu-22.04, and a truncated SQLite file on
// broken, which is an error and never a guess.
func TestFixtureRoots(t *testing.T) {
	type verdict struct {
		status engine.Status
		words  []string
	}
	cases := map[string]map[string]verdict{
		"centos-7": {
			"package/installed:openssl": {engine.Pass, []string{"1:1.0.2k-26.el7_9 (x86_64)", "/var/lib/rpm/Packages, rpm Berkeley DB database"}},
			"package/version:openssl":   {engine.Fail, []string{"does not meet >= 3.0 by rpm's version rules"}},
			"package/installed:telnet":  {engine.Pass, []string{"absent"}},
			"package/installed:nginx":   {engine.Fail, []string{"nginx is not installed"}},
			"package/version:kernel":    {engine.Fail, []string{"3.10.0-1160.119.1.el7 (x86_64), 3.10.0-1160.el7 (x86_64)"}},
			"package/version:tzdata":    {engine.Pass, []string{"2024a-1.el7"}},
		},
		"rocky-9": {
			"package/version:openssl":  {engine.Pass, []string{"1:3.0.7-27.el9 meets >= 3.0", "/var/lib/rpm/rpmdb.sqlite, rpm SQLite database"}},
			"package/installed:bash":   {engine.Pass, []string{"5.1.8-9.el9"}},
			"package/installed:telnet": {engine.Pass, []string{"absent"}},
			"package/installed:nginx":  {engine.Fail, []string{"nginx is not installed"}},
			"package/version:kernel":   {engine.Pass, []string{"5.14.0-427.13.1.el9_4 meets >= 5.14"}},
			"package/version:tzdata":   {engine.Pass, []string{"2024a-1.el9"}},
		},
		"ubuntu-22.04": {
			"package/version:openssl":  {engine.Pass, []string{"3.0.2-0ubuntu1.18 meets >= 3.0 by dpkg's version rules", "/var/lib/dpkg/status, dpkg status file"}},
			"package/installed:telnet": {engine.Pass, []string{"config-files"}},
			"package/installed:kernel": {engine.Fail, []string{"kernel is not installed"}},
			"package/version:kernel":   {engine.Skip, []string{"package/installed:kernel reports it"}},
			"package/version:tzdata":   {engine.Pass, []string{"2024a-0ubuntu0.22.04.1 meets == 2024a"}},
		},
		"broken": {
			"package/installed:openssl": {engine.Error, []string{"corrupt rpm database", "/var/lib/rpm/rpmdb.sqlite"}},
			"package/installed:telnet":  {engine.Error, []string{"corrupt rpm database"}},
			"package/version:kernel":    {engine.Error, []string{"SQLite page"}},
		},
		"rhel-8": {
			"package/installed:openssl": {engine.Pass, []string{"1:1.1.1k-12.el8_9 (x86_64)", "/var/lib/rpm/Packages, rpm Berkeley DB database"}},
			"package/version:openssl":   {engine.Fail, []string{"does not meet >= 3.0"}},
			"package/version:kernel":    {engine.Fail, []string{"4.18.0-553.el8_10"}},
		},
		"ubuntu-24.04": {
			"package/installed:openssl": {engine.Skip, []string{"no package database under the root"}},
		},
	}
	for root, checks := range cases {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			rs := run(t, profiletest.Detected(t, h, rootsProfile), h)
			if len(rs) != 9 {
				t.Errorf("%d results, want 9", len(rs))
			}
			for id, v := range checks {
				want(t, rs[id], v.status, v.words...)
			}
		})
	}
}

// TestFixesOnTheRoots: what a miss gives to fix, with each root's package
// manager (facts.package_manager of its built-in profile).
func TestFixesOnTheRoots(t *testing.T) {
	for _, c := range []struct {
		root, id string
		want     []string // the argv the script runs, or nil for a manual step
	}{
		{"rocky-9", "package/installed:nginx", []string{"dnf", "install", "-y", "nginx"}},
		{"centos-7", "package/installed:nginx", []string{"yum", "install", "-y", "nginx"}},
		{"centos-7", "package/version:openssl", nil},
		{"rhel-8", "package/installed:nginx", []string{"dnf", "install", "-y", "nginx"}},
		{"ubuntu-22.04", "package/installed:kernel", []string{"apt-get", "install", "-y", "--allow-downgrades", "kernel=5.14"}},
	} {
		h := hosttest.Fixture(t, c.root)
		prof := rootsProfile
		if c.root == "ubuntu-22.04" {
			prof = "package:\n  kernel: {version: \"== 5.14\"}\n"
		}
		res := run(t, profiletest.Detected(t, h, prof), h)[c.id]
		if res.Remediation == nil || len(res.Remediation.Actions) != 1 {
			t.Errorf("%s %s: plan %+v", c.root, c.id, res.Remediation)
			continue
		}
		a := res.Remediation.Actions[0]
		if c.want == nil {
			if a.Kind != remediate.Manual {
				t.Errorf("%s %s: %+v, want a manual step", c.root, c.id, a)
			}
			continue
		}
		if got := remediate.PackageArgv(a); a.Kind != remediate.Package || !slices.Equal(got, c.want) {
			t.Errorf("%s %s: %+v runs %q, want %q", c.root, c.id, a, got, c.want)
		}
		if err := remediate.VetReportAction(c.id, kind, a); err != nil {
			t.Errorf("%s %s: remediate --from would refuse it: %v", c.root, c.id, err)
		}
	}
	h := hosttest.Fixture(t, "rocky-9")
	res := run(t, profiletest.Detected(t, h, "package:\n  bash: {installed: false}\n"), h)["package/installed:bash"]
	if res.Remediation == nil || !slices.Equal(remediate.PackageArgv(res.Remediation.Actions[0]), []string{"dnf", "remove", "-y", "bash"}) {
		t.Errorf("installed: false: %+v", res.Remediation)
	}
}

// TestRegisteredWithTheEngine: through the registry, as golive check and
// golive explain use it.
func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(testProfile(t, "package:\n  openssl: {version: \">= 3.0\"}\n  telnet: {installed: false}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range checks {
		if c.Meta().Category == kind {
			ids = append(ids, c.ID())
		}
	}
	if !slices.Equal(ids, []string{"package/installed:openssl", "package/version:openssl", "package/installed:telnet"}) {
		t.Errorf("ids %v", ids)
	}
	for _, id := range ids {
		if m, ok := engine.Explain(id); !ok || m.Category != kind || m.Title == "" {
			t.Errorf("explain %s: %+v %v", id, m, ok)
		}
	}
	for _, id := range []string{"package/size:openssl", "package/installed:-rf", "package/installed"} {
		if _, ok := engine.Explain(id); ok {
			t.Errorf("explain %s: a check that cannot exist", id)
		}
	}
}

// TestReportsFitTheSchema: the findings, details and package actions of
// every fixture root (installs, a removal, a manual range) validate
// against docs/report.schema.json.
func TestReportsFitTheSchema(t *testing.T) {
	for _, root := range []string{"centos-7", "rocky-9", "ubuntu-22.04", "broken", "rhel-8", "ubuntu-24.04"} {
		h := hosttest.Fixture(t, root)
		p := profiletest.Detected(t, h, strings.Replace(rootsProfile, "bash: {}", "bash: {installed: false}", 1))
		checks, err := build(p.Section(kind), p)
		if err != nil {
			t.Fatal(err)
		}
		out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
		reporttest.ValidateOutcome(t, h, root, out)
	}
}
