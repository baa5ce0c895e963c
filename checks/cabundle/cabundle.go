// Package cabundle checks what a Go service on the host will trust: the
// system CA bundle (present, parses, enough certificates, nothing expired,
// not stale against the local anchors, holding the CAs the service needs),
// the certificate files the service uses, and — with the network — TLS
// endpoints verified exactly as a Go client on this host verifies them.
//
// Go on Linux does not use the distro's trust tooling: crypto/x509 reads the
// first readable file of a fixed list (or SSL_CERT_FILE) plus every file in
// two directories (or SSL_CERT_DIR). The checks read the same files under
// the root, so "x509: certificate signed by unknown authority" can be
// predicted before go-live. See DOCS.md for the checks and their verdicts.
//
// Profile sections:
//
//	cabundle:
//	  min_certs: 10          # fewer Go-usable certificates fail
//	  expiry_days: 30        # warning window for the bundle and cert files
//	  require:               # CAs the service needs in the system bundle
//	    - /etc/ssl/etcd/ca.pem
//	    - sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//	    - {name: etcd-ca, file: /etc/ssl/etcd/ca.pem}
//	  certs:                 # certificate files the service uses
//	    - {cert: /etc/ssl/etcd/client.pem, key: /etc/ssl/etcd/client-key.pem, ca: /etc/ssl/etcd/ca.pem}
//	tls:
//	  expiry_days: 30
//	  endpoints:
//	    - db.internal.example.com:443
//	    - {address: 10.0.0.11:2379, server_name: etcd1.internal, ca_file: /etc/ssl/etcd/ca.pem}
package cabundle

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"net"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// The profile sections this package registers.
const (
	kind    = "cabundle"
	kindTLS = "tls"
)

// Defaults a profile can override.
const (
	// defaultMinCerts: every distro bundle holds 100+ public roots; one
	// with fewer than 10 was truncated, or overwritten with a private CA
	// (`cat internal-ca.pem > ca-bundle.crt`), and public endpoints fail.
	// A deliberately private-only trust store sets min_certs: 1.
	defaultMinCerts = 10
	// defaultExpiryDays is the warning window before a NotAfter.
	defaultExpiryDays = 30
)

type section struct {
	MinCerts   *int        `yaml:"min_certs" doc:"The fewest Go-usable certificates the system bundle may hold." default:"10" min:"0" max:"5000"`
	ExpiryDays *int        `yaml:"expiry_days" doc:"Warn when a certificate expires within this many days." default:"30" min:"0" max:"3650"`
	Require    []yaml.Node `yaml:"require" shape:"require" doc:"CAs the service needs in the system bundle."` // a value: a path or fingerprint, or a mapping
	Certs      []yaml.Node `yaml:"certs" shape:"certs" doc:"Certificate files the service uses."`
}

type requireEntry struct {
	Name   string `yaml:"name" doc:"The CA's name in the check ID (cabundle/contains:<name>)."`
	File   string `yaml:"file" doc:"A PEM file holding the CA (absolute path; one of file, sha256)."`
	SHA256 string `yaml:"sha256" doc:"The CA certificate's SHA-256 fingerprint."`
}

type certEntry struct {
	Cert string `yaml:"cert" doc:"The certificate file (absolute path)." required:"true"`
	Key  string `yaml:"key" doc:"Its private key, checked to match."`
	CA   string `yaml:"ca" doc:"The CA file its chain must verify against."`
}

type tlsSection struct {
	ExpiryDays *int        `yaml:"expiry_days" doc:"Warn when an endpoint's certificate expires within this many days." default:"30" min:"0" max:"3650"`
	Endpoints  []yaml.Node `yaml:"endpoints" shape:"endpoints" doc:"TLS endpoints the service talks to."`
}

type endpointEntry struct {
	Address    string `yaml:"address" doc:"host:port (IPv6 as [addr]:port)." required:"true"`
	ServerName string `yaml:"server_name" doc:"The name to verify instead of the host."`
	CAFile     string `yaml:"ca_file" doc:"CA bundle to verify with instead of the host's."`
}

