package osinfo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
)

var testNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func mkroot(t *testing.T, files map[string]string) *host.Host {
	t.Helper()
	return hosttest.Root(t, files, host.WithClock(func() time.Time { return testNow }))
}

func resolve(t *testing.T, req profile.Request, yaml string) *profile.Profile {
	t.Helper()
	if yaml != "" {
		path := filepath.Join(t.TempDir(), "p.yaml")
		if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		req.Profile = path
	}
	p, err := profile.Resolve(req)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func results(t *testing.T, p *profile.Profile, h *host.Host) map[string]engine.Result {
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

func TestEOL(t *testing.T) {
	cases := []struct {
		eol, want string
		status    engine.Status
	}{
		{"2024-06-30", "reached on 2024-06-30 (874 days ago)", engine.Fail},
		{"2026-11-21", "reached on 2026-11-21 (0 days ago)", engine.Fail},
		{"2027-01-15", "in 55 days", engine.Warn},
		{"2032-05-31", "in 2018 days", engine.Pass},
	}
	h := mkroot(t, nil)
	for _, c := range cases {
		p := resolve(t, profile.Request{}, "facts:\n  eol: \""+c.eol+"\"\n  eol_note: end of maintenance\n")
		r := results(t, p, h)["os/eol"]
		if r.Status != c.status || !strings.Contains(r.Observed, c.want) {
			t.Errorf("eol %s: %s %q, want %s containing %q", c.eol, r.Status, r.Observed, c.status, c.want)
		}
		if c.status == engine.Fail && (r.Remediation == nil || r.Remediation.Actions[0].Kind != remediate.Manual) {
			t.Errorf("eol %s: a past EOL needs a manual remediation", c.eol)
		}
	}
}

// Extended support (Ubuntu Pro ESM, RHEL ELS, Debian LTS) counts only
// when the host says it is entitled; otherwise the end of standard support
// fails and the message names what could be bought. The clock is
// 2026-11-21 (mkroot).
func TestEOLExtendedSupport(t *testing.T) {
	cases := []struct {
		name, facts string
		status      engine.Status
		observed    string
		message     string
		actions     int
	}{
		{"not entitled, standard over", `eol: "2025-05-29", eol_extended: "2030-04-23"`, engine.Fail,
			"end of maintenance reached on 2025-05-29 (541 days ago)", "without Ubuntu Pro ESM (until 2030-04-23)", 2},
		{"entitled, standard over", `eol: "2025-05-29", eol_extended: "2030-04-23", extended_support: true`, engine.Pass,
			"end of maintenance reached on 2025-05-29; Ubuntu Pro ESM until 2030-04-23 (in 1249 days)", "entitled to", 0},
		{"entitled, extended ends soon", `eol: "2024-06-30", eol_extended: "2027-01-15", extended_support: true`, engine.Warn,
			"Ubuntu Pro ESM on 2027-01-15 (in 55 days)", "within 90 days", 1},
		{"entitled, extended over", `eol: "2020-01-01", eol_extended: "2024-06-30", extended_support: true`, engine.Fail,
			"Ubuntu Pro ESM reached on 2024-06-30 (874 days ago)", "no longer receives security updates", 1},
		{"not entitled, both over", `eol: "2020-01-01", eol_extended: "2024-06-30"`, engine.Fail,
			"end of maintenance reached on 2020-01-01", "no longer receives security updates", 1},
		{"entitled, profile knows no extended end", `eol: "2024-06-30", extended_support: true`, engine.Fail,
			"end of maintenance reached on 2024-06-30", "knows no end of extended support", 1},
		{"entitled, standard still on", `eol: "2032-05-31", eol_extended: "2034-05-31", extended_support: true`, engine.Pass,
			"Ubuntu Pro ESM on 2034-05-31", "supported", 0},
	}
	h := mkroot(t, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := resolve(t, profile.Request{}, "facts: {"+c.facts+", eol_note: end of maintenance, eol_extended_note: Ubuntu Pro ESM}\n")
			r := results(t, p, h)["os/eol"]
			if r.Status != c.status || !strings.Contains(r.Observed, c.observed) || !strings.Contains(r.Message, c.message) {
				t.Fatalf("%s %q %q, want %s with %q and %q", r.Status, r.Observed, r.Message, c.status, c.observed, c.message)
			}
			n := 0
			if r.Remediation != nil {
				n = len(r.Remediation.Actions)
			}
			if n != c.actions {
				t.Errorf("%d remediation steps, want %d: %+v", n, c.actions, r.Remediation)
			}
		})
	}
	for _, bad := range []string{`eol_extended: "2030-01-01"`, `eol: "2030-01-01", eol_extended: "2029-12-31"`, `eol: "2030-01-01", eol_extended: "soon"`} {
		p := resolve(t, profile.Request{}, "facts: {"+bad+"}\n")
		if _, err := build(p.Section(kind), p); err == nil {
			t.Errorf("facts {%s}: accepted, want a profile error", bad)
		}
	}
}

