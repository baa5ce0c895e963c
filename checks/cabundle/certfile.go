package cabundle

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type certFileCheck struct {
	engine.Base
	st     *shared
	entry  certEntry
	window int
}

func (c *certFileCheck) Run(_ context.Context, h *host.Host) engine.Result {
	hs := c.st.on(h)
	e := c.entry
	res := engine.Result{Details: map[string]any{"cert_file": e.Cert}}
	b, err := hs.bundle(e.Cert)
	switch classify(h, err) {
	case readMissing:
		res.Status, res.Observed = engine.Fail, "missing"
		res.Message = e.Cert + " does not exist: the service cannot load its certificate"
		return res
	case readNeedsRoot:
		return engine.SkipNeedsRoot(res, err)
	case readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read %s: %v", e.Cert, err)
		return res
	}
	if len(b.certs) == 0 {
		res.Status, res.Observed = engine.Fail, "no certificate"
		res.Message = e.Cert + " holds no certificate that parses"
		if len(b.malformed) > 0 {
			res.Message += " (" + problemList(b.malformed) + ")"
		}
		return res
	}
	// The first certificate is the leaf, the rest are intermediates: what
	// crypto/tls.LoadX509KeyPair does with the same file.
	leaf := b.certs[0].Certificate
	ci := info(leaf)
	res.Details["certificate"] = ci
	res.Details["intermediates"] = chainNames(certsOf(b.certs[1:]))
	res.Observed = fmt.Sprintf("%s, %s, expires %s", name(leaf.Subject), ci.KeyType, day(leaf.NotAfter))

	var v verdict
	now := h.Now()
	c.judgeDates(&v, leaf, now, res.Details)
	keyNeedsRoot := c.judgeKey(&v, hs, b, leaf, res.Details)
	c.judgeChain(&v, hs, b, leaf, now, res.Details)
	if keyNeedsRoot != "" {
		if len(v.fails)+len(v.warns) == 0 {
			res.Status, res.Message = engine.Skip, engine.NeedsRoot("cannot read the key "+keyNeedsRoot+" to check it belongs to the certificate")
			return res
		}
		v.warn("the key %s was not checked (needs root)", keyNeedsRoot)
	}
	v.apply(&res, fmt.Sprintf("valid until %s; %s", day(leaf.NotAfter), c.passDetail(res.Details)))
	return res
}

func (c *certFileCheck) passDetail(d map[string]any) string {
	parts := []string{}
	if d["key_matches"] == true {
		parts = append(parts, "key matches")
	}
	if v, ok := d["verified_chain"].([]string); ok {
		parts = append(parts, "chain verifies: "+strings.Join(v, " <- "))
	}
	return strings.Join(parts, "; ")
}

func (c *certFileCheck) judgeDates(v *verdict, leaf *x509.Certificate, now time.Time, d map[string]any) {
	days := int(leaf.NotAfter.Sub(now).Hours() / 24)
	d["days_left"] = days
	switch {
	case now.After(leaf.NotAfter):
		v.fail("the certificate expired on %s (%d days ago): peers reject it", day(leaf.NotAfter), -days)
		v.fix(renewPlan(c.entry.Cert, "renew the expired certificate"))
	case now.Before(leaf.NotBefore):
		v.fail("the certificate is not valid before %s: check the host clock or the certificate's dates", leaf.NotBefore.UTC().Format(time.RFC3339))
	case now.AddDate(0, 0, c.window).After(leaf.NotAfter):
		v.warn("the certificate expires on %s, within %d days", day(leaf.NotAfter), c.window)
		v.fix(renewPlan(c.entry.Cert, "renew the certificate before it expires"))
	}
}

