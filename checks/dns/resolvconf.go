package dns

import (
	"bytes"
	"fmt"
	"iter"
	"net/netip"
	"strings"
)

// Limits and defaults of glibc's stub resolver (resolv/resolv.h, res_init.c).
const (
	maxNS           = 3  // MAXNS: nameservers after the third are never queried
	maxNdots        = 15 // RES_MAXNDOTS
	maxTimeout      = 30 // RES_MAXRETRANS, seconds
	maxAttempts     = 5  // RES_MAXRETRY
	defaultNdots    = 1
	defaultTimeout  = 5 // RES_TIMEOUT, seconds
	defaultAttempts = 2 // RES_DFLRETRY

	// Before glibc 2.26 the search list lived in fixed arrays: at most
	// MAXDNSRCH domains, copied from the first 255 bytes of the line.
	legacyMaxSearch  = 6
	legacySearchLine = 255
)

// dialect is the glibc release line whose resolv.conf parser is modelled.
// They differ only on lines that are already suspicious (a CR before the
// newline, an overlong search list).
type dialect int

const (
	// modern is glibc 2.26 and later (Rocky 9: 2.34, Ubuntu 22.04: 2.35):
	// unlimited search list; a nameserver address must be the whole word.
	modern dialect = iota
	// legacy is glibc before 2.26 (CentOS 7: 2.17): six search domains in
	// 255 bytes; inet_aton accepts trailing whitespace (a CR) after an address.
	legacy
)

// dialectFor picks the dialect for a glibc version such as "2.17"; an
// unknown version is taken to be a current glibc.
func dialectFor(glibc string) dialect {
	var major, minor int
	if _, err := fmt.Sscanf(glibc, "%d.%d", &major, &minor); err != nil {
		return modern
	}
	if major < 2 || (major == 2 && minor < 26) {
		return legacy
	}
	return modern
}

// resolvConf is a resolv.conf file as glibc's res_init reads it.
type resolvConf struct {
	// nameservers are the addresses glibc accepted, in file order. Only the
	// first maxNS are used; an empty list makes glibc use 127.0.0.1.
	nameservers []nameserver
	// search is the search list in effect: the last domain or search line
	// wins, and a search line replaces a domain line.
	search     []string
	searchLine int    // the line that set Search; 0 when none did
	searchFrom string // "search" or "domain"; "" when none did
	// searchDropped are domains of that line that legacy glibc drops.
	searchDropped []string
	options       options
	sortlist      bool // sortlist only reorders gethostbyname answers; noted, not modelled
	// problems are lines glibc ignores, or reads differently from what they
	// seem to say, in line order.
	problems []problem
	crlf     bool // some line ends in CR LF: glibc keeps the CR in values
}

// nameserver is one accepted nameserver line.
type nameserver struct {
	addr netip.Addr // an IPv6 link-local address keeps its zone
	line int
}

// problem is a line of a configuration file that does not do what it says.
type problem struct {
	Line int    `json:"line"`
	Text string `json:"text"`
}

func (p problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Text) }

// options are the resolver options in effect, after glibc's caps.
type options struct {
	ndots    int // 0..15
	timeout  int // seconds, at most 30; 0 or less means 1 s per try
	attempts int // at most 5; 0 or less means no query is ever sent
	// goTimeout and goAttempts are what Go's own resolver (CGO_ENABLED=0
	// binaries) makes of the same lines: at least 1, and no upper cap.
	goTimeout, goAttempts int

	rotate, edns0, singleRequest, singleRequestReopen, useVC bool
	noTLDQuery, noReload, trustAD, noAAAA, inet6, debug      bool
	unknown                                                  []string // ignored by glibc
}

// flagOptions are glibc's boolean options, matched by prefix in this order
// (so "single-request-reopen" is tested before "single-request").
var flagOptions = []struct {
	name string
	set  func(*options)
}{
	{"inet6", func(o *options) { o.inet6 = true }},
	{"rotate", func(o *options) { o.rotate = true }},
	{"edns0", func(o *options) { o.edns0 = true }},
	{"single-request-reopen", func(o *options) { o.singleRequestReopen = true }},
	{"single-request", func(o *options) { o.singleRequest = true }},
	{"no_tld_query", func(o *options) { o.noTLDQuery = true }},
	{"no-tld-query", func(o *options) { o.noTLDQuery = true }},
	{"no-reload", func(o *options) { o.noReload = true }},
	{"use-vc", func(o *options) { o.useVC = true }},
	{"trust-ad", func(o *options) { o.trustAD = true }},
	{"no-aaaa", func(o *options) { o.noAAAA = true }},
	{"debug", func(o *options) { o.debug = true }},
}