func TestEOLUnknownSkipsAndBadDateIsAProfileError(t *testing.T) {
	p := resolve(t, profile.Request{}, "facts: {distro: x}\n")
	if r := results(t, p, mkroot(t, nil))["os/eol"]; r.Status != engine.Skip {
		t.Errorf("no eol: %s, want skip", r.Status)
	}
	p = resolve(t, profile.Request{}, "facts: {eol: \"31/05/2032\"}\n")
	if _, err := build(p.Section(kind), p); err == nil {
		t.Error("a malformed facts.eol must be rejected when planning")
	}
	p = resolve(t, profile.Request{}, "os: {eol_warn_days: -1}\n")
	if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), "p.yaml:1") {
		t.Errorf("negative eol_warn_days: %v", err)
	}
}

func TestKernel(t *testing.T) {
	cases := []struct {
		release string
		status  engine.Status
	}{
		{"3.10.0-1160.119.1.el7.x86_64", engine.Pass},
		{"3.9.0", engine.Fail},
		{"5.14.0-427.13.1.el9_4.x86_64", engine.Pass},
	}
	p := resolve(t, profile.Request{}, "facts: {package_manager: dnf}\nos:\n  kernel: \">= 3.10.0-1160\"\n")
	for _, c := range cases {
		r := results(t, p, mkroot(t, map[string]string{"proc/sys/kernel/osrelease": c.release + "\n"}))["os/kernel"]
		if r.Status != c.status || r.Observed != c.release {
			t.Errorf("%s: %s (%q), want %s", c.release, r.Status, r.Message, c.status)
		}
		if c.status == engine.Fail && (r.Remediation == nil || !r.Remediation.Reboot || !strings.Contains(r.Remediation.Actions[0].Text, "dnf update kernel")) {
			t.Errorf("%s: remediation %+v should name dnf and a reboot", c.release, r.Remediation)
		}
	}
	// apt: the kernel metapackage is the distro's own (os-release ID and
	// the architecture), never Ubuntu's on Debian.
	apt := resolve(t, profile.Request{}, "facts: {package_manager: apt}\nos:\n  kernel: \">= 6.1.0\"\n")
	for osr, want := range map[string]string{
		"ID=debian\nVERSION_ID=\"12\"\n":                    "apt-get install --only-upgrade linux-image-amd64)",
		"ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"22.04\"\n": "apt-get install --only-upgrade linux-image-generic)",
		"ID=pop\nID_LIKE=\"ubuntu debian\"\n":               "apt-get install --only-upgrade linux-image-generic)",
		"ID=other\n":                                        "install the distro's current kernel and reboot",
	} {
		r := results(t, apt, mkroot(t, map[string]string{"proc/sys/kernel/osrelease": "5.10.0-32-amd64\n", "proc/sys/kernel/arch": "x86_64\n", "etc/os-release": osr}))["os/kernel"]
		if r.Status != engine.Fail || r.Remediation == nil || !strings.HasSuffix(r.Remediation.Actions[0].Text, want) {
			t.Errorf("%q: %s %+v, want the text to end %q", osr, r.Status, r.Remediation, want)
		}
	}
	// An image has no running kernel.
	if r := results(t, p, mkroot(t, map[string]string{"etc/hostname": "img\n"}))["os/kernel"]; r.Status != engine.Skip {
		t.Errorf("image: %s, want skip", r.Status)
	}
	// A root with /proc/sys but no osrelease cannot decide.
	if r := results(t, p, mkroot(t, map[string]string{"proc/sys/kernel/hostname": "x\n"}))["os/kernel"]; r.Status != engine.Error {
		t.Errorf("missing osrelease: %s, want error", r.Status)
	}
}

func TestDistro(t *testing.T) {
	unknown := "ID=plan9\nVERSION_ID=4\nPRETTY_NAME=\"Plan 9\"\n"
	h := mkroot(t, map[string]string{"etc/os-release": unknown})
	rel, _ := h.OSRelease()

	// auto on an unknown distro: generic fallback, a warning.
	p := resolve(t, profile.Request{OS: rel}, "")
	r := results(t, p, h)["os/distro"]
	if !p.Fallback || r.Status != engine.Warn || !strings.Contains(r.Message, "no built-in profile matches") {
		t.Errorf("fallback: %s %q", r.Status, r.Message)
	}

	// With nothing related among the built-ins, the step says to pick a
	// compatible built-in or write a profile that extends linux.
	if steps := manualSteps(t, r); len(steps) != 1 || !strings.Contains(steps[0], "--profile NAME") ||
		!strings.Contains(steps[0], "write a profile for ID=plan9 VERSION_ID=4 that extends linux") {
		t.Errorf("fallback remediation %q", steps)
	}

	// malformed lines are named, and their fix too.
	h = mkroot(t, map[string]string{"etc/os-release": unknown + "garbage line\nX=\"unterminated\n"})
	r = results(t, p, h)["os/distro"]
	if r.Status != engine.Warn || !strings.Contains(r.Message, "2 malformed line(s)") {
		t.Errorf("malformed: %s %q", r.Status, r.Message)
	}
	if steps := manualSteps(t, r); len(steps) != 2 || !strings.Contains(steps[1], "malformed lines of /etc/os-release") {
		t.Errorf("malformed remediation %q", steps)
	}

	// no os-release at all: the check cannot decide.
	r = results(t, p, mkroot(t, map[string]string{"etc/hostname": "x\n"}))["os/distro"]
	if r.Status != engine.Error {
		t.Errorf("missing os-release: %s, want error", r.Status)
	}
}

