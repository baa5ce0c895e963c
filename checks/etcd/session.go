package etcd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/url"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/host"
)

// session is what one check run connects with: the TLS configuration and
// the password, read from the host when the check starts.
type session struct {
	set      *settings
	tls      *tls.Config // nil for http:// endpoints
	password string
	// clientCert is our client certificate, for messages about it.
	clientCert *x509.Certificate
	// roots names the trusted roots in unknown-authority messages.
	roots string
}

func (set *settings) open(h *host.Host) (*session, error) {
	ss := &session{set: set, roots: "the Go roots of this host"}
	if set.tls.CA != "" {
		ss.roots = "ca_file " + set.tls.CA
	}
	if set.secure {
		cfg, err := depcheck.TLSConfig(h, set.tls, set.serverName)
		if err != nil {
			return nil, err
		}
		ss.tls = cfg
		if len(cfg.Certificates) > 0 {
			ss.clientCert = cfg.Certificates[0].Leaf
		}
	}
	if set.username != "" {
		pw, err := depcheck.LoadSecret(h, set.passwordEnv, set.passwordFile)
		if err != nil {
			return nil, err
		}
		ss.password = pw
	}
	return ss, nil
}

// tlsFor is the TLS configuration for one URL: the server name is the
// profile's server_name, else the URL's host, as the etcd client does.
func (ss *session) tlsFor(u string) *tls.Config {
	if ss.tls == nil {
		return nil
	}
	cfg := ss.tls.Clone()
	if cfg.ServerName == "" {
		if p, err := url.Parse(u); err == nil {
			cfg.ServerName = p.Hostname()
		}
	}
	return cfg
}

// classify names a failure, with our client certificate's dates when the
// server rejected it and the password masked in every text.
func (ss *session) classify(ctx context.Context, err error) depcheck.Failure {
	f := classify(ctx, err, ss.roots)
	switch f.TLSReason {
	case depcheck.ReasonClientExpired, depcheck.ReasonBadCertificate, depcheck.ReasonClientUnknownAuthority:
		if c := ss.clientCert; c != nil {
			f.Message += "; our client certificate " + ss.set.tls.Cert + " is " + depcheck.CertName(c.Subject) +
				" issued by " + depcheck.CertName(c.Issuer) + ", valid " + c.NotBefore.UTC().Format(time.DateOnly) + " to " + c.NotAfter.UTC().Format(time.DateOnly)
		}
	}
	f.Message = depcheck.Redact(f.Message, ss.password)
	return f
}

// connect opens a client on one URL and, when a username is set,
// authenticates, so wrong credentials fail here.
func (ss *session) connect(ctx context.Context, u string) (*client, error) {
	c := &client{rpcConn: newRPCConn(u, ss.tlsFor(u)), username: ss.set.username, password: ss.password}
	if err := c.authenticate(ctx); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}
