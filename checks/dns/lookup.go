package dns

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
)

// Outcomes of one candidate name (details.candidates[].result); the
// exchange causes (servfail, refused, timeout, network) complete them.
const (
	resultAnswer   = "answer"
	resultNXDomain = "nxdomain"
	resultNoData   = "nodata"
	resultBadName  = "badname"
)

// serverTry is one server's part in answering one candidate name.
type serverTry struct {
	Server      string  `json:"server"`
	Result      string  `json:"result"`
	RTTms       float64 `json:"rtt_ms"`
	Transport   string  `json:"transport"`
	TCPFallback bool    `json:"tcp_fallback,omitempty"`
}

// candidate is one name sent to DNS while resolving, in the order glibc
// (or systemd-resolved) sends them.
type candidate struct {
	Name    string      `json:"name"`
	Result  string      `json:"result"`
	Servers []serverTry `json:"servers,omitempty"`

	addrs []netip.Addr // A and AAAA answers
	names []string     // PTR answers
	by    string       // the server that answered
}

func (c candidate) found() bool { return c.Result == resultAnswer }

// dnsClient asks the nameservers of a System, in order, as glibc's
// res_send does: a server that fails (SERVFAIL, REFUSED, silence, a
// network error) passes the question to the next; NXDOMAIN or an empty
// answer ends it.
type dnsClient struct {
	servers []target
	port    uint16
	opts    options
}

// ask resolves one fully qualified name for the given types.
func (d dnsClient) ask(ctx context.Context, name string, types []uint16) candidate {
	c := candidate{Name: mdns.Fqdn(name)}
	if _, ok := mdns.IsDomainName(c.Name); !ok || len(c.Name) > 254 {
		c.Result = resultBadName
		return c
	}
	if d.opts.noAAAA { // glibc 2.36+: AAAA queries are not sent at all
		types = slices.DeleteFunc(slices.Clone(types), func(t uint16) bool { return t == mdns.TypeAAAA })
		if len(types) == 0 {
			c.Result = resultNoData
			return c
		}
	}
	lastResponse := ""
	for i, t := range d.servers {
		sctx, cancel := context.WithTimeout(ctx, share(ctx, t.Window, len(d.servers)-i))
		answers := d.askServer(sctx, t, c.Name, types)
		cancel()
		try, got := d.combine(t, answers, &c)
		c.Servers = append(c.Servers, try)
		if got != "" {
			c.Result, c.by = got, try.Server
			return c
		}
		if try.Result != causeTimeout && try.Result != causeNetwork {
			lastResponse = try.Result
		}
	}
	// glibc's search goes on after SERVFAIL only; after REFUSED or silence
	// it stops, and it gives up at once when no server was reachable.
	switch {
	case lastResponse != "":
		c.Result = lastResponse
	case allNetwork(c.Servers):
		c.Result = causeNetwork
	default:
		c.Result = causeTimeout
	}
	return c
}

// share bounds one server's exchange: glibc's wait for it, but never more
// than an even share of what is left of the check's time, so that one
// silent server leaves time to ask the next.
func share(ctx context.Context, window, left int) time.Duration {
	d := 5 * time.Second
	if window > 0 {
		d = time.Duration(window) * time.Second
	}
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl)/time.Duration(max(left, 1)))
	}
	return d
}

// askServer sends one query per type: in parallel, or one after the other
// with single-request (as glibc and Go do).
func (d dnsClient) askServer(ctx context.Context, t target, name string, types []uint16) []answer {
	server := netip.AddrPortFrom(t.Addr, d.port)
	out := make([]answer, len(types))
	if d.opts.singleRequest || d.opts.singleRequestReopen || len(types) == 1 {
		for i, qt := range types {
			out[i] = exchange(ctx, server, question(name, qt, d.opts), d.opts.useVC)
		}
		return out
	}
	var wg sync.WaitGroup
	for i, qt := range types {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = exchange(ctx, server, question(name, qt, d.opts), d.opts.useVC)
		}()
	}
	wg.Wait()
	return out
}

