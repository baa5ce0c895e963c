package kmod

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// aspect is the check ID's name: kmod/<aspect>:<module>.
type aspect string

const (
	aspLoaded aspect = "loaded"
	aspBoot   aspect = "boot"
)

func explain(id string) (engine.Meta, bool) {
	pid, ok := engine.ParseID(id)
	if !ok || pid.Category != kind || !validName(pid.Target) {
		return engine.Meta{}, false
	}
	switch aspect(pid.Name) {
	case aspLoaded, aspBoot:
		return meta(aspect(pid.Name), pid.Target, true), true
	}
	return engine.Meta{}, false
}

// meta describes the check of module name; want is what the profile asks.
func meta(a aspect, name string, want bool) engine.Meta {
	m := engine.Meta{ID: engine.CheckID(kind, string(a), name), Category: kind, Level: profile.LevelFail, Severity: "medium"}
	switch a {
	case aspLoaded:
		m.Title, m.Expected = "kernel module "+name+" is loaded", "loaded"
		if !want {
			m.Title, m.Expected = "kernel module "+name+" is not loaded", "not loaded"
		}
		m.Reads = []string{procModulesPath + " (the modules the running kernel has loaded; - and _ are the same)",
			"/lib/modules/<release>/modules.builtin (modules built into the kernel), the release from /proc/sys/kernel/osrelease (uname -r)"}
		m.Why = "a service that needs a module (br_netfilter for bridged traffic through iptables, overlay for container storage, " +
			"nf_conntrack for connection tracking) fails or silently misbehaves without it; a module that must not be there " +
			"(cramfs, usb-storage on a hardened host) widens the attack surface"
		m.Fix = "modprobe NAME (a running kernel only; kmod/boot makes it stay after a reboot)"
	case aspBoot:
		m.Title, m.Expected = "the next boot loads kernel module "+name, "loaded at boot"
		if !want {
			m.Title, m.Expected = "the next boot does not load kernel module "+name, "not loaded at boot"
		}
		m.Reads = []string{"modules-load.d(5): *.conf in /etc, /run, /usr/local/lib, /usr/lib and /lib modules-load.d, a name in an earlier directory hiding the same name in a later one (a link to /dev/null masks it), as systemd-modules-load reads them",
			"modprobe.d(5): blacklist and install lines of *.conf in /etc, /run, /usr/local/lib, /usr/lib and /lib modprobe.d, as libkmod reads them",
			"the next boot's kernel command line (modules_load=, rd.modules_load=, module_blacklist=, modprobe.blacklist=)",
			"/lib/modules/<release>/modules.builtin (a built-in module is always there)"}
		m.Why = "a module loaded by hand is gone after the next reboot: the service starts on a kernel without it. systemd-modules-load " +
			"loads the listed modules with kmod's blacklist applied (KMOD_PROBE_APPLY_BLACKLIST), so a modprobe.d blacklist line stops it, " +
			"and an install NAME /bin/true or /bin/false line replaces the load with a command that loads nothing"
		m.Fix = "write NAME to /etc/modules-load.d/golive-NAME.conf (golive remediate does, under ROOT= too) and modprobe NAME; " +
			"a blacklist or install line that stops it is removed by hand"
	}
	return m
}
