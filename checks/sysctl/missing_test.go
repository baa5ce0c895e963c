package sysctl

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

// kernelTree is a small /proc/sys as a live kernel has it.
var kernelTree = map[string]string{
	"proc/sys/kernel/osrelease":             "6.1.0-18-amd64\n",
	"proc/sys/net/core/somaxconn":           "4096\n",
	"proc/sys/net/core/netdev_max_backlog":  "1000\n",
	"proc/sys/net/core/rmem_max":            "212992\n",
	"proc/sys/net/ipv4/tcp_rmem":            "4096\t131072\t6291456\n",
	"proc/sys/net/ipv4/conf/all/rp_filter":  "2\n",
	"proc/sys/net/ipv4/conf/eth0/rp_filter": "2\n",
	"proc/sys/vm/swappiness":                "60\n",
	"proc/sys/fs/nr_open":                   "1048576\n",
}

func TestMissingKeyOfTheUsersProfile(t *testing.T) {
	p := testProfile(t, `
sysctl:
  net.core.somaxcon: ">= 65535"
  net.core.rmem_mx: ">= 1"
  net.netfilter.nf_conntrack_max: ">= 262144"
  net.bridge.bridge-nf-call-iptables: "1"
  net.ipv4.conf.eth1.rp_filter: "2"
  vm.no_such_knob_anywhere: "1"
  net.ipv4.tcp_congestion_controll: "bbr"
  net.netfilter.nf_conntrack_buckets: {expect: ">= 1", optional: true}
`)
	h := mkroot(t, kernelTree)
	cases := []struct {
		id      string
		status  engine.Status
		message string
		details map[string]any
		action  remediate.Kind
	}{
		{"sysctl/net.core.somaxcon", engine.Fail, "did you mean net.core.somaxconn", map[string]any{"suggestions": []string{"net.core.somaxconn"}}, remediate.Manual},
		{"sysctl/net.core.rmem_mx", engine.Fail, "did you mean net.core.rmem_max", nil, remediate.Manual},
		{"sysctl/net.netfilter.nf_conntrack_max", engine.Fail, "the nf_conntrack module creates it and is not loaded", map[string]any{"module": "nf_conntrack"}, remediate.Command},
		{"sysctl/net.bridge.bridge-nf-call-iptables", engine.Fail, "br_netfilter", nil, remediate.Command},
		{"sysctl/net.ipv4.conf.eth1.rp_filter", engine.Fail, `no network interface "eth1"`, nil, remediate.Manual},
		{"sysctl/vm.no_such_knob_anywhere", engine.Fail, "no similar key exists", nil, remediate.Manual},
		{"sysctl/net.ipv4.tcp_congestion_controll", engine.Fail, "not present on this kernel", nil, remediate.Manual},
		{"sysctl/net.netfilter.nf_conntrack_buckets", engine.Skip, "optional and not present", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			r := runOne(t, p, h, c.id)
			if r.Status != c.status || !strings.Contains(r.Message, c.message) {
				t.Fatalf("%s %q, want %s containing %q", r.Status, r.Message, c.status, c.message)
			}
			for k, v := range c.details {
				if !reflect.DeepEqual(r.Details[k], v) {
					t.Errorf("details[%s] = %#v, want %#v", k, r.Details[k], v)
				}
			}
			switch {
			case c.action == "" && r.Remediation != nil:
				t.Errorf("remediation %+v on a skip", r.Remediation)
			case c.action != "" && (r.Remediation == nil || r.Remediation.Actions[0].Kind != c.action):
				t.Errorf("remediation %+v, want %s first", r.Remediation, c.action)
			}
		})
	}
}

func TestMissingModuleKeyWhenTheModuleIsLoadedIsATypoCheck(t *testing.T) {
	files := map[string]string{"sys/module/nf_conntrack/refcnt": "1\n",
		"proc/sys/net/netfilter/nf_conntrack_max": "262144\n"}
	for k, v := range kernelTree {
		files[k] = v
	}
	p := testProfile(t, "sysctl:\n  net.netfilter.nf_conntrack_mx: \">= 1\"\n")
	r := runOne(t, p, mkroot(t, files), "sysctl/net.netfilter.nf_conntrack_mx")
	if r.Status != engine.Fail || !strings.Contains(r.Message, "did you mean net.netfilter.nf_conntrack_max") {
		t.Errorf("%s %q", r.Status, r.Message)
	}
}

func TestMissingKeyOfABuiltinProfileIsASkip(t *testing.T) {
	// linux.yaml checks net.ipv4.tcp_max_syn_backlog; an extending user file
	// that does not name it leaves it built-in.
	p := profiletest.Extending(t, "linux", "sysctl:\n  vm.swappiness: \"<= 60\"\n")
	r := runOne(t, p, mkroot(t, kernelTree), "sysctl/net.ipv4.tcp_max_syn_backlog")
	if r.Status != engine.Skip || r.Remediation != nil {
		t.Errorf("built-in key: %s %q", r.Status, r.Message)
	}
	// The same key written again by the user is the user's.
	p = profiletest.Extending(t, "linux", "sysctl:\n  net.ipv4.tcp_max_syn_backlog: \">= 1\"\n")
	if r := runOne(t, p, mkroot(t, kernelTree), "sysctl/net.ipv4.tcp_max_syn_backlog"); r.Status != engine.Fail {
		t.Errorf("user's key: %s %q", r.Status, r.Message)
	}
}

