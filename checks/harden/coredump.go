package harden

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/checks/sysctl"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// The kernel's defaults (Documentation/admin-guide/sysctl/kernel.rst).
const (
	defaultCorePattern = "core"
	defaultUsesPID     = "0"
	maxSysctlValue     = 4096
)

// coredumpDropIn is the drop-in the fix writes.
const coredumpDropIn = "/etc/systemd/coredump.conf.d/90-golive.conf"

// Where a core goes, as the check judges it.
const (
	placeNowhere   = "nowhere"
	placeBounded   = "bounded"
	placeUnbounded = "unbounded"
)

type coredumpCheck struct {
	engine.Base
	want         string
	unit         string
	level        string
	defaultLimit string // facts.service_core_limit
}

// corePlace is where a crash's core goes and why.
type corePlace struct {
	kind, where, why string
	handler          string // systemd-coredump, apport, abrt, or the program
	limit            bool   // nowhere because the soft RLIMIT_CORE is 0
}

func (c *coredumpCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	pattern, from := defaultCorePattern, "the kernel's default"
	if v, w, ok := sysctl.Persisted(h, "kernel.core_pattern"); ok {
		pattern, from = v, w
	}
	usesPID := defaultUsesPID
	if v, _, ok := sysctl.Persisted(h, "kernel.core_uses_pid"); ok {
		usesPID = v
	}
	res.Details["boot_core_pattern"] = pattern
	res.Details["boot_from"] = from
	judged := "at the next boot (" + from + ")"
	if h.Live() {
		if data, err := facts.Sysctl(h, "kernel/core_pattern", maxSysctlValue); err == nil {
			rt := strings.TrimRight(string(data), "\n")
			res.Details["runtime_core_pattern"] = rt
			if rt != pattern {
				judged = fmt.Sprintf("now (the boot value from %s is %q)", from, pattern)
			} else {
				judged = "now and at the next boot (" + from + ")"
			}
			pattern = rt
		}
		if data, err := facts.Sysctl(h, "kernel/core_uses_pid", maxSysctlValue); err == nil {
			usesPID = strings.TrimSpace(string(data))
		}
	}
	res.Details["core_uses_pid"] = usesPID
	limit, limitFrom := c.limitCore(h)
	res.Details["limit_core"] = limit
	pl := placeOf(h, pattern, usesPID == "1")
	base := pl
	if pl.kind != placeNowhere && limitZero(limit) && pl.handler != "apport" && pl.handler != "abrt" && pl.handler != "other" {
		pl = corePlace{kind: placeNowhere, where: "nowhere (LimitCORE 0)", limit: true, handler: pl.handler,
			why: "the service's soft LimitCORE is 0 (" + limitFrom + "): the kernel writes no core file"}
		if pl.handler == "systemd-coredump" {
			pl.why = "the service's soft LimitCORE is 0 (" + limitFrom + "): systemd-coredump honours it and logs the crash only"
		}
	}
	res.Details["place"] = pl.kind
	res.Details["handler"] = pl.handler
	if pl.handler == "systemd-coredump" {
		s := readCoredump(h)
		res.Details["storage"] = s.Storage
		res.Details["process_size_max"] = s.ProcessSizeMax
		res.Details["max_use"] = s.MaxUse
		res.Details["coredump_files"] = s.Files
	}
	res.Observed = fmt.Sprintf("core_pattern %q %s: %s", pattern, judged, pl.where)
	res.Message = pl.why
	switch c.want {
	case "required":
		switch pl.kind {
		case placeNowhere:
			res.Status = engine.MissStatus(c.level)
			res.Message = "a crash leaves no core: " + pl.why
			res.Remediation = c.keepPlan(h, pl, base)
		case placeUnbounded:
			res.Status = engine.Warn
			res.Message = "cores are kept but nothing bounds them: " + pl.why
			res.Remediation = unboundedPlan()
		default:
			res.Status = engine.Pass
		}
	case "forbidden":
		if pl.kind == placeNowhere {
			res.Status = engine.Pass
		} else {
			res.Status = engine.MissStatus(c.level)
			res.Message = "a crash's memory (secrets included) is kept: " + pl.why
			res.Remediation = c.forbidPlan(pl)
		}
	default:
		if pl.kind == placeUnbounded {
			res.Status = engine.Warn
			res.Message = "cores are kept but nothing bounds them: " + pl.why
			res.Remediation = unboundedPlan()
		} else {
			res.Status = engine.Pass
		}
	}
	return res
}

