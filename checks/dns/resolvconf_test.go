package dns

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseResolvConf(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		dialect  dialect
		ns       string // accepted nameservers, space-separated
		search   string
		opts     string // "ndots/timeout/attempts" and the flags in effect
		problems []string
	}{
		{name: "an empty file has glibc's defaults", in: "",
			opts: "1/5/2 []"},
		{name: "comments only in the first column", in: "# x\n; y\n  # indented comment\nnameserver 10.0.0.2 # trailing comment\n",
			ns: "10.0.0.2", opts: "1/5/2 []"},
		{name: "IPv4, IPv6 and a link-local zone", in: "nameserver 10.0.0.2\nnameserver 2001:db8::53\nnameserver fe80::1%eth0\nnameserver\t10.0.0.3\n",
			ns: "10.0.0.2 2001:db8::53 fe80::1%eth0 10.0.0.3", opts: "1/5/2 []"},
		{name: "inet_aton shorthand is an address to glibc", in: "nameserver 10.1\nnameserver 012.0.0.1\nnameserver 0x0a.0.0.3\n",
			ns: "10.0.0.1 10.0.0.1 10.0.0.3", opts: "1/5/2 []"},
		{name: "invalid addresses are ignored and named", in: "nameserver 10.0.0.999\nnameserver 10.0.0.1x\nnameserver db.example.com\nnameserver \n",
			opts: "1/5/2 []", problems: []string{`line 1: nameserver "10.0.0.999"`, `line 2: nameserver "10.0.0.1x"`, "line 3:", "line 4: nameserver line without an address"}},
		{name: "the last domain or search line wins", in: "search a.example b.example\ndomain c.example extra\n",
			search: "c.example", opts: "1/5/2 []"},
		{name: "search replaces domain", in: "domain c.example\nsearch a.example\tb.example\n",
			search: "a.example b.example", opts: "1/5/2 []"},
		{name: "an empty search line changes nothing", in: "search a.example\nsearch   \n",
			search: "a.example", opts: "1/5/2 []"},
		{name: "options accumulate and later ones win", in: "options ndots:3 timeout:2\noptions attempts:3 rotate edns0 ndots:2\n",
			opts: "2/2/3 [rotate edns0]"},
		{name: "glibc's caps", in: "options ndots:99 timeout:99 attempts:9\n",
			opts: "15/30/5 []"},
		{name: "a negative ndots wraps in its 4-bit field", in: "options ndots:-1 timeout:0\n",
			opts: "15/0/2 []"},
		{name: "options match by prefix, reopen before single-request", in: "options single-request-reopen rotate-please no-tld-query trust-ad use-vc\n",
			opts: "1/5/2 [rotate single-request-reopen use-vc no-tld-query trust-ad]"},
		{name: "unknown options are ignored and named", in: "options timeout:1 bogus\n",
			opts: "1/1/2 []", problems: []string{`line 1: unknown option "bogus"`}},
		{name: "keywords must start the line", in: " nameserver 10.0.0.2\nnameservers 10.0.0.3\nNAMESERVER 10.0.0.4\nsearch\n",
			opts: "1/5/2 []", problems: []string{"line 1: \"nameserver 10.0.0.2\" starts with whitespace", "line 2: \"nameservers 10.0.0.3\" is not", "line 3:", `line 4: "search" has no value`}},
		{name: "a NUL byte ends the line, as in C", in: "nameserver 10.0.0.2\x00junk\nsearch a.example\x00b.example\n",
			ns: "10.0.0.2", search: "a.example", opts: "1/5/2 []"},
		{name: "modern glibc: a CR after the address rejects it", in: "nameserver 10.0.0.2\r\nsearch a.example\r\n",
			search: "a.example\r", opts: "1/5/2 []", problems: []string{"line 1: nameserver \"10.0.0.2\\r\" ends in a carriage return", "line 2: the search domain"}},
		{name: "legacy glibc: inet_aton accepts the CR", in: "nameserver 10.0.0.2\r\n", dialect: legacy,
			ns: "10.0.0.2", opts: "1/5/2 []"},
		{name: "legacy glibc: an IPv6 address with a CR is still ignored", in: "nameserver 2001:db8::53\r\n", dialect: legacy,
			opts: "1/5/2 []", problems: []string{`line 1: nameserver "2001:db8::53\r" ends in a carriage return`}},
		{name: "legacy glibc keeps six search domains", in: "search a b c d e f g h\n", dialect: legacy,
			search: "a b c d e f", opts: "1/5/2 []"},
		{name: "modern glibc keeps them all", in: "search a b c d e f g h\n",
			search: "a b c d e f g h", opts: "1/5/2 []"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := parseResolvConf([]byte(c.in), c.dialect)
			var ns []string
			for _, n := range rc.nameservers {
				ns = append(ns, n.addr.String())
			}
			if got := strings.Join(ns, " "); got != c.ns {
				t.Errorf("nameservers %q, want %q", got, c.ns)
			}
			if got := strings.Join(rc.search, " "); got != c.search {
				t.Errorf("search %q, want %q", got, c.search)
			}
			o := rc.options
			if got := fmt.Sprintf("%d/%d/%d %v", o.ndots, o.timeout, o.attempts, o.flags()); got != c.opts {
				t.Errorf("options %s, want %s", got, c.opts)
			}
			if len(rc.problems) != len(c.problems) {
				t.Errorf("problems %v, want %d", rc.problems, len(c.problems))
			}
			for i, want := range c.problems {
				if i < len(rc.problems) && !strings.HasPrefix(rc.problems[i].String(), want) {
					t.Errorf("problem %d %q, want it to start with %q", i, rc.problems[i], want)
				}
			}
		})
	}
}

