package propose

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/golive-sh/golive/internal/unit"
)

// endpoints are the dependencies found in the unit's environment and
// arguments. Only names, addresses and paths are kept: a value that holds
// a secret is referred to by the variable that holds it.
type endpoints struct {
	mysql []mysqlProposal
	etcd  etcdProposal
	tls   []noted // host:port
	dns   []noted // host names
	// skipped says what was recognised but cannot be proposed.
	skipped []string
}

type mysqlProposal struct {
	name, dsnEnv, role, addr, from string
}

type etcdProposal struct {
	endpoints                 []noted
	caFile, certFile, keyFile noted
	username, passwordEnv     noted
}

// scanVar looks at one environment variable of the unit.
func (e *endpoints) scanVar(v unit.Var) {
	from := "Environment " + v.Name + " (" + v.Source + ")"
	upper := strings.ToUpper(v.Name)
	etcdish := strings.Contains(upper, "ETCD")
	switch {
	case etcdish && hasAny(upper, "CACERT", "CA_FILE", "CAFILE", "TRUSTED_CA", "_CA"):
		e.etcd.caFile = pathNote(v.Value, from, e.etcd.caFile)
		return
	case etcdish && hasAny(upper, "CERT"):
		e.etcd.certFile = pathNote(v.Value, from, e.etcd.certFile)
		return
	case etcdish && hasAny(upper, "KEY"):
		e.etcd.keyFile = pathNote(v.Value, from, e.etcd.keyFile)
		return
	case etcdish && hasAny(upper, "PASSWORD", "PASSWD"):
		// The variable's name is what golive reads at check time; its value
		// is never copied.
		e.etcd.passwordEnv = noted{v.Name, from + ": export it when golive runs"}
		return
	case etcdish && upper == "ETCDCTL_USER":
		// etcdctl's user:password form: the name only.
		if name, _, _ := strings.Cut(v.Value, ":"); name != "" {
			e.etcd.username = noted{name, from + " (the user name only; the password after ':' is not copied)"}
		}
		return
	case etcdish && hasAny(upper, "USER"):
		e.etcd.username = noted{v.Value, from}
		return
	}
	e.scanValue(v.Value, v.Name, from, etcdish)
}

// scanArgs looks at the arguments of an ExecStart= line: --flag=value and
// --flag value pairs, and bare values.
func (e *endpoints) scanArgs(words []string, from string) {
	for i := 0; i < len(words); i++ {
		w := words[i]
		flag, value, hasValue := strings.Cut(w, "=")
		if !strings.HasPrefix(flag, "-") {
			e.scanValue(w, "", from, false)
			continue
		}
		if !hasValue {
			if i+1 >= len(words) || strings.HasPrefix(words[i+1], "-") {
				continue
			}
			value = words[i+1]
			i++
		}
		name := strings.TrimLeft(flag, "-")
		upper := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		etcdish := strings.Contains(upper, "ETCD")
		argFrom := "argument " + flag + " of " + from
		switch {
		case etcdish && hasAny(upper, "CAFILE", "CACERT", "TRUSTED_CA"):
			e.etcd.caFile = pathNote(value, argFrom, e.etcd.caFile)
		case etcdish && hasAny(upper, "CERTFILE", "CERT"):
			e.etcd.certFile = pathNote(value, argFrom, e.etcd.certFile)
		case etcdish && hasAny(upper, "KEYFILE", "KEY"):
			e.etcd.keyFile = pathNote(value, argFrom, e.etcd.keyFile)
		case hasAny(upper, "PASSWORD", "PASSWD", "SECRET", "TOKEN"):
			e.skipped = append(e.skipped, "a secret is passed on the command line ("+flag+" in "+from+"): not copied; golive reads secrets from *_env or *_file keys")
		default:
			e.scanValue(value, upper, argFrom, etcdish)
		}
	}
}

