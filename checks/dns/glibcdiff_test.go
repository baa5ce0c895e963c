package dns

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/testenv"
)

// TestDifferentialGlibc resolves names with glibc (getent ahosts, and
// getaddrinfo itself to tell "not found" from "error") and with golive's
// dns/resolve, on the same resolv.conf, nsswitch.conf and /etc/hosts, in
// a network namespace where real dnsmasq servers, a REFUSED one, a
// SERVFAIL one and a silent one listen on 127.x; and asks every server
// with dig and with dns/nameserver. Both must agree on every name, except
// the differences docs/truth.md lists (deliberateDifferences).
func TestDifferentialGlibc(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "getent", "libc-bin")
	dnsmasq := testenv.NeedCommand(t, "dnsmasq", "dnsmasq-base")
	testenv.NeedCommand(t, "dig", "dnsutils")
	gcc := testenv.NeedCommand(t, "gcc", "gcc")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	glibc := glibcVersion(t)
	gaiProbe := buildGai(t, gcc, dir)

	seed := uint64(diffSeed)
	if v := os.Getenv("GOLIVE_DNS_DIFF_SEED"); v != "" { // explore; keep what a new seed finds as a hand-made case
		if _, err := fmt.Sscan(v, &seed); err != nil {
			t.Fatalf("GOLIVE_DNS_DIFF_SEED=%q: %v", v, err)
		}
	}
	t.Logf("random cases from seed %d", seed)
	cases := append(handMadeCases(), randomCases(seed, 170)...)
	before := hostResolverFiles(t)
	start := time.Now()
	out := runShards(t, dir, exe, dnsmasq, diffInput{Glibc: glibc, Gai: gaiProbe, Cases: cases, Probes: digProbes()})
	t.Logf("namespace runs: %s", time.Since(start).Round(time.Millisecond))
	if after := hostResolverFiles(t); after != before {
		t.Errorf("the host's resolver files changed during the run:\n%s\n%s", before, after)
	}
	if keep := os.Getenv("GOLIVE_DNS_DIFF_KEEP"); keep != "" { // for exploring a new seed
		data, _ := json.Marshal(out)
		_ = os.WriteFile(keep, data, 0o644)
	}
	t.Logf("slow cases: %v", out.Slow)
	byID := map[string]diffCase{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	agree, deliberate := 0, map[string]int{}
	for _, r := range out.Names {
		c := byID[r.Case]
		if why := disagreement(r); why != "" {
			if d := deliberateDifference(c, r); d != "" {
				deliberate[d]++
				continue
			}
			t.Errorf("%s: %s\n  getent: %+v\n  getaddrinfo: %+v\n  golive: %+v\n  image: %+v\n%s", r.Case, why, r.Getent, r.Gai, r.Golive, r.Image, describeCase(c))
			continue
		}
		agree++
	}
	t.Logf("differential (glibc %s): %d configurations, %d names, %d agree, deliberate differences %v", glibc, len(cases), len(out.Names), agree, deliberate)

	probesAgree := 0
	for _, p := range out.Probes {
		if p.Dig != p.Golive {
			t.Errorf("dns/nameserver:%s for %s %s: golive %s (%s), dig %s\n%s", p.Probe.Server, p.Probe.Name, p.Probe.Type, p.Golive, p.Status, p.Dig, p.DigRaw)
			continue
		}
		if (p.Golive == causeAnswer) != (p.Status == "pass" || p.Status == "warn") {
			t.Errorf("dns/nameserver:%s: cause %s but status %s", p.Probe.Server, p.Golive, p.Status)
			continue
		}
		probesAgree++
	}
	t.Logf("differential (dig): %d probes, %d agree", len(out.Probes), probesAgree)
	if len(out.Names) < 200 {
		t.Errorf("only %d names compared: the suite must compare at least 200", len(out.Names))
	}
}

// diffShards is how many namespaces share the cases: they run at once,
// so that the seconds spent waiting on the silent server overlap.
const diffShards = 2

