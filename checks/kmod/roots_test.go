package kmod

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const serviceConfig = `extends: auto
kmod:
  br_netfilter: {}
  overlay: {}
  cramfs: {loaded: false}
  unix: {}
  sctp: {level: warn}
`

type want struct {
	status engine.Status
	words  string
}

// Every fixture root's verdicts (testdata/roots/README.md, "kmod").
func TestFixtureRootVerdicts(t *testing.T) {
	for root, exp := range map[string]map[string]want{
		"centos-7": {
			"kmod/loaded:br_netfilter": {engine.Pass, "loaded (Live, /proc/modules line 1)"},
			"kmod/boot:br_netfilter":   {engine.Fail, "not listed in modules-load.d"},
			"kmod/loaded:overlay":      {engine.Pass, "Live"},
			"kmod/boot:overlay":        {engine.Pass, "/etc/modules-load.d/overlay.conf:2"},
			"kmod/loaded:cramfs":       {engine.Pass, "not loaded"},
			"kmod/boot:cramfs":         {engine.Pass, "/etc/modprobe.d/cramfs.conf:2 has \"install cramfs /bin/true\""},
			"kmod/loaded:unix":         {engine.Pass, "built into the kernel (/lib/modules/3.10.0-1160.119.1.el7.x86_64/modules.builtin)"},
			"kmod/boot:unix":           {engine.Pass, "built into the kernel"},
		},
		"ubuntu-22.04": {
			"kmod/loaded:br_netfilter": {engine.Pass, "Live"},
			"kmod/boot:br_netfilter":   {engine.Pass, "/etc/modules-load.d/k8s.conf:2"},
			"kmod/boot:overlay":        {engine.Pass, "/etc/modules-load.d/k8s.conf:1"},
			"kmod/loaded:cramfs":       {engine.Pass, "not loaded"},
			"kmod/boot:cramfs":         {engine.Pass, "not listed"},
			"kmod/loaded:unix":         {engine.Pass, "built into the kernel"},
		},
		"rocky-9": {
			"kmod/loaded:br_netfilter": {engine.Fail, "not loaded (not in /proc/modules nor in /lib/modules/5.14.0-427.13.1.el9_4.x86_64/modules.builtin)"},
			"kmod/boot:br_netfilter":   {engine.Pass, "/etc/modules-load.d/goservice.conf:1"},
			"kmod/loaded:overlay":      {engine.Pass, "Live"},
			"kmod/boot:cramfs":         {engine.Pass, "/etc/modprobe.d/cramfs.conf:1 has \"blacklist cramfs\""},
			"kmod/loaded:unix":         {engine.Pass, "built into the kernel"},
			"kmod/loaded:sctp":         {engine.Warn, "not loaded"},
			"kmod/boot:sctp":           {engine.Warn, "listed, but stopped: /usr/lib/modprobe.d/firewalld-sysctls.conf:2 has \"install sctp /bin/true\""},
		},
		"broken": {
			"kmod/loaded:overlay":      {engine.Pass, "Live"},
			"kmod/loaded:br_netfilter": {engine.Skip, "cannot tell whether it is built in: the kernel release is unknown"},
			"kmod/boot:br_netfilter":   {engine.Skip, "/etc/modprobe.d/hardening.conf:1 has \"blacklist br_netfilter\" (systemd-modules-load applies kmod's blacklist to the modules it loads); whether it is built into the kernel is unknown (the kernel release is unknown"},
			"kmod/boot:overlay":        {engine.Skip, "not listed in modules-load.d; whether it is built into the kernel is unknown"},
			"kmod/boot:cramfs":         {engine.Skip, "/etc/modprobe.d/hardening.conf:2 has \"install cramfs   /bin/false\": kmod runs that command instead of loading the module; whether it is built into the kernel is unknown"},
		},
	} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			out := engine.Run(context.Background(), h, mustBuild(t, profiletest.Detected(t, h, serviceConfig)), engine.RunOptions{})
			got := map[string]engine.Result{}
			for _, r := range out.Results {
				got[r.ID] = r
			}
			if len(got) != 10 {
				t.Errorf("%d results", len(got))
			}
			for id, w := range exp {
				r, ok := got[id]
				if !ok {
					t.Errorf("%s: not run", id)
					continue
				}
				if r.Status != w.status || !strings.Contains(r.Message+" | "+r.Observed, w.words) {
					t.Errorf("%s: %s %q / %q, want %s with %q", id, r.Status, r.Message, r.Observed, w.status, w.words)
				}
			}
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}

