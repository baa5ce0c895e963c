// Package systemd checks the hygiene of the service's systemd unit, the
// advice of the field notes (seed 000: Restart=always, a non-root User=,
// After=network.target; seed 003: RestartSec): the unit is found and loads,
// restarts on failure, runs as an unprivileged user, is ordered after the
// network, is enabled at boot and — on the running system — is active.
//
// Files are read under the root as systemd reads them (internal/unit); on
// a running systemd the live state comes over D-Bus. A running system
// whose PID 1 is not systemd gets "skip"; a mounted image gets the answers
// its files give (active is skipped: an image runs nothing).
//
// Profile section (optional; the checks exist when service.unit is set):
//
//	systemd:
//	  network: true                  # the service uses the network: require After= network(-online).target
//	  restart: [always, on-failure]  # accepted Restart= values
//	  user: true                     # require a non-root User= (or DynamicUser=yes)
//	  enabled: true                  # require the unit to be enabled at boot
//	  active: true                   # require it to be running (live only)
package systemd

import (
	_ "embed"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// kind is the profile section and check category.
const kind = "systemd"

// restartValues are the values systemd accepts for Restart=
// (systemd.service(5)).
var restartValues = []string{"no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"}

// defaultRestart are the Restart= values that bring a crashed service back:
// always (seed 000) and on-failure (which also covers crashes, timeouts and
// non-zero exits).
var defaultRestart = []string{"always", "on-failure"}

type section struct {
	Network *bool    `yaml:"network" doc:"Check that the unit waits for the network (network-online.target) when it talks to the network." default:"true"`
	Restart []string `yaml:"restart" doc:"Restart= values the unit may have." example:"[on-failure, always]"`
	User    *bool    `yaml:"user" doc:"Check that the unit runs as service.user." default:"true"`
	Enabled *bool    `yaml:"enabled" doc:"Check that the unit is enabled at boot." default:"true"`
	Active  *bool    `yaml:"active" doc:"Check that the unit is running (live hosts only)." default:"true"`
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc, Unplanned: unplanned,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "systemd: how service.unit is set up and running.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`systemd/loaded:<unit>`", Example: "systemd/loaded:myapp.service"},
			{Heading: "`systemd/restart:<unit>`", Example: "systemd/restart:myapp.service"},
			{Heading: "`systemd/user:<unit>`", Example: "systemd/user:myapp.service"},
			{Heading: "`systemd/network:<unit>`", Example: "systemd/network:myapp.service"},
			{Heading: "`systemd/enabled:<unit>`", Example: "systemd/enabled:myapp.service"},
			{Heading: "`systemd/active:<unit>`", Example: "systemd/active:myapp.service"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	// The section is read to the end before the unit is looked at: a typo
	// is reported even while no unit is named.
	restart := defaultRestart
	if s.Restart != nil {
		if len(s.Restart) == 0 {
			return nil, p.Errorf(profile.FieldNode(sec, "restart"), "systemd.restart: list at least one Restart= value (%s)", strings.Join(restartValues, ", "))
		}
		for _, v := range s.Restart {
			if !validRestart(v) {
				return nil, p.Errorf(profile.FieldNode(sec, "restart"), "systemd.restart: %q is not a Restart= value (%s)", v, strings.Join(restartValues, ", "))
			}
		}
		restart = s.Restart
	}
	name := unit.Normalize(p.Service.Unit)
	if name == "" {
		return nil, nil
	}
	where := ""
	if sec != nil {
		where = p.Where(sec)
	}
	st := newShared(name)
	on := func(b *bool) bool { return b == nil || *b }
	checks := []engine.Check{&loadedCheck{Base: base(metaLoaded(name), where), st: st}}
	checks = append(checks, &restartCheck{Base: base(metaRestart(name, restart), where), st: st, accept: restart})
	if on(s.User) {
		checks = append(checks, &userCheck{Base: base(metaUser(name), where), st: st, nss: facts.NSSRulesFor(glibcFact.Get(p))})
	}
	if on(s.Network) {
		checks = append(checks, &networkCheck{Base: base(metaNetwork(name), where), st: st})
	}
	if on(s.Enabled) {
		checks = append(checks, &enabledCheck{Base: base(metaEnabled(name), where), st: st})
	}
	if on(s.Active) {
		checks = append(checks, &activeCheck{Base: base(metaActive(name), where), st: st})
	}
	return checks, nil
}

// unplanned names the section when no unit is: every check of the family
// is about service.unit.
func unplanned(s profile.Section, p *profile.Profile) []error {
	if unit.Normalize(p.Service.Unit) != "" || s.Node == nil || len(s.Node.Content) == 0 {
		return nil
	}
	return []error{p.Errorf(s.Key, "systemd: no check plans this section: it is about service.unit, which is not set")}
}

func base(m engine.Meta, where string) engine.Base {
	m.Where = where
	return engine.Base{M: m}
}

func validRestart(v string) bool {
	for _, r := range restartValues {
		if v == r {
			return true
		}
	}
	return false
}

// explain describes any systemd ID: systemd/<aspect>:<unit>.
func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || parts.Target == "" {
		return engine.Meta{}, false
	}
	name := parts.Target
	switch parts.Name {
	case "loaded":
		return metaLoaded(name), true
	case "restart":
		return metaRestart(name, defaultRestart), true
	case "user":
		return metaUser(name), true
	case "network":
		return metaNetwork(name), true
	case "enabled":
		return metaEnabled(name), true
	case "active":
		return metaActive(name), true
	}
	return engine.Meta{}, false
}

