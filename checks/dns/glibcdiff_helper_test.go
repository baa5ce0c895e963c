package dns

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// The differential test (glibcdiff_test.go) re-executes this test binary
// inside its network namespace in one of two helper roles, chosen by
// helperEnv: "servers" runs the misbehaving DNS servers dnsmasq cannot
// play, "driver" writes each case's files over /etc (a tmpfs there) and
// asks getent, getaddrinfo, dig and golive's own checks.
const (
	helperEnv = "GOLIVE_DNS_DIFF_HELPER"
	casesEnv  = "GOLIVE_DNS_DIFF_CASES"
)

// The namespace's servers, all on port 53 as glibc only asks port 53.
const (
	nsAnswer   = "127.0.0.1"  // dnsmasq: the zone below
	nsStub     = "127.0.0.53" // the same dnsmasq, where systemd-resolved's stub listens
	nsOther    = "127.0.0.5"  // a second dnsmasq with other answers
	nsRefused  = "127.0.0.2"  // answers REFUSED
	nsSilent   = "127.0.0.3"  // never answers
	nsServfail = "127.0.0.4"  // answers SERVFAIL
	nsClosed   = "127.0.0.9"  // nothing listens: the port is unreachable
)

// diffInput is what the driver gets: the cases, the dig probes, and the
// glibc version golive must model (this machine's).
type diffInput struct {
	Glibc  string     `json:"glibc"`
	Gai    string     `json:"gai"`  // the getaddrinfo probe, compiled by the test
	Root   string     `json:"root"` // a scratch directory for the image-mode roots
	Cases  []diffCase `json:"cases"`
	Probes []digProbe `json:"probes"`
	Output string     `json:"output"`
}

// diffCase is one set of resolver files and the names to resolve with
// them. A nil file is absent; "->target" makes it a symbolic link.
type diffCase struct {
	ID       string   `json:"id"`
	Resolv   *string  `json:"resolv"`
	Nsswitch *string  `json:"nsswitch"`
	Hosts    *string  `json:"hosts"`
	HostConf *string  `json:"host_conf"`
	Names    []string `json:"names"`
}

// digProbe is one question to one server, for dns/nameserver.
type digProbe struct {
	Server string `json:"server"`
	Name   string `json:"name"`
	Type   string `json:"type"`
}

// verdictOut is what one side made of one name.
type verdictOut struct {
	Class  string   `json:"class"` // found, notfound, error, undecided
	Addrs  []string `json:"addrs,omitempty"`
	Detail string   `json:"detail,omitempty"`
}

type nameResult struct {
	Case, Name string
	Getent     verdictOut // getent ahosts (class found or failed)
	Gai        verdictOut // getaddrinfo with getent's hints: tells not found from error
	Golive     verdictOut // dns/resolve on the running system (/)
	Image      verdictOut // dns/resolve on the same files as an image (--root): no /run
}

type probeResult struct {
	Probe  digProbe
	Dig    string // answer, servfail, refused, rcode, timeout, network
	DigRaw string
	Golive string // the dns/nameserver check's details.cause
	Status string
}

type diffOutput struct {
	Names  []nameResult
	Probes []probeResult
	Slow   map[string]time.Duration // cases that took more than a second
}

// runHelper runs a helper role; its result is the process's exit code.
func runHelper(role string) int {
	// Inside the namespace only loopback exists; still, nothing but the
	// namespace's own servers is ever asked.
	dialGuard = func(ap netip.AddrPort) error {
		if !ap.Addr().IsLoopback() || ap.Port() != 53 {
			return fmt.Errorf("diff fence: %s is not a namespace server", ap)
		}
		return nil
	}
	var err error
	switch role {
	case "servers":
		err = runServers()
	case "driver":
		err = runDriver(os.Getenv(casesEnv))
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

// runServers answers REFUSED on nsRefused and SERVFAIL on nsServfail, and
// reads without answering on nsSilent, over UDP and TCP, until killed.
func runServers() error {
	for _, s := range []struct {
		ip    string
		rcode int
	}{{nsRefused, mdns.RcodeRefused}, {nsServfail, mdns.RcodeServerFailure}, {nsSilent, -1}} {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(s.ip, "53"))
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(s.ip, "53"))
		if err != nil {
			return err
		}
		if s.rcode < 0 {
			go drainUDP(pc)
			go holdTCP(ln)
			continue
		}
		h := rcodeHandler(s.rcode)
		go func() { _ = (&mdns.Server{PacketConn: pc, Handler: h}).ActivateAndServe() }()
		go func() { _ = (&mdns.Server{Listener: ln, Handler: h}).ActivateAndServe() }()
	}
	select {}
}