// keywords are the lines res_init understands: the keyword at the start
// of the line, followed by a blank.
var keywords = []string{"domain", "search", "nameserver", "sortlist", "options"}

// parseResolvConf reads resolv.conf the way glibc's res_init does: a
// keyword counts only at the start of a line and followed by a space or a
// tab; '#' or ';' in the first column starts a comment; every other line
// is ignored. Nothing in data can make it fail; what glibc ignores is
// listed in Problems.
func parseResolvConf(data []byte, d dialect) *resolvConf {
	rc := &resolvConf{options: options{
		ndots: defaultNdots, timeout: defaultTimeout, attempts: defaultAttempts,
		goTimeout: defaultTimeout, goAttempts: defaultAttempts,
	}}
	for n, line := range lines(data) {
		if strings.HasSuffix(line, "\r") {
			rc.crlf = true
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		kw, rest, ok := keyword(line)
		if !ok {
			rc.noteIgnored(n, line)
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		switch kw {
		case "domain":
			rc.parseDomain(n, rest, d)
		case "search":
			rc.parseSearch(n, rest, d)
		case "nameserver":
			rc.parseNameserver(n, rest, d)
		case "sortlist":
			rc.sortlist = true
		case "options":
			rc.parseOptions(n, rest)
		}
	}
	return rc
}

// lines yields the lines of data, numbered from 1, split at '\n' as
// getline splits them and cut at their first NUL byte, as every C string
// function would cut them. Lines are produced one at a time, so a large
// file costs no more than its own bytes.
func lines(data []byte) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for n := 1; len(data) > 0; n++ {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			if i := bytes.IndexByte(line, 0); i >= 0 {
				line = line[:i]
			}
			if !yield(n, string(line)) {
				return
			}
		}
	}
}

func keyword(line string) (kw, rest string, ok bool) {
	for _, k := range keywords {
		if len(line) > len(k) && strings.HasPrefix(line, k) && (line[len(k)] == ' ' || line[len(k)] == '\t') {
			return k, line[len(k)+1:], true
		}
	}
	return "", "", false
}

// noteIgnored records a line res_init skips, unless it is blank or an
// indented comment.
func (rc *resolvConf) noteIgnored(n int, line string) {
	trimmed := strings.TrimSpace(line)
	indented := line[0] == ' ' || line[0] == '\t'
	switch {
	case trimmed == "" || (indented && (trimmed[0] == '#' || trimmed[0] == ';')):
	case indented:
		rc.problem(n, fmt.Sprintf("%q starts with whitespace: glibc ignores the line (Go's resolver reads it)", clip(trimmed)))
	case isKeyword(trimmed):
		rc.problem(n, fmt.Sprintf("%q has no value: glibc ignores it", trimmed))
	default:
		rc.problem(n, fmt.Sprintf("%q is not a resolv.conf keyword line: glibc ignores it", clip(trimmed)))
	}
}

func isKeyword(s string) bool {
	for _, k := range keywords {
		if s == k {
			return true
		}
	}
	return false
}

func (rc *resolvConf) problem(n int, text string) {
	rc.problems = append(rc.problems, problem{Line: n, Text: text})
}

// parseDomain: the first word becomes the whole search list.
func (rc *resolvConf) parseDomain(n int, rest string, d dialect) {
	if rest == "" {
		return
	}
	if d == legacy && len(rest) > legacySearchLine {
		rest = rest[:legacySearchLine]
	}
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		rest = rest[:i]
	}
	rc.search, rc.searchLine, rc.searchFrom, rc.searchDropped = []string{rest}, n, "domain", nil
	rc.noteCR(n, rest, "domain")
}

