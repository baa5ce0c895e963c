package cabundle

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// maxNamed is how many certificates an observed line names; details list
// them all.
const maxNamed = 3

type expiryCheck struct {
	engine.Base
	st     *shared
	window int
}

// dated is a bundle certificate with a date problem, as details show it.
type dated struct {
	certInfo
	Days   int    `json:"days"`             // days until NotAfter (negative: ago)
	Anchor string `json:"anchor,omitempty"` // the anchor file it came from
}

func (c *expiryCheck) Run(_ context.Context, h *host.Host) engine.Result {
	hs := c.st.on(h)
	sys := hs.systemBundle()
	res := engine.Result{Details: map[string]any{"bundle": sys.Path, "window_days": c.window}}
	switch classify(h, sys.Err) {
	case readOK:
	case readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read the CA bundle: %v", sys.Err)
		return res
	default:
		res.Status, res.Message = engine.Skip, "no readable CA bundle (see cabundle/present)"
		return res
	}
	if len(sys.Bundle.Certs) == 0 {
		res.Status, res.Message = engine.Skip, sys.Path+" holds no certificate (see cabundle/present)"
		return res
	}
	now := h.Now()
	soon := now.AddDate(0, 0, c.window)
	var expired, notYet, expiring []*Cert
	for _, cert := range sys.Bundle.Certs {
		switch {
		case now.After(cert.NotAfter):
			expired = append(expired, cert)
		case now.Before(cert.NotBefore):
			notYet = append(notYet, cert)
		case soon.After(cert.NotAfter):
			expiring = append(expiring, cert)
		}
	}
	anchors := anchorIndex(hs)
	res.Details["checked"] = len(sys.Bundle.Certs)
	res.Details["expired"] = c.list(expired, now, sys.Path, anchors)
	res.Details["not_yet_valid"] = c.list(notYet, now, sys.Path, anchors)
	res.Details["expiring"] = c.list(expiring, now, sys.Path, anchors)

	var v verdict
	var obs []string
	if len(expired) > 0 {
		obs = append(obs, fmt.Sprintf("%d expired: %s", len(expired), names(expired, maxNamed, func(c *Cert) string { return "on " + day(c.NotAfter) })))
		v.fail("%s in %s expired: the ca-certificates package is out of date, or an expired local CA is still installed", plural(len(expired), "certificate"), sys.Path)
		v.fix(c.plan(expired, anchors))
	}
	if len(notYet) > 0 {
		obs = append(obs, fmt.Sprintf("%d not yet valid: %s", len(notYet), names(notYet, maxNamed, func(c *Cert) string { return "from " + day(c.NotBefore) })))
		v.fail("%s not valid yet: check the host clock (now %s)", plural(len(notYet), "certificate"), now.UTC().Format(time.RFC3339))
		v.fix(&remediate.Plan{Summary: "fix the clock", Actions: []remediate.Action{remediate.Tell("synchronise the host clock (chronyd/timesyncd), then re-run golive")}})
	}
	if len(expiring) > 0 {
		obs = append(obs, fmt.Sprintf("%d expiring within %d days: %s", len(expiring), c.window, names(expiring, maxNamed, func(c *Cert) string { return "on " + day(c.NotAfter) })))
		v.warn("%s %s within %d days; chains that end there stop verifying then", plural(len(expiring), "certificate"), agree(len(expiring), "expires", "expire"), c.window)
		v.fix(c.plan(expiring, anchors))
	}
	res.Observed = strings.Join(obs, "; ")
	if res.Observed == "" {
		res.Observed = fmt.Sprintf("%s valid for more than %d days", plural(len(sys.Bundle.Certs), "certificate"), c.window)
	}
	v.apply(&res, fmt.Sprintf("every certificate in %s is valid for more than %d days", sys.Path, c.window))
	return res
}

func (c *expiryCheck) list(certs []*Cert, now time.Time, file string, anchors map[[32]byte]string) []dated {
	out := make([]dated, 0, len(certs))
	for _, cert := range certs {
		d := dated{certInfo: info(cert.Certificate), Days: int(cert.NotAfter.Sub(now).Hours() / 24), Anchor: anchors[cert.SHA256]}
		d.File, d.Line = file, cert.Line
		out = append(out, d)
	}
	return out
}

// plan: a local CA is removed from the anchors; a packaged one goes with a
// package update.
func (c *expiryCheck) plan(certs []*Cert, anchors map[[32]byte]string) *remediate.Plan {
	f := c.st.facts
	p := &remediate.Plan{Summary: "replace the expiring CAs"}
	local := false
	for _, cert := range certs {
		if a := anchors[cert.SHA256]; a != "" {
			local = true
			p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("%s comes from the local anchor %s: replace it with its successor from its owner, or remove it", Name(cert.Subject), a)))
		}
	}
	if local {
		if a, ok := updateAction(f); ok {
			p.Actions = append(p.Actions, a)
		}
		return p
	}
	p.Summary = "update the ca-certificates package"
	p.Actions = packageActions(f, "upgrade")
	return p
}

// anchorIndex maps the certificates of the anchor directory to their file.
func anchorIndex(hs *hostState) map[[32]byte]string {
	out := map[[32]byte]string{}
	for _, a := range hs.anchors().files {
		for _, c := range a.certs {
			out[c.SHA256] = a.path
		}
	}
	return out
}