// limitCore is the service's soft RLIMIT_CORE from its unit's LimitCORE=,
// else the manager's DefaultLimitCORE=; "" when neither sets it.
func (c *coredumpCheck) limitCore(h *host.Host) (value, from string) {
	if c.unit != "" {
		if f, err := facts.Unit(h, c.unit); err == nil {
			if v, ok := f.Last("Service", "LimitCORE"); ok {
				return v, c.unit + " LimitCORE="
			}
		}
	}
	if o, ok := facts.Manager(h).Last("DefaultLimitCORE"); ok && strings.TrimSpace(o.Value) != "" {
		return o.Value, o.File + " DefaultLimitCORE="
	}
	if c.defaultLimit != "" {
		return c.defaultLimit, "systemd's default for services on this distro (facts.service_core_limit)"
	}
	return "", ""
}

// limitZero reports a soft limit of 0 ("0" or "0:infinity").
func limitZero(v string) bool {
	soft, _, _ := strings.Cut(strings.TrimSpace(v), ":")
	return soft == "0"
}

// placeOf says where the kernel puts a core for pattern
// (Documentation/admin-guide/sysctl/kernel.rst, core(5)).
func placeOf(h *host.Host, pattern string, usesPID bool) corePlace {
	if pattern == "" {
		return corePlace{kind: placeNowhere, where: "nowhere", why: "an empty core_pattern names no file"}
	}
	if strings.HasPrefix(pattern, "|") {
		return pipePlace(h, strings.Fields(strings.TrimPrefix(pattern, "|")))
	}
	perCrash := usesPID || strings.Contains(pattern, "%p") || strings.Contains(pattern, "%P") || strings.Contains(pattern, "%t")
	kind, bound := placeBounded, "each crash overwrites the same file"
	if perCrash {
		kind, bound = placeUnbounded, "a new file per crash (%p, %t or core_uses_pid) and nothing removes old ones: repeated crashes fill the filesystem"
	}
	if !strings.HasPrefix(pattern, "/") {
		return corePlace{kind: kind, where: "a file in the crashing process's working directory",
			why: "a relative core_pattern writes into the process's working directory (a system service's is / unless WorkingDirectory= says otherwise) when it can write there; " + bound}
	}
	dir := path.Dir(pattern)
	if strings.Contains(dir, "%") {
		return corePlace{kind: kind, where: "files under " + dir, why: bound}
	}
	if fi, err := h.Stat(dir); err != nil || !fi.IsDir() {
		why := dir + " does not exist: the kernel cannot create the core file"
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			why = dir + ": " + err.Error()
		}
		return corePlace{kind: placeNowhere, where: "nowhere (" + dir + " is missing)", why: why}
	}
	return corePlace{kind: kind, where: "files in " + dir, why: bound}
}

// pipePlace judges a core_pattern that pipes the core to a program.
func pipePlace(h *host.Host, argv []string) corePlace {
	if len(argv) == 0 {
		return corePlace{kind: placeNowhere, where: "nowhere", why: "core_pattern pipes to no program"}
	}
	prog := argv[0]
	switch path.Base(prog) {
	case "false", "true":
		// systemd >= 233 as PID 1 sets |/bin/false until a sysctl.d file
		// (50-coredump.conf) names systemd-coredump.
		return corePlace{kind: placeNowhere, where: "nowhere", handler: path.Base(prog), why: "core_pattern pipes to " + prog + ", which discards it"}
	case "systemd-coredump":
		return coredumpPlace(readCoredump(h))
	case "apport":
		return corePlace{kind: placeBounded, handler: "apport", where: "apport (/var/lib/apport/coredump, /var/crash)",
			why: "Ubuntu's apport takes the core; it keeps at most a few reports per program and skips crashes it does not handle (apport(1), /etc/default/apport)"}
	case "abrt-hook-ccpp":
		return corePlace{kind: placeBounded, handler: "abrt", where: "abrt (/var/spool/abrt)",
			why: "abrt takes the core into /var/spool/abrt, bounded by MaxCrashReportsSize= (abrt.conf(5))"}
	}
	return corePlace{kind: placeBounded, handler: "other", where: "the program " + prog,
		why: "core_pattern pipes cores to " + prog + ": where it keeps them, and how many, is its own business"}
}

