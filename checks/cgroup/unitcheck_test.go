package cgroup

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/remediate"
)

const (
	appUnit = "etc/systemd/system/app.service"
	appDrop = "etc/systemd/system/app.service.d/"
	appCg   = "sys/fs/cgroup/system.slice/app.service/"
	v1Mem   = "sys/fs/cgroup/memory/system.slice/app.service/"
	v1Sd    = "sys/fs/cgroup/systemd/system.slice/app.service/"
)

// v2Root is a running v2 host with app.service running.
func v2Root(extra map[string]string) map[string]string {
	files := map[string]string{
		"proc/self/mountinfo":  rootLine + v2Line,
		appUnit:                "[Service]\nExecStart=/opt/app/app\n",
		appCg + "cgroup.procs": "100\n",
	}
	maps.Copy(files, extra)
	return files
}

func knobProfile(rules string) string {
	return "extends: rocky-9\nservice: {unit: app}\ncgroup:\n  unit:\n" + rules
}

func TestUnitKnobVerdicts(t *testing.T) {
	memRule := "    memory.max: \"<= 2147483648\"\n"
	cases := []struct {
		name   string
		rules  string
		files  map[string]string
		id     string // knob
		status engine.Status
		words  []string
		action remediate.Kind
	}{
		{"live and configured", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf": "[Service]\nMemoryMax=2G\n", appCg + "memory.max": "2147483648\n",
		}), "memory.max", engine.Pass, []string{"2147483648 (2 GiB) live; MemoryMax=2G in /etc/systemd/system/app.service.d/50-limits.conf"}, ""},
		{"live only: the unit files would undo it", memRule, v2Root(map[string]string{
			appCg + "memory.max": "1073741824\n",
		}), "memory.max", engine.Warn, []string{"the unit files give max", "next daemon-reload or restart"}, remediate.DropIn},
		{"configured but not applied", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf": "[Service]\nMemoryMax=2G\n", appCg + "memory.max": "max\n",
		}), "memory.max", engine.Fail, []string{"configured but not applied", "running cgroup has max"}, remediate.Command},
		{"neither", memRule, v2Root(map[string]string{
			appCg + "memory.max": "max\n",
		}), "memory.max", engine.Fail, []string{"running cgroup has max and the unit files give max (no MemoryMax=: the default max)"}, remediate.DropIn},
		{"level warn", "    memory.max: {expect: \"<= 2147483648\", level: warn}\n", v2Root(map[string]string{
			appCg + "memory.max": "max\n",
		}), "memory.max", engine.Warn, nil, remediate.DropIn},
		{"set only under /run", memRule, v2Root(map[string]string{
			"run/systemd/system.control/app.service.d/50-MemoryMax.conf": "[Service]\nMemoryMax=2147483648\n", appCg + "memory.max": "2147483648\n",
		}), "memory.max", engine.Warn, []string{"only under /run", "gone at the next boot"}, remediate.DropIn},
		{"not running, configured", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf": "[Service]\nMemoryMax=1G\n", appCg + "cgroup.procs": "->nowhere",
		}), "memory.max", engine.Fail, nil, ""}, // replaced below: a dangling cgroup.procs is not a directory test
		{"image, configured", memRule, map[string]string{
			appUnit: "[Service]\nMemoryMax=1G\n",
		}, "memory.max", engine.Pass, []string{"1073741824 (1 GiB) from MemoryMax=1G", "image"}, ""},
		{"image, not configured", memRule, map[string]string{
			appUnit: "[Service]\nExecStart=/x\n",
		}, "memory.max", engine.Fail, []string{"image: no running system: the unit files give no MemoryMax="}, remediate.DropIn},
		{"controller not enabled for the unit", memRule, v2Root(nil), "memory.max", engine.Fail, []string{"the memory controller is not enabled for this cgroup"}, remediate.DropIn},
		{"an invalid value is ignored, the earlier one stays", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf": "[Service]\nMemoryMax=2G\n", appDrop + "60-typo.conf": "[Service]\nMemoryMax=2 GB\n", appCg + "memory.max": "2147483648\n",
		}), "memory.max", engine.Pass, []string{"MemoryMax=2G in", "ignored: MemoryMax=2 GB in /etc/systemd/system/app.service.d/60-typo.conf"}, ""},
		{"an empty assignment resets", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf": "[Service]\nMemoryMax=2G\n", appDrop + "60-reset.conf": "[Service]\nMemoryMax=\n", appCg + "memory.max": "max\n",
		}), "memory.max", engine.Fail, []string{"no MemoryMax=: the default max"}, remediate.DropIn},
		{"Slice= moves the cgroup", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf":                                       "[Service]\nSlice=apps-web.slice\nMemoryMax=2G\n",
			"sys/fs/cgroup/apps.slice/apps-web.slice/app.service/memory.max": "2147483648\n",
		}), "memory.max", engine.Pass, nil, ""},
		{"a percentage of physical memory", memRule, v2Root(map[string]string{
			appDrop + "50-limits.conf": "[Service]\nMemoryMax=25%\n", appCg + "memory.max": "2147483648\n", "proc/meminfo": "MemTotal:        8388608 kB\nMemFree: 1 kB\n",
		}), "memory.max", engine.Pass, []string{"25% of physical memory 8589934592 (8 GiB)"}, ""},
		{"a percentage of unknown memory on an image", memRule, map[string]string{
			appUnit: "[Service]\nMemoryMax=25%\n",
		}, "memory.max", engine.Warn, []string{"cannot be worked out here", "25% of physical memory (unknown in this root)"}, remediate.DropIn},
		{"pids: DefaultTasksMax from system.conf", "    pids.max: \">= 4096\"\n", map[string]string{
			appUnit: "[Service]\nExecStart=/x\n", "etc/systemd/system.conf": "[Manager]\nDefaultTasksMax=10%\n",
			"proc/sys/kernel/pid_max": "4194304\n", "proc/sys/kernel/threads-max": "62805\n",
		}, "pids.max", engine.Pass, []string{"DefaultTasksMax=10% (/etc/systemd/system.conf)", "6280 (no TasksMax=: DefaultTasksMax=10%"}, ""},
		{"pids: systemd's default 15% is too low", "    pids.max: \">= 16384\"\n", map[string]string{
			appUnit: "[Service]\nExecStart=/x\n", "proc/sys/kernel/pid_max": "4194304\n", "proc/sys/kernel/threads-max": "62805\n",
		}, "pids.max", engine.Fail, []string{"9420", "DefaultTasksMax=15%"}, remediate.DropIn},
		{"garbage in a live file", memRule, v2Root(map[string]string{
			appCg + "memory.max": "lots\n",
		}), "memory.max", engine.Error, []string{"is not max or a number"}, ""},
		{"memory.high on v2", "    memory.high: \"!= max\"\n", v2Root(map[string]string{
			appCg + "memory.high": "1610612736\n", appUnit: "[Service]\nMemoryHigh=1536M\n",
		}), "memory.high", engine.Pass, nil, ""},
	}
	for _, c := range cases {
		if c.name == "not running, configured" {
			continue // see TestUnitKnobNotRunning
		}
		t.Run(c.name, func(t *testing.T) {
			r := runProfile(t, hosttest.Root(t, c.files), knobProfile(c.rules))["cgroup/unit:app.service/"+c.id]
			want(t, r, c.status, c.words...)
			switch {
			case c.action == "" && r.Remediation != nil:
				t.Errorf("unexpected remediation %+v", r.Remediation)
			case c.action != "" && (r.Remediation == nil || r.Remediation.Actions[0].Kind != c.action):
				t.Errorf("remediation %+v, want first action %s", r.Remediation, c.action)
			}
		})
	}
}

