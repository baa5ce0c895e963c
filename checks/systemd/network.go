package systemd

import (
	"context"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// The targets a network service orders itself after (systemd.special(7)).
const (
	networkOnline = "network-online.target"
	networkTarget = "network.target"
)

// --- systemd/network:<unit>

type networkCheck struct {
	engine.Base
	st *shared
}

func (c *networkCheck) Run(_ context.Context, h *host.Host) engine.Result {
	if _, skip := c.st.prepare(h); skip != nil {
		return *skip
	}
	f, bad := c.st.loadUnit(h)
	if bad != nil {
		return unusable(*bad)
	}
	after := words(f, "Unit", "After")
	pulled := append(words(f, "Unit", "Wants"), words(f, "Unit", "Requires")...)
	res := engine.Result{Details: map[string]any{"unit": c.st.name, "after": after, "wants_requires": pulled}}
	switch {
	case contains(after, networkOnline) && contains(pulled, networkOnline):
		res.Status = engine.Pass
		res.Observed = "After=" + networkOnline + ", Wants=" + networkOnline
		res.Message = "starts after the network is up (configured addresses, routes)"
	case contains(after, networkOnline):
		res.Status = engine.Warn
		res.Observed = "After=" + networkOnline + " without Wants="
		res.Message = "After=network-online.target orders the service after that target, but nothing in the unit pulls it in: " +
			"unless another unit wants it, the target is never started and the ordering does nothing (systemd.special(7)); add Wants=network-online.target"
		res.Remediation = c.plan()
	case contains(after, networkTarget):
		res.Status = engine.Pass
		res.Observed = "After=" + networkTarget
		res.Message = "starts after network management has started. Addresses may not be configured yet: enough for a service that listens on 0.0.0.0 or ::, " +
			"not for one that binds a specific address or connects out at start — those want network-online.target"
	default:
		res.Status = engine.Fail
		res.Observed = "no network ordering"
		if len(after) > 0 {
			res.Observed = "After=" + strings.Join(after, " ")
		}
		res.Message = "the unit is not ordered after network.target or network-online.target: at boot it can start before the network exists"
		if r := resetOf(f, "Unit", "After"); r != "" {
			res.Message += "; " + r
		}
		res.Remediation = c.plan()
	}
	return res
}

// resetOf names the last empty assignment of a list setting, which threw
// away what came before it.
func resetOf(f *unit.File, section, key string) string {
	reset := ""
	for i, o := range f.Options {
		if o.Section == section && o.Name == key && o.Value == "" && i > 0 {
			reset = fmt.Sprintf("an empty %s= in %s resets the list before it", key, o.File)
		}
	}
	return reset
}

func (c *networkCheck) plan() *remediate.Plan {
	content := "# Written by golive for check " + engine.CheckID(kind, "network", c.st.name) + ": start " + c.st.name + " once the network is up.\n[Unit]\nWants=" + networkOnline + "\nAfter=" + networkOnline + "\n"
	return &remediate.Plan{
		Summary: "order " + c.st.name + " after " + networkOnline,
		Actions: []remediate.Action{
			{Kind: remediate.DropIn, Path: dropIn(c.st.name, "network"), Content: content},
			remediate.Run("make systemd load the new drop-in", "systemctl", "daemon-reload"),
		},
	}
}
