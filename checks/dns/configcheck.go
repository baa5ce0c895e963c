package dns

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// configCheck is dns/config: the resolver configuration itself, read
// from files only.
type configCheck struct {
	engine.Base
	maxNS     int
	maxLookup time.Duration
	example   string // a name to show the search list with (the first of dns.names)
	cache     *systemCache
}

// finding is one thing wrong with the configuration.
type finding struct {
	status engine.Status
	text   string
	fix    string
}

func (c *configCheck) Run(_ context.Context, h *host.Host) engine.Result {
	sys := c.cache.get(h)
	if err := sys.resolvErr; err != nil {
		switch {
		case h.NeedsRoot(err):
			return engine.SkipNeedsRoot(engine.Result{}, err)
		case !ignoredByGlibc(err): // too large to read: golive cannot tell what glibc sees
			return engine.Result{Status: engine.Error, Message: "cannot read " + resolvConfPath + ": " + err.Error()}
		}
	}
	opts := sys.options()
	inUse := sys.glibcServers()
	wc := worstCaseFor(opts, len(inUse))
	search, searchFrom := sys.search()

	var found []finding
	found = append(found, c.resolvFindings(sys)...)
	found = append(found, c.optionFindings(opts, search, len(inUse), wc)...)
	found = append(found, stubFindings(sys)...)
	found = append(found, fileFindings(sys)...)

	res := engine.Result{Status: engine.Pass, Details: c.details(sys, opts, search, searchFrom, wc)}
	res.Observed = observed(inUse, search, opts, wc)
	var texts []string
	plan := &remediate.Plan{Summary: "fix the resolver configuration"}
	for _, f := range found {
		if rank(f.status) > rank(res.Status) {
			res.Status = f.status
		}
		texts = append(texts, f.text)
		if f.fix != "" {
			plan.Actions = append(plan.Actions, remediate.Tell(f.fix))
		}
	}
	res.Message = strings.Join(texts, "; ")
	if res.Message == "" {
		res.Message = fmt.Sprintf("glibc uses %d nameserver(s); a lookup gives up after at most %d s", len(inUse), wc.Seconds)
	}
	if note := upstreamNote(sys); note != "" {
		res.Message += "; " + note
	}
	if len(plan.Actions) > 0 {
		res.Remediation = plan
	}
	return res
}

