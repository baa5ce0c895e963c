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

// Where a dated certificate comes from, as details.*[].origin names it.
// The origin decides whether a date problem is a finding:
//
//   - bundle: shipped in the system bundle and not a local anchor, so it
//     came with the distro's ca-certificates package. An expired root
//     there is harmless — crypto/x509 cannot build a chain through an
//     expired root, so nothing a Go program verifies depends on it — and
//     the distro's current package can still ship it (Debian 12 does), so
//     "update the package" would not change the result. Listed, not
//     judged.
//   - anchor: a local CA in the anchor directory: someone installed it,
//     someone can replace or remove it.
//   - required: a CA the profile says the service needs (cabundle.require):
//     once expired, every peer it signed fails verification.
//
// A certificate that is not yet valid is judged wherever it is: the clock
// is wrong, and every chain through such a CA fails.
const (
	originBundle   = "bundle"
	originAnchor   = "anchor"
	originRequired = "required"
)

type expiryCheck struct {
	engine.Base
	st     *shared
	window int
	reqs   []requirement
}

// dated is a certificate with a date problem, as details show it.
type dated struct {
	certInfo
	Days   int    `json:"days"`             // days until NotAfter (negative: ago)
	Origin string `json:"origin"`           // bundle, anchor or required
	Anchor string `json:"anchor,omitempty"` // the anchor file it came from
}

// candidate is one certificate the check dates, with its origin.
type candidate struct {
	cert   *cert
	file   string
	origin string
	anchor string
	// required is the cabundle.require entry that names it.
	required string
}

func (c *expiryCheck) Run(_ context.Context, h *host.Host) engine.Result {
	hs := c.st.on(h)
	sys := hs.systemBundle()
	res := engine.Result{Details: map[string]any{"bundle": sys.path, "window_days": c.window, "anchor_dir": c.st.facts.CAAnchorDir}}
	switch classify(h, sys.err) {
	case readOK:
	case readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read the CA bundle: %v", sys.err)
		return res
	default:
		res.Status, res.Message = engine.Skip, "no readable CA bundle (see cabundle/present)"
		return res
	}
	if len(sys.bundle.certs) == 0 {
		res.Status, res.Message = engine.Skip, sys.path+" holds no certificate (see cabundle/present)"
		return res
	}
	cands := c.candidates(hs, sys)
	now := h.Now()
	soon := now.AddDate(0, 0, c.window)
	var expired, notYet, expiring []candidate
	for _, cd := range cands {
		switch {
		case now.After(cd.cert.NotAfter):
			expired = append(expired, cd)
		case now.Before(cd.cert.NotBefore):
			notYet = append(notYet, cd)
		case soon.After(cd.cert.NotAfter):
			expiring = append(expiring, cd)
		}
	}
	res.Details["checked"] = len(cands)
	res.Details["expired"] = list(expired, now)
	res.Details["not_yet_valid"] = list(notYet, now)
	res.Details["expiring"] = list(expiring, now)

	var v verdict
	var obs []string
	if bad := judged(expired); len(bad) > 0 {
		obs = append(obs, fmt.Sprintf("%d expired: %s", len(bad), names(certsIn(bad), maxNamed, func(c *cert) string { return "on " + day(c.NotAfter) })))
		v.fail("%s expired: %s", plural(len(bad), "certificate"), c.why(bad, "no peer whose chain ends there verifies any more"))
		v.fix(c.plan(bad))
	}
	if len(notYet) > 0 {
		obs = append(obs, fmt.Sprintf("%d not yet valid: %s", len(notYet), names(certsIn(notYet), maxNamed, func(c *cert) string { return "from " + day(c.NotBefore) })))
		v.fail("%s not valid yet: check the host clock (now %s)", plural(len(notYet), "certificate"), now.UTC().Format(time.RFC3339))
		v.fix(&remediate.Plan{Summary: "fix the clock", Actions: []remediate.Action{remediate.Tell("synchronise the host clock (chronyd/timesyncd), then re-run golive")}})
	}
	if soonBad := judged(expiring); len(soonBad) > 0 {
		obs = append(obs, fmt.Sprintf("%d expiring within %d days: %s", len(soonBad), c.window, names(certsIn(soonBad), maxNamed, func(c *cert) string { return "on " + day(c.NotAfter) })))
		v.warn("%s %s within %d days: %s", plural(len(soonBad), "certificate"), agree(len(soonBad), "expires", "expire"), c.window, c.why(soonBad, "chains that end there stop verifying then"))
		v.fix(c.plan(soonBad))
	}
	shipped, shippedSoon := bundleOnly(expired), bundleOnly(expiring)
	res.Details["bundle_expired"] = len(shipped)
	res.Details["bundle_expiring"] = len(shippedSoon)
	if len(obs) == 0 {
		obs = append(obs, fmt.Sprintf("%s checked, no local or required CA expiring within %d days", plural(len(cands), "certificate"), c.window))
	}
	if n := len(shipped) + len(shippedSoon); n > 0 {
		harmless := "shipped in the bundle (harmless, listed in details):"
		if len(shipped) > 0 {
			harmless += fmt.Sprintf(" %d expired (%s)", len(shipped), names(certsIn(shipped), maxNamed, func(c *cert) string { return "on " + day(c.NotAfter) }))
		}
		if len(shippedSoon) > 0 {
			harmless += fmt.Sprintf(" %d expiring within %d days", len(shippedSoon), c.window)
		}
		obs = append(obs, harmless)
	}
	res.Observed = strings.Join(obs, "; ")
	pass := fmt.Sprintf("no local or required CA expires within %d days, and no certificate is dated in the future", c.window)
	if n := len(shipped) + len(shippedSoon); n > 0 {
		pass += fmt.Sprintf("; %s still shipped in %s %s no local anchor and no required CA, so %s harmless: Go cannot build a chain through an expired root (details.expired, details.expiring)",
			plural(n, "expired or expiring root"), sys.path, isAre(n), agree(n, "it is", "they are"))
	}
	v.apply(&res, pass)
	return res
}