// The fixes: a drop-in and modprobe for a module not loaded at boot; a
// manual step citing file:line for one a blacklist stops; modprobe for
// one not loaded now.
func TestRemediation(t *testing.T) {
	run := func(root, id string) engine.Result {
		h := hosttest.Fixture(t, root)
		for _, r := range engine.Run(context.Background(), h, mustBuild(t, profiletest.Detected(t, h, serviceConfig)), engine.RunOptions{}).Results {
			if r.ID == id {
				return r
			}
		}
		t.Fatalf("%s on %s: not run", id, root)
		return engine.Result{}
	}
	r := run("centos-7", "kmod/boot:br_netfilter")
	if a := r.Remediation.Actions; len(a) != 2 || a[0].Kind != remediate.DropIn || a[0].Path != "/etc/modules-load.d/golive-br_netfilter.conf" ||
		a[0].Content != "br_netfilter\n" || a[1].Kind != remediate.Command || strings.Join(a[1].Argv, " ") != "modprobe br_netfilter" {
		t.Errorf("boot fix %+v", a)
	}
	r = run("rocky-9", "kmod/boot:sctp")
	if a := r.Remediation.Actions; len(a) != 1 || a[0].Kind != remediate.Manual || !strings.Contains(a[0].Text, "/usr/lib/modprobe.d/firewalld-sysctls.conf:2") {
		t.Errorf("blocked fix %+v", a)
	}
	r = run("rocky-9", "kmod/loaded:sctp")
	if a := r.Remediation.Actions; len(a) != 1 || a[0].Kind != remediate.Manual || !strings.Contains(a[0].Text, `modprobe sctp runs "/bin/true" instead (/usr/lib/modprobe.d/firewalld-sysctls.conf:2)`) {
		t.Errorf("loaded fix behind an install line %+v", a)
	}
	r = run("rocky-9", "kmod/loaded:br_netfilter")
	if a := r.Remediation.Actions; len(a) != 1 || a[0].Kind != remediate.Command || strings.Join(a[0].Argv, " ") != "modprobe br_netfilter" {
		t.Errorf("loaded fix %+v", a)
	}
}

// An image without /proc/modules: loaded skips, boot is judged from files.
func TestImageWithoutRunningKernel(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/os-release":                         "ID=rocky\nVERSION_ID=9.4\n",
		"etc/modules-load.d/a.conf":              "br-netfilter\n",
		"usr/lib/modules/5.14.0/modules.builtin": "kernel/net/unix/unix.ko\n",
		"usr/lib/modules/6.1.0/modules.builtin":  "kernel/net/unix/unix.ko\nkernel/fs/overlayfs/overlay.ko\n",
	})
	p := profiletest.Detected(t, h, "extends: none\nkmod:\n  br_netfilter: {}\n  unix: {}\n  overlay: {}\n")
	got := map[string]engine.Result{}
	for _, r := range engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{}).Results {
		got[r.ID] = r
	}
	for id, w := range map[string]want{
		"kmod/loaded:br_netfilter": {engine.Skip, "an image has no running kernel"},
		"kmod/boot:br_netfilter":   {engine.Pass, "/etc/modules-load.d/a.conf:1"},
		"kmod/boot:unix":           {engine.Pass, "built into the kernel"},
		"kmod/boot:overlay":        {engine.Fail, "not listed"}, // built into one kernel only
	} {
		if r := got[id]; r.Status != w.status || !strings.Contains(r.Message, w.words) {
			t.Errorf("%s: %s %q, want %s %q", id, r.Status, r.Message, w.status, w.words)
		}
	}
}

// The section is read strictly: mistakes name the file and line.
func TestSectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"kmod:\n  br netfilter: {}\n", `p.yaml:3: kmod: "br netfilter" is not a module name`},
		{"kmod:\n  br_netfilter: {}\n  br-netfilter: {}\n", "p.yaml:4: kmod: br-netfilter is named twice (as br_netfilter too"},
		{"kmod:\n  x: {loadd: true}\n", `p.yaml:3: unknown key "loadd"`},
		{"kmod:\n  x: {level: error}\n", `p.yaml:3: level: "error" is not one of fail, warn`},
		{"kmod:\n  x: yes\n", "p.yaml:3: kmod.x: expected a mapping"},
		{"kmod: [x]\n", "p.yaml:2: kmod: expected a mapping"},
		{"kmod:\n  " + strings.Repeat("a", 56) + ": {}\n", "p.yaml:3:"},
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+c.yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
		}
	}
}

// Through the engine's registry, as check, list and explain use it.
func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(profiletest.Resolve(t, "extends: none\nkmod:\n  overlay: {loaded: false}\n"))
	if err != nil || len(checks) != 2 || checks[0].ID() != "kmod/loaded:overlay" || checks[1].Meta().Expected != "not loaded at boot" {
		t.Fatalf("%v %v", checks, err)
	}
	for _, id := range []string{"kmod/loaded:br_netfilter", "kmod/boot:nf-conntrack"} {
		if m, ok := engine.Explain(id); !ok || m.ID != id || m.Why == "" || len(m.Reads) == 0 {
			t.Errorf("explain %s: %+v", id, m)
		}
	}
	for _, id := range []string{"kmod/loaded:", "kmod/loaded:a/b", "kmod/unloaded:x", "kmod/boot"} {
		if _, ok := engine.Explain(id); ok {
			t.Errorf("explain %s: known", id)
		}
	}
}