// scanValue recognises a DSN, URLs and host:port lists in one value.
func (e *endpoints) scanValue(value, name, from string, etcdish bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	if isGoMySQLDSN(value) {
		// Parameters are the service's (a tls= config name golive does not
		// register, say); the address is all that is kept.
		dsn, _, _ := strings.Cut(value, "?")
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil || cfg.Net != "tcp" {
			return
		}
		if name == "" || !unit.ValidEnvName(name) {
			e.skipped = append(e.skipped, "a MySQL DSN in "+from+" is not in an environment variable golive can read (dsn_env): add it by hand")
			return
		}
		e.addMySQL(name, cfg.Addr, from)
		e.addHost(hostOf(cfg.Addr), from)
		return
	}
	for _, tok := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		e.scanToken(tok, name, from, etcdish)
	}
}

func (e *endpoints) scanToken(tok, name, from string, etcdish bool) {
	u, err := url.Parse(tok)
	if err != nil || u.Host == "" {
		// A bare host:port of etcd's client port in an etcd-named value.
		if h, p, err := net.SplitHostPort(tok); err == nil && etcdish && p == "2379" && h != "" {
			e.etcd.endpoints = appendNoted(e.etcd.endpoints, noted{"https://" + net.JoinHostPort(h, p), from + " (scheme assumed: https; use http:// if the cluster has no TLS)"})
			e.addHost(h, from)
		}
		return
	}
	host := u.Hostname()
	if host == "" {
		return
	}
	port := u.Port()
	switch u.Scheme {
	case "mysql":
		e.skipped = append(e.skipped, "a mysql:// URL in "+from+" ("+net.JoinHostPort(host, portOr(port, "3306"))+"): golive takes go-sql-driver DSNs (user@tcp(host:port)/db) by dsn_env; add it by hand")
		e.addHost(host, from)
		return
	case "http", "https":
	default:
		return
	}
	if etcdish || port == "2379" {
		if port == "" {
			e.skipped = append(e.skipped, "an etcd URL without a port in "+from+": add it by hand")
			return
		}
		e.etcd.endpoints = appendNoted(e.etcd.endpoints, noted{u.Scheme + "://" + net.JoinHostPort(host, port), from})
		e.addHost(host, from)
		return
	}
	if u.Scheme == "https" {
		e.tls = appendNoted(e.tls, noted{net.JoinHostPort(host, portOr(port, "443")), from})
	}
	e.addHost(host, from)
}

func (e *endpoints) addMySQL(env, addr, from string) {
	for _, m := range e.mysql {
		if m.dsnEnv == env {
			return
		}
	}
	name := strings.ToLower(strings.Trim(strings.NewReplacer("_DSN", "", "DSN_", "", "DSN", "").Replace(env), "_"))
	name = strings.ReplaceAll(name, "_", "-")
	if name == "" || len(name) > 64 {
		name = "db"
	}
	for _, m := range e.mysql {
		if m.name == name {
			name += "-" + strconv.Itoa(len(e.mysql)+1)
		}
	}
	role := "primary"
	if hasAny(strings.ToUpper(env), "REPLICA", "SLAVE", "READONLY", "RO_", "_RO") {
		role = "replica"
	}
	e.mysql = append(e.mysql, mysqlProposal{name: name, dsnEnv: env, role: role, addr: addr, from: from})
}

// addHost lists a name for dns/resolve; addresses need no lookup.
func (e *endpoints) addHost(host, from string) {
	if host == "" || net.ParseIP(host) != nil || host == "localhost" || !strings.Contains(host, ".") && !isLabel(host) {
		return
	}
	e.dns = appendNoted(e.dns, noted{host, from})
}

func isLabel(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return s != ""
}

// isGoMySQLDSN is go-sql-driver's form: [user[:password]@][net[(addr)]]/db.
func isGoMySQLDSN(v string) bool {
	at := strings.LastIndexByte(v, '@')
	return at >= 0 && strings.Contains(v[at:], "(") && strings.Contains(v[at:], ")/")
}

func hostOf(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

func portOr(p, def string) string {
	if p == "" {
		return def
	}
	return p
}

func pathNote(v, from string, prev noted) noted {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "/") || prev.value != "" {
		return prev
	}
	return noted{v, from}
}

func appendNoted(list []noted, n noted) []noted {
	for _, x := range list {
		if x.value == n.value {
			return list
		}
	}
	return append(list, n)
}

func hasAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