// combine judges one server's answers to all types. got is the
// candidate's final result when this server settled it ("" to go on).
func (d dnsClient) combine(t target, answers []answer, c *candidate) (try serverTry, got string) {
	try.Server = t.Addr.String()
	nx, noerror, records := false, false, 0
	var worst answer
	for _, a := range answers {
		try.RTTms = max(try.RTTms, ms(a.rtt))
		try.Transport = a.transport
		try.TCPFallback = try.TCPFallback || a.fallback
		if a.cause != causeAnswer {
			worst = a
			continue
		}
		nx = nx || a.msg.Rcode == mdns.RcodeNameError
		noerror = noerror || a.msg.Rcode == mdns.RcodeSuccess
		for _, rr := range a.msg.Answer {
			switch v := rr.(type) {
			case *mdns.A:
				c.addrs, records = append(c.addrs, addrOf(v.A)), records+1
			case *mdns.AAAA:
				c.addrs, records = append(c.addrs, addrOf(v.AAAA)), records+1
			case *mdns.PTR:
				c.names, records = append(c.names, v.Ptr), records+1
			}
		}
	}
	switch {
	case records > 0:
		try.Result = resultAnswer
	case nx:
		try.Result = resultNXDomain
	case noerror:
		try.Result = resultNoData
	default:
		try.Result = worst.cause
		return try, ""
	}
	return try, try.Result
}

func addrOf(ip []byte) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

func allNetwork(tries []serverTry) bool {
	for _, t := range tries {
		if t.Result != causeNetwork {
			return false
		}
	}
	return len(tries) > 0
}

// searchGlibc resolves name through the search list exactly in glibc's
// order (res_query.c, __res_context_search): a name with at least ndots
// dots, or a trailing dot, is tried as given first; then each search
// domain; then the name as given, unless it was tried already. NXDOMAIN,
// an empty answer or SERVFAIL go on to the next domain; any other failure
// ends the search list; no reachable server ends everything.
func searchGlibc(ctx context.Context, d dnsClient, name string, search []string, ndots int, noTLD bool, types []uint16) []candidate {
	var tried []candidate
	ask := func(n string) candidate {
		c := d.ask(ctx, n, types)
		tried = append(tried, c)
		return c
	}
	dots := strings.Count(name, ".")
	trailing := strings.HasSuffix(name, ".")
	asIs := false
	if dots >= ndots || trailing {
		if c := ask(name); c.found() || trailing {
			return tried
		}
		asIs = true
	}
	searched, rootOnList := false, false
	for _, domain := range search {
		searched = true
		domain = strings.TrimPrefix(domain, ".")
		if domain == "" {
			rootOnList = true
		}
		c := ask(name + "." + domain)
		if c.found() || c.Result == causeNetwork {
			return tried
		}
		if c.Result != resultNXDomain && c.Result != resultNoData && c.Result != causeServfail {
			break
		}
	}
	if (dots > 0 || !searched || !noTLD) && !asIs && !rootOnList {
		ask(name)
	}
	return tried
}

// searchResolved resolves name as systemd-resolved does for the nss
// "resolve" service: search domains are appended to single-label names
// only, and a single label is never sent as it is (ndots is ignored).
func searchResolved(ctx context.Context, d dnsClient, name string, search []string, types []uint16) []candidate {
	if strings.Contains(strings.TrimSuffix(name, "."), ".") || strings.HasSuffix(name, ".") {
		return []candidate{d.ask(ctx, name, types)}
	}
	var tried []candidate
	for _, domain := range search {
		c := d.ask(ctx, name+"."+strings.TrimPrefix(domain, "."), types)
		tried = append(tried, c)
		if c.found() || (c.Result != resultNXDomain && c.Result != resultNoData) {
			break
		}
	}
	return tried
}

// candidates lists the names glibc sends for name, in order, when every
// one of them is NXDOMAIN: what dns/config shows and the tests pin.
func candidates(name string, search []string, ndots int) []string {
	dots := strings.Count(name, ".")
	var out []string
	if dots >= ndots || strings.HasSuffix(name, ".") {
		out = append(out, mdns.Fqdn(name))
		if strings.HasSuffix(name, ".") {
			return out
		}
	}
	root := false
	for _, d := range search {
		d = strings.TrimPrefix(d, ".")
		root = root || d == ""
		out = append(out, mdns.Fqdn(name+"."+d))
	}
	if dots < ndots && !root {
		out = append(out, mdns.Fqdn(name))
	}
	return out
}
