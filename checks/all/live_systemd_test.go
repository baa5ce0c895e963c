package all_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/rlimit"

	"github.com/golive-sh/golive/internal/testenv"
)

// The live paths of rlimit/unit, systemd/* and cgroup/* against a real
// systemd as PID 1 (systemd-nspawn, one boot for the whole test): golive
// runs inside the container and from outside with --root on its root, and
// every live answer is compared with systemctl show, systemctl
// is-enabled, /proc/<MainPID>/limits and the unit's cgroup files, phase by
// phase. docs/truth.md ("systemd, rlimit/unit, cgroup") lists the
// deliberate differences.

// report is the part of golive's JSON report the comparison reads.
type report struct {
	Checks []result `json:"checks"`
}

type result struct {
	ID       string         `json:"id"`
	Status   string         `json:"status"`
	Observed string         `json:"observed"`
	Message  string         `json:"message"`
	Details  map[string]any `json:"details"`
}

// The test's units: a plain sleep service with most of what an SRE sets,
// a Go service, and one that takes its limits from system.conf.d.
const (
	sleepUnit = `[Unit]
Description=golive live test: sleep
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/bin/sleep infinity
User=nobody
Restart=always
RestartSec=1
LimitNOFILE=4096:8192
MemoryMax=256M
CPUQuota=50%
TasksMax=64

[Install]
WantedBy=multi-user.target
`
	sleepDropIn = "[Service]\nLimitNOFILE=16384:32768\n"
	goUnit      = `[Unit]
Description=golive live test: a Go service
After=network.target

[Service]
ExecStart=/usr/local/bin/golive-gosvc
User=nobody
Restart=always
RestartSec=1
LimitNOFILE=1024:16384

[Install]
WantedBy=multi-user.target
`
	defaultUnit = `[Unit]
Description=golive live test: manager defaults

[Service]
ExecStart=/bin/sleep infinity
Restart=on-failure

[Install]
WantedBy=multi-user.target
`
	managerConf = "[Manager]\nDefaultLimitNOFILE=2048:4096\nDefaultTasksMax=77\n"
	goService   = `package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
`
)

// profiles are golive's configuration for each unit, inside the container.
var profiles = map[string]string{
	"golive-sleep.service": `extends: auto
service: {unit: golive-sleep.service}
rlimits:
  go_service: false
  unit: {nofile: ">= 16384", nproc: ">= 1"}
cgroup:
  unit: {memory.max: "<= 268435456", cpu.max: "<= 1", pids.max: ">= 1"}
systemd: {network: true}
`,
	"golive-go.service": `extends: auto
service: {unit: golive-go.service}
rlimits:
  go_service: true
  unit: {nofile: ">= 16384"}
systemd: {network: true}
`,
	"golive-default.service": `extends: auto
service: {unit: golive-default.service}
rlimits:
  unit: {nofile: ">= 2048"}
cgroup:
  unit: {pids.max: ">= 1"}
systemd: {network: false, user: false}
`,
}

func buildStatic(t *testing.T, dir, out string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"build", "-trimpath", "-o", out}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v: %v\n%s", args, err, b)
	}
	return out
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, mode); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func enableLink(t *testing.T, root, unitName string) {
	t.Helper()
	dir := filepath.Join(root, "etc/systemd/system/multi-user.target.wants")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/systemd/system/"+unitName, filepath.Join(dir, unitName)); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
}

// liveSetup is the booted machine with golive and the test's units.
type liveSetup struct {
	m      *testenv.Machine
	golive string // the static binary on the host
}