func rcodeHandler(rcode int) mdns.Handler {
	return mdns.HandlerFunc(func(w mdns.ResponseWriter, r *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetRcode(r, rcode)
		m.RecursionAvailable = true
		_ = w.WriteMsg(m)
	})
}

func runDriver(inputPath string) error {
	data, err := os.ReadFile(inputPath)
	if err != nil {
		return err
	}
	var in diffInput
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	if err := waitForServers(); err != nil {
		return err
	}
	var out diffOutput
	for i, c := range in.Cases {
		if err := writeCase(c); err != nil {
			return fmt.Errorf("%s: %w", c.ID, err)
		}
		// Each case is a run of its own: a Host keeps what it read for
		// its run (internal/facts), and the case rewrote the files.
		live, err := host.New("/")
		if err != nil {
			return err
		}
		image, err := imageRoot(filepath.Join(in.Root, fmt.Sprint(i)), c)
		if err != nil {
			return fmt.Errorf("%s: %w", c.ID, err)
		}
		start := time.Now()
		out.Names = append(out.Names, resolveCase(in, c, live, image)...)
		if d := time.Since(start); d > time.Second {
			if out.Slow == nil {
				out.Slow = map[string]time.Duration{}
			}
			out.Slow[c.ID] = d.Round(time.Millisecond)
		}
	}
	plain := "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"
	if err := writeCase(diffCase{Resolv: &plain}); err != nil {
		return err
	}
	live, err := host.New("/")
	if err != nil {
		return err
	}
	out.Probes = probeServers(in, live)
	enc, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return os.WriteFile(in.Output, enc, 0o644)
}