// ignoredByGlibc are the errors glibc treats as "no resolv.conf"
// (__resolv_conf_load): persistent problems of the file system.
func ignoredByGlibc(err error) bool {
	for _, target := range []error{fs.ErrNotExist, fs.ErrPermission, host.ErrNotRegular, syscall.ELOOP, syscall.ENOTDIR, syscall.EISDIR} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

const editResolv = "edit " + resolvConfPath + " (or what writes it: NetworkManager, netplan, DHCP, cloud-init) so that "

func (c *configCheck) resolvFindings(sys *system) []finding {
	rc := sys.resolv
	switch {
	case rc == nil:
		return []finding{{engine.Fail, fmt.Sprintf("%s cannot be used (%v): glibc then sends every query to 127.0.0.1, which answers only if a local resolver runs", resolvConfPath, sys.resolvErr),
			editResolv + "it exists and names the site's nameservers"}}
	case sys.synthetic && sys.live:
		return []finding{{engine.Fail, fmt.Sprintf("%s links to %s, which does not exist: systemd-resolved is not running, so lookups go to 127.0.0.1", resolvConfPath, sys.resolvLink),
			"start systemd-resolved (systemctl enable --now systemd-resolved), or replace the link with a file naming the nameservers"}}
	}
	var out []finding
	if len(rc.nameservers) == 0 {
		out = append(out, finding{engine.Fail, "no nameserver line: glibc falls back to 127.0.0.1, which answers only if a local resolver runs",
			editResolv + "it has nameserver lines"})
	}
	n := len(rc.nameservers)
	if n > c.maxNS || n > maxNS {
		text := fmt.Sprintf("%d nameservers", n)
		if n > c.maxNS {
			text += fmt.Sprintf(", more than max_nameservers (%d)", c.maxNS)
		}
		if n > maxNS {
			var ignored []string
			for _, ns := range rc.nameservers[maxNS:] {
				ignored = append(ignored, fmt.Sprintf("%s (line %d)", ns.addr, ns.line))
			}
			text += fmt.Sprintf("; glibc queries only the first %d (MAXNS): %s never asked", maxNS, strings.Join(ignored, ", "))
		}
		out = append(out, finding{engine.Warn, text, editResolv + fmt.Sprintf("it lists at most %d nameservers, the ones that answer", min(c.maxNS, maxNS))})
	}
	seen := map[netip.Addr]int{}
	for _, ns := range sys.glibcServers() {
		if first, dup := seen[ns.addr]; dup {
			out = append(out, finding{engine.Warn, fmt.Sprintf("nameserver %s is listed twice (lines %d and %d): a silent server costs twice", ns.addr, first, ns.line),
				editResolv + "each nameserver appears once"})
		}
		seen[ns.addr] = ns.line
	}
	if len(rc.problems) > 0 {
		out = append(out, finding{engine.Warn, fmt.Sprintf("%s: %s", resolvConfPath, joinProblems(rc.problems, 6)), editResolv + "every line is one glibc reads as intended"})
	}
	if len(rc.searchDropped) > 0 {
		out = append(out, finding{engine.Warn, fmt.Sprintf("glibc before 2.26 keeps 6 search domains in 255 bytes: %s dropped", strings.Join(rc.searchDropped, ", ")),
			editResolv + "the search line has at most 6 domains"})
	}
	return out
}

func (c *configCheck) optionFindings(o options, search []string, n int, wc worstCase) []finding {
	var out []finding
	if o.attempts <= 0 {
		out = append(out, finding{engine.Fail, fmt.Sprintf("options attempts:%d: glibc sends no query at all and every DNS lookup fails (Go's resolver makes 1 attempt)", o.attempts),
			editResolv + "options has attempts:2 (or no attempts: at all)"})
	}
	if o.ndots > 1 && len(search) > 0 {
		example := c.example
		if example == "" || strings.Count(example, ".") >= o.ndots {
			example = "example.com"
		}
		tried := candidates(example, search, o.ndots)
		out = append(out, finding{engine.Warn, fmt.Sprintf("ndots:%d with a search list: a name with fewer than %d dots tries every search domain first (%s: %s)", o.ndots, o.ndots, example, strings.Join(tried, ", ")),
			editResolv + "options ndots is 1, or have the service use fully qualified names with a trailing dot"})
	}
	if limit := int(c.maxLookup / time.Second); o.attempts > 0 && wc.Seconds > limit {
		out = append(out, finding{engine.Warn, fmt.Sprintf("a lookup can block %d s when every nameserver is silent, more than max_lookup_time %s (glibc: %s; Go: %s)", wc.Seconds, c.maxLookup, wc.GlibcHow, wc.GoHow),
			editResolv + suggestTimeouts(o, n, limit)})
	}
	return out
}

// suggestTimeouts proposes the gentlest options line that brings the
// worst case within limit.
func suggestTimeouts(o options, n, limit int) string {
	for _, t := range []struct{ timeout, attempts int }{{3, 2}, {2, 2}, {1, 2}, {1, 1}} {
		try := o
		try.timeout, try.attempts, try.goTimeout, try.goAttempts = t.timeout, t.attempts, t.timeout, t.attempts
		if wc := worstCaseFor(try, n); wc.Seconds <= limit {
			return fmt.Sprintf("options has timeout:%d attempts:%d (worst case then %d s), or fewer nameservers are listed", t.timeout, t.attempts, wc.Seconds)
		}
	}
	return "fewer nameservers are listed and options has timeout:1 attempts:1"
}

func stubFindings(sys *system) []finding {
	if !sys.stub {
		return nil
	}
	switch {
	case sys.upstreams == nil && sys.live:
		return []finding{{engine.Warn, fmt.Sprintf("systemd-resolved stub, but %s cannot be read (%v): is systemd-resolved running?", uplinkPath, sys.upstreamsErr),
			"start systemd-resolved (systemctl enable --now systemd-resolved)"}}
	case sys.upstreams != nil && len(sys.upstreams.nameservers) == 0:
		return []finding{{engine.Warn, "systemd-resolved knows no upstream DNS server: names outside its local zones resolve only through FallbackDNS, if that is set",
			"set DNS= in " + resolvedConfPath + " (or give the link DNS servers through netplan/DHCP) and restart systemd-resolved"}}
	}
	return nil
}

func upstreamNote(sys *system) string {
	if sys.stub && sys.upstreams == nil && !sys.live {
		return "systemd-resolved's upstream servers are unknown: the root has no " + uplinkPath + " (it is written at boot)"
	}
	return ""
}

func fileFindings(sys *system) []finding {
	var out []finding
	switch {
	case sys.nss.rejected:
		out = append(out, finding{engine.Fail, fmt.Sprintf("%s does not parse (line %d): glibc %s loads none of it, and every lookup by name fails", nsswitchPath, sys.nss.line, sys.nss.rules),
			"correct the [STATUS=action] list on line " + fmt.Sprint(sys.nss.line) + " of " + nsswitchPath})
	case len(sys.nss.hosts) == 0:
		out = append(out, finding{engine.Fail, fmt.Sprintf("the hosts line of %s (line %d) names no service: glibc %s asks nothing, and every lookup by name fails", nsswitchPath, sys.nss.line, sys.nss.rules),
			"write the services on the hosts line of " + nsswitchPath + " (\"hosts: files dns\")"})
	case sys.nss.Default && sys.nss.rules != nssModern:
		// glibc 2.33+ falls back to "files dns", what every distro writes.
		out = append(out, finding{engine.Warn, fmt.Sprintf("%s has no hosts line: glibc %s uses %q, so %s is read only when DNS is unavailable", nsswitchPath, sys.nss.rules, sys.nss.rules.DefaultHosts(), hostsPath),
			"add a hosts line to " + nsswitchPath + " (the distro's default is \"hosts: files dns\", plus myhostname on RHEL)"})
	}
	var nssProblems []problem
	for _, p := range sys.nss.problems {
		if p.Line > 0 {
			nssProblems = append(nssProblems, p)
		}
	}
	if len(nssProblems) > 0 {
		out = append(out, finding{engine.Warn, fmt.Sprintf("%s: %s", nsswitchPath, joinProblems(nssProblems, 4)), "correct the hosts line of " + nsswitchPath})
	}
	if sys.hosts != nil && len(sys.hosts.problems) > 0 {
		out = append(out, finding{engine.Warn, fmt.Sprintf("%s: %s", hostsPath, joinProblems(sys.hosts.problems, 4)), "remove or correct the malformed lines of " + hostsPath})
	}
	return out
}

func joinProblems(ps []problem, limit int) string {
	var parts []string
	for i, p := range ps {
		if i == limit {
			parts = append(parts, fmt.Sprintf("and %d more", len(ps)-limit))
			break
		}
		if p.Line == 0 {
			parts = append(parts, p.Text)
			continue
		}
		parts = append(parts, p.String())
	}
	return strings.Join(parts, "; ")
}

func observed(inUse []nameserver, search []string, o options, wc worstCase) string {
	addrs := make([]string, len(inUse))
	for i, ns := range inUse {
		addrs[i] = ns.addr.String()
	}
	s := fmt.Sprintf("nameservers %s", strings.Join(addrs, ", "))
	if len(search) > 0 {
		s += "; search " + strings.Join(search, " ")
	}
	return s + fmt.Sprintf("; ndots %d, timeout %d s, attempts %d; worst case %d s", o.ndots, o.timeout, o.attempts, wc.Seconds)
}

func (c *configCheck) details(sys *system, o options, search []string, searchFrom string, wc worstCase) map[string]any {
	d := map[string]any{
		"nameservers": []string{}, "in_use": []string{}, "ignored": []string{},
		"search": search, "search_from": searchFrom, "ndots": o.ndots, "timeout": o.timeout, "attempts": o.attempts,
		"rotate": o.rotate, "options": o.flags(), "stub": sys.stub, "upstreams": nil,
		"worst_case": wc, "max_lookup_time_s": int(c.maxLookup / time.Second), "max_nameservers": c.maxNS,
		"sources": sources(sys), "nsswitch_hosts": sys.nss.hostsLine(), "nsswitch_default": sys.nss.Default,
	}
	if search == nil {
		d["search"] = []string{}
	}
	if rc := sys.resolv; rc != nil {
		var all, ignored []string
		for i, ns := range rc.nameservers {
			all = append(all, ns.addr.String())
			if i >= maxNS {
				ignored = append(ignored, ns.addr.String())
			}
		}
		d["nameservers"], d["ignored"] = orEmpty(all), orEmpty(ignored)
		d["problems"] = rc.problems
		d["crlf"] = rc.crlf
	}
	var inUse []string
	for _, ns := range sys.glibcServers() {
		inUse = append(inUse, ns.addr.String())
	}
	d["in_use"] = inUse
	d["implied"] = sys.resolv == nil || len(sys.resolv.nameservers) == 0
	if sys.stub {
		d["stub_why"] = sys.stubWhy
		if sys.upstreams != nil {
			var ups []string
			for _, ns := range sys.upstreams.nameservers {
				ups = append(ups, ns.addr.String())
			}
			d["upstreams"] = orEmpty(ups)
		}
	}
	return d
}

func sources(sys *system) []string {
	src := resolvConfPath
	if sys.resolvLink != "" {
		src += " -> " + sys.resolvLink
	}
	if sys.synthetic {
		src += " (missing under the root: systemd-resolved's stub file assumed)"
	}
	out := []string{src}
	if sys.stub && sys.upstreams != nil {
		out = append(out, uplinkPath)
	}
	return append(out, nsswitchPath, hostsPath)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// flags lists the boolean options in effect, as written in resolv.conf.
func (o options) flags() []string {
	out := []string{}
	for _, f := range []struct {
		on   bool
		name string
	}{
		{o.rotate, "rotate"}, {o.edns0, "edns0"}, {o.singleRequest, "single-request"},
		{o.singleRequestReopen, "single-request-reopen"}, {o.useVC, "use-vc"}, {o.noTLDQuery, "no-tld-query"},
		{o.noReload, "no-reload"}, {o.trustAD, "trust-ad"}, {o.noAAAA, "no-aaaa"}, {o.inet6, "inet6"}, {o.debug, "debug"},
	} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}