func TestImageRootWithoutProcSysDoesNotCallKeysTypos(t *testing.T) {
	p := testProfile(t, "sysctl:\n  net.core.somaxcon: \">= 1\"\n")
	r := runOne(t, p, mkroot(t, map[string]string{"etc/hostname": "img\n"}), "sysctl/net.core.somaxcon")
	if r.Status == engine.Fail || r.Details["image"] != true {
		t.Errorf("image: %s %q %v", r.Status, r.Message, r.Details)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"net.core.somaxconn", "net.core.rmem_max", "net.core.wmem_max", "net.ipv4.tcp_rmem", "vm.swappiness", "kernel.sched_child_runs_first"}
	for key, want := range map[string][]string{
		"net.core.somaxcon":  {"net.core.somaxconn"},
		"net.core.wmem_mx":   {"net.core.wmem_max", "net.core.rmem_max"},
		"vm.swapiness":       {"vm.swappiness"},
		"net.ipv4.tcp_rmen":  {"net.ipv4.tcp_rmem"},
		"net.core.somaxconn": nil,
		"fs.file_max":        nil,
		"net.cor.somaxconn":  {"net.core.somaxconn"},
	} {
		if got := suggest(key, keys); !reflect.DeepEqual(got, want) {
			t.Errorf("Suggest(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestProcKeysIsBounded(t *testing.T) {
	h := mkroot(t, kernelTree)
	all := procKeys(h, 1000)
	if len(all) != len(kernelTree) {
		t.Errorf("%d keys: %v", len(all), all)
	}
	if got := procKeys(h, 3); len(got) != 3 {
		t.Errorf("limit 3: %d keys", len(got))
	}
}

// Verdicts and fixes when the boot value comes from a source other than a
// sysctl.d file.
func TestVerdictsWithOtherBootSources(t *testing.T) {
	p := testProfile(t, "sysctl:\n  net.core.somaxconn: \">= 4096\"\n  vm.swappiness: \"<= 10\"\n")
	withTree := func(more map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range kernelTree {
			m[k] = v
		}
		for k, v := range more {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name    string
		files   map[string]string
		id      string
		status  engine.Status
		message string
		action  remediate.Kind
		argv    string
	}{
		{"runtime lowered, the kernel default satisfies: apply it, persist nothing", withTree(map[string]string{"proc/sys/net/core/somaxconn": "100\n"}),
			"sysctl/net.core.somaxconn", engine.Fail, "a boot applies 4096 (kernel default", remediate.Command, "sysctl -w net.core.somaxconn=4096"},
		{"tuned sets it and tuned runs after the files", rhelTuned(withTree(map[string]string{"etc/tuned/tuned-main.conf": "reapply_sysctl = 0\n", "proc/sys/vm/swappiness": "5\n"})),
			"sysctl/vm.swappiness", engine.Warn, "reverts on reboot: tuned profile virtual-guest", remediate.Manual, ""},
		{"tuned sets it, files reapplied: the drop-in wins", rhelTuned(withTree(map[string]string{"proc/sys/vm/swappiness": "5\n"})),
			"sysctl/vm.swappiness", engine.Warn, "reverts on reboot: tuned profile virtual-guest", remediate.SysctlSet, ""},
		{"tuned satisfies", rhelTuned(withTree(map[string]string{"etc/tuned/virtual-guest/tuned.conf": "[sysctl]\nvm.swappiness=10\n", "proc/sys/vm/swappiness": "10\n"})),
			"sysctl/vm.swappiness", engine.Pass, "set at boot by tuned", "", ""},
		{"the kernel command line satisfies", withTree(map[string]string{"boot/loader/entries/a.conf": "options ro sysctl.vm.swappiness=1\n", "proc/sys/vm/swappiness": "1\n"}),
			"sysctl/vm.swappiness", engine.Pass, "set at boot by kernel command line", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runOne(t, p, mkroot(t, c.files), c.id)
			if r.Status != c.status || !strings.Contains(r.Message, c.message) {
				t.Fatalf("%s %q, want %s containing %q", r.Status, r.Message, c.status, c.message)
			}
			switch {
			case c.action == "" && r.Remediation != nil:
				t.Errorf("remediation %+v on a pass", r.Remediation)
			case c.action != "" && (r.Remediation == nil || r.Remediation.Actions[0].Kind != c.action):
				t.Fatalf("remediation %+v, want %s first", r.Remediation, c.action)
			case c.argv != "" && strings.Join(r.Remediation.Actions[0].Argv, " ") != c.argv:
				t.Errorf("argv %q, want %q", r.Remediation.Actions[0].Argv, c.argv)
			}
			if r.Remediation != nil {
				for _, a := range r.Remediation.Actions {
					if a.Kind == remediate.SysctlSet && a.Key == "net.core.somaxconn" && a.Value == "4096" {
						t.Errorf("pins the kernel default: %+v", a)
					}
				}
			}
		})
	}
}