func TestLegacySearchDropsAreRecorded(t *testing.T) {
	rc := parseResolvConf([]byte("search a b c d e f g h\n"), legacy)
	if strings.Join(rc.searchDropped, " ") != "g h" {
		t.Errorf("dropped %v, want [g h]", rc.searchDropped)
	}
	long := "search " + strings.Repeat("x", 250) + " yyyyyyyyyy\n"
	rc = parseResolvConf([]byte(long), legacy)
	if len(rc.search) != 2 || rc.search[1] != "yyyy" || len(rc.problems) != 1 {
		t.Errorf("a 255-byte cut: search %q problems %v", rc.search, rc.problems)
	}
}

func TestGoResolverReadsTimeoutsItsOwnWay(t *testing.T) {
	o := parseResolvConf([]byte("options timeout:0 attempts:9\n"), modern).options
	if o.timeout != 0 || o.attempts != 5 || o.goTimeout != 1 || o.goAttempts != 9 {
		t.Errorf("glibc %d/%d, Go %d/%d; want glibc 0/5 and Go 1/9", o.timeout, o.attempts, o.goTimeout, o.goAttempts)
	}
}

func TestDialectFor(t *testing.T) {
	for glibc, want := range map[string]dialect{"2.17": legacy, "2.25": legacy, "2.26": modern, "2.34": modern, "2.35": modern, "": modern, "junk": modern} {
		if got := dialectFor(glibc); got != want {
			t.Errorf("DialectFor(%q) = %v, want %v", glibc, got, want)
		}
	}
}

func TestInetAton(t *testing.T) {
	cases := []struct {
		in    string
		exact bool
		want  string // "" for rejected
	}{
		{"10.0.0.2", true, "10.0.0.2"},
		{"10.1", true, "10.0.0.1"},
		{"10.1.2", true, "10.1.0.2"},
		{"167772161", true, "10.0.0.1"},
		{"0x7f.1", true, "127.0.0.1"},
		{"010.0.0.1", true, "8.0.0.1"},
		{"08.0.0.1", true, ""},
		{"10.0.0.256", true, ""},
		{"10.0.0.1.2", true, ""},
		{"10.0.0.1 x", true, ""},
		{"10.0.0.1 x", false, "10.0.0.1"},
		{"10.0.0.1\r", false, "10.0.0.1"},
		{"10.0.0.1x", false, ""},
		{"4294967296", true, ""},
		{"", true, ""},
		{".1", true, ""},
		{"1.", true, ""},
	}
	for _, c := range cases {
		a, ok := inetAton(c.in, c.exact)
		got := ""
		if ok {
			got = a.String()
		}
		if got != c.want {
			t.Errorf("inetAton(%q, exact=%v) = %q, want %q", c.in, c.exact, got, c.want)
		}
	}
}

func TestWindowsAndWorstCase(t *testing.T) {
	for _, c := range []struct {
		timeout, n int
		want       string
	}{{5, 1, "[5]"}, {5, 2, "[5 5]"}, {5, 3, "[5 3 6]"}, {1, 3, "[1 1 1]"}, {0, 2, "[1 1]"}, {30, 3, "[30 20 40]"}} {
		if got := fmt.Sprint(windows(c.timeout, c.n)); got != c.want {
			t.Errorf("Windows(%d, %d) = %s, want %s", c.timeout, c.n, got, c.want)
		}
	}
	defaults := parseResolvConf(nil, modern).options
	if wc := worstCaseFor(defaults, 2); wc.Glibc != 20 || wc.Go != 20 || wc.Seconds != 20 {
		t.Errorf("defaults with two servers: %+v, want 20 s both", wc)
	}
	single := parseResolvConf([]byte("options single-request\n"), modern).options
	if wc := worstCaseFor(single, 1); wc.Glibc != 10 || wc.Go != 20 {
		t.Errorf("single-request: glibc %d Go %d, want 10 and 20 (Go asks A, then AAAA)", wc.Glibc, wc.Go)
	}
	none := parseResolvConf([]byte("options attempts:0\n"), modern).options
	if wc := worstCaseFor(none, 1); wc.Glibc != 0 || !strings.Contains(wc.GlibcHow, "no query") {
		t.Errorf("attempts:0: %+v", wc)
	}
}

func TestCandidates(t *testing.T) {
	search := []string{"a.test", "b.test"}
	cases := []struct {
		name  string
		ndots int
		want  string
	}{
		{"db1", 1, "db1.a.test. db1.b.test. db1."},
		{"db1.svc", 1, "db1.svc. db1.svc.a.test. db1.svc.b.test."},
		{"db1.svc", 2, "db1.svc.a.test. db1.svc.b.test. db1.svc."},
		{"db1.svc.", 5, "db1.svc."},
		{"api.example.com", 5, "api.example.com.a.test. api.example.com.b.test. api.example.com."},
	}
	for _, c := range cases {
		if got := strings.Join(candidates(c.name, search, c.ndots), " "); got != c.want {
			t.Errorf("Candidates(%s, ndots %d) = %s, want %s", c.name, c.ndots, got, c.want)
		}
	}
}
