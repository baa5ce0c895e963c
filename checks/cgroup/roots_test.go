package cgroup

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

// The verdicts testdata/roots/README.md ("cgroup fixtures") documents.
func TestFixtureRootVerdicts(t *testing.T) {
	type verdict struct {
		status engine.Status
		words  []string
	}
	verdicts := map[string]map[string]verdict{
		"centos-7": {
			"cgroup/version":                            {engine.Warn, []string{"no cgroup2 filesystem", "as the profile expects", "v1 (tmpfs on /sys/fs/cgroup"}},
			"cgroup/controllers":                        {engine.Pass, []string{"io (blkio)", "v1 hierarchies"}},
			"cgroup/unit:goservice.service/memory.max":  {engine.Pass, []string{"2147483648 (2 GiB) live; MemoryLimit=2G in /etc/systemd/system/goservice.service.d/60-resources.conf"}},
			"cgroup/unit:goservice.service/memory.high": {engine.Skip, []string{"no memory.high"}},
			"cgroup/unit:goservice.service/cpu.max":     {engine.Warn, []string{"2 cores live", "4 CPUs", "GOMAXPROCS=8 from the environment (/etc/sysconfig/goservice)", "set GOMAXPROCS=2"}},
			"cgroup/unit:goservice.service/pids.max":    {engine.Pass, []string{"max live", "no cgroup of its own in the v1 pids hierarchy"}},
		},
		"ubuntu-22.04": {
			"cgroup/version":                            {engine.Pass, []string{"v2 (cgroup2 on /sys/fs/cgroup)"}},
			"cgroup/controllers":                        {engine.Pass, []string{"/sys/fs/cgroup/cgroup.controllers"}},
			"cgroup/unit:goservice.service/memory.max":  {engine.Pass, []string{"MemoryMax=2G"}},
			"cgroup/unit:goservice.service/memory.high": {engine.Pass, []string{"1610612736 (1.5 GiB) live; MemoryHigh=1536M"}},
			"cgroup/unit:goservice.service/cpu.max":     {engine.Pass, []string{"1.5 cores live", "2 CPUs; GOMAXPROCS 2"}},
			"cgroup/unit:goservice.service/pids.max":    {engine.Pass, []string{"4096 live; TasksMax=4096"}},
		},
		"rocky-9": {
			"cgroup/version":                            {engine.Pass, []string{"v2"}},
			"cgroup/controllers":                        {engine.Pass, nil},
			"cgroup/unit:goservice.service/memory.max":  {engine.Fail, []string{"configured but not applied", "running cgroup has max"}},
			"cgroup/unit:goservice.service/memory.high": {engine.Warn, []string{"max live; no MemoryHigh="}},
			"cgroup/unit:goservice.service/cpu.max":     {engine.Fail, []string{"0.5 cores live", "8 CPUs", "GOMAXPROCS=4 from the environment"}},
			"cgroup/unit:goservice.service/pids.max":    {engine.Pass, []string{"9420 live", "DefaultTasksMax=15%", "15% of the system's task limit 62805"}},
		},
		"broken": {
			"cgroup/version":                            {engine.Warn, []string{"cgroup hybrid, expected v2", "kernel release is unknown", "7 malformed line(s)"}},
			"cgroup/controllers":                        {engine.Fail, []string{"missing memory", "7 malformed line(s)"}},
			"cgroup/unit:goservice.service/memory.max":  {engine.Skip, []string{"masked"}},
			"cgroup/unit:goservice.service/memory.high": {engine.Skip, []string{"masked"}},
			"cgroup/unit:goservice.service/cpu.max":     {engine.Skip, []string{"masked"}},
			"cgroup/unit:goservice.service/pids.max":    {engine.Skip, []string{"masked"}},
		},
	}
	for root, checks := range verdicts {
		t.Run(root, func(t *testing.T) {
			got := fixture(t, root, serviceConfig)
			if len(got) != len(checks) {
				t.Errorf("%d checks, want %d", len(got), len(checks))
			}
			for id, v := range checks {
				want(t, got[id], v.status, v.words...)
			}
			// Without a service the unit checks do not exist; the rest is the same.
			plain := fixture(t, root, "")
			if len(plain) != 2 || plain["cgroup/version"].Status != got["cgroup/version"].Status || plain["cgroup/controllers"].Status != got["cgroup/controllers"].Status {
				t.Errorf("without a service: %d checks", len(plain))
			}
		})
	}
}