// runShards runs the cases in diffShards namespaces of their own (each
// with its own servers and /etc), the dig probes in the first, and
// gathers the results.
func runShards(t *testing.T, dir, exe, dnsmasq string, all diffInput) diffOutput {
	outs := make([]diffOutput, diffShards)
	errs := make([]error, diffShards)
	var wg sync.WaitGroup
	for i := range diffShards {
		in := all
		in.Cases, in.Probes = nil, nil
		for j, c := range all.Cases {
			if j%diffShards == i {
				in.Cases = append(in.Cases, c)
			}
		}
		if i == 0 {
			in.Probes = all.Probes
		}
		shard := filepath.Join(dir, fmt.Sprintf("shard%d", i))
		if err := os.MkdirAll(shard, 0o755); err != nil {
			t.Fatal(err)
		}
		in.Root, in.Output = filepath.Join(shard, "roots"), filepath.Join(shard, "out.json")
		input := filepath.Join(shard, "in.json")
		writeJSON(t, input, in)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns := testenv.Namespace{Net: true, PID: true, Setup: namespaceSetup(shard, exe, dnsmasq)}
			cmd := ns.Command(exe)
			cmd.Env = append(os.Environ(), helperEnv+"=driver", casesEnv+"="+input)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("driver %d: %v\n%s", i, err, out)
				return
			}
			data, err := os.ReadFile(in.Output)
			if err == nil {
				err = json.Unmarshal(data, &outs[i])
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	var out diffOutput
	out.Slow = map[string]time.Duration{}
	for i := range diffShards {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		out.Names = append(out.Names, outs[i].Names...)
		out.Probes = append(out.Probes, outs[i].Probes...)
		maps.Copy(out.Slow, outs[i].Slow)
	}
	return out
}

// disagreement says how golive differs from glibc on one name, or "".
func disagreement(r nameResult) string {
	if (r.Getent.Class == "found") != (r.Gai.Class == "found") || (r.Gai.Class == "found" && !slices.Equal(r.Getent.Addrs, r.Gai.Addrs)) {
		return "getent and getaddrinfo disagree: the references are not comparable"
	}
	want := r.Gai
	if why := compareVerdict("golive", r.Golive, want); why != "" {
		return why
	}
	// An image (--root, no /run) may not know how to ask DNS: it may then
	// skip, but never stand another answer in for glibc's.
	if r.Image.Class != "undecided" {
		if why := compareVerdict("golive --root", r.Image, want); why != "" {
			return why
		}
	}
	return ""
}

func compareVerdict(who string, got, want verdictOut) string {
	switch {
	case got.Class != want.Class:
		return fmt.Sprintf("%s says %s, glibc %s", who, got.Class, want.Class)
	case want.Class == "found" && !slices.Equal(got.Addrs, want.Addrs):
		return fmt.Sprintf("%s answers %v, glibc %v", who, got.Addrs, want.Addrs)
	}
	return ""
}

// deliberateDifferences are the cases where golive knowingly differs
// from glibc; docs/truth.md ("dns") lists them with their reasons.
var deliberateDifferences = []struct {
	name  string
	match func(c diffCase, r nameResult) bool
}{}

func deliberateDifference(c diffCase, r nameResult) string {
	for _, d := range deliberateDifferences {
		if d.match(c, r) {
			return d.name
		}
	}
	return ""
}

func describeCase(c diffCase) string {
	show := func(name string, s *string) string {
		if s == nil {
			return "  " + name + ": (absent)\n"
		}
		return fmt.Sprintf("  %s: %q\n", name, *s)
	}
	return show("resolv.conf", c.Resolv) + show("nsswitch.conf", c.Nsswitch) + show("hosts", c.Hosts) + show("host.conf", c.HostConf)
}

// glibcVersion is this machine's glibc, which getent runs with and whose
// rules golive must apply.
func glibcVersion(t *testing.T) string {
	out, err := exec.Command("getconf", "GNU_LIBC_VERSION").Output()
	if err != nil {
		t.Fatalf("getconf GNU_LIBC_VERSION: %v", err)
	}
	v, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "glibc ")
	if !ok {
		t.Fatalf("not a glibc: %q", out)
	}
	return v
}

// gaiSource asks getaddrinfo with getent ahosts' hints and prints the
// return code, which getent does not show (it exits 2 on any failure).
const gaiSource = `#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
	for (int i = 1; i < argc; i++) {
		struct addrinfo hints, *res, *p;
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_UNSPEC;
		hints.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG | AI_CANONNAME;
		int rc = getaddrinfo(argv[i], NULL, &hints, &res);
		printf("%s\t%d", argv[i], rc);
		if (rc == 0) {
			for (p = res; p != NULL; p = p->ai_next) {
				char buf[INET6_ADDRSTRLEN];
				const void *a = p->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr
					: (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr;
				if (inet_ntop(p->ai_family, a, buf, sizeof buf) != NULL)
					printf("\t%s", buf);
			}
			freeaddrinfo(res);
		}
		printf("\n");
	}
	return 0;
}
`