func TestUnitKnobNotRunning(t *testing.T) {
	files := map[string]string{"proc/self/mountinfo": rootLine + v2Line, appUnit: "[Service]\nMemoryMax=3G\n"}
	r := runProfile(t, hosttest.Root(t, files), knobProfile("    memory.max: \"<= 2147483648\"\n"))["cgroup/unit:app.service/memory.max"]
	want(t, r, engine.Fail, "not running: the unit files give MemoryMax=3G")
	if r.Remediation == nil || len(r.Remediation.Actions) != 2 {
		t.Fatalf("remediation %+v: a drop-in and daemon-reload, no set-property for a unit that is not running", r.Remediation)
	}
	files[appUnit] = "[Service]\nMemoryMax=1G\n"
	want(t, runProfile(t, hosttest.Root(t, files), knobProfile("    memory.max: \"<= 2147483648\"\n"))["cgroup/unit:app.service/memory.max"], engine.Pass, "not running")
}

func TestUnitKnobRemediation(t *testing.T) {
	rule := "    memory.max: \"<= 2147483648\"\n"
	r := runProfile(t, hosttest.Root(t, v2Root(map[string]string{appCg + "memory.max": "max\n"})), knobProfile(rule))["cgroup/unit:app.service/memory.max"]
	a := r.Remediation.Actions
	if len(a) != 3 || a[0].Path != "/etc/systemd/system/app.service.d/90-golive-MemoryMax.conf" ||
		!strings.Contains(a[0].Content, "[Service]\nMemoryMax=2147483648\n") ||
		strings.Join(a[1].Argv, " ") != "systemctl daemon-reload" ||
		strings.Join(a[2].Argv, " ") != "systemctl set-property --runtime app.service MemoryMax=2147483648" {
		t.Errorf("actions %+v", a)
	}

	// A running value that satisfies is what gets persisted.
	r = runProfile(t, hosttest.Root(t, v2Root(map[string]string{appCg + "memory.max": "1073741824\n"})), knobProfile(rule))["cgroup/unit:app.service/memory.max"]
	if a := r.Remediation.Actions; len(a) != 2 || !strings.Contains(a[0].Content, "MemoryMax=1073741824\n") {
		t.Errorf("persist the running value: %+v", a)
	}

	// A drop-in that sorts after golive's would win at the next load: its
	// line is changed instead.
	r = runProfile(t, hosttest.Root(t, v2Root(map[string]string{appDrop + "99-limits.conf": "[Service]\nMemoryMax=4G\n", appCg + "memory.max": "4294967296\n"})), knobProfile(rule))["cgroup/unit:app.service/memory.max"]
	if a := r.Remediation.Actions[0]; a.Kind != remediate.FileLine || a.Path != "/etc/systemd/system/app.service.d/99-limits.conf" || a.Key != "MemoryMax" || a.Line != "MemoryMax=2147483648" {
		t.Errorf("override: %+v", a)
	}
	// A package's drop-in is not edited in place.
	r = runProfile(t, hosttest.Root(t, v2Root(map[string]string{"usr/lib/systemd/system/app.service.d/99-vendor.conf": "[Service]\nMemoryMax=4G\n", appCg + "memory.max": "4294967296\n"})), knobProfile(rule))["cgroup/unit:app.service/memory.max"]
	if a := r.Remediation.Actions[0]; a.Kind != remediate.Manual || !strings.Contains(a.Text, "99-vendor.conf") {
		t.Errorf("vendor override: %+v", a)
	}
	// CPU quotas are set as CPUQuota= percentages.
	r = runProfile(t, hosttest.Root(t, v2Root(map[string]string{appUnit: "[Service]\nCPUQuota=50%\n", appCg + "cpu.max": "50000 100000\n", "sys/devices/system/cpu/online": "0-7\n"})), knobProfile("    cpu.max: \">= 1.5\"\n"))["cgroup/unit:app.service/cpu.max"]
	if a := r.Remediation.Actions; !strings.Contains(a[0].Content, "CPUQuota=150%") || strings.Join(a[2].Argv, " ") != "systemctl set-property --runtime app.service CPUQuota=150%" {
		t.Errorf("cpu actions %+v", a)
	}
}