func bootLive(t *testing.T) *liveSetup {
	testenv.NeedNamespaces(t)
	tmp := t.TempDir()
	mod := moduleRoot(t)
	golive := buildStatic(t, mod, filepath.Join(tmp, "golive"), "./cmd/golive")
	writeFile(t, filepath.Join(tmp, "gosvc", "main.go"), goService)
	gosvc := buildStatic(t, filepath.Join(tmp, "gosvc"), filepath.Join(tmp, "golive-gosvc"), "main.go")
	m := testenv.BootMachine(t, func(root string) {
		copyFile(t, golive, filepath.Join(root, "usr/local/bin/golive"), 0o755)
		copyFile(t, gosvc, filepath.Join(root, "usr/local/bin/golive-gosvc"), 0o755)
		sd := filepath.Join(root, "etc/systemd/system")
		writeFile(t, filepath.Join(sd, "golive-sleep.service"), sleepUnit)
		writeFile(t, filepath.Join(sd, "golive-sleep.service.d/50-limits.conf"), sleepDropIn)
		writeFile(t, filepath.Join(sd, "golive-go.service"), goUnit)
		writeFile(t, filepath.Join(sd, "golive-default.service"), defaultUnit)
		writeFile(t, filepath.Join(root, "etc/systemd/system.conf.d/50-golive-test.conf"), managerConf)
		for u, p := range profiles {
			writeFile(t, filepath.Join(root, "etc/golive", u+".yaml"), p)
			enableLink(t, root, u)
		}
	})
	return &liveSetup{m: m, golive: golive}
}

// inside runs golive in the container, as an SRE runs it on the host.
func (s *liveSetup) inside(t *testing.T, unitName string) map[string]result {
	t.Helper()
	cmd := s.m.Command("/usr/local/bin/golive", "check", "--offline", "--config", "/etc/golive/"+unitName+".yaml",
		"--only", "rlimit/*", "--only", "systemd/*", "--only", "cgroup/*", "--format", "json")
	return runReport(t, cmd)
}

// outside runs golive on the host with --root on the container's root.
func (s *liveSetup) outside(t *testing.T, unitName string) map[string]result {
	t.Helper()
	cmd := exec.Command(s.golive, "check", "--offline", "--root", s.m.Root, "--config", filepath.Join(s.m.Root, "etc/golive", unitName+".yaml"),
		"--only", "rlimit/*", "--only", "systemd/*", "--only", "cgroup/*", "--format", "json")
	return runReport(t, cmd)
}

func runReport(t *testing.T, cmd *exec.Cmd) map[string]result {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, stderr.String())
	}
	var r report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("golive's report: %v\n%s", err, out)
	}
	byID := map[string]result{}
	for _, c := range r.Checks {
		byID[c.ID] = c
	}
	return byID
}

