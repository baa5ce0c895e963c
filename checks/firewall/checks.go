package firewall

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type portCheck struct {
	engine.Base
	t target
}

// liveState is the running kernel's ruleset.
type liveState struct {
	rs     *ruleset
	ifaces []string // every interface but lo
	err    error
	// legacy names the iptables-legacy tables loaded, while they are not
	// read (legacyErr says why).
	legacy    []string
	legacyErr error
}

type liveKey struct{}

func readLive(h *host.Host) *liveState {
	return facts.Memo(h, liveKey{}, func(h *host.Host) *liveState {
		st := &liveState{}
		for _, f := range []string{"/proc/net/ip_tables_names", "/proc/net/ip6_tables_names"} {
			if data, err := h.ReadFileLimit(f, 4096); err == nil {
				for _, t := range strings.Fields(string(data)) {
					st.legacy = appendNew(st.legacy, t)
				}
			}
		}
		k, err := h.Nftables()
		if err != nil {
			st.err = err
			return st
		}
		st.rs = fromNetlink(k)
		if len(st.legacy) > 0 {
			// iptables-legacy tables hook the same path: read them into
			// the same model, where a drop in either is final.
			tables, err := h.IptablesLegacy()
			for _, t := range tables {
				if err == nil {
					err = fromLegacy(st.rs, t)
				}
			}
			if err != nil {
				st.legacyErr = err
			} else {
				st.legacy = nil
			}
		}
		for _, n := range k.Interfaces {
			if n != "lo" {
				st.ifaces = append(st.ifaces, n)
			}
		}
		sort.Strings(st.ifaces)
		return st
	})
}

// judge is the loaded ruleset's verdict.
func (l *liveState) judge(t target) portVerdict {
	if l.err != nil {
		return portVerdict{state: stateUnknown, problems: []string{l.err.Error()}}
	}
	ifaces := t.ifaces
	if len(ifaces) == 0 {
		ifaces = l.ifaces
	}
	v := evaluatePaths(l.rs, t, ifaces)
	for _, d := range v.depends {
		if strings.Contains(d, "xt ") {
			// iptables-nft's compatibility matches: golive cannot say what
			// they match, so it does not judge around them.
			return portVerdict{state: stateUnknown, problems: []string{"the loaded ruleset has iptables-nft compatibility rules (xt matches) golive does not evaluate: " + d}}
		}
	}
	if len(l.legacy) > 0 {
		return portVerdict{state: stateUnknown, problems: []string{"iptables-legacy tables are loaded (" + strings.Join(l.legacy, ", ") + ") and could not be read: " + fmt.Sprint(l.legacyErr)}}
	}
	return v
}

func (c *portCheck) Run(_ context.Context, h *host.Host) engine.Result {
	t := c.t
	b := readBoot(h)
	boot, zone := b.judge(h, t)
	res := engine.Result{Details: map[string]any{
		"boot": details(boot), "firewalls_at_boot": append([]string{}, b.enabled...),
	}}
	if len(b.disabled) > 0 {
		res.Details["not_at_boot"] = b.disabled
	}
	if b.nftSkip+b.iptSkip > 0 {
		res.Details["rules_not_understood"] = b.nftSkip + b.iptSkip
	}
	bootText := describe(boot)
	if len(b.enabled) == 0 {
		bootText = "no host firewall starts"
		if len(b.disabled) > 0 {
			bootText += " (" + strings.Join(b.disabled, "; ") + ")"
		} else if t.distroFact != "" && t.distroFact != "none" {
			bootText += " (this distro's is " + t.distroFact + ")"
		}
	}
	if !h.Live() {
		res.Status, res.Observed = statusOf(boot.state), boot.state.String()
		res.Message = "at boot: " + bootText + "; under --root the loaded ruleset is not read (an image has none running)"
		if boot.state == stateUnknown && len(b.enabled) > 0 && hasError(boot) {
			res.Status = engine.Error
		}
		res.Remediation = fixes(t, b, boot, portVerdict{state: stateUnknown}, zone)
		return res
	}
	l := readLive(h)
	live := l.judge(t)
	res.Details["loaded"] = details(live)
	liveText := describe(live)
	if l.err != nil {
		if h.NeedsRoot(l.err) || errors.Is(l.err, syscall.EPERM) && !h.Privileged() {
			liveText = "not read (reading the loaded ruleset through netlink needs root)"
		} else if errors.Is(l.err, syscall.EPROTONOSUPPORT) || errors.Is(l.err, syscall.ENOENT) {
			liveText = "the kernel has no nf_tables (" + l.err.Error() + ")"
		}
	}
	res.Observed = fmt.Sprintf("boot: %s, loaded: %s", boot.state, live.state)
	res.Message = "at boot: " + bootText + "; loaded now: " + liveText
	switch {
	case live.state == stateUnknown:
		res.Status = statusOf(boot.state)
	case len(b.enabled) == 0 && live.state == stateClosed:
		res.Status = engine.Fail
		res.Message = "the loaded ruleset drops it, and no firewall service loads rules at boot: something else loaded them " +
			"(docker, kube-proxy, a script, nft by hand); " + res.Message
	case boot.state == stateOpen && live.state == stateClosed:
		res.Status = engine.Fail
		res.Message = "the configuration opens the port but the loaded ruleset does not (not reloaded since): " + res.Message
	case boot.state == stateClosed && live.state == stateOpen && live.by == noInputChain:
		res.Status = engine.Fail
		res.Message = "closed at the next boot: " + strings.Join(b.enabled, " and ") + " starts then, but no firewall rules are loaded now (its service is not running): " + res.Message
	case boot.state == stateClosed && live.state == stateOpen:
		res.Status = engine.Fail
		res.Message = "open now but closed at the next reboot or reload (loaded by hand, not in the configuration): " + res.Message
	default:
		res.Status = statusOf(worst(boot.state, live.state))
	}
	res.Remediation = fixes(t, b, boot, live, zone)
	return res
}

