package cgroup

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestControllersVerdicts(t *testing.T) {
	all := "cpuset cpu io memory hugetlb pids rdma misc\n"
	cases := []struct {
		name    string
		profile string
		files   map[string]string
		status  engine.Status
		words   []string
	}{
		{"v2 with every controller", "", map[string]string{
			"proc/self/mountinfo": rootLine + v2Line, "sys/fs/cgroup/cgroup.controllers": all,
		}, engine.Pass, []string{"/sys/fs/cgroup/cgroup.controllers"}},
		{"v2 without io", "", map[string]string{
			"proc/self/mountinfo": rootLine + v2Line, "sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
		}, engine.Fail, []string{"missing io"}},
		{"v1: io is blkio", "", map[string]string{
			"proc/self/mountinfo": v1Lines,
		}, engine.Pass, []string{"io is the blkio controller", "io (blkio)"}},
		{"v1 without pids", "", map[string]string{
			"proc/self/mountinfo": strings.Replace(v1Lines, pidsV1, "", 1),
		}, engine.Fail, []string{"missing pids"}},
		{"hybrid: the controllers are on v1", "", map[string]string{
			"proc/self/mountinfo": hybridLine, "sys/fs/cgroup/unified/cgroup.controllers": "",
		}, engine.Pass, nil},
		// A container whose runtime mounts the v1 controllers read-only
		// (systemd-nspawn on a hybrid host): configured limits do nothing.
		{"hybrid with read-only controllers", "", map[string]string{
			"proc/self/mountinfo": strings.Replace(strings.Replace(hybridLine, memoryV1, strings.Replace(memoryV1, " rw,nosuid", " ro,nosuid", 1), 1),
				pidsV1, strings.Replace(pidsV1, " rw,nosuid", " ro,nosuid", 1), 1),
			"sys/fs/cgroup/unified/cgroup.controllers": "",
		}, engine.Fail, []string{"memory, pids mounted read-only", "cannot be enforced"}},
		{"v2 mounted read-only", "", map[string]string{
			"proc/self/mountinfo": rootLine + strings.Replace(v2Line, " rw,nosuid", " ro,nosuid", 1), "sys/fs/cgroup/cgroup.controllers": all,
		}, engine.Fail, []string{"cpu, memory, io, pids mounted read-only"}},
		{"cgroup2 mounted without cgroup.controllers", "", map[string]string{
			"proc/self/mountinfo": rootLine + v2Line,
		}, engine.Error, []string{"cgroup.controllers does not exist"}},
		{"an image", "", map[string]string{
			"etc/hostname": "x\n",
		}, engine.Skip, []string{"image"}},
		{"nothing mounted", "", map[string]string{
			"proc/self/mountinfo": rootLine,
		}, engine.Fail, []string{"no cgroup hierarchy"}},
		{"the profile's own list", "cgroup: {controllers: [cpuset, memory]}\n", map[string]string{
			"proc/self/mountinfo": v1Lines,
		}, engine.Fail, []string{"missing cpuset"}},
		{"a malformed line hides a hierarchy", "", map[string]string{
			"proc/self/mountinfo": strings.Replace(v1Lines, "28 25 0:24", "x 25 0:24", 1),
		}, engine.Fail, []string{"missing memory", "1 malformed line"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, hosttest.Root(t, c.files), "extends: rocky-9\n"+c.profile)["cgroup/controllers"]
			want(t, r, c.status, c.words...)
			if (r.Status == engine.Fail && r.Observed != "none (nothing mounted at /sys/fs/cgroup)") != (r.Remediation != nil) {
				t.Errorf("remediation %+v for %s", r.Remediation, r.Status)
			}
			// Nothing systemctl can do makes a read-only hierarchy writable.
			if r.Remediation != nil && strings.Contains(r.Message, "read-only") {
				for _, a := range r.Remediation.Actions {
					if len(a.Argv) > 0 {
						t.Errorf("read-only: a command %v", a.Argv)
					}
				}
			}
		})
	}
}

func TestBadControllerListsAreProfileErrors(t *testing.T) {
	for rule, words := range map[string]string{
		"[blkio]":           "not a cgroup v2 controller",
		"[cpu, cpu]":        "listed twice",
		"[]":                "at least one",
		"cpu":               "p.yaml:2",
		"[perf_event, cpu]": "not a cgroup v2 controller",
	} {
		p := testProfile(t, "cgroup:\n  controllers: "+rule+"\n")
		if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), words) || !strings.Contains(err.Error(), "p.yaml:2") {
			t.Errorf("controllers %s: err %v, want a profile error at p.yaml:2 mentioning %q", rule, err, words)
		}
	}
}