// show is `systemctl show UNIT -p ...` as a map.
func (s *liveSetup) show(t *testing.T, unitName string, props ...string) map[string]string {
	t.Helper()
	out := s.m.MustExec(t, append([]string{"systemctl", "show", unitName}, propArgs(props)...)...)
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

func propArgs(props []string) []string {
	var out []string
	for _, p := range props {
		out = append(out, "-p", p)
	}
	return out
}

// units are the test's services, in the order they are compared.
var units = []string{"golive-sleep.service", "golive-go.service", "golive-default.service"}

// tally counts the comparisons of golive with the reference.
type tally struct {
	cases, agree int
}

// compareT records one comparison: golive's value against the reference.
type compareT struct {
	t     *testing.T
	phase string
	n     *tally
}

func (c compareT) eq(what, golive, ref string) {
	c.t.Helper()
	c.n.cases++
	if golive == ref {
		c.n.agree++
		return
	}
	c.t.Errorf("%s: %s: golive %q, reference %q", c.phase, what, golive, ref)
}

func (c compareT) is(what string, golive, ref bool) {
	c.t.Helper()
	c.eq(what, strconv.FormatBool(golive), strconv.FormatBool(ref))
}

func detail(r result, keys ...string) string {
	var v any = r.Details
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, e.(string))
		}
		return strings.Join(parts, " ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// limitText writes systemctl's soft/hard pair as golive writes a limit.
func limitText(soft, hard string) string {
	parse := func(s string) uint64 {
		if s == "infinity" {
			return rlimit.Infinity
		}
		n, _ := strconv.ParseUint(s, 10, 64)
		return n
	}
	return rlimit.Limit{Soft: parse(soft), Hard: parse(hard)}.String()
}

// reference is what systemd, /proc and the cgroup files say about a unit.
type reference struct {
	show      map[string]string
	isEnabled string
	running   map[string]rlimit.Limit // by resource name, when running
	dropIns   []string                // the drop-ins on disk
	cgroup    map[string]string       // knob -> value in the unit's cgroup ("max" when unlimited or absent)
}

// referenceScript prints, in one run inside the container, what
// systemd, /proc and the cgroup files say about a unit ($1), one section
// per "@@ name" line: a single nsenter per unit and phase.
const referenceScript = `u=$1
echo "@@ show"; systemctl show "$u" ` + "-p MainPID -p LimitNOFILE -p LimitNOFILESoft -p LimitNPROC -p LimitNPROCSoft -p NeedDaemonReload " +
	"-p UnitFileState -p LoadState -p ActiveState -p SubState -p Restart -p User -p DropInPaths -p FragmentPath " +
	"-p ControlGroup -p MemoryMax -p TasksMax -p CPUQuotaPerSecUSec -p NRestarts" + `
echo "@@ is-enabled"; systemctl is-enabled "$u"
pid=$(systemctl show "$u" -p MainPID --value)
echo "@@ limits"; [ "$pid" != 0 ] && cat /proc/$pid/limits
echo "@@ drop-ins"; for d in /etc/systemd/system /run/systemd/system /usr/lib/systemd/system; do ls -1 $d/$u.d/*.conf 2>/dev/null; done
cg=$(systemctl show "$u" -p ControlGroup --value)
for f in memory/memory.limit_in_bytes pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us; do
	echo "@@ $f"; [ -n "$cg" ] && cat /sys/fs/cgroup/${f%%/*}$cg/${f#*/} 2>/dev/null
done
exit 0
`

func (s *liveSetup) reference(t *testing.T, unitName string) reference {
	t.Helper()
	out := s.m.MustExec(t, "sh", "-c", referenceScript, "golive-reference", unitName)
	sec := map[string]string{}
	name := ""
	for _, line := range strings.Split(out, "\n") {
		if n, ok := strings.CutPrefix(line, "@@ "); ok {
			name = n
			continue
		}
		sec[name] += line + "\n"
	}
	r := reference{show: map[string]string{}, cgroup: map[string]string{}}
	for _, line := range strings.Split(sec["show"], "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.show[k] = v
		}
	}
	r.isEnabled = strings.TrimSpace(sec["is-enabled"])
	if strings.TrimSpace(sec["limits"]) != "" {
		rows, _ := rlimit.ParseProcLimits([]byte(sec["limits"]))
		r.running = map[string]rlimit.Limit{"nofile": rows["Max open files"], "nproc": rows["Max processes"]}
	}
	r.dropIns = strings.Fields(sec["drop-ins"])
	value := func(f string) string {
		v := strings.TrimSpace(sec[f])
		if v == "" {
			return "max" // no cgroup of its own there: nothing limits it
		}
		return v
	}
	mem := value("memory/memory.limit_in_bytes")
	if n, err := strconv.ParseUint(mem, 10, 64); err == nil && n >= 1<<62 {
		mem = "max"
	}
	r.cgroup["memory.max"] = mem
	r.cgroup["pids.max"] = value("pids/pids.max")
	r.cgroup["cpu.max"] = "max"
	if q, err1 := strconv.ParseFloat(value("cpu/cpu.cfs_quota_us"), 64); err1 == nil && q > 0 {
		if p, err2 := strconv.ParseFloat(value("cpu/cpu.cfs_period_us"), 64); err2 == nil && p > 0 {
			r.cgroup["cpu.max"] = strconv.FormatFloat(q/p, 'f', -1, 64)
		}
	}
	return r
}

