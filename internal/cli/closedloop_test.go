package cli_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/testenv"
)

// TestFixtureRootsClosedLoop is issue 14's proof that golive's own advice
// works on every fixture root but broken (which is broken on purpose): on
// a copy of the root, `golive check --offline` finds what it finds, `golive
// remediate --from` the report writes the bash fix, the fix runs with
// ROOT=COPY (files under the copy only), the copy "reboots" its kernel
// parameters with the real systemd-sysctl, and golive checks again.
//
//   - every fail and warn carries a remediation with at least one action;
//   - a finding whose every action the loop applies (see applied) passes
//     afterwards, and no check gets worse;
//   - a finding that also has an action the loop cannot apply keeps its
//     applied part (a sysctl-set value is in the rebooted proc/sys) and is
//     listed with what is left: manual steps, and commands that change only
//     a running system (the script lists them under ROOT; see liveOnly).
func TestFixtureRootsClosedLoop(t *testing.T) {
	bin := testenv.NeedSystemdSysctl(t)
	tried := 0
	for _, root := range fixtureRoots {
		if root == "broken" {
			continue
		}
		tried++
		t.Run(root, func(t *testing.T) { closedLoopRoot(t, bin, root) })
	}
	if tried < 3 {
		t.Errorf("only %d fixture roots: the loop proves little", tried)
	}
}

func closedLoopRoot(t *testing.T, sysctlBin, root string) {
	copyDir := copyRoot(t, root)
	work := t.TempDir()
	hostBefore := hostValues(t, copyDir)

	report := filepath.Join(work, "report.json")
	before := loopCheck(t, copyDir, report)
	script := filepath.Join(work, "fix.sh")
	if code, _, stderr := runInProcess(t, "remediate", "--from", report, "-o", script, "-q"); code != 0 {
		t.Fatalf("remediate --from: exit %d\n%s", code, stderr)
	}
	if r := applyScript(t, script, copyDir); r.code != 0 {
		t.Fatalf("the fix with ROOT=%s: exit %d\n%s%s", copyDir, r.code, r.stdout, r.stderr)
	}
	rebootSysctl(t, sysctlBin, copyDir)
	after := loopCheck(t, copyDir, filepath.Join(work, "after.json"))

	ids := make([]string, 0, len(before))
	for id := range before {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fixed, kept := 0, 0
	live := map[string]bool{}
	for _, id := range ids {
		was, now := before[id], after[id]
		if worse(was.Status, now.Status) {
			t.Errorf("%s: %s before the fix, %s after: %s", id, was.Status, now.Status, now.Message)
		}
		if was.Status != "fail" && was.Status != "warn" {
			continue
		}
		if was.Remediation == nil || len(was.Remediation.Actions) == 0 {
			t.Errorf("%s (%s): no remediation: %s", id, was.Status, was.Message)
			continue
		}
		var left []string
		for _, a := range was.Remediation.Actions {
			switch {
			case applied(a):
				assertApplied(t, copyDir, id, a)
			case a.Kind == remediate.Manual:
				left = append(left, "manual: "+a.Text)
			default:
				cmd := strings.Join(a.Argv, " ")
				live[cmd] = true
				left = append(left, "on the running system: "+cmd)
			}
		}
		switch {
		case len(left) == 0 && now.Status != "pass":
			t.Errorf("%s: every action was applied, but it is %s after the fix: %s", id, now.Status, now.Message)
		case len(left) == 0:
			fixed++
		case now.Status == "fail" || now.Status == "warn":
			kept++
			t.Logf("left: %s (%s): %s", id, now.Status, strings.Join(left, "; "))
		default:
			fixed++
		}
	}
	for cmd := range live {
		t.Logf("not applied under ROOT (changes only a running system): %s", cmd)
	}
	t.Logf("%s: %d findings, %d fixed by the loop, %d left for a person or the running system", root, fixed+kept, fixed, kept)
	if fixed == 0 {
		t.Error("the loop fixed nothing on this root: it proves nothing")
	}
	if d := hostValues(t, copyDir); !equalMaps(hostBefore, d) {
		t.Errorf("this machine's kernel parameters changed during the loop")
	}
}

// applied says whether the loop applies an action: the script writes every
// file action under ROOT (a sysctl-set's persisted line, file-line,
// drop-in), and the reboot does what the commands that only load the
// persisted configuration do (systemd-sysctl at boot for `sysctl -p FILE`
// and `sysctl --system`, systemd reading its units for `systemctl
// daemon-reload`). Any other command changes a running system only (swapoff,
// setenforce, update-ca-trust, restorecon, ...): under ROOT the script
// lists it, and the test leaves it, like a manual step, to a person.
func applied(a remediate.Action) bool {
	switch a.Kind {
	case remediate.SysctlSet, remediate.FileLine, remediate.DropIn:
		return true
	case remediate.Command:
		cmd := strings.Join(a.Argv, " ")
		return cmd == "systemctl daemon-reload" || cmd == "sysctl --system" ||
			len(a.Argv) == 3 && a.Argv[0] == "sysctl" && a.Argv[1] == "-p"
	}
	return false
}

// assertApplied checks the applied part of a finding the loop cannot clear
// alone: a sysctl-set value is the running one after the reboot.
func assertApplied(t *testing.T, root, id string, a remediate.Action) {
	t.Helper()
	if a.Kind != remediate.SysctlSet {
		return
	}
	file := filepath.Join(root, "proc", "sys", strings.ReplaceAll(a.Key, ".", "/"))
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return // the root's proc/sys does not have the key: an image
	}
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	if strings.Join(strings.Fields(line), " ") != strings.Join(strings.Fields(a.Value), " ") {
		t.Errorf("%s: %s is %q after the reboot, the fix set %q", id, a.Key, line, a.Value)
	}
}

