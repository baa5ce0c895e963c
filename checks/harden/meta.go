package harden

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

func explain(id string) (engine.Meta, bool) {
	switch id {
	case "harden/lockdown":
		return metaLockdown("<harden.lockdown>"), true
	case "harden/coredump":
		return metaCoredump("<harden.coredump>", profile.LevelFail), true
	}
	if parts, ok := engine.ParseID(id); ok && parts.Category == kind && parts.Name == "audit" && parts.Target != "" {
		t := auditTarget{path: parts.Target, perms: "x", level: profile.LevelWarn}
		if parts.Target[0] != '/' {
			t = auditTarget{unit: parts.Target, perms: "x", level: profile.LevelWarn}
		}
		return metaAudit(t), true
	}
	return engine.Meta{}, false
}

func metaLockdown(want string) engine.Meta {
	return engine.Meta{
		ID: "harden/lockdown", Category: kind, Title: "kernel lockdown is at least " + want,
		Expected: want + " or stronger (none < integrity < confidentiality), now and at the next boot",
		Level:    profile.LevelFail, Severity: "medium",
		Reads: []string{
			lockdownFile + " (securityfs; the running system only): the bracketed mode",
			"the next boot's kernel command line (the default BLS entry, /etc/default/grub and grub.d, grubenv): lockdown=",
		},
		Why: "lockdown stops root from changing the running kernel (integrity: no unsigned modules, /dev/mem, kexec of unsigned kernels) " +
			"or reading its memory (confidentiality): a compromised service account that gains root cannot hide in the kernel " +
			"(kernel_lockdown(7), Red Hat \"Security hardening\" guide, Secure Boot and lockdown)",
		Fix: "add lockdown=MODE to the kernel command line (grubby --update-kernel=ALL --args=lockdown=MODE on RHEL; GRUB_CMDLINE_LINUX and update-grub on Debian/Ubuntu) and reboot",
	}
}

func metaAudit(t auditTarget) engine.Meta {
	title := "auditd records " + t.perms + " access to " + t.target()
	if t.path == "" {
		title = "auditd records executions of " + t.unit + "'s ExecStart= binary"
	}
	return engine.Meta{
		ID: engine.CheckID(kind, "audit", t.target()), Category: kind, Title: title,
		Expected: "auditd.service enabled; a rule recording " + t.perms + " (-w PATH -p " + t.perms + ", or -a always,exit with path=/dir= and perm=, or -S execve with exe=)",
		Level:    t.level, Severity: "medium",
		Reads: []string{
			"auditd.service and its .wants links",
			rulesDir + "/*.rules merged as augenrules(8) merges them (ls -v order, comments and blank lines dropped, the last -D, -b, -f first, the last -e last), " +
				"or " + rulesFile + " when there is no rules.d or auditd.service does not run augenrules",
		},
		Why: "an audit record of every execution of the service's binary (and of writes to its configuration) is what an incident " +
			"review reads first; RHEL's security hardening guide and the CIS benchmarks ask for auditd with rules on what matters (auditctl(8), audit.rules(7))",
		Fix: "a rules.d file with -w PATH -p PERMS -k golive, then augenrules --load (systemctl enable auditd if it is not enabled)",
	}
}

func metaCoredump(want, level string) engine.Meta {
	return engine.Meta{
		ID: "harden/coredump", Category: kind, Title: "core dumps go where the profile wants (" + want + ")",
		Expected: map[string]string{
			"required":  "a crash leaves a core somewhere bounded",
			"forbidden": "a crash leaves no core",
			"any":       "reported; a place that nothing bounds warns",
		}[want],
		Level: level, Severity: "medium",
		Reads: []string{
			"kernel.core_pattern and kernel.core_uses_pid: /proc/sys (the running system) and the sysctl.d files as systemd-sysctl applies them (the next boot)",
			coredumpConf + " and coredump.conf.d drop-ins: Storage=, ProcessSizeMax=, MaxUse= (when the pattern pipes to systemd-coredump)",
			"LimitCORE= of service.unit, else DefaultLimitCORE= of system.conf, else the distro's facts.service_core_limit",
		},
		Why: "a Go service run with GOTRACEBACK=crash dumps core when it panics: the core is what explains a crash no log does, " +
			"but a core per crash in a crash loop fills /var; cores also hold the process's memory, secrets included (core(5), systemd-coredump(8))",
		Fix: "by cause: a coredump.conf.d drop-in (Storage=external), LimitCORE= in the unit, or a core_pattern into an existing directory",
	}
}
