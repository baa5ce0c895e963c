// Package sysctl checks kernel parameters: the value the running kernel has
// now (/proc/sys) and the value it will have after the next reboot (the
// sysctl.d configuration, resolved as systemd-sysctl resolves it, plus what
// else a boot applies: the kernel's default, the kernel command line,
// systemd as PID 1 and tuned; bootsources.go).
//
// Profile section:
//
//	sysctl:
//	  net.core.somaxconn: ">= 65535"
//	  vm.swappiness: {expect: "<= 10", level: warn, why: "latency-sensitive service"}
package sysctl

import (
	_ "embed"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and check category.
const kind = "sysctl"

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Rules("Kernel parameters: a mapping of sysctl key (as sysctl names it, dots kept) to a rule. Checked at runtime and in the persisted configuration systemd-sysctl applies at boot.", "sysctl key", `net.core.somaxconn: ">= 65535"`, profile.AllowOptional)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`sysctl/<key>`", Example: "sysctl/net.core.somaxconn"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	rules, err := p.Rules(sec, profile.AllowOptional)
	if err != nil {
		return nil, err
	}
	bumps := bumpsNrOpenFact.Get(p)
	shared := &configCache{noNrOpenBump: bumps != nil && !*bumps}
	checks := make([]engine.Check, 0, len(rules))
	for _, r := range rules {
		key := normalize(r.Key)
		if key == "" || strings.ContainsAny(key, "*?[ \t") || strings.Contains(r.Key, "..") || strings.Contains("/"+swapSeparators(key)+"/", "/../") {
			return nil, p.Errorf(sec, "sysctl: %q is not a sysctl name", r.Key)
		}
		m := meta(key).WithRule(r)
		def, hasDef := defaultsFact.Get(p)[key]
		checks = append(checks, &check{
			Base:        engine.Base{M: m},
			key:         key,
			rule:        r,
			bootDefault: def,
			hasDefault:  hasDef,
			config:      shared,
		})
	}
	return checks, nil
}

func meta(key string) engine.Meta {
	return engine.Meta{
		ID:       kind + "/" + key,
		Category: kind,
		Title:    "kernel parameter " + key,
		Level:    profile.LevelFail,
		Severity: "medium",
		Reads: []string{
			procPath(key) + " (runtime)",
			"/etc/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d, /lib/sysctl.d and " + sysctlConf + " (the boot value, in systemd-sysctl's order)",
			runDir + " (transient: applied now, gone at reboot)",
			"/etc/tuned (an active tuned profile), the next boot's kernel command line (sysctl.*: the default /boot/loader/entries entry, else /etc/default/grub and grub.d, else on the running system /proc/cmdline), /proc/1/comm or /sbin/init and libsystemd-shared (systemd raising fs.file-max and fs.nr_open), /proc/sys/kernel/osrelease and /proc/meminfo (the kernel's defaults): the other boot-time setters",
		},
		Why: whyOf(key),
		Fix: "persist the value in /etc/sysctl.d/90-golive.conf and apply it with sysctl -w (golive remediate writes both); if a file is set but not applied, run sysctl --system",
	}
}

// explain describes any sysctl ID, also one no profile names.
func explain(id string) (engine.Meta, bool) {
	key, ok := strings.CutPrefix(id, kind+"/")
	if !ok || key == "" {
		return engine.Meta{}, false
	}
	return meta(normalize(key)), true
}

// configCache loads, once per host for all the sysctl checks of a run, the
// persisted configuration and the other boot sources; the list of existing
// keys (for typo suggestions) only when a check needs it.
// Both are kept for the run on the host (facts.Memo).
type configCache struct {
	// noNrOpenBump is the profile's facts.systemd_bumps_nr_open: false.
	noNrOpenBump bool
}

// configKey keys the loaded configuration on the one profile parameter it
// depends on.
type configKey struct{ noNrOpenBump bool }

type procKeysKey struct{}

type loaded struct {
	cfg  *config
	err  error
	boot *bootSources
}

func (c *configCache) get(h *host.Host) (*config, *bootSources, error) {
	l := facts.Memo(h, configKey{c.noNrOpenBump}, func(h *host.Host) loaded {
		cfg, err := sharedConfig(h)
		boot := loadBootSources(h)
		boot.systemd.noNrOpenBump = c.noNrOpenBump
		return loaded{cfg, err, boot}
	})
	return l.cfg, l.boot, l.err
}

type sharedConfigKey struct{}

type configResult struct {
	cfg *config
	err error
}

// sharedConfig is the sysctl.d configuration, read once per run whatever
// the profile's parameters: the sysctl checks and Persisted share it.
func sharedConfig(h *host.Host) (*config, error) {
	r := facts.Memo(h, sharedConfigKey{}, func(h *host.Host) configResult {
		cfg, err := readConfig(h)
		return configResult{cfg, err}
	})
	return r.cfg, r.err
}

// procKeys walks /proc/sys once per run, on the failure path only.
func (c *configCache) procKeys(h *host.Host) []string {
	return facts.Memo(h, procKeysKey{}, func(h *host.Host) []string { return procKeys(h, maxProcKeys) })
}

// whyOf says why the keys of the built-in profiles matter; profiles can
// override it with why:.
func whyOf(key string) string {
	switch key {
	case "net.core.somaxconn":
		return "caps the accept queue of every listen(); Go passes the kernel's somaxconn as the backlog, so a low value drops connections under bursts"
	case "net.ipv4.tcp_max_syn_backlog":
		return "length of the half-open (SYN) queue; too short and connection bursts are dropped before accept"
	case "net.core.netdev_max_backlog":
		return "packets queued per CPU when the NIC delivers faster than the kernel processes; overflow is silent packet loss"
	case "net.core.rmem_max", "net.core.wmem_max":
		return "upper bound for socket buffers; limits throughput on high bandwidth-delay links"
	case "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem":
		return "min/default/max TCP buffer sizes used by autotuning"
	case "net.ipv4.tcp_tw_reuse":
		return "lets outgoing connections reuse TIME-WAIT sockets, avoiding ephemeral port exhaustion for clients making many short connections"
	case "fs.file-max":
		return "system-wide limit on open files; every socket is a file"
	case "vm.swappiness":
		return "how eagerly the kernel swaps; swapping a latency-sensitive service's heap causes pauses"
	}
	return "a kernel parameter the profile requires"
}