// doc and docTLS are the family's sections of docs/checks.md.
var (
	//go:embed doc.md
	doc string
	//go:embed tls.md
	docTLS string
)

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "The system CA bundle and the service's certificate files.", profile.Named{
				"require": profile.ListOf("", "", profile.OneOf("", "", profile.Text("A CA file path or sha256:<hex>.", ""), profile.Of(requireEntry{}, "A named CA."))),
				"certs":   profile.ListOf("", "", profile.OneOf("", "", profile.Text("A certificate path.", ""), profile.Of(certEntry{}, "A certificate with its key and CA."))),
			})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`cabundle/present`", Example: "cabundle/present"},
			{Heading: "`cabundle/expiry`", Example: "cabundle/expiry"},
			{Heading: "`cabundle/anchors`", Example: "cabundle/anchors"},
			{Heading: "`cabundle/contains:<name>`", Example: "cabundle/contains:corp-root"},
			{Heading: "`cert/file:<path>`", Example: "cert/file:/etc/ssl/app/server.pem"},
		},
	})
	engine.Register(engine.Family{
		Name: kindTLS, Build: buildTLS, Explain: explainTLS, Doc: docTLS,
		Section: func() *profile.Shape {
			return profile.Describe(tlsSection{}, "TLS endpoints the service talks to, checked from this host.", profile.Named{
				"endpoints": profile.ListOf("", "", profile.OneOf("", "", profile.Text("host:port.", "db.internal.example.com:443"), profile.Of(endpointEntry{}, "An endpoint with its own name or CA."))),
			})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`tls/endpoint:<host:port>`", Example: "tls/endpoint:db.internal.example.com:443"},
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
	minCerts, err := intField(p, sec, "min_certs", s.MinCerts, defaultMinCerts, 0, maxCerts)
	if err != nil {
		return nil, err
	}
	window, err := intField(p, sec, "expiry_days", s.ExpiryDays, defaultExpiryDays, 0, 3650)
	if err != nil {
		return nil, err
	}
	st := newShared(p)
	expiry := &expiryCheck{Base: engine.Base{M: metaExpiry(window)}, st: st, window: window}
	checks := []engine.Check{
		&presentCheck{Base: engine.Base{M: metaPresent(factsOf(p), minCerts)}, st: st, minCerts: minCerts},
		expiry,
		&anchorsCheck{Base: engine.Base{M: metaAnchors(factsOf(p))}, st: st},
	}
	seen := map[string]bool{}
	for _, n := range items(sec, "require") {
		r, err := parseRequire(p, n)
		if err != nil {
			return nil, err
		}
		if seen[r.name] {
			return nil, p.Errorf(n, "cabundle.require: %q is listed twice", r.name)
		}
		seen[r.name] = true
		expiry.reqs = append(expiry.reqs, r)
		m := metaContains(r.name)
		m.Where = p.Where(n)
		checks = append(checks, &containsCheck{Base: engine.Base{M: m}, st: st, req: r})
	}
	for _, n := range items(sec, "certs") {
		e, err := parseCertEntry(p, n)
		if err != nil {
			return nil, err
		}
		if seen["cert:"+e.Cert] {
			return nil, p.Errorf(n, "cabundle.certs: %s is listed twice", e.Cert)
		}
		seen["cert:"+e.Cert] = true
		m := metaCertFile(e.Cert, window)
		m.Where = p.Where(n)
		checks = append(checks, &certFileCheck{Base: engine.Base{M: m}, st: st, entry: e, window: window})
	}
	return checks, nil
}

func buildTLS(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil {
		return nil, nil
	}
	var s tlsSection
	if err := p.DecodeStrict(sec, &s); err != nil {
		return nil, err
	}
	window, err := intField(p, sec, "expiry_days", s.ExpiryDays, defaultExpiryDays, 0, 3650)
	if err != nil {
		return nil, err
	}
	st := newShared(p)
	var checks []engine.Check
	seen := map[string]bool{}
	for _, n := range items(sec, "endpoints") {
		e, err := parseEndpoint(p, n)
		if err != nil {
			return nil, err
		}
		if seen[e.Address] {
			return nil, p.Errorf(n, "tls.endpoints: %s is listed twice", e.Address)
		}
		seen[e.Address] = true
		m := metaEndpoint(e.Address, window)
		m.Where = p.Where(n)
		checks = append(checks, newEndpointCheck(m, st, e, window))
	}
	return checks, nil
}

// items returns the original nodes of a sequence field, which know the
// file they came from (decoded copies do not).
func items(sec *yaml.Node, key string) []*yaml.Node {
	if sec == nil {
		return nil
	}
	n := profile.FieldNode(sec, key)
	if n == sec || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func intField(p *profile.Profile, sec *yaml.Node, key string, v *int, def, lo, hi int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < lo || *v > hi {
		return 0, p.Errorf(profile.FieldNode(sec, key), "%s: must be between %d and %d, not %d", key, lo, hi, *v)
	}
	return *v, nil
}

// requirement is one cabundle.require entry: a file or a fingerprint.
type requirement struct {
	name   string
	file   string
	sha256 [32]byte
	hasSum bool
}

func parseRequire(p *profile.Profile, n *yaml.Node) (requirement, error) {
	var e requireEntry
	switch n.Kind {
	case yaml.ScalarNode:
		v := strings.TrimSpace(n.Value)
		if strings.HasPrefix(v, "/") {
			e.File = v
		} else {
			e.SHA256 = v
		}
	case yaml.MappingNode:
		if err := p.DecodeStrict(n, &e); err != nil {
			return requirement{}, err
		}
		if (e.File == "") == (e.SHA256 == "") {
			return requirement{}, p.Errorf(n, "cabundle.require: give exactly one of file: or sha256:")
		}
	default:
		return requirement{}, p.Errorf(n, "cabundle.require: expected a CA file path, \"sha256:<hex>\", or {name:, file:|sha256:}")
	}
	r := requirement{name: e.Name, file: e.File}
	if e.File != "" {
		if !path.IsAbs(e.File) {
			return r, p.Errorf(n, "cabundle.require: %q must be an absolute path inside the host", e.File)
		}
		r.file = path.Clean(e.File)
		if r.name == "" {
			r.name = r.file
		}
		return r, nil
	}
	sum, err := parseFingerprint(e.SHA256)
	if err != nil {
		return r, p.Errorf(n, "cabundle.require: %q: %v (a path must start with /)", e.SHA256, err)
	}
	r.sha256, r.hasSum = sum, true
	if r.name == "" {
		r.name = "sha256:" + hex.EncodeToString(sum[:])
	}
	return r, nil
}

// parseFingerprint accepts "sha256:<64 hex>", also as openssl prints it
// (upper case, colon-separated bytes).
func parseFingerprint(s string) ([32]byte, error) {
	var sum [32]byte
	h, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(s)), "sha256:")
	if !ok {
		return sum, errors.New("not a SHA-256 fingerprint: expected sha256:<64 hex digits>")
	}
	b, err := hex.DecodeString(strings.ReplaceAll(h, ":", ""))
	if err != nil || len(b) != sha256.Size {
		return sum, errors.New("not a SHA-256 fingerprint: expected 64 hex digits after the sha256 prefix")
	}
	copy(sum[:], b)
	return sum, nil
}

func parseCertEntry(p *profile.Profile, n *yaml.Node) (certEntry, error) {
	var e certEntry
	switch n.Kind {
	case yaml.ScalarNode:
		e.Cert = strings.TrimSpace(n.Value)
	case yaml.MappingNode:
		if err := p.DecodeStrict(n, &e); err != nil {
			return e, err
		}
	default:
		return e, p.Errorf(n, "cabundle.certs: expected a certificate path or {cert:, key:, ca:}")
	}
	if e.Cert == "" {
		return e, p.Errorf(n, "cabundle.certs: cert: is required")
	}
	for _, f := range []*string{&e.Cert, &e.Key, &e.CA} {
		if *f == "" {
			continue
		}
		if !path.IsAbs(*f) {
			return e, p.Errorf(n, "cabundle.certs: %q must be an absolute path inside the host", *f)
		}
		*f = path.Clean(*f)
	}
	return e, nil
}

func parseEndpoint(p *profile.Profile, n *yaml.Node) (endpointEntry, error) {
	var e endpointEntry
	switch n.Kind {
	case yaml.ScalarNode:
		e.Address = strings.TrimSpace(n.Value)
	case yaml.MappingNode:
		if err := p.DecodeStrict(n, &e); err != nil {
			return e, err
		}
	default:
		return e, p.Errorf(n, "tls.endpoints: expected host:port or {address:, server_name:, ca_file:}")
	}
	host, port, err := net.SplitHostPort(e.Address)
	if err != nil || host == "" {
		return e, p.Errorf(n, "tls.endpoints: %q is not host:port (write IPv6 as [addr]:port)", e.Address)
	}
	if pn, err := strconv.Atoi(port); err != nil || pn < 1 || pn > 65535 {
		return e, p.Errorf(n, "tls.endpoints: %q: port must be a number from 1 to 65535", e.Address)
	}
	if e.CAFile != "" {
		if !path.IsAbs(e.CAFile) {
			return e, p.Errorf(n, "tls.endpoints: ca_file %q must be an absolute path inside the host", e.CAFile)
		}
		e.CAFile = path.Clean(e.CAFile)
	}
	return e, nil
}
