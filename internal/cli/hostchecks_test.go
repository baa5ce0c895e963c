package cli_test

import (
	"encoding/json"
	"testing"
)

// TestHostChecksOnFixtureRoots is issue 3's acceptance: with the demo
// service's profile, each fixture root reports the rlimit, systemd, cgroup,
// selinux/apparmor and swap checks with that distro's verdicts
// (testdata/roots/README.md explains each).
func TestHostChecksOnFixtureRoots(t *testing.T) {
	want := map[string]map[string]string{
		"centos-7": {
			"cgroup/version":                         "warn", // v1 on 3.10: a warning, never a failure
			"selinux/mode":                           "warn", // permissive at runtime, enforcing in config
			"apparmor/enabled":                       "skip",
			"memory/swap":                            "warn",
			"rlimit/unit:golive-demo.service/nofile": "fail", // systemd 219 ignores soft:hard
			"rlimit/login:golive-demo/nofile":        "pass",
			"systemd/restart:golive-demo.service":    "pass",
			"systemd/user:golive-demo.service":       "pass",
			"systemd/active:golive-demo.service":     "skip", // an image runs nothing
			"file/mode:/etc/golive-demo/config.yaml": "pass",
			"user/exists:golive-demo":                "pass", // in the files; nsswitch also names sss
			"group/exists:golive-demo":               "pass",
			"package/version:openssl":                "pass", // 1:1.0.2k: the epoch is not compared
		},
		"ubuntu-22.04": {
			"cgroup/version":                             "pass",
			"selinux/mode":                               "skip",
			"apparmor/enabled":                           "pass",
			"memory/swap":                                "warn", // /swap.img in fstab
			"rlimit/unit:golive-demo.service/nofile":     "pass",
			"systemd/enabled:golive-demo.service":        "fail",
			"systemd/network:golive-demo.service":        "pass",
			"file/contains:/etc/golive-demo/config.yaml": "pass",
			"user/home:golive-demo":                      "pass",
			"package/installed:telnet":                   "pass", // removed, its config files left (rc)
		},
		"rocky-9": {
			"cgroup/version":                         "pass",
			"selinux/mode":                           "pass",
			"apparmor/enabled":                       "skip",
			"memory/swap":                            "pass",
			"rlimit/unit:golive-demo.service/nofile": "fail", // DefaultLimitNOFILE in system.conf.d
			"rlimit/login:golive-demo/nproc":         "pass",
			"systemd/user:golive-demo.service":       "fail", // runs as root
			"systemd/restart:golive-demo.service":    "fail", // on-abnormal misses a Go panic
			"systemd/enabled:golive-demo.service":    "pass",
			"file/type:/etc/golive-demo/config.yaml": "pass",
			"user/exists:sshd":                       "pass",
			"package/version:openssl":                "pass",
		},
		"broken": {
			"cgroup/controllers":                         "fail",
			"systemd/user:golive-demo.service":           "fail",
			"rlimit/login:golive-demo/nofile":            "fail",
			"systemd/enabled:golive-demo.service":        "fail",
			"file/mode:/etc/golive-demo/config.yaml":     "fail", // executable
			"file/contains:/etc/golive-demo/config.yaml": "fail", // debug: true
			"user/exists:sshd":                           "fail",
			"package/installed:telnet":                   "error", // a truncated rpmdb.sqlite
			"user/home:golive-demo":                      "pass",  // the first golive-demo line wins
		},
	}
	for root, checks := range want {
		t.Run(root, func(t *testing.T) {
			code, out, errb := runInProcess(t, "check", "--root", "../../testdata/roots/"+root,
				"--config", "../../testdata/golive-demo.yaml", "--offline", "--format", "json")
			if code != 1 {
				t.Fatalf("exit %d: %s", code, errb)
			}
			decode(t, out) // validates against the schema
			var rep struct {
				Checks []struct{ ID, Status, Message string } `json:"checks"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, c := range rep.Checks {
				got[c.ID] = c.Status
			}
			for id, status := range checks {
				if got[id] != status {
					t.Errorf("%s: %q, want %s", id, got[id], status)
				}
			}
		})
	}
}