// worse is a check that passed (or was skipped) before the fix and does
// not now, or a warning that became a failure.
func worse(was, now string) bool {
	rank := map[string]int{"pass": 0, "skip": 0, "waived": 0, "warn": 1, "fail": 2, "error": 2}
	return rank[now] > rank[was]
}

// loopCheck runs golive check --offline on root in this process, writes
// the JSON report to file and returns its checks by ID.
func loopCheck(t *testing.T, root, file string) map[string]checkResult {
	t.Helper()
	code, out, stderr := runInProcess(t, "check", "--root", root, "--offline", "--format", "json")
	if code != 0 && code != 1 {
		t.Fatalf("check --root %s: exit %d\n%s", root, code, stderr)
	}
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Checks []checkResult `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	m := map[string]checkResult{}
	for _, c := range rep.Checks {
		m[c.ID] = c
	}
	return m
}

// rebootSysctl does to a root's running kernel parameters what a boot
// does with its configuration: /run is a fresh tmpfs at boot, so the root's
// run/sysctl.d is emptied; then the real systemd-sysctl runs in a
// namespace on the root's sysctl.d directories and sysctl.conf, over a
// copy of its proc/sys, and every value it wrote goes back into the root's
// proc/sys, fields tab-separated where the kernel prints them so. (A real
// boot also starts every key from its kernel default; the loop keeps the
// root's running values for the keys no file sets.)
func rebootSysctl(t *testing.T, bin, root string) {
	t.Helper()
	runDir := filepath.Join(root, "run", "sysctl.d")
	entries, err := os.ReadDir(runDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(runDir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	procSys := filepath.Join(root, "proc", "sys")
	if _, err := os.Stat(procSys); os.IsNotExist(err) {
		t.Log("no proc/sys: an image, whose values a boot sets from the files the fix wrote")
		return
	}
	stage := t.TempDir()
	seed := readKeyFiles(t, procSys)
	for rel, content := range seed {
		p := filepath.Join(stage, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ns := testenv.StartSystemdSysctl(t, bin, root, stage)
	rc, stderr := ns.Run(t)
	ns.Close(t)
	if rc != 0 {
		t.Logf("systemd-sysctl exited %d:\n%s", rc, stderr)
	}
	for rel, content := range readKeyFiles(t, stage) {
		was, _, _ := strings.Cut(seed[rel], "\n")
		now, _, _ := strings.Cut(content, "\n")
		if now == was {
			continue
		}
		if strings.Contains(was, "\t") {
			now = strings.Join(strings.Fields(now), "\t")
		}
		if err := os.WriteFile(filepath.Join(procSys, rel), []byte(now+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readKeyFiles returns every regular file under dir by its relative path.
func readKeyFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hostValues reads this machine's value of every key a root's proc/sys
// has: the proof that the reboot stayed in its namespace.
func hostValues(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rel := range readKeyFiles(t, filepath.Join(root, "proc", "sys")) {
		if data, err := os.ReadFile(filepath.Join("/proc/sys", rel)); err == nil {
			out[rel] = string(data)
		}
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