func hasError(v portVerdict) bool { return len(v.problems) > 0 }

func worst(a, b portState) portState {
	return stack([]portVerdict{{state: a}, {state: b}}).state
}

func statusOf(s portState) engine.Status {
	switch s {
	case stateOpen:
		return engine.Pass
	case stateClosed:
		return engine.Fail
	}
	return engine.Warn
}

func describe(v portVerdict) string {
	s := v.state.String()
	if v.by != "" {
		s += " — " + v.by
	}
	if len(v.depends) > 0 {
		s += "; for some clients: " + strings.Join(v.depends, "; ")
	}
	if len(v.problems) > 0 {
		s += "; " + strings.Join(v.problems, "; ")
	}
	return s
}

func details(v portVerdict) map[string]any {
	m := map[string]any{"state": v.state.String()}
	if v.by != "" {
		m["by"] = v.by
	}
	if len(v.depends) > 0 {
		m["depends"] = v.depends
	}
	if len(v.problems) > 0 {
		m["problems"] = v.problems
	}
	if len(v.where) > 0 {
		m["read"] = v.where
	}
	return m
}

// fixes opens the port the way the host's firewall is managed.
func fixes(t target, b *bootState, boot, live portVerdict, zone string) *remediate.Plan {
	bootClosed := boot.state == stateClosed || boot.state == statePartial
	liveClosed := live.state == stateClosed || live.state == statePartial
	if !bootClosed && !liveClosed {
		return nil
	}
	portProto := t.id()
	var acts []remediate.Action
	managed := false
	for _, m := range b.enabled {
		switch m {
		case "firewalld":
			managed = true
			if zone == "" {
				zone = b.fw.defaultZone
			}
			if bootClosed {
				acts = append(acts, remediate.Run("open the port in zone "+zone+" of the permanent configuration",
					"firewall-cmd", "--permanent", "--zone="+zone, "--add-port="+portProto))
			}
			acts = append(acts, remediate.Run("load the permanent configuration", "firewall-cmd", "--reload"))
		case "ufw":
			managed = true
			if bootClosed {
				acts = append(acts, remediate.Run("add a rule to /etc/ufw/user.rules and load it", "ufw", "allow", portProto))
			} else {
				acts = append(acts, remediate.Run("load ufw's rules", "ufw", "reload"))
			}
		case "iptables":
			managed = true
			if bootClosed {
				acts = append(acts, remediate.Tell(fmt.Sprintf("add `-A INPUT -p %s -m %s --dport %d -m conntrack --ctstate NEW -j ACCEPT` to %s before the rule or policy that drops it (%s), "+
					"then restore it (systemctl restart %s) — golive does not edit iptables-save files", t.proto, t.proto, t.port, strings.Join(b.iptFiles, " and "), boot.by, iptablesUnit(b))))
			}
		case "nftables":
			managed = true
			if bootClosed {
				acts = append(acts, remediate.Tell(fmt.Sprintf("add `%s dport %d accept` to the input chain of %s, before the rule or policy that drops it (%s); then load the file with nft -f %s — "+
					"golive does not edit nftables files: their order is the ruleset's meaning", t.proto, t.port, b.nftFile, boot.by, b.nftFile)))
			}
			if liveClosed && live.chain != nil {
				c := live.chain
				acts = append(acts, remediate.Run("accept the port now in the chain that drops it (the file keeps it after a reboot)",
					"nft", "insert", "rule", c.family, c.table, c.name, t.proto, "dport", strconv.Itoa(int(t.port)), "accept"))
			}
		}
	}
	if !managed {
		acts = append(acts, remediate.Tell("the loaded ruleset drops it ("+live.by+") but no firewall service loads rules at boot: "+
			"find what loaded them (docker, kube-proxy, a script) and open the port there"))
	}
	return &remediate.Plan{Summary: "open " + portProto + " in the host firewall", Actions: acts}
}

func iptablesUnit(b *bootState) string {
	if strings.Contains(b.how["iptables"], "netfilter-persistent") {
		return "netfilter-persistent"
	}
	return "iptables ip6tables"
}
