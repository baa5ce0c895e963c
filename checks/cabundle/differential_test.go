package cabundle

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// The differential suite of tls/endpoint (docs/truth.md, "cabundle and
// tls"): real crypto/tls servers on 127.0.0.1, one per case, each with a
// certificate set made for it; golive's verdict (the tls/endpoint check,
// ca_file pointing at the case's bundle under a temp root) against Go's
// own client (an HTTPS GET with the bundle as RootCAs), `openssl s_client`
// and `curl`. golive passes exactly when Go's client gets its answer; it
// agrees with openssl and curl except for the named differences below.

// diffSeed fixes the random cases; diffRandom is how many there are.
const (
	diffSeed   = 20261204
	diffRandom = 200
)

// Windows of validity, relative to now.
const (
	winNow    = "now"
	winPast   = "past"
	winFuture = "future"
	winSoon   = "soon" // valid, expires within tls.expiry_days: a warn, not a failure
)

// Where the root (or, for a chain of one, the self-signed leaf) is in the
// bundle.
const (
	inPlain   = "plain"   // a CERTIFICATE block
	inTrusted = "trusted" // only as a TRUSTED CERTIFICATE block
	inDup     = "dup"     // twice, and once more as TRUSTED CERTIFICATE
	inAbsent  = "absent"
)

// Names a case connects with.
const (
	nameSvc   = "svc.golive.test"
	nameOther = "other.golive.test"
	nameIP    = "127.0.0.1"
)

type diffCase struct {
	name       string
	kind       string // "tls", "silent", "closed"
	keyType    string // rsa, ecdsa, ed25519
	chainLen   int    // 1: a self-signed leaf; 2: root, leaf; 3: root, intermediate, leaf
	rootWin    string
	interWin   string
	leafWin    string
	dns        []string
	ipSAN      bool
	cn         string
	connect    string
	sendInter  bool
	sendRoot   bool
	rootIn     string
	interIn    bool // the intermediate is in the bundle too
	extraRoots int
	version    uint16 // 0: TLS 1.2 and 1.3; else only that one
	clientAuth tls.ClientAuthType

	// Made by setup.
	addr   string
	bundle string // path inside the temp root
}

// Deliberate differences between golive (Go's crypto/x509) and OpenSSL
// (s_client and curl), each listed in docs/truth.md. A case that has one
// is not compared with that reference; every other case must agree.
type difference struct {
	name string
	refs []string // the references it applies to
	why  string
	has  func(c *diffCase) bool
}

var deliberate = []difference{
	{"trusted-certificate-block", []string{"openssl", "curl"}, "OpenSSL reads TRUSTED CERTIFICATE blocks from -CAfile/--cacert; Go's AppendCertsFromPEM skips them",
		func(c *diffCase) bool { return c.kind == "tls" && c.rootIn == inTrusted }},
	{"partial-chain", []string{"openssl"}, "Go trusts any certificate in the pool as an anchor, so an intermediate in the bundle ends the chain; s_client (without -partial_chain) builds on to the self-signed root and fails when that root is missing, only a TRUSTED CERTIFICATE, or expired or not yet valid",
		func(c *diffCase) bool {
			rootUsable := (c.rootIn == inPlain || c.rootIn == inDup) && (c.rootWin == winNow || c.rootWin == winSoon)
			return c.kind == "tls" && c.chainLen == 3 && c.interIn && !rootUsable
		}},
	{"empty-issuer-name", []string{"curl"}, "curl 7.88 fails a server certificate whose issuer name is empty (\"SSL: couldn't get X509-issuer name\", exit 60): a self-signed leaf with an empty subject; Go and s_client verify it",
		func(c *diffCase) bool { return c.kind == "tls" && c.chainLen == 1 && c.cn == "" }},
	{"common-name", []string{"openssl", "curl"}, "OpenSSL's host check falls back to the subject CN when the certificate has no DNS SAN; Go ignores the CN",
		func(c *diffCase) bool {
			return c.kind == "tls" && len(c.dns) == 0 && c.connect != nameIP && c.cn == c.connect
		}},
}