// manualSteps returns the texts of r's remediation, failing unless every
// action is manual.
func manualSteps(t *testing.T, r engine.Result) []string {
	t.Helper()
	if r.Remediation == nil || len(r.Remediation.Actions) == 0 {
		t.Fatalf("%s %s: no remediation", r.ID, r.Status)
	}
	var out []string
	for _, a := range r.Remediation.Actions {
		if a.Kind != remediate.Manual {
			t.Errorf("%s: %s action, want manual only", r.ID, a.Kind)
		}
		out = append(out, a.Text)
	}
	return out
}

// TestDistroFallbackNamesTheClosestBuiltin: on a release no built-in
// matches, the step names the built-in of the same os-release ID (or one
// related by ID_LIKE) as the one to try with --profile. The releases are
// made from the built-ins' own match rules: an ID every built-in uses, at
// a version none of them matches.
func TestDistroFallbackNamesTheClosestBuiltin(t *testing.T) {
	tried := 0
	for _, name := range profile.Builtins() {
		for _, m := range profile.BuiltinMatch(name) {
			if m.ID == "" || strings.ContainsAny(m.ID, "*?[") {
				continue
			}
			rel := "ID=" + m.ID + "\nVERSION_ID=0.1\nPRETTY_NAME=\"ancient\"\n"
			h := mkroot(t, map[string]string{"etc/os-release": rel})
			osr, _ := h.OSRelease()
			p := resolve(t, profile.Request{OS: osr}, "")
			if !p.Fallback {
				continue // a rule of another built-in matches every version
			}
			tried++
			r := results(t, p, h)["os/distro"]
			steps := manualSteps(t, r)
			closest, why, ok := profile.Closest(osr)
			if !ok || why != "ID="+m.ID {
				t.Errorf("ID=%s: closest %s by %q, want one of the same ID", m.ID, closest, why)
				continue
			}
			if !sameID(t, closest, m.ID) {
				t.Errorf("ID=%s: closest %s has no rule for that ID", m.ID, closest)
			}
			if want := "run with --profile " + closest; r.Status != engine.Warn || !strings.Contains(steps[0], want) ||
				!strings.Contains(steps[0], "extends linux") {
				t.Errorf("ID=%s: %s %q, want %q and how to write a profile", m.ID, r.Status, steps, want)
			}
		}
	}
	if tried == 0 {
		t.Fatal("no built-in match rule to make an unmatched release from")
	}
	t.Logf("%d unmatched releases tried", tried)
}

func sameID(t *testing.T, name, id string) bool {
	t.Helper()
	for _, m := range profile.BuiltinMatch(name) {
		if m.ID == id {
			return true
		}
	}
	return false
}

// TestDistroWrongBuiltinSaysWhichToUse: a built-in chosen with --profile
// that is for another release is answered with the detected one. The hosts
// are made from the built-ins' own ID rules.
func TestDistroWrongBuiltinSaysWhichToUse(t *testing.T) {
	var names []string
	for _, n := range profile.Builtins() {
		if n != profile.Generic {
			names = append(names, n)
		}
	}
	tried := 0
	for i, a := range names {
		other := names[(i+1)%len(names)]
		for _, m := range profile.BuiltinMatch(a) {
			version := strings.TrimRight(m.VersionID, "*")
			if m.ID == "" || strings.ContainsAny(m.ID+version, "*?[") {
				continue
			}
			h := mkroot(t, map[string]string{"etc/os-release": "ID=" + m.ID + "\nVERSION_ID=" + version + "\n"})
			osr, _ := h.OSRelease()
			if detected, _, ok := profile.Detect(osr); !ok || detected != a {
				continue // an earlier built-in's rule takes this release
			}
			tried++
			r := results(t, resolve(t, profile.Request{OS: osr, Profile: other}, ""), h)["os/distro"]
			if steps := manualSteps(t, r); r.Status != engine.Warn || !strings.Contains(steps[0], "--profile "+a) {
				t.Errorf("--profile %s on a %s host (ID=%s VERSION_ID=%s): %s %q", other, a, m.ID, version, r.Status, steps)
			}
			break
		}
	}
	if tried < 2 {
		t.Fatalf("only %d built-ins to try a wrong --profile on", tried)
	}
	t.Logf("%d hosts checked against another release's profile", tried)
}