// parseSearch: blank-separated domains (only space and tab separate them:
// a CR stays part of the last domain). Legacy glibc copies the first 255
// bytes of the line and keeps six domains.
func (rc *resolvConf) parseSearch(n int, rest string, d dialect) {
	if rest == "" {
		return
	}
	all := blankFields(rest)
	domains, dropped := all, []string(nil)
	if d == legacy {
		domains = blankFields(rest[:min(len(rest), legacySearchLine)])
		domains = domains[:min(len(domains), legacyMaxSearch)]
		dropped = all[len(domains):]
		if last := len(domains) - 1; last >= 0 && domains[last] != all[last] {
			rc.problem(n, fmt.Sprintf("search domain %q is cut to %q: glibc before 2.26 reads 255 bytes of the line", clip(all[last]), domains[last]))
		}
	}
	rc.search, rc.searchLine, rc.searchFrom, rc.searchDropped = domains, n, "search", dropped
	if len(domains) > 0 {
		rc.noteCR(n, domains[len(domains)-1], "search domain")
	}
}

func blankFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

func (rc *resolvConf) noteCR(n int, value, what string) {
	if strings.HasSuffix(value, "\r") {
		rc.problem(n, fmt.Sprintf("the %s %q ends in a carriage return (CRLF file): glibc keeps it as part of the name", what, value))
	}
}

// parseNameserver accepts an IPv4 address as inet_aton does (so 10.1 and
// 012.0.0.1 are addresses, as they are to glibc), else an IPv6 address
// with an optional %zone.
func (rc *resolvConf) parseNameserver(n int, rest string, d dialect) {
	word := rest
	if d == modern {
		// glibc 2.26+ ignores what follows the address on the line.
		if i := strings.IndexAny(word, " \t"); i >= 0 {
			word = word[:i]
		}
	}
	if word != "" {
		if a, ok := inetAton(word, d == modern); ok {
			rc.nameservers = append(rc.nameservers, nameserver{addr: a, line: n})
			return
		}
	}
	v6, zone, _ := strings.Cut(word, "%")
	if a, err := netip.ParseAddr(v6); err == nil && a.Is6() && a.Zone() == "" {
		if zone != "" && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
			a = a.WithZone(zone)
		}
		rc.nameservers = append(rc.nameservers, nameserver{addr: a, line: n})
		return
	}
	text := fmt.Sprintf("nameserver %q is not an IPv4 or IPv6 address: glibc ignores it", clip(word))
	if word == "" {
		text = "nameserver line without an address: glibc ignores it"
	} else if strings.HasSuffix(word, "\r") {
		text = fmt.Sprintf("nameserver %q ends in a carriage return (CRLF file): glibc ignores it", clip(word))
	}
	rc.problem(n, text)
}

// parseOptions applies an options line: later options override earlier
// ones, unknown ones are ignored, numbers are read as atoi reads them.
func (rc *resolvConf) parseOptions(n int, rest string) {
	o := &rc.options
	for _, tok := range blankFields(rest) {
		switch {
		case strings.HasPrefix(tok, "ndots:"):
			v := atoi(tok[len("ndots:"):])
			switch {
			case v > maxNdots:
				v = maxNdots
			case v < 0:
				v &= 0xf // __res_state.ndots is a 4-bit field
			}
			o.ndots = v
		case strings.HasPrefix(tok, "timeout:"):
			o.timeout = min(atoi(tok[len("timeout:"):]), maxTimeout)
			o.goTimeout = max(goDtoi(tok[len("timeout:"):]), 1)
		case strings.HasPrefix(tok, "attempts:"):
			o.attempts = min(atoi(tok[len("attempts:"):]), maxAttempts)
			o.goAttempts = max(goDtoi(tok[len("attempts:"):]), 1)
		default:
			if !setFlag(o, tok) {
				o.unknown = append(o.unknown, tok)
				rc.problem(n, fmt.Sprintf("unknown option %q: glibc ignores it", clip(tok)))
			}
		}
	}
}

func setFlag(o *options, tok string) bool {
	for _, f := range flagOptions {
		if strings.HasPrefix(tok, f.name) {
			f.set(o)
			return true
		}
	}
	return false
}

// atoi is C's atoi on what follows "ndots:" and friends: an optional sign
// and leading digits, 0 when there are none. It saturates instead of
// overflowing.
func atoi(s string) int {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	v := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v < 1<<31 {
			v = v*10 + int(s[i]-'0')
		}
	}
	v = min(v, 1<<31)
	if neg {
		return -v
	}
	return v
}

// goDtoi is Go's net.dtoi for resolv.conf numbers: digits only, 0 when
// there are none.
func goDtoi(s string) int {
	v := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if v < 1<<31 {
			v = v*10 + int(s[i]-'0')
		}
	}
	return min(v, 1<<31)
}

// clip keeps a hostile value short and printable in a message.
func clip(s string) string {
	const limit = 80
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
