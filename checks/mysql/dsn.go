package mysql

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	driver "github.com/go-sql-driver/mysql"
)

// maxDSNLen bounds a DSN; real ones are well under 1 KiB.
const maxDSNLen = 4096

// redactedPassword stands for a password wherever a DSN is shown.
const redactedPassword = "***"

// ignoredParams are DSN parameters golive drops before parsing: the
// driver panics on "strict" (removed long ago), and "loc" loads a time
// zone from this machine's files (golive reads the host only through
// internal/host, and its queries carry no times). "tls" is taken out and
// kept in Config.TLSConfig unchecked: a name the service registers in its
// own code is unknown to golive, which builds the TLS configuration itself.
var ignoredParams = map[string]bool{"strict": true, "loc": true, "tls": true}

// parseDSN parses a go-sql-driver/mysql DSN, as the service's own code
// would, without ever echoing it: the driver's parse errors can quote a
// piece of the DSN (a password holding "/" or "@" moves the split points),
// so errors here are golive's own words and at most a parameter name.
func parseDSN(raw string) (cfg *driver.Config, err error) {
	if len(raw) > maxDSNLen {
		return nil, fmt.Errorf("DSN is longer than %d bytes", maxDSNLen)
	}
	if strings.ContainsAny(raw, "\r\n\x00") {
		return nil, errors.New("DSN holds a line break or NUL byte")
	}
	defer func() {
		if recover() != nil {
			cfg, err = nil, errors.New("DSN does not parse")
		}
	}()
	cleaned, tlsName, err := dropParams(raw)
	if err != nil {
		return nil, err
	}
	cfg, err = driver.ParseDSN(cleaned)
	if err != nil {
		return nil, explainDSNError(cleaned)
	}
	cfg.TLSConfig = tlsName
	return cfg, nil
}

// dropParams removes ignoredParams from the query part, which starts at
// the first "?" after the last "/" (the driver's own split), and returns
// the tls parameter's value: true, false, skip-verify, preferred or a
// registered name, as the driver reads it.
func dropParams(raw string) (cleaned, tlsName string, err error) {
	slash := strings.LastIndexByte(raw, '/')
	if slash < 0 {
		if raw == "" {
			return raw, "", nil
		}
		return "", "", errors.New("DSN does not parse: no \"/\" before the database name (form: [user[:password]@][tcp[(host:port)]]/[dbname][?param=value])")
	}
	q := strings.IndexByte(raw[slash:], '?')
	if q < 0 {
		return raw, "", nil
	}
	q += slash
	var kept []string
	for p := range strings.SplitSeq(raw[q+1:], "&") {
		key, value, _ := strings.Cut(p, "=")
		if key == "tls" {
			if tlsName, err = url.QueryUnescape(value); err != nil {
				return "", "", errors.New("DSN does not parse: parameter \"tls\" has an invalid value")
			}
			if b, ok := readBool(tlsName); ok {
				tlsName = strconv.FormatBool(b)
			} else if l := strings.ToLower(tlsName); l == tlsSkipVerify || l == tlsPreferred {
				tlsName = l
			}
		}
		if !ignoredParams[key] {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return raw[:q], tlsName, nil
	}
	return raw[:q+1] + strings.Join(kept, "&"), tlsName, nil
}

// The driver's tls values that are not names.
const (
	tlsSkipVerify = "skip-verify"
	tlsPreferred  = "preferred"
)

// readBool reads a boolean as the driver does.
func readBool(s string) (value, ok bool) {
	switch s {
	case "1", "true", "TRUE", "True":
		return true, true
	case "0", "false", "FALSE", "False":
		return false, true
	}
	return false, false
}

// explainDSNError says what is wrong with a DSN that did not parse,
// naming only structure and parameter names.
func explainDSNError(dsn string) error {
	const form = " (form: [user[:password]@][tcp[(host:port)]]/[dbname][?param=value])"
	slash := strings.LastIndexByte(dsn, '/')
	left := dsn[:slash]
	if at := strings.LastIndexByte(left, '@'); at >= 0 {
		left = left[at+1:]
	}
	if strings.IndexByte(left, '(') >= 0 && !strings.HasSuffix(left, ")") {
		return errors.New("DSN does not parse: the address in ( ) is not closed, or a value needs escaping" + form)
	}
	// A query part holding "@" may hold the user part too (a DSN without
	// its "/dbname"): then no name from it is shown.
	if q := strings.IndexByte(dsn[slash:], '?'); q >= 0 && !strings.Contains(dsn[slash+q:], "@") {
		for p := range strings.SplitSeq(dsn[slash+q+1:], "&") {
			key, _, _ := strings.Cut(p, "=")
			if _, err := driver.ParseDSN("/?" + p); err != nil && safeParamName(key) {
				return fmt.Errorf("DSN does not parse: parameter %q has an invalid value", key)
			}
		}
	}
	return errors.New("DSN does not parse" + form)
}

// safeParamName reports whether a parameter name may be shown: a plain
// identifier, as every real parameter is.
func safeParamName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// redactedDSN shows cfg as a DSN with the password as ***.
func redactedDSN(cfg *driver.Config) string {
	c := cfg.Clone()
	c.TLS = nil // shown through TLSConfig's name, which FormatDSN prints
	if c.Passwd != "" {
		c.Passwd = redactedPassword
	}
	return c.FormatDSN()
}
