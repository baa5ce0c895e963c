package cabundle

import (
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// Check categories: the bundle, certificate files, TLS endpoints.
const (
	catBundle = "cabundle"
	catCert   = "cert"
	catTLS    = "tls"
)

const goSearch = "when the profile names no bundle (facts.ca_bundle), the first readable file of Go's list: " +
	"/etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt, /etc/ssl/ca-bundle.pem, /etc/pki/tls/cacert.pem, " +
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem, /etc/ssl/cert.pem"

const goRootsRead = "the roots a Go program loads (crypto/x509 on Linux): SSL_CERT_FILE or the first readable of Go's file list, " +
	"plus every file in SSL_CERT_DIR or /etc/ssl/certs and /etc/pki/tls/certs, read under the root"

func explain(id string) (engine.Meta, bool) {
	switch id {
	case "cabundle/present":
		return metaPresent(distroFacts{}, defaultMinCerts), true
	case "cabundle/expiry":
		return metaExpiry(defaultExpiryDays), true
	case "cabundle/anchors":
		return metaAnchors(distroFacts{}), true
	}
	if parts, ok := engine.ParseID(id); ok && parts.Target != "" {
		switch {
		case parts.Category == catBundle && parts.Name == "contains":
			return metaContains(parts.Target), true
		case parts.Category == catCert && parts.Name == "file":
			return metaCertFile(parts.Target, defaultExpiryDays), true
		}
	}
	return engine.Meta{}, false
}

func explainTLS(id string) (engine.Meta, bool) {
	if parts, ok := engine.ParseID(id); ok && parts.Category == catTLS && parts.Name == "endpoint" && parts.Target != "" {
		return metaEndpoint(parts.Target, defaultExpiryDays), true
	}
	return engine.Meta{}, false
}

func bundleName(f distroFacts) string {
	if f.CABundle != "" {
		return f.CABundle
	}
	return "the system CA bundle"
}

func metaPresent(f distroFacts, minCerts int) engine.Meta {
	return engine.Meta{
		ID: "cabundle/present", Category: catBundle, Title: "system CA bundle present and usable by Go",
		Expected: fmt.Sprintf(">= %d certificates Go can load from %s", minCerts, bundleName(f)),
		Level:    profile.LevelFail, Severity: "critical",
		Reads: []string{
			"the profile's facts.ca_bundle, following symlinks inside the root; " + goSearch,
			goRootsRead,
			"the service unit (service.unit) and its drop-ins and EnvironmentFile= files, for SSL_CERT_FILE and SSL_CERT_DIR",
		},
		Why: "every TLS connection a Go service makes is verified against these roots; a missing, empty or truncated bundle gives " +
			"\"x509: certificate signed by unknown authority\" for every endpoint (minimal images often lack ca-certificates), " +
			"and SSL_CERT_FILE in the unit silently replaces the bundle",
		Fix: "install (or reinstall) the distro's ca-certificates package and rebuild the bundle with its update command; " +
			"point SSL_CERT_FILE at the system bundle or remove it",
	}
}

func metaExpiry(window int) engine.Meta {
	return engine.Meta{
		ID: "cabundle/expiry", Category: catBundle, Title: "no expired local or required CA, no CA dated in the future",
		Expected: fmt.Sprintf("no local anchor or required CA expired or expiring within %d days; no certificate not yet valid", window),
		Level:    profile.LevelFail, Severity: "medium",
		Reads: []string{"the bundle cabundle/present found", "the anchor directory (facts.ca_anchor_dir)", "the files cabundle.require names"},
		Why: "a CA the service requires that has expired breaks every peer it signed; an expired local CA is a leftover someone installed; " +
			"a certificate not yet valid means the host clock is wrong. Expired roots the distro's bundle still ships are harmless " +
			"(Go cannot build a chain through an expired root) and only listed",
		Fix: "replace an expired required CA with its successor; remove or replace an expired local CA in the anchor directory and rebuild the bundle; fix the clock",
	}
}

func metaAnchors(f distroFacts) engine.Meta {
	dir := f.CAAnchorDir
	if dir == "" {
		dir = "the anchor directory (facts.ca_anchor_dir)"
	}
	fix := "rebuild the bundle with the distro's update command (update-ca-trust extract, update-ca-certificates)"
	if len(f.CAUpdateCommand) > 0 {
		fix = "rebuild the bundle: " + strings.Join(f.CAUpdateCommand, " ")
	}
	return engine.Meta{
		ID: "cabundle/anchors", Category: catBundle, Title: "local CAs are in the bundle",
		Expected: "every certificate in " + dir + " is in the bundle",
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{dir + " (update-ca-trust reads every file; update-ca-certificates only *.crt, recursively), PEM or DER",
			"the bundle cabundle/present found"},
		Why: "a CA copied into the anchor directory is trusted only after the bundle is rebuilt; until then services fail with " +
			"\"certificate signed by unknown authority\" although the CA looks installed",
		Fix: fix,
	}
}

func metaContains(name string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(catBundle, "contains", name), Category: catBundle, Title: "required CA in the system bundle: " + name,
		Expected: name + " is in the bundle", Level: profile.LevelFail, Severity: "high",
		Reads: []string{"the CA file named (PEM or DER), or its SHA-256 fingerprint", "the bundle cabundle/present found"},
		Why:   "the service talks to peers whose certificates this CA signs (an internal CA for etcd, a database); without it in the bundle every connection fails verification",
		Fix:   "copy the CA into the anchor directory and rebuild the bundle",
	}
}

func metaCertFile(p string, window int) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(catCert, "file", p), Category: catCert, Title: "certificate file " + p,
		Expected: fmt.Sprintf("parses, valid for more than %d days, key matches, chain verifies", window),
		Level:    profile.LevelFail, Severity: "high",
		Reads: []string{p + " (PEM or DER; the first certificate is the leaf, the rest are intermediates)",
			"the key file (PKCS#1, PKCS#8 or SEC1; compared by public key, never printed)",
			"the ca: file, else " + goRootsRead},
		Why: "an expired certificate, a key that belongs to another certificate, or a chain the peers cannot verify stops the service at its first TLS handshake",
		Fix: "renew or reissue the certificate; deploy the key that belongs to it; include the intermediates in the certificate file",
	}
}

func metaEndpoint(addr string, window int) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(catTLS, "endpoint", addr), Category: catTLS, Title: "TLS endpoint " + addr,
		Expected: fmt.Sprintf("handshake; chain verifies against the host's Go roots; name matches; valid for more than %d days", window),
		Level:    profile.LevelFail, Severity: "high", Network: true,
		Reads: []string{goRootsRead + " (or the endpoint's ca_file)",
			"the service unit's SSL_CERT_FILE / SSL_CERT_DIR when service.unit is set",
			"a TCP connection and TLS handshake from this machine (no application data is sent)"},
		Why: "what the service will see at its first connection: DNS, a refused or filtered port, a handshake that never completes, or " +
			"\"x509: certificate signed by unknown authority\" because its issuer is not in this host's bundle",
		Fix: "add the issuing CA to the anchor directory and rebuild the bundle; fix the name (server_name) or renew the certificate",
	}
}
