package cabundle

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

type containsCheck struct {
	engine.Base
	st  *shared
	req requirement
}

func (c *containsCheck) Run(_ context.Context, h *host.Host) engine.Result {
	hs := c.st.on(h)
	res := engine.Result{Details: map[string]any{"name": c.req.name}}
	sys := hs.systemBundle()
	res.Details["bundle"] = sys.path
	switch classify(h, sys.err) {
	case readOK:
	case readNeedsRoot:
		return engine.SkipNeedsRoot(res, sys.err)
	case readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read the CA bundle: %v", sys.err)
		return res
	case readMissing:
		res.Status, res.Message = engine.Fail, "no CA bundle to find it in (see cabundle/present)"
		return res
	}
	if c.req.hasSum {
		return c.bySum(res, sys)
	}
	return c.byFile(h, hs, res, sys)
}

func (c *containsCheck) bySum(res engine.Result, sys *systemBundle) engine.Result {
	want := "sha256:" + hex.EncodeToString(c.req.sha256[:])
	res.Details["fingerprint"] = want
	var ignored *cert
	for _, cert := range sys.bundle.certs {
		if cert.sha256 == c.req.sha256 && !cert.goUsable {
			ignored = cert
		}
		if cert.sha256 == c.req.sha256 && cert.goUsable {
			res.Status = engine.Pass
			res.Observed = name(cert.Subject) + " in " + sys.path
			res.Message = fmt.Sprintf("found at line %d", cert.line)
			res.Details["subject"] = cert.Subject.String()
			return res
		}
	}
	res.Status = engine.Fail
	res.Observed = "not in " + sys.path
	res.Message = fmt.Sprintf("no certificate in %s has the fingerprint %s: peers whose chains end at that CA fail with \"certificate signed by unknown authority\"", sys.path, want)
	if ignored != nil {
		res.Observed = "only in a block Go ignores"
		res.Message = fmt.Sprintf("%s is in %s only as %s at line %d, which Go ignores: peers whose chains end at that CA fail with \"certificate signed by unknown authority\"",
			name(ignored.Subject), sys.path, ignoredHow(ignored), ignored.line)
	}
	res.Remediation = trustPlan(c.st.facts, "trust the CA "+c.req.name, "", false, "the CA certificate with fingerprint "+want, "golive-required-"+hex.EncodeToString(c.req.sha256[:6]))
	return res
}

func (c *containsCheck) byFile(h *host.Host, hs *hostState, res engine.Result, sys *systemBundle) engine.Result {
	res.Details["file"] = c.req.file
	b, err := hs.bundle(c.req.file)
	switch classify(h, err) {
	case readMissing:
		res.Status, res.Observed = engine.Fail, "CA file missing"
		res.Message = c.req.file + " does not exist: deploy the CA file (the profile says the service needs it)"
		return res
	case readNeedsRoot:
		return engine.SkipNeedsRoot(res, err)
	case readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read %s: %v", c.req.file, err)
		return res
	}
	if len(b.certs) == 0 {
		res.Status, res.Observed = engine.Error, "no certificate"
		res.Message = c.req.file + " holds no certificate (neither PEM nor DER)"
		return res
	}
	// Only what Go takes from the bundle counts: a CA present only as a
	// TRUSTED CERTIFICATE block (OpenSSL's format) is not in a Go pool.
	goCerts := sys.bundle.goCerts()
	var in, out, ignored []string
	for _, cert := range b.certs {
		switch {
		case findCert(goCerts, cert.Certificate) != nil:
			in = append(in, name(cert.Subject))
		case findCert(sys.bundle.certs, cert.Certificate) != nil:
			ignored = append(ignored, name(cert.Subject))
			out = append(out, name(cert.Subject))
		default:
			out = append(out, name(cert.Subject))
		}
	}
	res.Details["in_bundle"] = nonNilStrings(in)
	res.Details["missing"] = nonNilStrings(out)
	res.Details["ignored_by_go"] = nonNilStrings(ignored)
	if len(out) == 0 {
		res.Status = engine.Pass
		res.Observed = strings.Join(in, ", ") + " in " + sys.path
		res.Message = fmt.Sprintf("every certificate of %s is in the bundle", c.req.file)
		return res
	}
	res.Status = engine.Fail
	res.Observed = "missing: " + strings.Join(out, ", ")
	res.Message = fmt.Sprintf("%s from %s %s not in %s: peers it signs fail with \"certificate signed by unknown authority\"",
		plural(len(out), "certificate"), c.req.file, isAre(len(out)), sys.path)
	if len(ignored) > 0 {
		res.Message += fmt.Sprintf(" (%s there only as TRUSTED CERTIFICATE or header-carrying blocks, which Go ignores)", strings.Join(ignored, ", "))
	}
	res.Remediation = trustPlan(c.st.facts, "trust the CA "+c.req.name, c.req.file, b.der, c.req.name, c.req.name)
	return res
}

// ignoredHow names the kind of block Go skipped.
func ignoredHow(c *cert) string {
	if c.trusted {
		return "a TRUSTED CERTIFICATE block (OpenSSL's trust format)"
	}
	return "a CERTIFICATE block with PEM headers"
}
