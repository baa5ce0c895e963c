// Package http is the http family: an HTTP(S) request the service's
// health depends on — `GET /healthz returns 200` — made from the host and
// judged by status, body and headers, with TLS verified against the
// host's own CA bundle (or a ca_file), as a Go client on the host would.
// One check per URL: http/<method>:<url>. A network check: --offline
// skips it.
//
// Profile section (a mapping of URL to what its answer must be):
//
//	http:
//	  https://127.0.0.1:8443/healthz:
//	    status: 200                     # or [200, 204]
//	    body: ["ok", "/\"status\": *\"up\"/", "!error"]
//	    headers: {Content-Type: application/json}
//	    request_headers: {X-Probe: golive}
//	    secret_headers: {Authorization: {env: HEALTH_TOKEN}}
//	    timeout: 2s
//	    no_follow_redirects: true
//	    ca_file: /etc/payments/ca.pem
//	    server_name: payments.internal
package http

import (
	_ "embed"
	"fmt"
	"net/textproto"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

const kind = "http"

//go:embed doc.md
var doc string

// defaultTimeout is a health endpoint's budget: one that takes longer is
// one a load balancer's probe marks down.
const defaultTimeout = 5 * time.Second

// maxBody bounds the body read for body: patterns.
const maxBody = 1 << 20

type secretRef struct {
	Env  string `yaml:"env" doc:"Environment variable holding the value." example:"HEALTH_TOKEN"`
	File string `yaml:"file" doc:"File holding the value (absolute path inside the host; one trailing newline is dropped)."`
}

type entry struct {
	Method            string               `yaml:"method" doc:"The request method." default:"GET" enum:"GET,HEAD,POST,PUT,DELETE,OPTIONS,PATCH"`
	Status            yaml.Node            `yaml:"status" shape:"status"`
	Body              []string             `yaml:"body" doc:"Patterns the body (its first MiB) must match: \"text\" (contained), \"/re/\" (an RE2 regular expression), \"!...\" (must not match)." example:"[\"ok\", \"!error\"]"`
	Headers           map[string]string    `yaml:"headers" doc:"Response headers that must be present, each containing the given text (\"\" for present with any value); names are case-insensitive." example:"{Content-Type: application/json}"`
	RequestHeaders    map[string]string    `yaml:"request_headers" doc:"Headers sent with the request (not secrets: they appear in reports)." example:"{X-Probe: golive}"`
	SecretHeaders     map[string]secretRef `yaml:"secret_headers" doc:"Headers whose values are secrets, from an environment variable or a file; the value never appears in any output." example:"{Authorization: {env: HEALTH_TOKEN}}"`
	Timeout           string               `yaml:"timeout" doc:"The whole request's budget (connect, TLS, answer, body)." default:"5s" format:"duration"`
	NoFollowRedirects bool                 `yaml:"no_follow_redirects" doc:"Judge a 3xx answer itself instead of following it (Go's client follows up to 10)." default:"false"`
	CAFile            string               `yaml:"ca_file" doc:"CA bundle to verify https:// with (absolute path inside the host); default: the roots a Go program on the host trusts."`
	ServerName        string               `yaml:"server_name" doc:"TLS server name to verify instead of the URL's host."`
	Level             string               `yaml:"level" doc:"The status a miss gives." default:"fail" enum:"fail,warn"`
	Severity          string               `yaml:"severity" doc:"The findings' severity." default:"high" enum:"critical,high,medium,low,info"`
	Why               string               `yaml:"why" doc:"Why the endpoint matters."`
}

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			status := profile.OneOf("The status the answer must have: a number or a list of numbers (default 200).", "[200, 204]",
				&profile.Shape{Kind: profile.KindInteger}, &profile.Shape{Kind: profile.KindList, Items: &profile.Shape{Kind: profile.KindInteger}})
			return profile.MapOf("HTTP(S) endpoints: a mapping of URL to what its answer must be (status, body, headers), TLS verified with the host's roots.",
				"URL", `https://127.0.0.1:8443/healthz: {status: 200, body: [ok]}`,
				profile.Describe(entry{}, "What the answer must be; every field is optional.", profile.Named{"status": status}))
		},
		Checks: []engine.CheckDoc{{Heading: "`http/<method>:<url>`", Example: "http/get:https://127.0.0.1:8443/healthz"}},
	})
}

// pattern is one body: entry.
type pattern struct {
	text string
	re   *regexp.Regexp
	neg  bool
	sub  string
}