func TestUnitKnobsOnV1(t *testing.T) {
	files := map[string]string{
		"proc/self/mountinfo":           v1Lines,
		appUnit:                         "[Service]\nMemoryMax=2G\n",
		v1Sd + "cgroup.procs":           "100\n",
		v1Mem + "memory.limit_in_bytes": "9223372036854771712\n",
		"sys/fs/cgroup/cpu,cpuacct/system.slice/app.service/cpu.cfs_quota_us":  "-1\n",
		"sys/fs/cgroup/cpu,cpuacct/system.slice/app.service/cpu.cfs_period_us": "100000\n",
	}
	rules := "    memory.max: \"<= 2147483648\"\n    memory.high: \"!= max\"\n    cpu.max: \"<= 4\"\n    pids.max: \">= 100\"\n"
	got := runProfile(t, hosttest.Root(t, files), knobProfile(rules))
	mem := got["cgroup/unit:app.service/memory.max"]
	want(t, mem, engine.Fail, "running cgroup has max", "systemd before 231 (CentOS 7 has 219) does not know MemoryMax=")
	if a := mem.Remediation.Actions[0]; !strings.Contains(a.Content, "MemoryLimit=2147483648") || !strings.HasSuffix(a.Path, "90-golive-MemoryLimit.conf") {
		t.Errorf("v1 fix uses MemoryLimit=: %+v", a)
	}
	want(t, got["cgroup/unit:app.service/memory.high"], engine.Skip, "no memory.high")
	want(t, got["cgroup/unit:app.service/cpu.max"], engine.Fail, "max live")
	want(t, got["cgroup/unit:app.service/pids.max"], engine.Pass, "no cgroup of its own in the v1 pids hierarchy")
}