func (c *diffCase) differsFrom(ref string) []string {
	var out []string
	for _, d := range deliberate {
		if d.has(c) && slices.Contains(d.refs, ref) {
			out = append(out, d.name)
		}
	}
	return out
}

// handMade are the edge cases; random fills the rest.
func handMade() []diffCase {
	base := diffCase{kind: "tls", keyType: "ecdsa", chainLen: 2, rootWin: winNow, interWin: winNow, leafWin: winNow,
		dns: []string{nameSvc}, cn: nameSvc, connect: nameSvc, sendInter: true, rootIn: inPlain, interIn: false}
	with := func(name string, f func(c *diffCase)) diffCase {
		c := base
		c.name = name
		c.dns = append([]string(nil), base.dns...)
		f(&c)
		return c
	}
	var out []diffCase
	for _, kt := range []string{"ecdsa", "rsa", "ed25519"} {
		out = append(out,
			with("valid chain/"+kt, func(c *diffCase) { c.keyType = kt }),
			with("valid chain of three/"+kt, func(c *diffCase) { c.keyType, c.chainLen = kt, 3 }),
			with("by IP SAN/"+kt, func(c *diffCase) { c.keyType, c.ipSAN, c.connect = kt, true, nameIP }),
		)
	}
	out = append(out,
		with("expired leaf", func(c *diffCase) { c.leafWin = winPast }),
		with("leaf not yet valid", func(c *diffCase) { c.leafWin = winFuture }),
		with("leaf expiring soon (warn)", func(c *diffCase) { c.leafWin = winSoon }),
		with("wrong name", func(c *diffCase) { c.connect = nameOther }),
		with("IP not in the SANs", func(c *diffCase) { c.connect = nameIP }),
		with("CN-only certificate", func(c *diffCase) { c.dns = nil }),
		with("self-signed leaf, not trusted", func(c *diffCase) { c.chainLen, c.rootIn = 1, inAbsent }),
		with("self-signed leaf in the bundle", func(c *diffCase) { c.chainLen = 1 }),
		with("self-signed leaf in the bundle, also as TRUSTED CERTIFICATE", func(c *diffCase) { c.chainLen, c.rootIn = 1, inDup }),
		with("self-signed leaf with an empty subject", func(c *diffCase) { c.chainLen, c.cn = 1, "" }),
		with("missing intermediate", func(c *diffCase) { c.chainLen, c.sendInter = 3, false }),
		with("intermediate not sent but in the bundle", func(c *diffCase) { c.chainLen, c.sendInter, c.interIn = 3, false, true }),
		with("intermediate in the bundle, root not", func(c *diffCase) { c.chainLen, c.interIn, c.rootIn = 3, true, inAbsent }),
		with("unknown CA", func(c *diffCase) { c.rootIn = inAbsent }),
		with("unknown CA, root sent", func(c *diffCase) { c.rootIn, c.sendRoot = inAbsent, true }),
		with("root sent and trusted", func(c *diffCase) { c.sendRoot = true }),
		with("root only as TRUSTED CERTIFICATE", func(c *diffCase) { c.rootIn = inTrusted }),
		with("root duplicated", func(c *diffCase) { c.rootIn = inDup }),
		with("expired root", func(c *diffCase) { c.rootWin = winPast }),
		with("root not yet valid", func(c *diffCase) { c.rootWin = winFuture }),
		with("expired intermediate", func(c *diffCase) { c.chainLen, c.interWin = 3, winPast }),
		with("many other roots", func(c *diffCase) { c.extraRoots = 5 }),
		with("silent listener", func(c *diffCase) { c.kind = "silent" }),
		with("closed port", func(c *diffCase) { c.kind = "closed" }),
	)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		vn := tls.VersionName(v)
		out = append(out,
			with(vn+" only", func(c *diffCase) { c.version = v }),
			with(vn+" client certificate required", func(c *diffCase) { c.version, c.clientAuth = v, tls.RequireAnyClientCert }),
			with(vn+" client certificate required and verified", func(c *diffCase) { c.version, c.clientAuth = v, tls.RequireAndVerifyClientCert }),
			with(vn+" client certificate optional", func(c *diffCase) { c.version, c.clientAuth = v, tls.VerifyClientCertIfGiven }),
			with(vn+" client certificate requested", func(c *diffCase) { c.version, c.clientAuth = v, tls.RequestClientCert }),
			with(vn+" client certificate required, unknown CA", func(c *diffCase) {
				c.version, c.clientAuth, c.rootIn = v, tls.RequireAnyClientCert, inAbsent
			}),
		)
	}
	return out
}