func parsePattern(s string) (pattern, error) {
	p := pattern{text: s}
	body := s
	if strings.HasPrefix(body, "!") {
		p.neg, body = true, body[1:]
	}
	if body == "" {
		return p, fmt.Errorf("an empty pattern")
	}
	if len(body) >= 2 && strings.HasPrefix(body, "/") && strings.HasSuffix(body, "/") {
		re, err := regexp.Compile(body[1 : len(body)-1])
		if err != nil {
			return p, fmt.Errorf("%q is not an RE2 regular expression: %v", s, err)
		}
		p.re = re
		return p, nil
	}
	p.sub = body
	return p, nil
}

func (p pattern) matches(b []byte) bool {
	var hit bool
	if p.re != nil {
		hit = p.re.Match(b)
	} else {
		hit = strings.Contains(string(b), p.sub)
	}
	return hit != p.neg
}

// spec is one URL's expectations, validated.
type spec struct {
	url      *url.URL
	raw      string
	method   string
	status   []int
	body     []pattern
	headers  map[string]string // canonical name -> substring
	reqHdrs  map[string]string
	secrets  map[string]secretRef
	timeout  time.Duration
	noFollow bool
	caFile   string
	sn       string
	level    string
	severity string
	why      string
	where    string
}

var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil || sec.Tag == "!!null" {
		return nil, nil
	}
	if sec.Kind != yaml.MappingNode {
		return nil, p.Errorf(sec, "http: expected a mapping of URL to what its answer must be")
	}
	var checks []engine.Check
	seen := map[string]bool{}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		key, val := sec.Content[i], sec.Content[i+1]
		s, err := parseEntry(p, key, val)
		if err != nil {
			return nil, err
		}
		id := engine.CheckID(kind, strings.ToLower(s.method), s.raw)
		if seen[id] {
			return nil, p.Errorf(key, "http: %s %s is listed twice", s.method, s.raw)
		}
		seen[id] = true
		checks = append(checks, newCheck(s))
	}
	return checks, nil
}

func parseEntry(p *profile.Profile, key, val *yaml.Node) (*spec, error) {
	raw := key.Value
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || strings.ContainsAny(raw, " \t\n") {
		return nil, p.Errorf(key, "http: %q is not an http:// or https:// URL with a host (and no user:password@: use secret_headers)", raw)
	}
	var e entry
	if val.Tag != "!!null" {
		if val.Kind != yaml.MappingNode {
			return nil, p.Errorf(val, "http.%s: expected a mapping such as {status: 200}", raw)
		}
		if err := p.DecodeStrict(val, &e); err != nil {
			return nil, err
		}
	}
	field := func(name string) *yaml.Node { return profile.FieldNode(val, name) }
	bad := func(name, format string, args ...any) error {
		return p.Errorf(field(name), "http.%s.%s: %s", raw, name, fmt.Sprintf(format, args...))
	}
	s := &spec{url: u, raw: raw, method: "GET", status: []int{200}, timeout: defaultTimeout, noFollow: e.NoFollowRedirects,
		caFile: e.CAFile, sn: e.ServerName, level: e.Level, severity: e.Severity, why: e.Why, where: p.Where(key),
		headers: map[string]string{}, reqHdrs: map[string]string{}, secrets: map[string]secretRef{}}
	if e.Method != "" {
		s.method = strings.ToUpper(e.Method)
		if !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}, s.method) {
			return nil, bad("method", "%q is not GET, HEAD, POST, PUT, DELETE, OPTIONS or PATCH", e.Method)
		}
	}
	if e.Status.Kind != 0 {
		st, err := statuses(&e.Status)
		if err != nil {
			return nil, bad("status", "%v", err)
		}
		s.status = st
	}
	for j, b := range e.Body {
		pat, err := parsePattern(b)
		if err != nil {
			return nil, p.Errorf(field("body").Content[j], "http.%s.body: %v", raw, err)
		}
		s.body = append(s.body, pat)
	}
	for _, m := range []struct {
		name string
		in   map[string]string
		out  map[string]string
	}{{"headers", e.Headers, s.headers}, {"request_headers", e.RequestHeaders, s.reqHdrs}} {
		for k, v := range m.in {
			if !headerName.MatchString(k) || strings.ContainsAny(v, "\r\n") {
				return nil, bad(m.name, "%q is not a header name and value", k)
			}
			m.out[canonical(k)] = v
		}
	}
	for k, ref := range e.SecretHeaders {
		if !headerName.MatchString(k) {
			return nil, bad("secret_headers", "%q is not a header name", k)
		}
		if (ref.Env == "") == (ref.File == "") {
			return nil, bad("secret_headers", "%s: give env or file (exactly one)", k)
		}
		if ref.File != "" && !path.IsAbs(ref.File) {
			return nil, bad("secret_headers", "%s: file %q must be an absolute path", k, ref.File)
		}
		s.secrets[canonical(k)] = ref
	}
	if e.Timeout != "" {
		d, err := time.ParseDuration(e.Timeout)
		if err != nil || d <= 0 || d > 10*time.Minute {
			return nil, bad("timeout", "%q is not a duration between 1ms and 10m", e.Timeout)
		}
		s.timeout = d
	}
	if e.CAFile != "" && !path.IsAbs(e.CAFile) {
		return nil, bad("ca_file", "%q must be an absolute path inside the host", e.CAFile)
	}
	if u.Scheme == "http" && (e.CAFile != "" || e.ServerName != "") {
		return nil, bad(firstSet(e), "ca_file and server_name need an https:// URL")
	}
	if e.Level != "" && e.Level != profile.LevelFail && e.Level != profile.LevelWarn {
		return nil, bad("level", "%q is not fail or warn", e.Level)
	}
	return s, nil
}