// candidates are the certificates the check dates: every certificate Go
// takes from the bundle, every local anchor, and every required CA, each
// once, with its origin (required before anchor before bundle).
func (c *expiryCheck) candidates(hs *hostState, sys *systemBundle) []candidate {
	required := c.required(hs, sys)
	anchors := anchorIndex(hs)
	seen := map[[32]byte]bool{}
	var out []candidate
	add := func(cert *cert, file string) {
		if seen[cert.sha256] {
			return
		}
		seen[cert.sha256] = true
		cd := candidate{cert: cert, file: file, origin: originBundle, anchor: anchors[cert.sha256]}
		switch {
		case required[cert.sha256] != "":
			cd.origin, cd.required = originRequired, required[cert.sha256]
		case cd.anchor != "":
			cd.origin = originAnchor
		}
		out = append(out, cd)
	}
	for _, cert := range sys.bundle.goCerts() {
		add(cert, sys.path)
	}
	for _, a := range hs.anchors().files {
		if a.ignored {
			continue
		}
		for _, cert := range a.certs {
			add(cert, a.path)
		}
	}
	for _, r := range c.reqs {
		if r.file == "" {
			continue
		}
		if b, err := hs.bundle(r.file); err == nil {
			for _, cert := range b.certs {
				add(cert, r.file)
			}
		}
	}
	return out
}

// required maps the fingerprints of the CAs cabundle.require names (the
// certificates of a required file, or a fingerprint) to the entry's name.
func (c *expiryCheck) required(hs *hostState, sys *systemBundle) map[[32]byte]string {
	out := map[[32]byte]string{}
	for _, r := range c.reqs {
		if r.hasSum {
			out[r.sha256] = r.name
			continue
		}
		b, err := hs.bundle(r.file)
		if err != nil {
			continue // cabundle/contains reports it
		}
		for _, cert := range b.certs {
			out[cert.sha256] = r.name
			// The same CA as the bundle holds it (a re-encoded copy).
			if in := findCert(sys.bundle.certs, cert.Certificate); in != nil {
				out[in.sha256] = r.name
			}
		}
	}
	return out
}

// bundleOnly are the candidates shipped in the bundle, neither local nor
// required.
func bundleOnly(cs []candidate) []candidate {
	var out []candidate
	for _, cd := range cs {
		if cd.origin == originBundle {
			out = append(out, cd)
		}
	}
	return out
}

// judged are the candidates whose dates are a finding: local anchors and
// required CAs.
func judged(cs []candidate) []candidate {
	var out []candidate
	for _, cd := range cs {
		if cd.origin != originBundle {
			out = append(out, cd)
		}
	}
	return out
}

func certsIn(cs []candidate) []*cert {
	out := make([]*cert, 0, len(cs))
	for _, cd := range cs {
		out = append(out, cd.cert)
	}
	return out
}

// why says where the certificates come from and what that breaks.
func (c *expiryCheck) why(cs []candidate, effect string) string {
	var req, anc []string
	for _, cd := range cs {
		if cd.origin == originRequired {
			req = append(req, name(cd.cert.Subject))
		} else {
			anc = append(anc, name(cd.cert.Subject)+" from "+cd.anchor)
		}
	}
	var parts []string
	if len(req) > 0 {
		parts = append(parts, fmt.Sprintf("%s the service requires (cabundle.require): %s", agree(len(req), "a CA", "CAs"), strings.Join(req, ", ")))
	}
	if len(anc) > 0 {
		parts = append(parts, fmt.Sprintf("%s installed on this host: %s", agree(len(anc), "a local CA", "local CAs"), strings.Join(anc, ", ")))
	}
	return strings.Join(parts, "; ") + "; " + effect
}

func list(cs []candidate, now time.Time) []dated {
	out := make([]dated, 0, len(cs))
	for _, cd := range cs {
		d := dated{certInfo: info(cd.cert.Certificate), Days: int(cd.cert.NotAfter.Sub(now).Hours() / 24), Origin: cd.origin, Anchor: cd.anchor}
		d.File, d.Line = cd.file, cd.cert.line
		out = append(out, d)
	}
	return out
}

// plan: a local CA is replaced or removed from the anchors, then the
// bundle rebuilt; a required CA is replaced by its owner's successor.
// Neither is a package update: the package cannot change either.
func (c *expiryCheck) plan(cs []candidate) *remediate.Plan {
	p := &remediate.Plan{Summary: "replace the expired or expiring CAs"}
	local := false
	for _, cd := range cs {
		switch cd.origin {
		case originAnchor:
			local = true
			p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("%s comes from the local anchor %s: replace it with its successor from its owner, or remove it", name(cd.cert.Subject), cd.anchor)))
		case originRequired:
			p.Actions = append(p.Actions, remediate.Tell(fmt.Sprintf("%s is required by the profile (cabundle.require %s): get its successor from its owner, deploy it, and trust it in place of the old one", name(cd.cert.Subject), cd.required)))
		}
	}
	if local {
		if a, ok := updateAction(c.st.facts); ok {
			p.Actions = append(p.Actions, a)
		}
	}
	return p
}

// anchorIndex maps the certificates of the anchor directory to their file.
func anchorIndex(hs *hostState) map[[32]byte]string {
	out := map[[32]byte]string{}
	for _, a := range hs.anchors().files {
		if a.ignored {
			continue
		}
		for _, c := range a.certs {
			out[c.sha256] = a.path
		}
	}
	return out
}