// randomCases draws n cases from the seeded generator.
func randomCases(n int) []diffCase {
	r := mrand.New(mrand.NewPCG(diffSeed, 1))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	wins := func() string {
		// Mostly valid, so that the other features matter.
		if r.IntN(8) == 0 {
			return pick(winPast, winFuture, winSoon)
		}
		return winNow
	}
	out := make([]diffCase, 0, n)
	for i := range n {
		c := diffCase{kind: "tls", keyType: pick("rsa", "ecdsa", "ed25519"), chainLen: 1 + r.IntN(3),
			rootWin: wins(), interWin: wins(), leafWin: wins(), cn: pick(nameSvc, nameOther, ""),
			sendInter: r.IntN(5) != 0, sendRoot: r.IntN(4) == 0, interIn: r.IntN(4) == 0, extraRoots: r.IntN(3)}
		c.name = fmt.Sprintf("random %03d", i)
		// Mostly matching names: about half of the cases should verify.
		switch r.IntN(8) {
		case 0:
			c.dns = nil
		case 1:
			c.dns = []string{nameOther}
		default:
			c.dns = []string{nameSvc}
		}
		c.ipSAN = r.IntN(3) == 0
		c.connect = pick(nameSvc, nameSvc, nameSvc, nameSvc, nameIP, nameOther)
		if c.connect == nameIP && r.IntN(2) == 0 {
			c.ipSAN = true
		}
		c.rootIn = pick(inPlain, inPlain, inPlain, inPlain, inPlain, inTrusted, inDup, inAbsent)
		c.version = []uint16{0, 0, tls.VersionTLS12, tls.VersionTLS13}[r.IntN(4)]
		c.clientAuth = []tls.ClientAuthType{tls.NoClientCert, tls.NoClientCert, tls.NoClientCert, tls.RequireAnyClientCert, tls.VerifyClientCertIfGiven}[r.IntN(5)]
		if r.IntN(40) == 0 {
			c.kind = pick("silent", "closed")
		}
		out = append(out, c)
	}
	return out
}

// --- the test PKI of the suite ---

// keyPool hands out keys: generating RSA keys is slow, and a key may serve
// in many cases (never twice in one).
type keyPool struct {
	mu   sync.Mutex
	keys map[string][]crypto.Signer
}

func (p *keyPool) get(t *testing.T, kt string, i int) crypto.Signer {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.keys[kt]) <= i {
		var k crypto.Signer
		var err error
		switch kt {
		case "rsa":
			k, err = rsa.GenerateKey(rand.Reader, 2048)
		case "ed25519":
			_, k, err = ed25519.GenerateKey(rand.Reader)
		default:
			k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		}
		if err != nil {
			t.Fatal(err)
		}
		p.keys[kt] = append(p.keys[kt], k)
	}
	return p.keys[kt][i]
}