func TestUnitKnobsOfTemplateInstances(t *testing.T) {
	files := map[string]string{
		"proc/self/mountinfo":             rootLine + v2Line,
		"etc/systemd/system/web@.service": "[Service]\nTasksMax=512\n",
		"sys/fs/cgroup/system.slice/system-web.slice/web@1.service/pids.max": "512\n",
	}
	p := "extends: rocky-9\nservice: {unit: web@1.service}\ncgroup:\n  unit:\n    pids.max: \">= 256\"\n"
	r := runProfile(t, hosttest.Root(t, files), p)["cgroup/unit:web@1.service/pids.max"]
	want(t, r, engine.Pass, "512 live")
	if r.Details["cgroup"] != "system.slice/system-web.slice/web@1.service" {
		t.Errorf("cgroup %v", r.Details["cgroup"])
	}
}

func TestUnitKnobSkips(t *testing.T) {
	rule := "    memory.max: \"<= 2147483648\"\n"
	cases := map[string]struct {
		files   map[string]string
		profile string
		words   string
	}{
		"no unit file":  {map[string]string{"proc/self/mountinfo": rootLine + v2Line}, knobProfile(rule), "not found"},
		"masked":        {map[string]string{"proc/self/mountinfo": rootLine + v2Line, appUnit: "->/dev/null"}, knobProfile(rule), "masked"},
		"a target unit": {map[string]string{"etc/systemd/system/app.target": "[Unit]\n"}, "extends: rocky-9\nservice: {unit: app.target}\ncgroup: {unit: {memory.max: max}}\n", "no cgroup of its own"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			for id, r := range runProfile(t, hosttest.Root(t, c.files), c.profile) {
				if strings.HasPrefix(id, "cgroup/unit:") {
					want(t, r, engine.Skip, c.words)
				}
			}
		})
	}
}