// waitForServers waits until every answering server of the namespace
// answers, so that no case meets a server that is still starting.
func waitForServers() error {
	deadline := time.Now().Add(10 * time.Second)
	for _, ip := range []string{nsAnswer, nsStub, nsOther, nsRefused, nsServfail} {
		for {
			c := &mdns.Client{Timeout: 200 * time.Millisecond}
			m := new(mdns.Msg)
			m.SetQuestion("db1.test.", mdns.TypeA)
			if _, _, err := c.Exchange(m, net.JoinHostPort(ip, "53")); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("server %s does not answer", ip)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// writeCase puts the case's files in the namespace's /etc, a tmpfs.
func writeCase(c diffCase) error {
	for path, content := range map[string]*string{"/etc/resolv.conf": c.Resolv, "/etc/nsswitch.conf": c.Nsswitch, "/etc/hosts": c.Hosts, "/etc/host.conf": c.HostConf} {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		if content == nil {
			continue
		}
		if target, ok := strings.CutPrefix(*content, "->"); ok {
			if err := os.Symlink(target, path); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(path, []byte(*content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// imageRoot lays the case's files out as an image golive checks with
// --root: the same /etc, and no /run (it is filled at boot).
func imageRoot(dir string, c diffCase) (*host.Host, error) {
	if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
		return nil, err
	}
	for name, content := range map[string]*string{"resolv.conf": c.Resolv, "nsswitch.conf": c.Nsswitch, "hosts": c.Hosts, "host.conf": c.HostConf} {
		if content == nil {
			continue
		}
		p := filepath.Join(dir, "etc", name)
		var err error
		if target, ok := strings.CutPrefix(*content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(*content), 0o644)
		}
		if err != nil {
			return nil, err
		}
	}
	return host.New(dir)
}

// resolveCase resolves every name of c with every reference and with
// golive, the names in parallel (a silent server costs a second each).
func resolveCase(in diffInput, c diffCase, live, image *host.Host) []nameResult {
	out := make([]nameResult, len(c.Names))
	liveCache, imageCache := &systemCache{glibc: in.Glibc}, &systemCache{glibc: in.Glibc}
	var wg sync.WaitGroup
	for i, name := range c.Names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := nameResult{Case: c.ID, Name: name}
			var each sync.WaitGroup
			for _, f := range []func(){
				func() { r.Getent = getent(name) },
				func() { r.Gai = gai(in.Gai, name) },
				func() { r.Golive = goliveResolve(live, liveCache, name) },
				func() { r.Image = goliveResolve(image, imageCache, name) },
			} {
				each.Add(1)
				go func() { defer each.Done(); f() }()
			}
			each.Wait()
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

func getent(name string) verdictOut {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "getent", "ahosts", name)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return verdictOut{Class: "failed", Detail: strings.TrimSpace(err.Error() + " " + stderr.String())}
	}
	var addrs []string
	for _, line := range strings.Split(string(stdout), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			addrs = append(addrs, normAddr(f[0]))
		}
	}
	return verdictOut{Class: "found", Addrs: uniqueSorted(addrs)}
}

// gai runs the getaddrinfo probe: "name<TAB>rc<TAB>addr..." per name.
func gai(probe, name string) verdictOut {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stdout, err := exec.CommandContext(ctx, probe, name).Output()
	if err != nil {
		return verdictOut{Class: "crash", Detail: err.Error()}
	}
	f := strings.Split(strings.TrimRight(string(stdout), "\n"), "\t")
	if len(f) < 2 {
		return verdictOut{Class: "crash", Detail: fmt.Sprintf("unreadable output %q", stdout)}
	}
	switch f[1] {
	case "0":
		var addrs []string
		for _, a := range f[2:] {
			addrs = append(addrs, normAddr(a))
		}
		return verdictOut{Class: "found", Addrs: uniqueSorted(addrs)}
	case "-2", "-5": // EAI_NONAME, EAI_NODATA
		return verdictOut{Class: "notfound", Detail: "rc " + f[1]}
	}
	return verdictOut{Class: "error", Detail: "rc " + f[1]} // EAI_AGAIN, EAI_FAIL, EAI_SYSTEM ...
}

// goliveResolve runs golive's dns/resolve check for name on h.
func goliveResolve(h *host.Host, cache *systemCache, name string) verdictOut {
	c := &resolveCheck{Base: engine.Base{M: metaResolve(name)}, name: name, types: []uint16{mdns.TypeA, mdns.TypeAAAA}, port: 53, cache: cache}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := c.Run(ctx, h)
	v := verdictOut{Detail: string(r.Status) + ": " + r.Message}
	switch {
	case r.Status == engine.Pass || r.Status == engine.Warn:
		v.Class = "found"
		answers, _ := r.Details["answers"].(map[string][]string)
		for _, as := range answers {
			for _, a := range as {
				v.Addrs = append(v.Addrs, normAddr(a))
			}
		}
		v.Addrs = uniqueSorted(v.Addrs)
	case r.Status == engine.Skip:
		v.Class = "undecided"
	case r.Status == engine.Fail && r.Observed == "does not resolve":
		v.Class = "notfound"
	default:
		v.Class = "error"
	}
	return v
}

// probeServers asks each probe with dig and with golive's
// dns/nameserver check, several at a time (silent servers take a second).
func probeServers(in diffInput, h *host.Host) []probeResult {
	out := make([]probeResult, len(in.Probes))
	cache := &systemCache{glibc: in.Glibc}
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, p := range in.Probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := probeResult{Probe: p}
			r.Dig, r.DigRaw = dig(p)
			qt := mdns.StringToType[p.Type]
			addr := netip.MustParseAddr(p.Server)
			c := &nameserverCheck{Base: engine.Base{M: metaNameserver(p.Server)}, port: 53, probe: probe{name: p.Name, qtype: qt}, cache: cache,
				target: target{Addr: addr, Role: "nameserver", Source: resolvConfPath + ":1", Window: 1}}
			ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
			res := c.Run(ctx, h)
			cancel()
			r.Golive, _ = res.Details["cause"].(string)
			r.Status = string(res.Status)
			out[i] = r
		}()
	}
	wg.Wait()
	return out
}

// dig asks as glibc would (no EDNS, one try, UDP with TCP on truncation)
// and names the outcome as golive's details.cause does.
func dig(p digProbe) (cause, raw string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, "dig", "@"+p.Server, "-p", "53", "+tries=1", "+time=1", "+noedns", "+nocookie", p.Name, p.Type).CombinedOutput()
	raw = string(out)
	if _, rest, ok := strings.Cut(raw, "status: "); ok {
		rcode, _, _ := strings.Cut(rest, ",")
		switch rcode {
		case "NOERROR", "NXDOMAIN":
			return causeAnswer, raw
		case "SERVFAIL":
			return causeServfail, raw
		case "REFUSED":
			return causeRefused, raw
		}
		return causeRcode, raw
	}
	switch {
	case strings.Contains(raw, "timed out"):
		return causeTimeout, raw
	case strings.Contains(raw, "refused"), strings.Contains(raw, "communications error"), strings.Contains(raw, "unreachable"):
		return causeNetwork, raw
	}
	return "unknown", raw
}

func normAddr(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String()
	}
	return s
}

func uniqueSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
