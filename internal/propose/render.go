package propose

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// writer builds the file line by line: every value line carries its
// comment, and scalars are quoted by yaml.v3 so that any path or name
// reads back as the same string.
type writer struct {
	b strings.Builder
}

func (w *writer) comment(indent int, format string, args ...any) {
	for _, line := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		w.b.WriteString(strings.Repeat(" ", indent))
		w.b.WriteString(strings.TrimRight("# "+oneLine(line), " "))
		w.b.WriteByte('\n')
	}
}

// key writes "key:" opening a block.
func (w *writer) key(indent int, k string) {
	fmt.Fprintf(&w.b, "%s%s:\n", strings.Repeat(" ", indent), scalar(k))
}

// kv writes "key: value  # from".
func (w *writer) kv(indent int, k, v, from string) {
	fmt.Fprintf(&w.b, "%s%s: %s  # %s\n", strings.Repeat(" ", indent), scalar(k), scalar(v), oneLine(from))
}

// item writes "- value  # from".
func (w *writer) item(indent int, v, from string) {
	fmt.Fprintf(&w.b, "%s- %s  # %s\n", strings.Repeat(" ", indent), scalar(v), oneLine(from))
}

// scalar is v as a YAML scalar that reads back as the string v; values
// starting with an expectation operator are always quoted.
func scalar(v string) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return strconv.Quote(v)
	}
	s := strings.TrimSuffix(string(out), "\n")
	if strings.ContainsRune(s, '\n') {
		return strconv.Quote(v) // a JSON string is a YAML double-quoted scalar
	}
	if strings.HasPrefix(s, "'") || strings.ContainsAny(v[:min(len(v), 1)], "<>!=*") && !strings.HasPrefix(s, "\"") {
		return strconv.Quote(v) // double quotes, as the docs write expectations
	}
	return s
}

// oneLine keeps a comment on its line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func (s *survey) render(o Options) ([]byte, error) {
	w := &writer{}
	subject := s.unitName
	if subject == "" {
		subject = strings.Join(valuesOf(s.binaries), ", ")
	}
	root := "/"
	if s.h != nil {
		root = s.h.Root()
	}
	w.comment(0, "golive.yaml for %s, proposed by `golive init` from the host at %s.", subject, root)
	w.comment(0, "Review every line: each value says where it came from. Secrets are never")
	w.comment(0, "copied: passwords and DSNs are read when golive runs, from the environment")
	w.comment(0, "variables named here. Then: golive validate FILE; golive check --config FILE")
	base := "the distro profile golive detects when it runs"
	if o.Base != "" {
		base = o.Base + " on this host"
		if o.BaseWhy != "" {
			base += " (" + o.BaseWhy + ")"
		}
	}
	if o.Extends != "" {
		w.kv(0, "extends", o.Extends, "--profile")
	} else {
		w.kv(0, "extends", "auto", base)
	}

	w.key(0, "service")
	if s.name.value != "" {
		w.kv(2, "name", s.name.value, s.name.from)
	}
	if s.unitName != "" {
		w.kv(2, "unit", s.unitName, "--unit; read from "+strings.Join(s.unitPaths, ", "))
	}
	if s.user.value != "" {
		w.kv(2, "user", s.user.value, s.user.from)
	}
	if len(s.binaries) > 0 {
		w.key(2, "binaries")
		for _, b := range s.binaries {
			w.item(4, b.value, b.from)
		}
	}

	if len(s.limits) > 0 && s.unitName != "" {
		w.key(0, "rlimits")
		w.key(2, "unit")
		for _, l := range s.limits {
			w.kv(4, l.key, l.expect, l.from)
		}
	}

	if len(s.labels) > 0 {
		w.key(0, "selinux")
		w.key(2, "paths")
		for _, l := range s.labels {
			w.kv(4, l.path, l.typ, l.from)
		}
	} else if s.noLabels != "" {
		w.comment(0, "selinux: no paths proposed: %s.", s.noLabels)
	}

	s.renderMySQL(w)
	s.renderEtcd(w)
	if len(s.found.tls) > 0 {
		w.key(0, "tls")
		w.key(2, "endpoints")
		for _, t := range s.found.tls {
			w.item(4, t.value, t.from)
		}
	}
	if len(s.found.dns) > 0 {
		w.key(0, "dns")
		w.key(2, "names")
		for _, d := range s.found.dns {
			w.item(4, d.value, d.from)
		}
	}

	notes := append(append([]string(nil), s.notes...), s.found.skipped...)
	if len(notes) > 0 {
		w.b.WriteByte('\n')
		w.comment(0, "Found but not proposed:")
		for _, n := range notes {
			w.comment(0, "- %s", n)
		}
	}
	if len(s.sysctl) > 0 {
		w.b.WriteByte('\n')
		w.comment(0, "The values this host has now for the sysctl keys %s tunes (from /proc/sys).", orProfile(o.Base))
		w.comment(0, "That profile already checks them; uncomment a line to require this host's value.")
		w.comment(0, "sysctl:")
		for _, kv := range s.sysctl {
			w.comment(0, "  %s: %s", scalar(kv.value), scalar(kv.from))
		}
	}
	return []byte(w.b.String()), nil
}

