package file

import (
	"errors"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/secontext"
)

// judgeSELinux compares the label of the file the path leads to with the
// profile's type or context; the attribute is read and parsed as the
// selinux family reads it (internal/secontext).
func (c *check) judgeSELinux(res engine.Result, h *host.Host) engine.Result {
	p := c.spec.path
	resolved, err := h.Resolve(p)
	if err != nil {
		return c.readErr(res, h, err)
	}
	raw, err := h.Lgetxattr(resolved, secontext.Xattr)
	switch {
	case errors.Is(err, host.ErrNoXattr) || errors.Is(err, host.ErrXattrUnsupported):
		res.Observed = "unlabeled"
		msg := p + " has no SELinux label (no " + secontext.Xattr + " attribute: a filesystem mounted without labels, or a host never labeled)"
		return c.miss(res, msg, relabelPlan(p, c.spec.selinux))
	case err != nil:
		return c.readErr(res, h, err)
	}
	label := secontext.FromXattr(raw)
	ctx, err := secontext.Parse(label)
	if err != nil {
		res.Status, res.Message = engine.Error, p+": its label is "+err.Error()
		return res
	}
	res.Details["label"] = ctx.String()
	want := c.spec.selinux
	if strings.Contains(want, ":") {
		res.Observed = ctx.String()
		if ctx.String() == want {
			return c.pass(res, p+" is labeled "+want)
		}
		return c.miss(res, p+" is labeled "+ctx.String()+", not "+want, relabelPlan(p, want))
	}
	res.Observed = ctx.Type
	if ctx.Type == want {
		return c.pass(res, p+" has type "+want+" ("+ctx.String()+")")
	}
	return c.miss(res, p+" has type "+ctx.Type+" ("+ctx.String()+"), not "+want, relabelPlan(p, want))
}

// relabelPlan: a type becomes the policy's rule for the path (it survives
// a relabel); a whole context is set directly, with the caveat.
func relabelPlan(p, want string) *remediate.Plan {
	if strings.Contains(want, ":") {
		return manualPlan("chcon " + want + " " + p + " (lost at the next relabel unless the policy's file contexts give it: semanage fcontext -a -t TYPE '" + p + "')")
	}
	return &remediate.Plan{Summary: "label " + p + " " + want, Actions: []remediate.Action{
		remediate.Run("make "+want+" the policy's label for the path", "semanage", "fcontext", "-a", "-t", want, p),
		remediate.Run("apply the policy's label", "restorecon", "-v", p),
	}}
}