func firstSet(e entry) string {
	if e.CAFile != "" {
		return "ca_file"
	}
	return "server_name"
}

// statuses reads status: a number or a list of numbers, 100 to 599.
func statuses(n *yaml.Node) ([]int, error) {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []int
	for _, it := range items {
		var v int
		if it.Kind != yaml.ScalarNode || it.Decode(&v) != nil || v < 100 || v > 599 {
			return nil, fmt.Errorf("%q is not an HTTP status (100 to 599)", it.Value)
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("an empty list")
	}
	sort.Ints(out)
	return out, nil
}

// canonical is the header name as net/http writes it (Content-Type).
func canonical(k string) string { return textproto.CanonicalMIMEHeaderKey(k) }

func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || parts.Target == "" {
		return engine.Meta{}, false
	}
	u, err := url.Parse(parts.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return engine.Meta{}, false
	}
	if parts.Name != strings.ToLower(parts.Name) || !slices.Contains([]string{"get", "head", "post", "put", "delete", "options", "patch"}, parts.Name) {
		return engine.Meta{}, false
	}
	return meta(&spec{raw: parts.Target, url: u, method: strings.ToUpper(parts.Name), status: []int{200}}), true
}

func meta(s *spec) engine.Meta {
	want := fmt.Sprintf("status %s", joinInts(s.status))
	if len(s.body) > 0 {
		want += fmt.Sprintf(", %d body pattern(s)", len(s.body))
	}
	if len(s.headers) > 0 {
		want += fmt.Sprintf(", %d header(s)", len(s.headers))
	}
	m := engine.Meta{
		ID: engine.CheckID(kind, strings.ToLower(s.method), s.raw), Category: kind,
		Title:    s.method + " " + s.raw + " answers as expected",
		Expected: want, Level: profile.LevelFail, Severity: "high", Network: true, Where: s.where,
		Reads: []string{"one " + s.method + " request to " + s.raw + " from this host (environment proxies ignored; TLS verified with " + rootsText(s) + ")"},
		Why: "the service's health endpoint is what load balancers, orchestrators and on-call probes ask: an answer other than the expected one " +
			"takes the instance out of rotation, and a certificate the host's clients do not trust breaks every client the same way",
		Fix: "by cause: dns (make the name resolve), refused (nothing listens: start the service), timeout (a firewall or an overloaded service), " +
			"tls (the certificate's chain, name or dates — see details), http (the service answered otherwise: its logs say why)",
	}
	if s.level != "" {
		m.Level = s.level
	}
	if s.severity != "" {
		m.Severity = s.severity
	}
	if s.why != "" {
		m.Why = s.why
	}
	return m
}

func rootsText(s *spec) string {
	if s.caFile != "" {
		return "ca_file " + s.caFile
	}
	return "the roots a Go program on the host trusts"
}

func joinInts(xs []int) string {
	var b []string
	for _, x := range xs {
		b = append(b, fmt.Sprint(x))
	}
	return strings.Join(b, " or ")
}