func TestFixtureRemediations(t *testing.T) {
	rocky := fixture(t, "rocky-9", serviceConfig)
	mem := rocky["cgroup/unit:goservice.service/memory.max"].Remediation
	if mem == nil || strings.Join(mem.Actions[1].Argv, " ") != "systemctl set-property --runtime goservice.service MemoryMax=2G" {
		t.Errorf("rocky memory.max: %+v", mem)
	}
	cpu := rocky["cgroup/unit:goservice.service/cpu.max"].Remediation
	var kinds []string
	for _, a := range cpu.Actions {
		kinds = append(kinds, string(a.Kind))
	}
	if strings.Join(kinds, " ") != "drop-in command command drop-in command manual" || !strings.Contains(cpu.Actions[0].Content, "CPUQuota=100%") || !strings.Contains(cpu.Actions[3].Content, "GOMAXPROCS=2") {
		t.Errorf("rocky cpu.max: %+v", cpu.Actions)
	}
	c7 := fixture(t, "centos-7", "")["cgroup/version"].Remediation
	if c7 == nil || c7.Reboot || c7.Actions[0].Kind != remediate.Manual || !strings.Contains(c7.Actions[0].Text, "no in-place fix") {
		t.Errorf("centos-7 version: no kernel argument can help 3.10: %+v", c7)
	}
	broken := fixture(t, "broken", "")["cgroup/version"].Remediation
	if broken == nil || !broken.Reboot || !strings.Contains(broken.Actions[0].Text, "grubby") || !strings.Contains(broken.Actions[0].Text, "update-grub") {
		t.Errorf("broken version (no family known): %+v", broken)
	}
}

func TestExplainEveryID(t *testing.T) {
	for _, id := range []string{"cgroup/version", "cgroup/controllers", "cgroup/unit:myapp.service/memory.max",
		"cgroup/unit:myapp.service/memory.high", "cgroup/unit:myapp.service/memory.low", "cgroup/unit:web@1.service/cpu.max", "cgroup/unit:x.service/pids.max"} {
		m, ok := explain(id)
		if !ok || m.ID != id || m.Why == "" || m.Fix == "" || len(m.Reads) == 0 {
			t.Errorf("explain(%q) = %+v, %v", id, m, ok)
		}
	}
	for _, id := range []string{"cgroup/unit:x.service/cpu.weight", "cgroup/unit:/memory.max", "cgroup/other", "sysctl/x"} {
		if _, ok := explain(id); ok {
			t.Errorf("explain(%q) claims an unknown ID", id)
		}
	}
}

// Through the engine's registry, as `golive check` and `golive explain` use it.
func TestRegisteredWithTheEngine(t *testing.T) {
	p := testProfile(t, "facts: {cgroup: v2}\nservice: {unit: goservice}\ncgroup: {unit: {memory.max: max}}\n")
	checks, err := engine.Build(p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range checks {
		if strings.HasPrefix(c.ID(), "cgroup/") {
			ids = append(ids, c.ID())
		}
	}
	if strings.Join(ids, " ") != "cgroup/version cgroup/controllers cgroup/unit:goservice.service/memory.max" {
		t.Errorf("planned %q", ids)
	}
	if m, ok := engine.Explain("cgroup/unit:any.service/pids.max"); !ok || m.Category != kind {
		t.Errorf("explain: %+v %v", m, ok)
	}
}

// The stock Ubuntu roots (testdata/roots/README.md, "ubuntu-20.04 and
// ubuntu-24.04"): focal's default hybrid layout warns with the GRUB fix,
// noble's v2 passes.
func TestStockUbuntuRoots(t *testing.T) {
	focal := fixture(t, "ubuntu-20.04", "")
	v := focal["cgroup/version"]
	want(t, v, engine.Warn, "cgroup hybrid, expected v2", "cgroup2 on /sys/fs/cgroup/unified")
	if v.Remediation == nil || !v.Remediation.Reboot || len(v.Remediation.Actions) != 3 ||
		v.Remediation.Actions[0].Line != `GRUB_CMDLINE_LINUX="systemd.unified_cgroup_hierarchy=1"` ||
		strings.Join(v.Remediation.Actions[1].Argv, " ") != "update-grub" {
		t.Errorf("ubuntu-20.04 version fix: %+v", v.Remediation)
	}
	want(t, focal["cgroup/controllers"], engine.Pass, "v1 hierarchies", "io (blkio)")

	noble := fixture(t, "ubuntu-24.04", "")
	want(t, noble["cgroup/version"], engine.Pass, "v2 (cgroup2 on /sys/fs/cgroup)")
	want(t, noble["cgroup/controllers"], engine.Pass, "/sys/fs/cgroup/cgroup.controllers")
}
