package process

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// aspect is the check ID's name: process/<aspect>:<name>.
type aspect string

const (
	aspRunning aspect = "running"
	aspCount   aspect = "count"
	aspUser    aspect = "user"
)

func explain(id string) (engine.Meta, bool) {
	pid, ok := engine.ParseID(id)
	if !ok || pid.Category != kind || !validName(pid.Target) {
		return engine.Meta{}, false
	}
	switch a := aspect(pid.Name); a {
	case aspRunning, aspCount, aspUser:
		return meta(a, pid.Target, "processes named \""+pid.Target+"\"", "<process."+pid.Target+">"), true
	}
	return engine.Meta{}, false
}

func meta(a aspect, name, how, want string) engine.Meta {
	m := engine.Meta{ID: engine.CheckID(kind, string(a), name), Category: kind, Level: profile.LevelFail, Severity: "high", Expected: want,
		Reads: []string{"/proc/PID/stat (the process name), /proc/PID/cmdline (at most 128 KiB) and /proc/PID/status (Uid) of every process under the root's /proc; only the running system, or a root with its own procfs, has processes"},
		Fix:   "start or stop the process through its unit (the systemd family judges units: systemd/active:<unit>); golive starts and stops nothing"}
	switch a {
	case aspRunning:
		m.Title = how + " run"
		if want == "not running" {
			m.Title = "no " + how + " run"
		}
		m.Why = "a service that is not running serves nothing; a process that must not run (an old daemon, a debug tool) is an exposure"
	case aspCount:
		m.Title = "how many " + how + " run"
		m.Why = "one etcd member per host, a fixed number of workers: more means a leftover or a double start, fewer a crashed worker"
	case aspUser:
		m.Title = "the user " + how + " run as"
		m.Reads = append(m.Reads, "/etc/passwd under the root (the user's uid)")
		m.Why = "a service running as root instead of its own user turns any bug into a root compromise; as the wrong user it cannot read its own files"
		m.Fix = "set User= in the service's unit (systemd.exec(5)) and restart it"
	}
	return m
}
