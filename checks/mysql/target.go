package mysql

import (
	"crypto/tls"
	"fmt"
	"net"

	mysqldrv "github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/host"
)

// target is a server's DSN made ready to dial: the driver configuration
// (password included), how it is shown, and the secrets to keep out of
// every output.
type target struct {
	cfg     *mysqldrv.Config
	shown   string
	secrets []string
	tlsMode string
}

// resolve loads the DSN and the password and builds the TLS configuration.
func (s *server) resolve(h *host.Host) (*target, *failure) {
	raw, source := s.dsn, "dsn"
	if raw == "" {
		var err error
		if raw, err = depcheck.LoadSecret(h, s.dsnEnv, s.dsnFile); err != nil {
			return nil, configFailure(err.Error())
		}
		source = "dsn_env " + s.dsnEnv
		if s.dsnFile != "" {
			source = "dsn_file " + s.dsnFile
		}
	}
	cfg, err := parseDSN(raw)
	if err != nil {
		return nil, configFailure(source + ": " + err.Error())
	}
	t := &target{cfg: cfg, secrets: []string{cfg.Passwd}}
	if s.passwordEnv != "" || s.passwordFile != "" {
		if cfg.Passwd != "" {
			return nil, configFailure(source + " already holds a password, and password_env/password_file gives another: keep one")
		}
		pw, err := depcheck.LoadSecret(h, s.passwordEnv, s.passwordFile)
		if err != nil {
			return nil, configFailure(err.Error())
		}
		cfg.Passwd = pw
		t.secrets = append(t.secrets, pw)
	}
	switch cfg.Net {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return nil, configFailure(fmt.Sprintf("%s: network %q is not supported (tcp or unix)", source, clip(cfg.Net, 32)))
	}
	t.shown = depcheck.Redact(redactedDSN(cfg), t.secrets...)
	if f := s.setTLS(h, t); f != nil {
		return nil, f
	}
	return t, nil
}

// setTLS builds the TLS configuration: from the profile's files when it
// names any, else from the DSN's tls parameter, read as the driver reads it.
func (s *server) setTLS(h *host.Host, t *target) *failure {
	cfg := t.cfg
	hostName, _, _ := net.SplitHostPort(cfg.Addr)
	name := s.serverName
	if name == "" {
		name = hostName
	}
	verified := func(files depcheck.TLSFiles) *failure {
		c, err := depcheck.TLSConfig(h, files, name)
		if err != nil {
			return configFailure(err.Error())
		}
		cfg.TLS, t.tlsMode = c, tlsVerified
		return nil
	}
	switch {
	case s.tlsFromProfile():
		return verified(s.tls)
	case cfg.TLSConfig == "" || cfg.TLSConfig == "false":
		t.tlsMode = tlsOff
		return nil
	case cfg.TLSConfig == "true":
		return verified(depcheck.TLSFiles{})
	case cfg.TLSConfig == tlsSkipVerify || cfg.TLSConfig == tlsPreferred:
		cfg.TLS, t.tlsMode = &tls.Config{InsecureSkipVerify: true}, tlsUnverified // #nosec G402 -- the DSN asks for it; reported as a warning
		cfg.AllowFallbackToPlaintext = cfg.TLSConfig == tlsPreferred
		return nil
	}
	return configFailure(fmt.Sprintf("the DSN's tls=%s names a TLS configuration the service registers in its own code; give ca_file (and cert_file, key_file) in the profile so golive can build the same", clip(cfg.TLSConfig, 64)))
}