func buildGai(t *testing.T, gcc, dir string) string {
	src, bin := filepath.Join(dir, "gai.c"), filepath.Join(dir, "gai")
	if err := os.WriteFile(src, []byte(gaiSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

func writeJSON(t *testing.T, path string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hostResolverFiles fingerprints the host's own resolver files: the run
// must leave them as they were.
func hostResolverFiles(t *testing.T) string {
	var b strings.Builder
	for _, p := range []string{"/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf"} {
		data, err := os.ReadFile(p)
		fmt.Fprintf(&b, "%s %x %v\n", p, sha256.Sum256(data), err != nil)
	}
	return b.String()
}

// The zones the namespace's two dnsmasq servers answer from. Names they
// hold no record for are NXDOMAIN (--local=/#/); a name with only an A
// record has no AAAA data (NODATA), and the reverse.
var (
	zoneAnswer = []string{
		"--host-record=db1.test,10.1.1.1,2001:db8::1",
		"--host-record=v4.test,10.1.1.2",
		"--host-record=v6.test,2001:db8::6",
		"--host-record=db1.a.test,10.1.1.3",
		"--host-record=db1.b.test,10.1.1.4",
		"--host-record=app.b.test,10.1.1.5",
		"--host-record=svc.a.test,10.1.1.6",
		"--host-record=svc.b.test,10.1.1.7",
		"--host-record=multi.test,10.1.1.10",
		"--host-record=multi.test,10.1.1.11",
		"--host-record=x.y.z.test,10.1.1.12",
		"--host-record=db1.test.a.test,10.1.1.13",
		"--host-record=solo,10.1.1.14",
		"--host-record=x.y.z,10.1.1.15",
		"--host-record=mixed.test,10.1.1.16,2001:db8::16",
		"--cname=alias.test,db1.test",
	}
	zoneOther = []string{
		"--host-record=db1.test,10.2.2.1",
		"--host-record=onlyb.test,10.2.2.2",
		"--host-record=svc.a.test,10.2.2.6",
		"--host-record=db1.a.test,10.2.2.3",
	}
)

// namespaceSetup builds the namespace the driver runs in: /etc becomes a
// tmpfs of links to the host's files, less the resolver files the driver
// writes per case; /run is an empty tmpfs; the servers start.
func namespaceSetup(dir, exe, dnsmasq string) string {
	q := testenv.Quote
	dnsmasqArgs := func(name string, listen []string, zone []string) string {
		args := []string{q(dnsmasq), "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces", "--port=53",
			"--local=/#/", "--local=//", "--pid-file=/run/" + name + ".pid", "--log-facility=" + q(filepath.Join(dir, name+".log")), "--user=root"}
		for _, l := range listen {
			args = append(args, "--listen-address="+l)
		}
		return strings.Join(append(args, zone...), " ")
	}
	realEtc := filepath.Join(dir, "realetc")
	return strings.Join([]string{
		"mkdir -p " + q(realEtc),
		"mount --bind /etc " + q(realEtc),
		"mount -t tmpfs golive-test /etc",
		`for f in ` + q(realEtc) + `/* ` + q(realEtc) + `/.[!.]*; do if [ -e "$f" ] || [ -L "$f" ]; then ln -s "$f" /etc/; fi; done`,
		"rm -f /etc/resolv.conf /etc/nsswitch.conf /etc/hosts /etc/host.conf /etc/gai.conf",
		"mount -t tmpfs golive-test /run",
		dnsmasqArgs("dnsmasq-answer", []string{nsAnswer, nsStub}, zoneAnswer),
		dnsmasqArgs("dnsmasq-other", []string{nsOther}, zoneOther),
		helperEnv + "=servers " + q(exe) + " >" + q(filepath.Join(dir, "servers.log")) + " 2>&1 &",
	}, "\n")
}

// digProbes asks every server of the namespace the questions dns/nameserver
// can ask: the root's SOA (no dns.names) or a name of the profile.
func digProbes() []digProbe {
	var out []digProbe
	for _, server := range []string{nsAnswer, nsStub, nsOther, nsRefused, nsSilent, nsServfail, nsClosed} {
		for _, q := range [][2]string{{".", "SOA"}, {"db1.test", "A"}, {"nope.test", "A"}, {"v4.test", "AAAA"}, {"solo", "A"}} {
			out = append(out, digProbe{Server: server, Name: q[0], Type: q[1]})
		}
	}
	return out
}
