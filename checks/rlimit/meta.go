package rlimit

import (
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

const goNote = "the Go runtime (1.19 and later) raises its soft NOFILE limit at start, to the hard limit (Go 1.19 to 1.23) or to hard − 1 (Go 1.26), " +
	"so a Go service runs with (nearly) the hard limit: nofile is judged by it (rlimits.go_service: false judges the soft limit)"

func severityOf(r resource) string {
	if r.name == "nofile" {
		return "high"
	}
	return "medium"
}

func judgedSideText(r resource, set settings) string {
	if r.name == "nofile" && set.goService {
		return "hard limit (" + goNote + ")"
	}
	return "soft limit (the one the kernel enforces)"
}

func metaUnit(name string, r resource, set settings) engine.Meta {
	return engine.Meta{
		ID:       engine.CheckID(category, "unit", name+"/"+r.name),
		Category: category,
		Title:    r.name + " limit of " + name,
		Level:    profile.LevelFail,
		Severity: severityOf(r),
		Reads: []string{
			r.systemd + "= in the unit and its drop-ins (" + strings.Join(searchPathDirs(), ", ") + "; <unit>.d/*.conf in name order)",
			"Default" + r.systemd + "= in " + systemConf + " and system.conf.d/*.conf, then systemd's default for the distro (rlimits.systemd.defaults)",
			"/proc/sys/fs/nr_open (NOFILE cannot exceed it)",
			"the Go version of the ExecStart= binary's build information (how its runtime raises NOFILE)",
			"on a running systemd: the unit's loaded " + r.systemd + " over D-Bus, /proc/<MainPID>/limits, and /proc/1/limits and /proc/1/status (systemd cannot give more than its own hard limit without CAP_SYS_RESOURCE)",
		},
		Why: r.why + ". Judged: the " + judgedSideText(r, set) + ". limits.conf does not apply to systemd services.",
		Fix: "a drop-in " + unitDropIn(name) + " with " + r.systemd + "=VALUE (golive remediate writes it for every failing limit of the unit), " +
			"then systemctl daemon-reload and a restart of the service",
	}
}

func metaLogin(user string, r resource, set settings) engine.Meta {
	return engine.Meta{
		ID:       engine.CheckID(category, "login", user+"/"+r.name),
		Category: category,
		Title:    r.name + " limit of a login session of " + user,
		Level:    profile.LevelFail,
		Severity: severityOf(r),
		Reads: []string{
			limitsConf + " then " + limitsDir + "/*.conf in name order, with pam_limits' rules (a user line beats an @group line beats *; soft, hard, -; unlimited)",
			"/etc/passwd and /etc/group (uid, primary group, memberships)",
			"where no line sets a limit: on Ubuntu and Debian before 13 (pam before 1.7) PID 1's limits (/proc/1/limits, the soft nofile capped at 1024), where their pam_limits starts every session; " +
				"elsewhere the limits of sshd, which opens the session: Default" + r.systemd + "= in " + systemConf + " or systemd's default",
			"/proc/sys/fs/nr_open (a nofile above it fails setrlimit: upstream pam_limits refuses the session, Debian's keeps sshd's limit)",
		},
		Why: r.why + ". This is what the service user gets in an ssh session — and what the service gets when started by hand or from cron. " +
			"Judged: the " + judgedSideText(r, set) + ".",
		Fix: "lines for the user in " + limitsDropIn + " (golive remediate writes the file for every failing login limit); they apply to new sessions",
	}
}

func metaProcess(name string, r resource) engine.Meta {
	return engine.Meta{
		ID:       engine.CheckID(category, "process", name+"/"+r.name),
		Category: category,
		Title:    r.name + " limit of running process " + name,
		Level:    profile.LevelFail,
		Severity: severityOf(r),
		Reads: []string{
			"/proc/<pid>/limits (soft and hard) of the pid, or of every process whose comm or argv[0] is the name; running system only",
		},
		Why: r.why + ". Judged: the soft limit the process runs with now (a Go process has already raised its NOFILE soft limit).",
		Fix: "fix where the process gets its limits (its unit, or limits.conf) and restart it; prlimit changes a running process until it exits",
	}
}

func searchPathDirs() []string {
	return []string{"/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"}
}

// explain describes any rlimit ID: rlimit/unit:<unit>/<res>,
// rlimit/login:<user>/<res>, rlimit/process:<name>/<res>.
func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != category {
		return engine.Meta{}, false
	}
	kind, rest := parts.Name, parts.Target
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return engine.Meta{}, false
	}
	target, resName := rest[:i], rest[i+1:]
	r, ok := lookupResource(resName)
	if !ok || r.name != resName {
		return engine.Meta{}, false
	}
	set := settings{goService: true}
	switch kind {
	case "unit":
		return metaUnit(target, r, set), true
	case "login":
		return metaLogin(target, r, set), true
	case "process":
		return metaProcess(target, r), true
	}
	return engine.Meta{}, false
}
