package sysctl

import (
	"context"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// TestStockHostHasNoDefaultReadAsNotPersisted runs the sysctl family on the
// machine the test runs on, read-only, with the generic profile plus every
// key whose kernel default golive knows. It checks the model, not this
// machine's values: a key whose runtime value is the kernel's default for
// this kernel, and that nothing sets at boot, must be judged on that
// default — never "reverts on reboot" — and a rule the default satisfies
// passes.
func TestStockHostHasNoDefaultReadAsNotPersisted(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := h.KernelRelease()
	if err != nil {
		t.Skipf("no kernel release under /proc: %v", err)
	}
	kver, known := parseKernelVersion(rel)
	arch, _ := h.Arch()
	var extra []string
	keys := make([]string, 0, len(kernelDefaults))
	for k := range kernelDefaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		extra = append(extra, "  "+k+": \"!= no-such-value\"")
	}
	// linux.yaml's own rules stay as they are; the extra keys only add
	// rules every value satisfies, so their verdict is about persistence.
	p := profiletest.Extending(t, "linux", "sysctl:\n"+strings.Join(extra, "\n")+"\n")
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	cfg, err := readConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	sources := loadBootSources(h)
	judged := 0
	for _, r := range out.Results {
		key := strings.TrimPrefix(r.ID, kind+"/")
		data, err := os.ReadFile(procPath(key))
		if err != nil {
			continue // absent here, or needs root
		}
		runtime := display(strings.TrimRight(string(data), "\n"))
		def, _, ok := kernelDefaultFor(key, kver, known, arch)
		computed := false
		if !ok && key == "fs.file-max" && sources.memTotalKiB() > 0 {
			lo, hi := fileMaxDefault(sources.memTotalKiB())
			def, ok, computed = runtime, inRange(runtime, lo, hi+hi/50), true
		}
		if !ok || runtime != def || setAtBoot(key, cfg, sources) {
			continue
		}
		judged++
		if strings.Contains(r.Message, "reverts") || strings.Contains(r.Message, "not persisted in any sysctl.d file") {
			t.Errorf("%s: runtime %s is the kernel default (computed %v) and nothing sets it, yet: %s %q", key, runtime, computed, r.Status, r.Message)
		}
		if r.Details["boot_source"] != sourceKernelDefault {
			t.Errorf("%s: boot source %v, want %s", key, r.Details["boot_source"], sourceKernelDefault)
		}
		rule := ruleOf(t, checks, r.ID).rule
		if ok, err := rule.Expect.Eval(runtime); err == nil && ok && r.Status != engine.Pass {
			t.Errorf("%s: the default %s satisfies %q, yet %s %q", key, runtime, rule.Expect.String(), r.Status, r.Message)
		}
	}
	t.Logf("kernel %s: %d keys at their kernel default judged on it", rel, judged)
	if judged == 0 {
		t.Errorf("no key of this host is at its kernel default: the model was not exercised")
	}
}

// setAtBoot reports a key something other than the kernel sets at boot.
func setAtBoot(key string, cfg *config, b *bootSources) bool {
	if _, ok := cfg.resolve(key); ok {
		return true
	}
	if _, ok := b.cmdSysctl[key]; ok {
		return true
	}
	if b.tuned != nil && b.tuned.enabled {
		if _, ok := b.tuned.sysctl[key]; ok {
			return true
		}
	}
	_, bumped, _ := systemdBump(key, b.systemd, b.kernel, b.kernelKnown, b.arch, 0, true)
	return bumped
}

func inRange(v string, lo, hi uint64) bool {
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	return v != "" && n >= lo && n <= hi
}

func ruleOf(t *testing.T, checks []engine.Check, id string) *check {
	t.Helper()
	for _, c := range checks {
		if c.ID() == id {
			return c.(*check)
		}
	}
	t.Fatalf("no check %s", id)
	return nil
}