// compareInside compares golive's live answers for a unit with the
// reference; it returns what golive predicted a restart gives the unit's
// NOFILE ("" when it advised none).
func compareInside(c compareT, unitName string, got map[string]result, ref reference) string {
	c.t.Helper()
	at := func(id string) result {
		r, ok := got[id]
		if !ok {
			c.t.Fatalf("%s: golive reported no %s", c.phase, id)
		}
		return r
	}
	running := ref.show["ActiveState"] == "active"

	// rlimit/unit: loaded values, the main process, its limits.
	nofile := at("rlimit/unit:" + unitName + "/nofile")
	c.eq(unitName+" nofile loaded", detail(nofile, "live", "loaded"), limitText(ref.show["LimitNOFILESoft"], ref.show["LimitNOFILE"]))
	mainPID := detail(nofile, "live", "main_pid")
	if mainPID == "" {
		mainPID = "0"
	}
	c.eq(unitName+" nofile main pid", mainPID, ref.show["MainPID"])
	if running {
		c.eq(unitName+" nofile running", detail(nofile, "live", "running"), ref.running["nofile"].String())
	} else {
		c.eq(unitName+" nofile running (stopped)", detail(nofile, "live", "running"), "")
	}
	reloadRef := ref.show["NeedDaemonReload"] == "yes" || limitText(ref.show["LimitNOFILESoft"], ref.show["LimitNOFILE"]) != detail(nofile, "configured")
	c.is(unitName+" nofile daemon-reload needed", strings.Contains(nofile.Message, "daemon-reload needed"), reloadRef)
	predicted := ""
	if i := strings.Index(nofile.Message, "a restart gives it "); i >= 0 {
		predicted = strings.Fields(nofile.Message[i+len("a restart gives it "):])[0]
	}
	if nproc, ok := got["rlimit/unit:"+unitName+"/nproc"]; ok {
		c.eq(unitName+" nproc loaded", detail(nproc, "live", "loaded"), limitText(ref.show["LimitNPROCSoft"], ref.show["LimitNPROC"]))
		c.is(unitName+" nproc known", nproc.Observed != "unknown", true)
		if running {
			c.eq(unitName+" nproc running", detail(nproc, "live", "running"), ref.running["nproc"].String())
		}
	}

	// systemd/*: what systemctl show and is-enabled say.
	loaded := at("systemd/loaded:" + unitName)
	c.eq(unitName+" LoadState", detail(loaded, "load_state"), ref.show["LoadState"])
	sameDropIns := strings.Join(ref.dropIns, " ") == ref.show["DropInPaths"]
	c.is(unitName+" loaded: daemon-reload needed", strings.Contains(loaded.Message, "daemon-reload needed"), ref.show["NeedDaemonReload"] == "yes" || !sameDropIns)
	c.eq(unitName+" drop-ins on disk", detail(loaded, "drop_ins"), strings.Join(ref.dropIns, " "))
	enabled := at("systemd/enabled:" + unitName)
	filesState := enabled.Observed
	if filesState == "vendor" {
		filesState = "enabled"
	}
	c.eq(unitName+" is-enabled", filesState, ref.isEnabled)
	c.eq(unitName+" UnitFileState", detail(enabled, "unit_file_state"), ref.show["UnitFileState"])
	c.is(unitName+" enabled: daemon-reload needed", strings.Contains(enabled.Message, "daemon-reload needed"), ref.isEnabled != ref.show["UnitFileState"])
	restart := at("systemd/restart:" + unitName)
	c.is(unitName+" Restart= loaded differs", strings.Contains(restart.Message, "has Restart="+ref.show["Restart"]+" loaded"), detail(restart, "restart") != ref.show["Restart"])
	if u, ok := got["systemd/user:"+unitName]; ok {
		c.is(unitName+" User= loaded differs", strings.Contains(u.Message, "daemon-reload needed"), detail(u, "user") != ref.show["User"])
	}
	active := at("systemd/active:" + unitName)
	c.eq(unitName+" ActiveState", detail(active, "active_state"), ref.show["ActiveState"])
	c.eq(unitName+" SubState", detail(active, "sub_state"), ref.show["SubState"])
	c.eq(unitName+" NRestarts", detail(active, "restarts"), ref.show["NRestarts"])

	// cgroup/unit: the live values against the unit's cgroup files.
	for _, knob := range []string{"memory.max", "pids.max", "cpu.max"} {
		r, ok := got["cgroup/unit:"+unitName+"/"+knob]
		if !ok {
			continue
		}
		if !running {
			c.eq(unitName+" "+knob+" not running", detail(r, "live", "state"), "not running")
			continue
		}
		c.eq(unitName+" "+knob+" live", detail(r, "live", "value"), ref.cgroup[knob])
	}
	return predicted
}