func window(w string, now time.Time) (time.Time, time.Time) {
	switch w {
	case winPast:
		return now.AddDate(-2, 0, 0), now.AddDate(0, 0, -1)
	case winFuture:
		return now.AddDate(0, 0, 1), now.AddDate(1, 0, 0)
	case winSoon:
		return now.AddDate(0, 0, -1), now.AddDate(0, 0, 10)
	}
	return now.AddDate(0, 0, -1), now.AddDate(1, 0, 0)
}

func mkCert(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(serial.Add(1))
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func caTemplate(cn string, w string, now time.Time) *x509.Certificate {
	nb, na := window(w, now)
	return &x509.Certificate{Subject: pkix.Name{CommonName: cn, Organization: []string{"Golive Differential PKI"}}, NotBefore: nb, NotAfter: na,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
}

// build makes the case's certificates, bundle and server.
func (c *diffCase) build(t *testing.T, id int, keys *keyPool, now time.Time) (chain []*x509.Certificate, leafKey crypto.Signer, bundle []byte) {
	t.Helper()
	leafKey = keys.get(t, c.keyType, 0)
	nb, na := window(c.leafWin, now)
	leafT := &x509.Certificate{Subject: pkix.Name{CommonName: c.cn}, DNSNames: c.dns, NotBefore: nb, NotAfter: na,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if c.keyType == "rsa" {
		leafT.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	if c.ipSAN {
		leafT.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	var anchor, inter *x509.Certificate
	switch c.chainLen {
	case 1:
		// A self-signed leaf is its own anchor, with the root's window.
		leafT.NotBefore, leafT.NotAfter = window(c.rootWin, now)
		if c.leafWin != winNow {
			leafT.NotBefore, leafT.NotAfter = nb, na
		}
		leaf := mkCert(t, leafT, nil, leafKey.Public(), leafKey)
		chain, anchor = []*x509.Certificate{leaf}, leaf
	default:
		rootKey := keys.get(t, c.keyType, 1)
		root := mkCert(t, caTemplate(fmt.Sprintf("Diff Root %03d", id), c.rootWin, now), nil, rootKey.Public(), rootKey)
		issuer, issuerKey := root, rootKey
		if c.chainLen == 3 {
			ik := keys.get(t, c.keyType, 2)
			inter = mkCert(t, caTemplate(fmt.Sprintf("Diff Intermediate %03d", id), c.interWin, now), root, ik.Public(), rootKey)
			issuer, issuerKey = inter, ik
		}
		leaf := mkCert(t, leafT, issuer, leafKey.Public(), issuerKey)
		chain = []*x509.Certificate{leaf}
		if inter != nil && c.sendInter {
			chain = append(chain, inter)
		}
		if c.sendRoot {
			chain = append(chain, root)
		}
		anchor = root
	}
	var b bytes.Buffer
	for i := range c.extraRoots {
		k := keys.get(t, c.keyType, 3+i)
		b.Write(testpki.PEM(mkCert(t, caTemplate(fmt.Sprintf("Diff Other Root %03d-%d", id, i), winNow, now), nil, k.Public(), k).Raw))
	}
	switch c.rootIn {
	case inPlain:
		b.Write(testpki.PEM(anchor.Raw))
	case inTrusted:
		b.Write(testpki.TrustedPEM(anchor.Raw, "diff"))
	case inDup:
		b.Write(testpki.PEM(anchor.Raw))
		b.Write(testpki.TrustedPEM(anchor.Raw, "diff"))
		b.Write(testpki.PEM(anchor.Raw))
	}
	if inter != nil && c.interIn {
		b.Write(testpki.PEM(inter.Raw))
	}
	if b.Len() == 0 {
		// An empty CA file is a configuration error for every client;
		// a bundle of one unrelated root is "unknown authority".
		k := keys.get(t, c.keyType, 3)
		b.Write(testpki.PEM(mkCert(t, caTemplate(fmt.Sprintf("Diff Unrelated Root %03d", id), winNow, now), nil, k.Public(), k).Raw))
	}
	return chain, leafKey, b.Bytes()
}

// httpsServer answers one HTTP/1.0 request per connection: "ok".
func httpsServer(t *testing.T, chain []*x509.Certificate, key crypto.Signer, version uint16, auth tls.ClientAuthType, clientCAs *x509.CertPool) string {
	t.Helper()
	cert := tls.Certificate{PrivateKey: key}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: auth, ClientCAs: clientCAs}
	if version != 0 {
		cfg.MinVersion, cfg.MaxVersion = version, version
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if err := c.(*tls.Conn).Handshake(); err != nil {
			return
		}
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "\r\n" || l == "\n" {
				break
			}
		}
		_, _ = io.WriteString(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	})
	return ln.Addr().String()
}

// --- the references ---

// goClient is Go's own client: an HTTPS GET with the bundle as RootCAs
// (loaded as a Go service loads a CA file) and no client certificate.
func goClient(c *diffCase, bundle []byte) (bool, string) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(bundle)
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: c.connect}}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: time.Duration(c.refLimit()) * time.Second}
	resp, err := cl.Get("https://" + c.addr + "/")
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, err.Error()
	}
	return resp.StatusCode == 200 && string(body) == "ok", resp.Status
}