func mustBuild(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// A listed name the running kernel has no module for (not in
// modules.dep, modules.alias or modules.builtin) does not load at boot;
// an alias, or an install line naming it exactly, is known to kmod.
func TestListedButNoSuchModule(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/os-release":                    "ID=golive-test\n",
		"proc/modules":                      "",
		"proc/sys/kernel/osrelease":         "6.1.0\n",
		"lib/modules/6.1.0/modules.builtin": "kernel/net/unix/unix.ko\n",
		"lib/modules/6.1.0/modules.dep":     "kernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz\nkernel/net/bridge/bridge.ko.xz:\n",
		"lib/modules/6.1.0/modules.alias":   "# Aliases extracted from modules themselves.\nalias net-pf-7 bridge\nalias fs-glv* bridge\n",
		"etc/modules-load.d/a.conf":         "br_netfiltr\nbr_netfilter\nnet-pf-7\nfs-glv1\nmystery\n",
		"etc/modprobe.d/a.conf":             "install mystery /sbin/mystery-loader\n",
	})
	p := profiletest.Detected(t, h, "extends: none\nkmod:\n  br_netfiltr: {}\n  br_netfilter: {}\n  net-pf-7: {}\n  fs-glv1: {}\n  mystery: {}\n")
	got := map[string]engine.Result{}
	for _, r := range engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{}).Results {
		got[r.ID] = r
	}
	for id, w := range map[string]want{
		"kmod/boot:br_netfiltr":   {engine.Fail, "the running kernel has no module br_netfiltr (not in /lib/modules/6.1.0/modules.dep"},
		"kmod/loaded:br_netfiltr": {engine.Fail, "not loaded"},
		"kmod/boot:br_netfilter":  {engine.Pass, "a.conf:2"},
		"kmod/boot:net-pf-7":      {engine.Pass, "a.conf:3"},
		"kmod/boot:fs-glv1":       {engine.Pass, "a.conf:4"},
		"kmod/boot:mystery":       {engine.Warn, "install mystery /sbin/mystery-loader"},
	} {
		if r := got[id]; r.Status != w.status || !strings.Contains(r.Message+" | "+r.Observed, w.words) {
			t.Errorf("%s: %s %q, want %s %q", id, r.Status, r.Message, w.status, w.words)
		}
	}
	if a := got["kmod/loaded:br_netfiltr"].Remediation.Actions; len(a) != 1 || a[0].Kind != remediate.Manual || !strings.Contains(a[0].Text, "linux-modules-extra") {
		t.Errorf("fix for a missing module: %+v", a)
	}
}

// The next boot's kernel command line adds modules (modules_load=,
// rd.modules_load=) and stops them (module_blacklist=, modprobe.blacklist=).
func TestKernelCommandLine(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/os-release":                        "ID=golive-test\n",
		"usr/lib/modules/6.1.0/modules.builtin": "kernel/net/unix/unix.ko\n",
		"etc/modules-load.d/a.conf":             "dm_crypt\n",
		"etc/default/grub":                      "GRUB_CMDLINE_LINUX=\"quiet modules_load=vfio-pci,vfio rd.modules_load=nvme\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"module_blacklist=dm-crypt modprobe.blacklist=vfio\"\n",
	})
	p := profiletest.Detected(t, h, "extends: none\nkmod:\n  vfio_pci: {}\n  nvme: {}\n  dm_crypt: {}\n  vfio: {}\n")
	got := map[string]engine.Result{}
	for _, r := range engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{}).Results {
		got[r.ID] = r
	}
	for id, w := range map[string]want{
		"kmod/boot:vfio_pci": {engine.Pass, "/etc/default/grub: modules_load=vfio-pci,vfio"},
		"kmod/boot:nvme":     {engine.Pass, "rd.modules_load=nvme"},
		"kmod/boot:dm_crypt": {engine.Fail, "the kernel command line has module_blacklist=dm-crypt (/etc/default/grub)"},
		"kmod/boot:vfio":     {engine.Fail, "the kernel command line has modprobe.blacklist=vfio"},
	} {
		if r := got[id]; r.Status != w.status || !strings.Contains(r.Message+" | "+r.Observed, w.words) {
			t.Errorf("%s: %s %q, want %s %q", id, r.Status, r.Message, w.status, w.words)
		}
	}
}