// GOMAXPROCS above the quota: a known cause of throttling.
func TestCPUQuotaAndGOMAXPROCS(t *testing.T) {
	rule := "    cpu.max: \">= 1\"\n"
	files := v2Root(map[string]string{
		appUnit:                         "[Service]\nCPUQuota=100%\nEnvironment=GOMAXPROCS=8\n",
		appCg + "cpu.max":               "100000 100000\n",
		"sys/devices/system/cpu/online": "0-7\n",
	})
	r := runProfile(t, hosttest.Root(t, files), knobProfile(rule))["cgroup/unit:app.service/cpu.max"]
	want(t, r, engine.Warn, "1 core live", "8 CPUs", "GOMAXPROCS=8 from the environment", "set GOMAXPROCS=2")
	if r.Remediation == nil || !strings.Contains(r.Remediation.Actions[0].Content, "Environment=GOMAXPROCS=2") || !strings.Contains(r.Remediation.Actions[0].Content, "# Written by golive for check cgroup/unit:") {
		t.Errorf("remediation %+v", r.Remediation)
	}

	// Without the environment and without a known binary, the check
	// warns nobody but says what an old Go would do.
	files[appUnit] = "[Service]\nCPUQuota=100%\nCPUAffinity=0-3\n"
	r = runProfile(t, hosttest.Root(t, files), knobProfile(rule))["cgroup/unit:app.service/cpu.max"]
	want(t, r, engine.Pass, "4 CPUs", "GOMAXPROCS 2 with Go 1.25+, 4 with older Go", "a Go binary before 1.25")
	if g := r.Details["gomaxprocs"].(map[string]any); g["go1_25_default"] != 2 || g["before_go1_25"] != 4 {
		t.Errorf("gomaxprocs %v", g)
	}

	// A service binary built by this toolchain (Go 1.26) follows the quota.
	h := hosttest.Root(t, files)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(h.Root(), "opt/app"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, self, filepath.Join(h.Root(), "opt/app/app"))
	r = runProfile(t, h, "extends: rocky-9\nservice: {unit: app, binaries: [/opt/app/app]}\ncgroup:\n  unit:\n"+rule)["cgroup/unit:app.service/cpu.max"]
	want(t, r, engine.Pass, "GOMAXPROCS 2 for /opt/app/app (go1.")
	if strings.Contains(r.Message, "before 1.25") {
		t.Errorf("a known Go 1.26 binary needs no hint: %q", r.Message)
	}
}

func TestUnitRulesNeedAServiceAndKnownKnobs(t *testing.T) {
	p := testProfile(t, "extends: rocky-9\ncgroup:\n  unit:\n    memory.max: max\n")
	for _, c := range plan(t, p) {
		if strings.HasPrefix(c.ID(), "cgroup/unit:") {
			t.Errorf("%s without service.unit", c.ID())
		}
	}
	for rule, words := range map[string]string{
		"memory.maxx: max":        "unknown knob \"memory.maxx\"",
		"memory.max: \"<= 2G\"":   "needs a number",
		"memory.max: \">= max\"":  "needs a number",
		"cpu.max: \"== lots\"":    "not a number of CPU cores",
		"pids.max: {level: warn}": "needs an expect",
	} {
		p := testProfile(t, "service: {unit: app}\ncgroup:\n  unit:\n    "+rule+"\n")
		if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), words) || !strings.Contains(err.Error(), "p.yaml:4") {
			t.Errorf("%s: err %v, want a profile error at p.yaml:4 mentioning %q", rule, err, words)
		}
	}
}

// A hybrid container whose runtime mounts the memory and pids hierarchies
// read-only: the unit has no cgroup there, and neither a restart nor
// set-property can change that.
func TestUnitKnobsOnReadOnlyHierarchies(t *testing.T) {
	ro := func(line string) string { return strings.Replace(line, " rw,nosuid", " ro,nosuid", 1) }
	mounts := strings.Replace(strings.Replace(hybridLine, memoryV1, ro(memoryV1), 1), pidsV1, ro(pidsV1), 1)
	files := map[string]string{
		"proc/self/mountinfo": mounts,
		appUnit:               "[Service]\nMemoryMax=2G\nTasksMax=64\n",
		"sys/fs/cgroup/unified/system.slice/app.service/cgroup.procs": "100\n",
		v1Sd + "cgroup.procs": "100\n",
	}
	rules := "    memory.max: \"<= 2147483648\"\n    pids.max: \"<= 100\"\n"
	got := runProfile(t, hosttest.Root(t, files), knobProfile(rules))
	for _, id := range []string{"cgroup/unit:app.service/memory.max", "cgroup/unit:app.service/pids.max"} {
		r := got[id]
		want(t, r, engine.Fail, "cannot be enforced", "mounted read-only")
		if r.Remediation == nil {
			t.Fatalf("%s: no remediation", id)
		}
		for _, a := range r.Remediation.Actions {
			if len(a.Argv) > 0 || a.Content != "" {
				t.Errorf("%s: %+v is no fix for a read-only hierarchy", id, a)
			}
		}
	}
}