// refScript is the shell that runs openssl s_client and curl for one case,
// writing ID.openssl.{rc,out} and ID.curl.{rc,err} in the results dir.
func refScript(id int, c *diffCase, bundle, results string) string {
	_, port, _ := net.SplitHostPort(c.addr)
	q := testenv.Quote
	sc := []string{"openssl", "s_client", "-connect", "127.0.0.1:" + port, "-verify_return_error", "-CAfile", bundle, "-brief", "-ign_eof"}
	if c.connect == nameIP {
		sc = append(sc, "-verify_ip", nameIP)
	} else {
		sc = append(sc, "-servername", c.connect, "-verify_hostname", c.connect)
	}
	switch c.version {
	case tls.VersionTLS12:
		sc = append(sc, "-tls1_2")
	case tls.VersionTLS13:
		sc = append(sc, "-tls1_3")
	}
	url := "https://" + c.connect + ":" + port + "/"
	limit := c.refLimit()
	cu := []string{"curl", "-q", "-sS", "-o", "/dev/null", "--noproxy", "*", "--cacert", bundle, "--max-time", strconv.Itoa(limit)}
	if c.connect != nameIP {
		cu = append(cu, "--resolve", c.connect+":"+port+":127.0.0.1")
	}
	cu = append(cu, url)
	quote := func(argv []string) string {
		var parts []string
		for _, a := range argv {
			parts = append(parts, q(a))
		}
		return strings.Join(parts, " ")
	}
	p := filepath.Join(results, strconv.Itoa(id))
	return fmt.Sprintf("date +%%s.%%N >%s\nprintf 'GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' | timeout %d %s >%s 2>&1; echo $? >%s\n"+
		"date +%%s.%%N >>%s\ntimeout %d %s 2>%s; echo $? >%s\ndate +%%s.%%N >>%s\n",
		q(p+".times"), c.connect, limit, quote(sc), q(p+".openssl.out"), q(p+".openssl.rc"),
		q(p+".times"), limit+4, quote(cu), q(p+".curl.err"), q(p+".curl.rc"), q(p+".times"))
}

// refLimit bounds a reference client's run, in seconds. A silent peer is
// only ever ended by it, so it is short there; against a real server it
// only guards against a hang: curl's 2 s and openssl's 3 s made a loaded
// machine (two CPUs, several test binaries) read a slow handshake as a
// failed one, and the suite as a disagreement.
func (c *diffCase) refLimit() int {
	if c.kind == "silent" {
		return 3
	}
	return 20
}

type refResult struct {
	opensslOK, curlOK bool
	opensslWhy        string
	curlRC            int
	curlWhy           string
}