// coredumpPlace is where systemd-coredump keeps a core (coredump.conf(5)).
func coredumpPlace(s coredumpSettings) corePlace {
	pl := corePlace{handler: "systemd-coredump"}
	from := func(key string) string {
		if f, ok := s.From[key]; ok {
			return " (" + f + ")"
		}
		return " (systemd's default)"
	}
	if n, err := parseSize(s.ProcessSizeMax); err == nil && n == 0 {
		pl.kind, pl.where = placeNowhere, "nowhere"
		pl.why = "systemd-coredump: ProcessSizeMax=0" + from("ProcessSizeMax") + " keeps no core, only a log entry"
		return pl
	}
	switch s.Storage {
	case "none":
		pl.kind, pl.where = placeNowhere, "nowhere (logged only)"
		pl.why = "systemd-coredump: Storage=none" + from("Storage") + " logs the crash and keeps no core"
	case "journal":
		pl.kind, pl.where = placeBounded, "the journal"
		pl.why = "systemd-coredump: Storage=journal" + from("Storage") + ": in the journal, bounded by journald's SystemMaxUse= (coredumpctl lists them)"
	default:
		pl.where = "/var/lib/systemd/coredump"
		maxUse := s.MaxUse
		if n, err := parseSize(maxUse); err == nil && n < 0 {
			pl.kind = placeUnbounded
			pl.why = "systemd-coredump: Storage=external, MaxUse=infinity" + from("MaxUse") + ": old cores are not removed for space"
			return pl
		}
		if maxUse == "" {
			maxUse = "10% of the filesystem, at most 4G"
		}
		pl.kind = placeBounded
		pl.why = "systemd-coredump: Storage=external" + from("Storage") + " in /var/lib/systemd/coredump, MaxUse=" + maxUse + from("MaxUse") + " (coredumpctl lists them)"
	}
	return pl
}

// keepPlan fixes a core kept nowhere. A unit drop-in raising LimitCORE
// is written only when the unit loads and the place under the limit is
// bounded: otherwise raising the limit alone does not make it so.
func (c *coredumpCheck) keepPlan(h *host.Host, pl, base corePlace) *remediate.Plan {
	p := &remediate.Plan{Summary: "keep a crash's core where systemd-coredump bounds it"}
	if pl.limit {
		_, err := facts.Unit(h, c.unit)
		if c.unit == "" || err != nil || base.kind != placeBounded {
			text := "set LimitCORE=infinity in the [Service] section of the service's unit (a drop-in), or DefaultLimitCORE=infinity in /etc/systemd/system.conf"
			if base.kind != placeBounded {
				text += "; and hand cores to systemd-coredump (kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h), whose MaxUse= bounds them: " + base.why
			}
			p.Actions = append(p.Actions, remediate.Tell(text))
			return p
		}
		p.Actions = append(p.Actions, remediate.Action{Kind: remediate.DropIn, Path: "/etc/systemd/system/" + c.unit + ".d/90-golive-core.conf",
			Content: "[Service]\nLimitCORE=infinity\n"}, remediate.Run("reload unit files", "systemctl", "daemon-reload"))
		return p
	}
	if pl.handler == "systemd-coredump" {
		p.Actions = append(p.Actions, remediate.Action{Kind: remediate.DropIn, Path: coredumpDropIn,
			Content: "[Coredump]\nStorage=external\nProcessSizeMax=32G\n"})
		return p
	}
	p.Actions = append(p.Actions, remediate.Tell("install systemd-coredump (RHEL: part of systemd; Debian/Ubuntu: apt-get install systemd-coredump), "+
		"which sets kernel.core_pattern=|/usr/lib/systemd/systemd-coredump ... through /usr/lib/sysctl.d/50-coredump.conf, or point kernel.core_pattern at an existing directory"))
	return p
}

func (c *coredumpCheck) forbidPlan(pl corePlace) *remediate.Plan {
	p := &remediate.Plan{Summary: "keep no core dumps"}
	if pl.handler == "systemd-coredump" {
		p.Actions = append(p.Actions, remediate.Action{Kind: remediate.DropIn, Path: coredumpDropIn, Content: "[Coredump]\nStorage=none\nProcessSizeMax=0\n"})
		return p
	}
	if c.unit != "" {
		p.Actions = append(p.Actions, remediate.Action{Kind: remediate.DropIn, Path: "/etc/systemd/system/" + c.unit + ".d/90-golive-core.conf",
			Content: "[Service]\nLimitCORE=0\n"}, remediate.Run("reload unit files", "systemctl", "daemon-reload"))
		return p
	}
	p.Actions = append(p.Actions, remediate.Tell("set LimitCORE=0 in the service's unit, or kernel.core_pattern=|/bin/false"))
	return p
}

func unboundedPlan() *remediate.Plan {
	return &remediate.Plan{Summary: "bound the space cores take", Actions: []remediate.Action{remediate.Tell(
		"hand cores to systemd-coredump (kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h, its MaxUse= bounds them), " +
			"or drop %p/%t and core_uses_pid so each crash overwrites one file")}}
}
