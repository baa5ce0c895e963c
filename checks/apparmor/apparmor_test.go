package apparmor

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

func testProfile(t *testing.T, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

func runCheck(t *testing.T, h *host.Host, p *profile.Profile, read func(*host.Host, string, int64) ([]byte, error)) engine.Result {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 1 {
		t.Fatalf("%d checks, want apparmor/enabled", len(checks))
	}
	checks[0].(*enabledCheck).read = read
	return engine.Run(context.Background(), h, checks, engine.RunOptions{}).Results[0]
}

const ubuntuFacts = "facts: {distro: Ubuntu 22.04 LTS, family: debian, package_manager: apt, mac: apparmor}\n"

func TestEnabledVerdicts(t *testing.T) {
	live := map[string]string{"proc/sys/kernel/osrelease": "5.15.0-126-generic\n"}
	with := func(files map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range live {
			out[k] = v
		}
		for k, v := range files {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name     string
		files    map[string]string
		yaml     string
		status   engine.Status
		words    string
		observed string
		fix      bool
	}{
		{"enabled", with(map[string]string{"sys/module/apparmor/parameters/enabled": "Y\n"}), ubuntuFacts,
			engine.Pass, "AppArmor is enabled", "enabled (Y)", false},
		{"enabled, with the profiles securityfs lists", with(map[string]string{
			"sys/module/apparmor/parameters/enabled": "Y\n",
			"sys/kernel/security/apparmor/profiles":  "/usr/bin/man (enforce)\nman_filter (enforce)\n/opt/app/bin/app (complain)\nbroken line\n"}), ubuntuFacts,
			engine.Pass, "AppArmor is enabled; 3 profiles loaded (2 enforce, 1 complain)", "enabled (Y)", false},
		{"turned off on the kernel command line", with(map[string]string{"sys/module/apparmor/parameters/enabled": "N\n"}), ubuntuFacts,
			engine.Fail, "built into the kernel but turned off", "disabled (N)", true},
		{"not in the kernel", live, ubuntuFacts, engine.Fail, "the running kernel has no AppArmor", "not in the running kernel", true},
		{"garbage", with(map[string]string{"sys/module/apparmor/parameters/enabled": "maybe\n"}), ubuntuFacts,
			engine.Error, `"maybe" is neither Y nor N`, "", false},
		{"a directory where the parameter belongs", with(map[string]string{"sys/module/apparmor/parameters/enabled/x": ""}), ubuntuFacts,
			engine.Error, "not a regular file", "", false},
		{"an image has no running kernel", map[string]string{"etc/hostname": "x\n"}, ubuntuFacts,
			engine.Skip, "image: whether AppArmor runs is decided by the kernel at boot", "", false},
		{"SELinux distro", with(map[string]string{"sys/module/apparmor/parameters/enabled": "Y\n"}), "facts: {distro: Rocky Linux 9, mac: selinux}\n",
			engine.Skip, "Rocky Linux 9 uses SELinux, not AppArmor", "", false},
		{"no MAC distro", live, "facts: {mac: none}\n", engine.Skip, "no mandatory access control", "", false},
		{"generic profile, AppArmor on", with(map[string]string{"sys/module/apparmor/parameters/enabled": "Y\n"}), "name: generic\n",
			engine.Pass, "AppArmor is enabled; profile generic does not ask for it", "enabled (Y)", false},
		{"generic profile, AppArmor off", with(map[string]string{"sys/module/apparmor/parameters/enabled": "N\n"}), "name: generic\n",
			engine.Skip, "AppArmor is disabled, and profile generic does not ask for it", "disabled (N)", false},
		{"generic profile, no AppArmor", live, "name: generic\n",
			engine.Skip, "no AppArmor in this kernel, and profile generic does not ask for it", "not in the running kernel", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCheck(t, hosttest.Root(t, tt.files), testProfile(t, tt.yaml), nil)
			if r.Status != tt.status || !strings.Contains(r.Message, tt.words) || r.Observed != tt.observed {
				t.Errorf("%s %q (observed %q), want %s %q (%q)", r.Status, r.Message, r.Observed, tt.status, tt.words, tt.observed)
			}
			if (r.Remediation != nil) != tt.fix {
				t.Errorf("remediation %+v, want one: %v", r.Remediation, tt.fix)
			}
		})
	}
}

func TestEnablePlanEditsGrubAndReboots(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"sys/module/apparmor/parameters/enabled": "N\n"})
	r := runCheck(t, h, testProfile(t, ubuntuFacts), nil)
	p := r.Remediation
	if p == nil || !p.Reboot || len(p.Actions) != 3 {
		t.Fatalf("plan %+v", p)
	}
	if p.Actions[0].Kind != remediate.Manual || !strings.Contains(p.Actions[0].Text, "apparmor=0") ||
		strings.Join(p.Actions[1].Argv, " ") != "update-grub" || strings.Join(p.Actions[2].Argv, " ") != "systemctl enable apparmor.service" {
		t.Errorf("actions %+v", p.Actions)
	}
}