func (s *survey) renderMySQL(w *writer) {
	if len(s.found.mysql) == 0 {
		return
	}
	w.key(0, "mysql")
	for _, m := range s.found.mysql {
		fmt.Fprintf(&w.b, "  - name: %s  # %s, server %s\n", scalar(m.name), oneLine(m.from), oneLine(m.addr))
		w.kv(4, "dsn_env", m.dsnEnv, "the variable holding the DSN (and its password): export it when golive runs; the value is not copied")
		w.kv(4, "role", m.role, "review: primary (writable) or replica (read-only), guessed from the variable's name")
	}
}

func (s *survey) renderEtcd(w *writer) {
	e := &s.found.etcd
	if len(e.endpoints) == 0 {
		if e.caFile.value != "" || e.username.value != "" {
			w.comment(0, "etcd: TLS files or a user were found but no endpoint: add etcd.endpoints by hand.")
		}
		return
	}
	// All endpoints share a scheme (a profile error otherwise): keep the
	// first one's.
	scheme, _, _ := strings.Cut(e.endpoints[0].value, "://")
	w.key(0, "etcd")
	w.key(2, "endpoints")
	for _, ep := range e.endpoints {
		if !strings.HasPrefix(ep.value, scheme+"://") {
			w.comment(4, "- %s  (%s): left out, its scheme differs from the first endpoint's", ep.value, ep.from)
			continue
		}
		w.item(4, ep.value, ep.from)
	}
	for _, f := range []struct {
		key string
		n   noted
	}{{"ca_file", e.caFile}, {"cert_file", e.certFile}, {"key_file", e.keyFile}} {
		switch {
		case f.n.value == "":
		case scheme != "https":
			w.comment(2, "%s: %s  (%s): left out, the endpoints are http://", f.key, f.n.value, f.n.from)
		default:
			w.kv(2, f.key, f.n.value, f.n.from)
		}
	}
	if e.username.value != "" {
		w.kv(2, "username", e.username.value, e.username.from)
		if e.passwordEnv.value != "" {
			w.kv(2, "password_env", e.passwordEnv.value, e.passwordEnv.from)
		} else {
			w.kv(2, "password_env", "GOLIVE_ETCD_PASSWORD", "no password variable found: set this one to the etcd user's password when golive runs")
		}
	}
	n := 0
	for _, ep := range e.endpoints {
		if strings.HasPrefix(ep.value, scheme+"://") {
			n++
		}
	}
	if n >= 1 && n <= 9 {
		fmt.Fprintf(&w.b, "  members: %d  # %s\n", n, "the number of endpoints the service lists: set it to the cluster's voting members")
	}
}

func orProfile(base string) string {
	if base == "" {
		return "the distro profile"
	}
	return base
}

func valuesOf(ns []noted) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.value
	}
	return out
}