// runReferences runs every case's openssl and curl in one private mount
// namespace (four at a time), with HOME on a tmpfs and no proxy in the
// environment, and reads the results.
func runReferences(t *testing.T, cases []*diffCase, dir string) []refResult {
	t.Helper()
	scripts := filepath.Join(dir, "scripts")
	results := filepath.Join(dir, "results")
	home := filepath.Join(dir, "home")
	for _, d := range []string{scripts, results, home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cases {
		if err := os.WriteFile(filepath.Join(scripts, fmt.Sprintf("%04d.sh", i)), []byte(refScript(i, c, filepath.Join(dir, "root", c.bundle), results)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ns := testenv.Namespace{Tmpfs: []string{home}}
	cmd := ns.Command("sh", "-c", "ls "+testenv.Quote(scripts)+"/*.sh | xargs -P 4 -n 1 sh")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home, "LC_ALL=C"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("references: %v\n%s", err, out)
	}
	out := make([]refResult, len(cases))
	var sslTime, curlTime float64
	defer func() { t.Logf("references: openssl %.1fs, curl %.1fs in all", sslTime, curlTime) }()
	for i := range cases {
		p := filepath.Join(results, strconv.Itoa(i))
		rc := func(name string) int {
			b, err := os.ReadFile(p + name)
			if err != nil {
				t.Fatalf("case %d: %v", i, err)
			}
			n, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("case %d: %s: %q", i, name, b)
			}
			return n
		}
		if tb, err := os.ReadFile(p + ".times"); err == nil {
			if f := strings.Fields(string(tb)); len(f) == 3 {
				a, _ := strconv.ParseFloat(f[0], 64)
				b, _ := strconv.ParseFloat(f[1], 64)
				c, _ := strconv.ParseFloat(f[2], 64)
				sslTime += b - a
				curlTime += c - b
				if b-a > 2 || c-b > 2 {
					t.Logf("case %d: openssl %.2fs, curl %.2fs", i, b-a, c-b)
				}
			}
		}
		ce, _ := os.ReadFile(p + ".curl.err")
		so, _ := os.ReadFile(p + ".openssl.out")
		r := refResult{curlRC: rc(".curl.rc")}
		r.curlOK = r.curlRC == 0
		// s_client succeeded when it verified the chain and got the
		// answer: exit 0 alone is also what a handshake followed by an
		// alert can give.
		r.opensslOK = rc(".openssl.rc") == 0 && bytes.Contains(so, []byte("Verification: OK")) && bytes.Contains(so, []byte("HTTP/1.0 200 OK"))
		r.opensslWhy = opensslSummary(so)
		r.curlWhy = strings.TrimSpace(string(ce))
		out[i] = r
	}
	return out
}

// opensslSummary keeps s_client's lines that say what happened.
func opensslSummary(out []byte) string {
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "erify") || strings.Contains(l, "alert") || strings.Contains(l, "error") || strings.HasPrefix(l, "HTTP/") {
			keep = append(keep, strings.TrimSpace(l))
		}
	}
	return strings.Join(keep, " | ")
}

func TestDifferentialTLSEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("differential suite: not in -short")
	}
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "openssl", "openssl")
	testenv.NeedCommand(t, "curl", "curl")
	testenv.NeedCommand(t, "timeout", "coreutils")
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"} {
		t.Setenv(k, "")
	}

	dir := t.TempDir()
	now := time.Now()
	keys := &keyPool{keys: map[string][]crypto.Signer{}}
	all := append(handMade(), randomCases(diffRandom)...)
	cases := make([]*diffCase, len(all))
	files := map[string]string{}
	var endpoints []string
	bundles := make([][]byte, len(all))
	for i := range all {
		c := &all[i]
		cases[i] = c
		chain, key, bundle := c.build(t, i, keys, now)
		bundles[i] = bundle
		c.bundle = fmt.Sprintf("/etc/golive-diff/%04d.pem", i)
		files[strings.TrimPrefix(c.bundle, "/")] = string(bundle)
		switch c.kind {
		case "silent":
			c.addr = silentServer(t)
		case "closed":
			c.addr = closedPort(t)
		default:
			// The client CA the server asks for is one the client has no
			// certificate of: a Go client then sends none.
			c.addr = httpsServer(t, chain, key, c.version, c.clientAuth, pool(chain[len(chain)-1]))
		}
		endpoints = append(endpoints, fmt.Sprintf("{address: '%s', server_name: '%s', ca_file: %s}", c.addr, c.connect, c.bundle))
	}
	root := filepath.Join(dir, "root")
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// golive: every endpoint in one plan, run as golive check runs it.
	start := time.Now()
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	checks := plan(t, testProfile(t, "tls:\n  endpoints:\n    - "+strings.Join(endpoints, "\n    - ")+"\n"))
	for _, ch := range checks {
		if e, ok := ch.(*endpointCheck); ok {
			e.dial = loopbackDialer(t)
		}
	}
	res := engine.Run(context.Background(), h, checks, engine.RunOptions{CheckTimeout: 10 * time.Second, Parallel: 8})
	byID := map[string]engine.Result{}
	for _, r := range res.Results {
		byID[r.ID] = r
	}
	goliveTook := time.Since(start)

	// Go's client, in parallel.
	goOK := make([]bool, len(cases))
	goWhy := make([]string, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			goOK[i], goWhy[i] = goClient(c, bundles[i])
		}()
	}
	wg.Wait()

	refStart := time.Now()
	refs := runReferences(t, cases, dir)
	refTook := time.Since(refStart)

	var agreeGo, agreeSSL, agreeCurl, skippedSSL, skippedCurl int
	curlCodes := map[int]int{}
	observedDiffs := map[string]int{}
	for i, c := range cases {
		r := byID["tls/endpoint:"+c.addr]
		curlCodes[refs[i].curlRC]++
		gl := r.Status == engine.Pass || r.Status == engine.Warn
		desc := fmt.Sprintf("case %d %q %+v\n  golive %s %v %q\n  go %v %q\n  openssl %v %q\n  curl %v rc=%d %q",
			i, c.name, *c, r.Status, r.Details["tls_reason"], r.Message, goOK[i], goWhy[i], refs[i].opensslOK, refs[i].opensslWhy, refs[i].curlOK, refs[i].curlRC, refs[i].curlWhy)
		if gl != goOK[i] {
			t.Errorf("golive and Go's client disagree:\n%s", desc)
		} else {
			agreeGo++
		}
		for _, ref := range []struct {
			name    string
			ok      bool
			agree   *int
			skipped *int
		}{{"openssl", refs[i].opensslOK, &agreeSSL, &skippedSSL}, {"curl", refs[i].curlOK, &agreeCurl, &skippedCurl}} {
			diffs := c.differsFrom(ref.name)
			switch {
			case len(diffs) > 0:
				*ref.skipped++
				if ref.ok != gl {
					observedDiffs[strings.Join(diffs, "+")+"/"+ref.name]++
				}
			case ref.ok != gl:
				t.Errorf("golive and %s disagree (no deliberate difference applies):\n%s", ref.name, desc)
			default:
				*ref.agree++
			}
		}
	}
	t.Logf("differential: %d cases (%d hand-made, %d random, seed %d); Go client agrees on %d; openssl agrees on %d, %d skipped as deliberate differences; curl agrees on %d, %d skipped",
		len(cases), len(cases)-diffRandom, diffRandom, diffSeed, agreeGo, agreeSSL, skippedSSL, agreeCurl, skippedCurl)
	t.Logf("deliberate differences observed: %v; curl exit codes: %v", observedDiffs, curlCodes)
	t.Logf("golive run %v, openssl+curl %v", goliveTook.Round(time.Millisecond), refTook.Round(time.Millisecond))
}
