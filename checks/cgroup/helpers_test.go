package cgroup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/engine/enginetest"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// testProfile resolves a profile file written to a temp dir; it may extend
// a built-in one to get its facts.
func testProfile(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "p.yaml", yaml)
}

func plan(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// run runs checks on h and keys the results by ID.
func run(t testing.TB, h *host.Host, checks []engine.Check) map[string]engine.Result {
	t.Helper()
	return enginetest.ResultsByID(t, h, checks)
}

// runProfile resolves yaml and runs its checks on h.
func runProfile(t testing.TB, h *host.Host, yaml string) map[string]engine.Result {
	t.Helper()
	return run(t, h, plan(t, testProfile(t, yaml)))
}

// fixture runs the checks of the profile auto-detected for a fixture root,
// with config (a service's golive.yaml) on top when it is not empty.
func fixture(t testing.TB, root, config string) map[string]engine.Result {
	t.Helper()
	h := hosttest.Fixture(t, root)
	rel, _ := h.OSRelease()
	req := profile.Request{OS: rel}
	if config != "" {
		path := filepath.Join(t.TempDir(), "golive.yaml")
		if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
		req.Config = path
	}
	p, err := profile.Resolve(req)
	if err != nil {
		t.Fatal(err)
	}
	return run(t, h, plan(t, p))
}

// want asserts a status and words in the message.
func want(t testing.TB, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.ID == "" {
		t.Fatalf("no such result (want %s %q)", status, words)
	}
	if r.Status != status {
		t.Errorf("%s: %s %q (observed %q), want %s", r.ID, r.Status, r.Message, r.Observed, status)
		return
	}
	for _, w := range words {
		if !strings.Contains(r.Message+" | "+r.Observed, w) {
			t.Errorf("%s: %q (observed %q) does not mention %q", r.ID, r.Message, r.Observed, w)
		}
	}
}

// serviceConfig is the service file the fixture tests put on top of each
// distro profile: testdata/roots/README.md lists what it yields.
const serviceConfig = `service: {unit: goservice}
cgroup:
  unit:
    memory.max: "<= 2147483648"
    memory.high: {expect: "!= max", level: warn}
    cpu.max: ">= 1"
    pids.max: ">= 4096"
`

// mountinfo lines for hand-made roots.
const (
	v2Line     = "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
	tmpfsLine  = "25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n"
	unifiedV2  = "26 25 0:22 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	systemdV1  = "27 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd\n"
	memoryV1   = "28 25 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,memory\n"
	cpuV1      = "29 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
	blkioV1    = "31 25 0:26 / /sys/fs/cgroup/blkio rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,blkio\n"
	pidsV1     = "32 25 0:27 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,pids\n"
	rootLine   = "1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	v1Lines    = rootLine + tmpfsLine + systemdV1 + memoryV1 + cpuV1 + blkioV1 + pidsV1
	hybridLine = rootLine + tmpfsLine + unifiedV2 + systemdV1 + memoryV1 + cpuV1 + blkioV1 + pidsV1
)