func TestEnabledNeedsRoot(t *testing.T) {
	denied := func(h *host.Host, name string, limit int64) ([]byte, error) {
		if name == profilesPath || name == enabledPath {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		}
		return h.ReadFileLimit(name, limit)
	}
	h := hosttest.Root(t, map[string]string{"sys/module/apparmor/parameters/enabled": "Y\n"}, host.WithEUID(1000))
	r := runCheck(t, h, testProfile(t, ubuntuFacts), denied)
	if r.Status != engine.Skip || !strings.Contains(r.Message, "needs root") {
		t.Errorf("%s %q, want skip: needs root", r.Status, r.Message)
	}
	// The profile list is root-only on Ubuntu: its absence is noted, the
	// verdict stands.
	onlyProfiles := func(h *host.Host, name string, limit int64) ([]byte, error) {
		if name == profilesPath {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		}
		return h.ReadFileLimit(name, limit)
	}
	r = runCheck(t, h, testProfile(t, ubuntuFacts), onlyProfiles)
	if r.Status != engine.Pass || r.Details["profiles"] != "needs root" {
		t.Errorf("%s %v, want pass with profiles: needs root", r.Status, r.Details)
	}
}

func TestParseProfiles(t *testing.T) {
	l := parseProfiles([]byte("/usr/bin/man (enforce)\n" +
		"/snap/snapd/21759/usr/lib/snapd/snap-confine//mount-namespace-capture-helper (enforce)\n" +
		"my profile (with parens) (complain)\n" +
		"docker-default (enforce)\r\n" +
		"\n" +
		"no mode here\n" +
		"x (Enforce)\n" +
		"y ()\n"))
	if l.total != 4 || l.modes["enforce"] != 3 || l.modes["complain"] != 1 || l.malformed != 3 {
		t.Errorf("%+v", l)
	}
}

func TestParseEnabled(t *testing.T) {
	for in, want := range map[string]bool{"Y\n": true, "Y": true, "N\n": false, " N ": false} {
		if got, err := parseEnabled([]byte(in)); err != nil || got != want {
			t.Errorf("ParseEnabled(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "y", "1", "Yes", "YN", strings.Repeat("Y", 100)} {
		if _, err := parseEnabled([]byte(in)); err == nil {
			t.Errorf("ParseEnabled(%q) accepted", in)
		}
	}
}

func TestSectionTakesNoKeys(t *testing.T) {
	p := testProfile(t, ubuntuFacts+"apparmor:\n  enabled: true\n")
	if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), `unknown key "enabled"`) {
		t.Errorf("error %v", err)
	}
	p = testProfile(t, ubuntuFacts+"apparmor: {}\n")
	if _, err := build(p.Section(kind), p); err != nil {
		t.Errorf("an empty section: %v", err)
	}
}

func TestExplain(t *testing.T) {
	if m, ok := explain("apparmor/enabled"); !ok || m.ID != "apparmor/enabled" || m.Fix == "" || len(m.Reads) == 0 {
		t.Errorf("explain = %+v, %v", m, ok)
	}
	if _, ok := explain("apparmor/profile:/x"); ok {
		t.Error("explained an ID no profile builds")
	}
}