// compareOutside compares golive --root on the container's root with
// what the files say: the loaded values after a daemon-reload, and
// systemctl is-enabled.
func compareOutside(c compareT, unitName string, got map[string]result, ref reference, reloaded bool) {
	c.t.Helper()
	nofile := got["rlimit/unit:"+unitName+"/nofile"]
	c.is(unitName+" --root: no live values", detail(nofile, "live") == "", true)
	if reloaded {
		c.eq(unitName+" --root: nofile configured = loaded", detail(nofile, "configured"), limitText(ref.show["LimitNOFILESoft"], ref.show["LimitNOFILE"]))
		c.eq(unitName+" --root: drop-ins = DropInPaths", detail(got["systemd/loaded:"+unitName], "drop_ins"), ref.show["DropInPaths"])
	}
	enabled := got["systemd/enabled:"+unitName]
	state := enabled.Observed
	if state == "vendor" {
		state = "enabled"
	}
	c.eq(unitName+" --root: is-enabled", state, ref.isEnabled)
	c.eq(unitName+" --root: active skips", got["systemd/active:"+unitName].Status, "skip")
}

// TestLiveSystemd boots a real systemd once and goes through the phases
// of a service's life, comparing golive with systemd at each.
func TestLiveSystemd(t *testing.T) {
	start := time.Now()
	s := bootLive(t)
	t.Logf("built golive and the Go service, booted systemd: %s", time.Since(start).Round(time.Millisecond))
	n := &tally{}
	predictions := map[string]string{}
	check := func(phase string, reloaded bool) {
		t.Helper()
		began := time.Now()
		defer func() { t.Logf("phase %q compared in %s", phase, time.Since(began).Round(time.Millisecond)) }()
		c := compareT{t: t, phase: phase, n: n}
		for _, u := range units {
			ref := s.reference(t, u)
			got := s.inside(t, u)
			p := compareInside(c, u, got, ref)
			// The Go service's unit gives it what its rule asks: it passes
			// without a warning whenever it runs.
			if u == "golive-go.service" {
				c.eq(u+" nofile verdict", got["rlimit/unit:"+u+"/nofile"].Status, "pass")
			}
			if p != "" {
				predictions[u] = p
			} else {
				delete(predictions, u)
			}
			// Only new limits loaded by the daemon-reload make a restart
			// change anything (the Go service's limits never change; the
			// default unit's sleep keeps its limit although the profile
			// calls it a Go service: it has no Go build information).
			c.is(u+" restart advised", p != "", phase == "after daemon-reload" && u != "golive-go.service")
			compareOutside(c, u, s.outside(t, u), ref, reloaded)
		}
	}
	sd := func(name string) string { return filepath.Join(s.m.Root, "etc/systemd/system", name) }

	check("booted", true)
	// The controllers are read-only (a hybrid host): nothing enforces
	// MemoryMax= and golive says so.
	in := s.inside(t, "golive-sleep.service")
	c := compareT{t: t, phase: "booted", n: n}
	c.is("cgroup/controllers read-only", strings.Contains(in["cgroup/controllers"].Message, "read-only"), s.controllersReadOnly(t))
	c.is("memory.max cannot be enforced", strings.Contains(in["cgroup/unit:golive-sleep.service/memory.max"].Message, "cannot be enforced"), s.controllersReadOnly(t))
	// The Go service gets what its rule asks: no warning.
	c.eq("Go service nofile", in0(s.inside(t, "golive-go.service"), "rlimit/unit:golive-go.service/nofile").Status, "pass")
	// systemd cannot give the sleep service its hard limit: golive's
	// expected value is what the process has, and no restart is advised.
	sleepNofile := in["rlimit/unit:golive-sleep.service/nofile"]
	c.is("capped at PID 1's limit, no restart advised", strings.Contains(sleepNofile.Message, "restart needed"), false)
	c.eq("capped value", strings.Fields(sleepNofile.Observed)[0], s.reference(t, "golive-sleep.service").running["nofile"].String())

	// Edits without daemon-reload: a changed drop-in, a new drop-in
	// directory, system.conf.d, an enable link removed.
	writeFile(t, sd("golive-sleep.service.d/50-limits.conf"), "[Service]\nLimitNOFILE=8192:16384\n")
	writeFile(t, sd("golive-go.service.d/20-restart.conf"), "[Service]\nRestart=on-failure\n")
	writeFile(t, filepath.Join(s.m.Root, "etc/systemd/system.conf.d/50-golive-test.conf"), "[Manager]\nDefaultLimitNOFILE=3072:6144\nDefaultTasksMax=77\n")
	s.m.MustExec(t, "systemctl", "disable", "--no-reload", "golive-default.service")
	check("edited, no daemon-reload", false)

	s.m.MustExec(t, "systemctl", "daemon-reload")
	check("after daemon-reload", true)
	before := map[string]string{}
	for _, u := range units {
		before[u] = predictions[u]
	}

	// A restart gives each unit what golive predicted: the sleep service's
	// new drop-in and the default unit's new DefaultLimitNOFILE=.
	c = compareT{t: t, phase: "after daemon-reload", n: n}
	c.is("golive-sleep.service: restart advised", before["golive-sleep.service"] != "", true)
	c.is("golive-default.service: restart advised", before["golive-default.service"] != "", true)
	c.is("golive-go.service: no restart advised", before["golive-go.service"] != "", false)
	for _, u := range units {
		s.m.MustExec(t, "systemctl", "restart", u)
	}
	for _, u := range units {
		if before[u] != "" {
			ref := s.reference(t, u)
			c := compareT{t: t, phase: "after restart", n: n}
			c.eq(u+" nofile after restart = prediction", ref.running["nofile"].String(), before[u])
		}
	}
	// An enable link made by hand, without daemon-reload.
	enableLink(t, s.m.Root, "golive-default.service")
	check("after restart", true)

	// SIGKILL: systemd restarts the service (Restart=always, RestartSec=1).
	oldPID := s.show(t, "golive-sleep.service", "MainPID")["MainPID"]
	s.m.MustExec(t, "systemctl", "kill", "-s", "KILL", "golive-sleep.service")
	s.waitRestarted(t, "golive-sleep.service", oldPID)
	check("killed and restarted", true)

	s.m.MustExec(t, "systemctl", "stop", "golive-sleep.service")
	check("stopped", true)

	// Controllers made writable: systemd enforces the limits, and golive
	// reads them from the unit's cgroup.
	s.m.MakeControllersWritable(t)
	s.m.MustExec(t, "systemctl", "start", "golive-sleep.service")
	check("controllers writable", true)
	in = s.inside(t, "golive-sleep.service")
	c = compareT{t: t, phase: "controllers writable", n: n}
	c.is("cgroup/controllers read-only", strings.Contains(in["cgroup/controllers"].Message, "read-only"), s.controllersReadOnly(t))
	c.eq("memory.max enforced", in["cgroup/unit:golive-sleep.service/memory.max"].Status, "pass")

	t.Logf("differential: %d cases, %d agree", n.cases, n.agree)
}

func in0(got map[string]result, id string) result { return got[id] }

// controllersReadOnly says whether one of the hierarchies of the
// controllers golive requires by default (cpu, memory, io, pids) is
// mounted read-only, from the container's mount table.
func (s *liveSetup) controllersReadOnly(t *testing.T) bool {
	t.Helper()
	out := s.m.MustExec(t, "cat", "/proc/self/mountinfo")
	ro := false
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		switch f[4] {
		case "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/blkio", "/sys/fs/cgroup/pids":
			ro = ro || strings.HasPrefix(f[5], "ro")
		}
	}
	return ro
}

func (s *liveSetup) waitRestarted(t *testing.T, unitName, oldPID string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		sh := s.show(t, unitName, "MainPID", "ActiveState", "SubState")
		if sh["ActiveState"] == "active" && sh["SubState"] == "running" && sh["MainPID"] != oldPID && sh["MainPID"] != "0" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s was not restarted after SIGKILL", unitName)
}