// judgeKey compares the key file's public key with the certificate's. The
// key file's contents never reach a message: only its path, its format and
// whether it matches. It returns the key path when it could not be read
// for want of root.
func (c *certFileCheck) judgeKey(v *verdict, hs *hostState, b *bundle, leaf *x509.Certificate, d map[string]any) string {
	keyPath := c.entry.Key
	if keyPath == "" && holdsKey(b) {
		keyPath = c.entry.Cert // a combined cert+key file
	}
	if keyPath == "" {
		return ""
	}
	d["key_file"] = keyPath
	d["key_matches"] = nil
	data, err := hs.readFile(keyPath, maxKeySize)
	switch classify(hs.h, err) {
	case readMissing:
		v.fail("the key file %s does not exist", keyPath)
		return ""
	case readNeedsRoot:
		return keyPath
	case readBroken:
		v.fail("cannot read the key file %s: %v", keyPath, err)
		return ""
	}
	k, err := parseKeyFile(data)
	clear(data)
	switch {
	case errors.Is(err, errKeyEncrypted):
		d["key_format"] = "encrypted"
		v.warn("%s: %v", keyPath, err)
		return ""
	case err != nil:
		v.fail("%s: %v", keyPath, err)
		return ""
	}
	d["key_format"] = k.format
	d["key_type"] = keyType(k.public)
	if !k.matches(leaf) {
		d["key_matches"] = false
		v.fail("the key in %s (%s) does not belong to the certificate (%s): the public keys differ, so the TLS handshake fails",
			keyPath, keyType(k.public), keyType(leaf.PublicKey))
		v.fix(&remediate.Plan{Summary: "deploy the matching key", Actions: []remediate.Action{remediate.Tell(
			fmt.Sprintf("deploy the private key that was issued with %s (or reissue the certificate for the key in %s)", c.entry.Cert, keyPath))}})
		return ""
	}
	d["key_matches"] = true
	return ""
}

func holdsKey(b *bundle) bool {
	for _, o := range b.other {
		if strings.HasSuffix(o.Type, "PRIVATE KEY") {
			return true
		}
	}
	return false
}

// judgeChain verifies the leaf against the ca: file or the roots the
// service's Go TLS stack loads, with the file's other certificates as
// intermediates. Dates are the leaf's own finding, so the chain is
// verified at a time inside the leaf's validity.
func (c *certFileCheck) judgeChain(v *verdict, hs *hostState, b *bundle, leaf *x509.Certificate, now time.Time, d map[string]any) {
	roots, desc, ok := c.roots(v, hs, d)
	if !ok {
		return
	}
	d["roots"] = desc
	inter := x509.NewCertPool()
	for _, ic := range b.certs[1:] {
		inter.AddCert(ic.Certificate)
	}
	at := now
	if at.After(leaf.NotAfter) {
		at = leaf.NotAfter
	}
	if at.Before(leaf.NotBefore) {
		at = leaf.NotBefore
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		p := depcheck.DescribeVerify(err, at, desc)
		d["chain_reason"] = p.Reason
		v.fail("the chain does not verify: %s", p.Msg)
		if p.Reason == reasonUnknownAuthority {
			v.fix(trustPlan(c.st.facts, "trust the CA that issued "+c.entry.Cert, "", false, "the CA certificate "+name(p.Orphan.Issuer), name(p.Orphan.Issuer)))
		}
		return
	}
	d["verified_chain"] = chainNames(chains[0])
}

func (c *certFileCheck) roots(v *verdict, hs *hostState, d map[string]any) (*x509.CertPool, string, bool) {
	if c.entry.CA == "" {
		r := hs.serviceRoots()
		return r.pool, "the Go roots of this host (" + r.describe() + ")", true
	}
	d["ca_file"] = c.entry.CA
	cb, err := hs.bundle(c.entry.CA)
	switch classify(hs.h, err) {
	case readOK:
	case readMissing:
		v.fail("the CA file %s does not exist", c.entry.CA)
		return nil, "", false
	default:
		v.warn("the chain was not checked: cannot read %s: %v", c.entry.CA, err)
		return nil, "", false
	}
	if len(cb.certs) == 0 {
		v.fail("the CA file %s holds no certificate", c.entry.CA)
		return nil, "", false
	}
	cas := cb.goCerts()
	if len(cas) == 0 {
		v.fail("the CA file %s holds no certificate a Go program loads (only TRUSTED CERTIFICATE blocks, blocks with headers, or DER): x509.CertPool.AppendCertsFromPEM takes nothing from it", c.entry.CA)
		return nil, "", false
	}
	pool := x509.NewCertPool()
	for _, ca := range cas {
		pool.AddCert(ca.Certificate)
	}
	return pool, c.entry.CA, true
}

func renewPlan(cert, summary string) *remediate.Plan {
	return &remediate.Plan{Summary: summary, Actions: []remediate.Action{remediate.Tell("renew " + cert + " with its CA, deploy it, and reload the service")}}
}

func certsOf(cs []*cert) []*x509.Certificate {
	out := make([]*x509.Certificate, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Certificate)
	}
	return out
}
