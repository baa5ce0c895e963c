package selinux

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const rhelFacts = "facts: {distro: Rocky Linux 9, family: rhel, package_manager: dnf, mac: selinux}\n"

// files of an enforcing RHEL host, with a key set to "" dropped.
func rhelRoot(over map[string]string) map[string]string {
	files := map[string]string{
		"etc/selinux/config":                    "SELINUX=enforcing\nSELINUXTYPE=targeted\n",
		"etc/selinux/targeted/policy/policy.33": "",
		"sys/fs/selinux/enforce":                "1",
		"proc/sys/kernel/osrelease":             "5.14.0\n",
	}
	for k, v := range over {
		if v == "<drop>" {
			delete(files, k)
			continue
		}
		files[k] = v
	}
	return files
}

func TestModeVerdicts(t *testing.T) {
	enforcing := rhelFacts + "selinux: {mode: enforcing}\n"
	image := map[string]string{"sys/fs/selinux/enforce": "<drop>", "proc/sys/kernel/osrelease": "<drop>"}
	tests := []struct {
		name   string
		files  map[string]string
		yaml   string
		status engine.Status
		words  []string
		steps  []string
		reboot bool
	}{
		{"enforcing now and at boot", nil, enforcing, engine.Pass,
			[]string{"enforcing now and after reboot (/etc/selinux/config:1)"}, nil, false},
		{"permissive now, enforcing configured", map[string]string{"sys/fs/selinux/enforce": "0"}, enforcing, engine.Warn,
			[]string{"permissive at runtime while /etc/selinux/config:1 says enforcing"}, []string{"command: setenforce 1"}, false},
		{"enforcing now, reverts to permissive", map[string]string{"etc/selinux/config": "SELINUX=permissive\n"}, enforcing, engine.Warn,
			[]string{"enforcing at runtime, but /etc/selinux/config:1 says permissive: reverts on reboot"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing"}, false},
		{"permissive now and at boot", map[string]string{"sys/fs/selinux/enforce": "0\n", "etc/selinux/config": "SELINUX=permissive\n"}, enforcing, engine.Fail,
			[]string{"permissive now and after reboot", "the profile expects enforcing"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing", "command: setenforce 1"}, false},
		{"level warn caps a miss", map[string]string{"sys/fs/selinux/enforce": "0", "etc/selinux/config": "SELINUX=permissive\n"},
			rhelFacts + "selinux: {mode: {expect: enforcing, level: warn}}\n", engine.Warn, []string{"the profile expects enforcing"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing", "command: setenforce 1"}, false},
		{"an alternative the profile accepts", map[string]string{"sys/fs/selinux/enforce": "0", "etc/selinux/config": "SELINUX=permissive\n"},
			rhelFacts + "selinux: {mode: \"in [enforcing, permissive]\"}\n", engine.Pass, []string{"permissive now and after reboot"}, nil, false},
		{"disabled at runtime, enforcing configured", map[string]string{"sys/fs/selinux/enforce": "<drop>"}, enforcing, engine.Warn,
			[]string{"disabled at runtime while /etc/selinux/config:1 says enforcing", "selinux=0"},
			[]string{"drop-in: /.autorelabel", "manual"}, true},
		{"disabled now and at boot", map[string]string{"sys/fs/selinux/enforce": "<drop>", "etc/selinux/config": "SELINUX=disabled\nSELINUXTYPE=targeted\n"}, enforcing, engine.Fail,
			[]string{"disabled now and after reboot", "the profile expects enforcing"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing", "drop-in: /.autorelabel", "manual"}, true},
		{"selinuxfs mounted point without enforce is disabled", map[string]string{"sys/fs/selinux/enforce": "<drop>", "sys/fs/selinux/.keep": "", "proc/sys/kernel/osrelease": "<drop>"}, enforcing, engine.Warn,
			[]string{"disabled at runtime"}, []string{"drop-in: /.autorelabel", "manual"}, true},
		{"image configured enforcing", image, enforcing, engine.Pass, []string{"image: /etc/selinux/config:1 configures enforcing"}, nil, false},
		{"image configured disabled", map[string]string{"sys/fs/selinux/enforce": "<drop>", "proc/sys/kernel/osrelease": "<drop>", "etc/selinux/config": "SELINUX=disabled\n"}, enforcing, engine.Fail,
			[]string{"image: /etc/selinux/config:1 configures disabled; the profile expects enforcing"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing", "drop-in: /.autorelabel", "manual"}, false},
		{"no policy installed for SELINUXTYPE", map[string]string{"etc/selinux/targeted/policy/policy.33": "<drop>"}, enforcing, engine.Fail,
			[]string{"SELINUXTYPE=targeted but /etc/selinux/targeted/policy has no policy.NN", "an enforcing boot stops"},
			[]string{"command: dnf install -y selinux-policy-targeted"}, false},
		{"another policy than the one installed", map[string]string{"etc/selinux/config": "SELINUX=enforcing\nSELINUXTYPE=mls\n"}, enforcing, engine.Fail,
			[]string{"SELINUXTYPE=mls but /etc/selinux/mls/policy has no policy.NN"},
			[]string{"command: dnf install -y selinux-policy-mls"}, false},
		{"SELINUXTYPE that is not a policy name", map[string]string{"etc/selinux/config": "SELINUX=enforcing\nSELINUXTYPE=../../tmp\n"}, enforcing, engine.Fail,
			[]string{"SELINUXTYPE=\"../../tmp\" is not a policy name", "cannot load a policy"},
			[]string{"command: dnf install -y selinux-policy-targeted", "file-line: /etc/selinux/config SELINUXTYPE=targeted"}, false},
		{"no configuration file", map[string]string{"etc/selinux/config": "<drop>"}, enforcing, engine.Fail,
			[]string{"no /etc/selinux/config: nothing sets the mode the next boot uses"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing", "file-line: /etc/selinux/config SELINUXTYPE=targeted"}, false},
		{"no SELINUX= line libselinux accepts", map[string]string{"etc/selinux/config": " SELINUX=enforcing\nselinux=enforcing\n"}, enforcing, engine.Fail,
			[]string{"no SELINUX= line in /etc/selinux/config that libselinux accepts", "2 line(s) of /etc/selinux/config ignored"},
			[]string{"file-line: /etc/selinux/config SELINUX=enforcing"}, false},
		{"unusable configuration without a rule warns", map[string]string{"etc/selinux/config": "SELINUX=on\n"}, rhelFacts, engine.Warn,
			[]string{"the mode of the next boot is undefined"}, []string{"file-line: /etc/selinux/config SELINUX=enforcing"}, false},
		{"disagreement without a rule warns", map[string]string{"sys/fs/selinux/enforce": "0"}, rhelFacts, engine.Warn,
			[]string{"permissive at runtime while /etc/selinux/config:1 says enforcing"}, []string{"manual"}, false},
		{"agreement without a rule passes", map[string]string{"sys/fs/selinux/enforce": "0", "etc/selinux/config": "SELINUX=permissive\n"}, rhelFacts, engine.Pass,
			[]string{"permissive now and after reboot"}, nil, false},
		{"garbage in selinuxfs", map[string]string{"sys/fs/selinux/enforce": "yes"}, enforcing, engine.Error,
			[]string{"/sys/fs/selinux/enforce: \"yes\" is neither 0 nor 1"}, nil, false},
		{"a directory where the configuration belongs", map[string]string{"etc/selinux/config": "<drop>", "etc/selinux/config/x": ""}, enforcing, engine.Error,
			[]string{"read /etc/selinux/config", "not a regular file"}, nil, false},
		{"AppArmor distro", nil, "facts: {distro: Ubuntu 22.04 LTS, mac: apparmor}\nselinux: {mode: enforcing}\n", engine.Skip,
			[]string{"Ubuntu 22.04 LTS uses AppArmor, not SELinux"}, nil, false},
		{"no MAC distro", nil, "facts: {mac: none}\n", engine.Skip, []string{"no mandatory access control"}, nil, false},
		{"generic profile on a host without SELinux", map[string]string{"etc/selinux/config": "<drop>", "sys/fs/selinux/enforce": "<drop>"}, "name: generic\n", engine.Skip,
			[]string{"no SELinux on this host", "profile generic does not ask for it"}, nil, false},
		{"generic profile on an SELinux host reports it", nil, "name: generic\n", engine.Pass, []string{"enforcing now and after reboot"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hosttest.Root(t, rhelRoot(tt.files))
			r := runProfile(t, h, tt.yaml)["selinux/mode"]
			want(t, r, tt.status, tt.words...)
			if got := strings.Join(steps(r.Remediation), " | "); got != strings.Join(tt.steps, " | ") {
				t.Errorf("remediation %q, want %q", got, strings.Join(tt.steps, " | "))
			}
			if r.Remediation != nil && r.Remediation.Reboot != tt.reboot {
				t.Errorf("reboot %v, want %v", r.Remediation.Reboot, tt.reboot)
			}
			if r.Status != engine.Pass && r.Status != engine.Skip && r.Status != engine.Error && r.Remediation == nil {
				t.Error("a miss without remediation")
			}
		})
	}
}

func TestModeDetails(t *testing.T) {
	h := hosttest.Root(t, rhelRoot(map[string]string{"sys/fs/selinux/enforce": "0", "etc/selinux/config": "SELINUX=enforcing\nSELINUX=permissive\nSELINUXTYPE=targeted\n"}))
	r := runProfile(t, h, rhelFacts+"selinux: {mode: enforcing}\n")["selinux/mode"]
	d := r.Details
	if d["runtime"] != "permissive" || d["configured"] != "enforcing" || d["config_line"] != 1 || d["policy"] != "targeted" || d["image"] != false {
		t.Errorf("details %v", d)
	}
	if files, _ := d["policy_files"].([]string); len(files) != 1 || files[0] != "/etc/selinux/targeted/policy/policy.33" {
		t.Errorf("policy_files %v", d["policy_files"])
	}
	if probs, _ := d["config_problems"].([]string); len(probs) != 1 || !strings.Contains(probs[0], "line 2") {
		t.Errorf("config_problems %v", d["config_problems"])
	}
	if r.Observed != "runtime permissive, configured enforcing (policy targeted)" {
		t.Errorf("observed %q", r.Observed)
	}
	if r.Expected != "== enforcing" {
		t.Errorf("expected %q", r.Expected)
	}
}

// A non-root run that cannot read selinuxfs or the configuration says so
// instead of failing.
func TestModeNeedsRoot(t *testing.T) {
	for _, denied := range []string{enforcePath, configPath} {
		checks := plan(t, testProfile(t, rhelFacts+"selinux: {mode: enforcing}\n"))
		checks[0].(*modeCheck).state.read = permissionDenied(denied)
		h := hosttest.Root(t, rhelRoot(nil), host.WithEUID(1000))
		want(t, run(t, h, checks)["selinux/mode"], engine.Skip, "needs root")

		checks = plan(t, testProfile(t, rhelFacts+"selinux: {mode: enforcing}\n"))
		checks[0].(*modeCheck).state.read = permissionDenied(denied)
		want(t, run(t, hosttest.Root(t, rhelRoot(nil), host.WithEUID(0)), checks)["selinux/mode"], engine.Error, "permission denied")
	}
}