func meta(aspect, name, title, expected, severity string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, aspect, name), Category: kind, Title: title,
		Expected: expected, Level: profile.LevelFail, Severity: severity,
	}
}

const unitReads = "the unit file and its drop-ins as systemd finds them (/etc/systemd/system, /run/systemd/system, /usr/lib/systemd/system, /lib/systemd/system; <unit>.d/*.conf in name order; an empty assignment resets a list)"

func metaLoaded(name string) engine.Meta {
	m := meta("loaded", name, "systemd unit "+name+" is found and loads", "found, not masked, loads (has ExecStart=)", "critical")
	m.Reads = []string{unitReads, "on a running systemd: LoadState and NeedDaemonReload over D-Bus"}
	m.Why = "a unit that is missing, masked, or that systemd refuses to load (no ExecStart=) never starts; a changed file that was not reloaded is not what runs"
	m.Fix = "install the unit, unmask it (systemctl unmask), fix what systemd refuses, then systemctl daemon-reload"
	return m
}

func metaRestart(name string, accept []string) engine.Meta {
	m := meta("restart", name, "systemd restarts "+name+" when it dies", "Restart= in ["+strings.Join(accept, ", ")+"]", "high")
	m.Reads = []string{unitReads + ": Restart=, RestartSec=, StartLimitIntervalSec=, StartLimitBurst="}
	m.Why = "without Restart= (the default is no) a crash, an OOM kill or a panic leaves the service down until someone notices; " +
		"with the default RestartSec=100ms five quick crashes hit systemd's start limit (5 in 10 s) and it stops trying"
	m.Fix = "a drop-in " + "/etc/systemd/system/" + name + ".d/90-golive.conf with Restart=on-failure (or always) and RestartSec=5s, then systemctl daemon-reload"
	return m
}

func metaUser(name string) engine.Meta {
	m := meta("user", name, name+" runs as an unprivileged user", "User= set to a user other than root, or DynamicUser=yes", "high")
	m.Reads = []string{unitReads + ": User=, DynamicUser=", "/etc/passwd and /etc/nsswitch.conf (does the user exist)", "on a running systemd: the loaded User= over D-Bus"}
	m.Why = "without User= a service runs as root: any bug is a root compromise (least privilege); a User= that does not exist makes systemd refuse to start it (217/USER)"
	m.Fix = "create a system user (useradd --system) and set User= in a drop-in, or DynamicUser=yes"
	return m
}

func metaNetwork(name string) engine.Meta {
	m := meta("network", name, name+" starts after the network", "After= network-online.target (with Wants=) or network.target", "medium")
	m.Reads = []string{unitReads + ": After=, Wants=, Requires="}
	m.Why = "a network service started before the network can fail to bind a configured address or to resolve and reach its dependencies at boot; " +
		"network-online.target waits for configured addresses but only when something Wants= it (systemd.special(7))"
	m.Fix = "After=network-online.target and Wants=network-online.target in [Unit] (a drop-in), then systemctl daemon-reload"
	return m
}

func metaEnabled(name string) engine.Meta {
	m := meta("enabled", name, name+" starts at boot", "enabled: the [Install] WantedBy=/RequiredBy= link exists", "high")
	m.Reads = []string{unitReads + ": [Install]", "the <target>.wants/ and .requires/ links in /etc/systemd/system, /run/systemd/system and /usr/lib/systemd/system",
		"on a running systemd: UnitFileState over D-Bus"}
	m.Why = "a unit that is not enabled runs only until the next reboot: after maintenance or a crash of the host the service stays down"
	m.Fix = "systemctl enable " + name
	return m
}

func metaActive(name string) engine.Meta {
	m := meta("active", name, name+" is running", "ActiveState active", "high")
	m.Reads = []string{"on a running systemd: ActiveState, SubState, Result and NRestarts over D-Bus (a mounted image runs nothing: skip)"}
	m.Why = "the service must be up before the host takes traffic; restarts since it started point at a crash loop"
	m.Fix = "systemctl start " + name + "; if it fails, journalctl -u " + name
	return m
}
