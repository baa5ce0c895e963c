package cabundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/host"
)

// Bounds on what a hostile root can make us read and keep.
const (
	// maxBundleSize bounds a bundle file; real ones are about 250 KiB.
	maxBundleSize = 16 << 20
	// maxCerts bounds the certificates kept from one file; real bundles
	// hold about 150.
	maxCerts = 5000
	// maxProblems bounds the problems listed for one file.
	maxProblems = 50
)

// PEM block types a bundle holds.
const (
	blockCert    = "CERTIFICATE"
	blockTrusted = "TRUSTED CERTIFICATE" // OpenSSL's certificate + trust settings
)

// cert is one certificate of a bundle and where it was found.
type cert struct {
	*x509.Certificate
	sha256 [32]byte
	line   int // line of its BEGIN line; 0 for a DER file
	// trusted marks a TRUSTED CERTIFICATE block. goUsable is false for
	// blocks Go's CertPool.AppendCertsFromPEM skips: TRUSTED CERTIFICATE,
	// blocks with headers, and DER files.
	trusted  bool
	goUsable bool
}

// fingerprint is "sha256:<hex>" of the DER.
func (c *cert) fingerprint() string { return "sha256:" + hex.EncodeToString(c.sha256[:]) }

// problem is a block that did not yield a certificate.
type problem struct {
	Line   int    `json:"line"`
	Type   string `json:"type,omitempty"`
	Reason string `json:"reason"`
}

func (p problem) String() string {
	if p.Type == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("line %d: %s block: %s", p.Line, p.Type, p.Reason)
}

// bundle is a parsed certificate file: a PEM bundle, or one DER
// certificate.
type bundle struct {
	certs []*cert
	// blocks counts the PEM BEGIN lines seen.
	blocks int
	// malformed are blocks that did not decode or parse; Other are
	// well-formed blocks of another type (a CRL, a private key).
	malformed []problem
	other     []problem
	// goRejected are well-formed certificates that Go's crypto/x509
	// refuses by policy, not because they are damaged: a negative serial
	// number (refused since Go 1.23 unless GODEBUG=x509negativeserial=1;
	// OpenSSL, GnuTLS and older Go use the certificate). Debian 11's
	// ca-certificates 20210119 ships one (EC-ACC). Removing it from the
	// bundle changes nothing for a Go program, so it is reported, not
	// judged.
	goRejected []problem
	// outside counts the non-blank bytes outside any block: comments
	// (p11-kit writes "# <name>" lines) or `openssl x509 -text` output.
	// Harmless to every reader, so not a problem.
	outside int
	// der is set when the file was one DER certificate.
	der bool
	// truncated is set when more than maxCerts certificates were found.
	truncated bool
}

// goUsable counts the certificates a Go program takes from this file.
func (b *bundle) goUsable() int {
	n := 0
	for _, c := range b.certs {
		if c.goUsable {
			n++
		}
	}
	return n
}

// goDistinct counts the distinct certificates a Go program takes from this
// file: CertPool.AddCert keeps one copy of a certificate listed twice, so
// this is what Go's pool holds, not the number of blocks.
func (b *bundle) goDistinct() int {
	seen := make(map[[32]byte]bool, len(b.certs))
	for _, c := range b.certs {
		if c.goUsable {
			seen[c.sha256] = true
		}
	}
	return len(seen)
}

// goCerts are the certificates a Go program takes from this file, in
// order, duplicates included.
func (b *bundle) goCerts() []*cert {
	out := make([]*cert, 0, len(b.certs))
	for _, c := range b.certs {
		if c.goUsable {
			out = append(out, c)
		}
	}
	return out
}

// trusted counts TRUSTED CERTIFICATE blocks.
func (b *bundle) trusted() int {
	n := 0
	for _, c := range b.certs {
		if c.trusted {
			n++
		}
	}
	return n
}

// readBundle reads path under h's root (at most maxBundleSize bytes) and
// parses it.
func readBundle(h *host.Host, path string) (*bundle, error) {
	data, err := h.ReadFileLimit(path, maxBundleSize)
	if err != nil {
		return nil, err
	}
	return parseBundle(data, nil), nil
}

var pemBegin = []byte("-----BEGIN ")

// certCache maps a DER's SHA-256 to its parsed certificate. A host holds
// each root several times (the bundle, ca-bundle.trust.crt, and one file
// per CA in /etc/ssl/certs that Go's directory scan reads again), and
// parsing is most of the cost, so one run parses each DER once. Workers
// only read it; parseBundle writes it after they are done.
type certCache map[[32]byte]*x509.Certificate

// parallelFrom is the number of blocks from which a bundle is parsed on
// every CPU: x509 parsing is most of the cost of a 150-root bundle.
const parallelFrom = 32

// parseBundle parses certificate data: PEM blocks (CERTIFICATE and TRUSTED
// CERTIFICATE yield certificates, other types are counted, malformed blocks
// are listed with their line), or a single DER certificate. It never fails:
// an empty or foreign file is a bundle without certificates. cc, when not
// nil, caches parsed certificates across the bundles of one run.
//
// Blocks are decoded with encoding/pem, one BEGIN line at a time, so a
// block Go's own AppendCertsFromPEM accepts is accepted here and one it
// skips silently is named here.
func parseBundle(data []byte, cc certCache) *bundle {
	b := &bundle{}
	starts := blockStarts(data)
	if len(starts) == 0 {
		if c, err := x509.ParseCertificate(data); err == nil {
			b.der = true
			b.certs = append(b.certs, &cert{Certificate: c, sha256: sha256.Sum256(data)})
			return b
		}
		b.outside = nonBlank(data)
		return b
	}
	if len(starts) > 2*maxCerts {
		// Beyond any real bundle: look no further than what can be kept.
		starts, b.truncated = starts[:2*maxCerts], true
	}
	b.blocks = len(starts)
	b.outside = nonBlank(data[:starts[0]])
	segs := decodeAll(data, starts, cc)
	line := 1 + bytes.Count(data[:starts[0]], []byte{'\n'})
	for _, sg := range segs {
		b.add(sg, line, cc)
		line += sg.newlines
	}
	return b
}

// segment is what one BEGIN line up to the next yields.
type segment struct {
	typ        string // the block type, as written
	malformed  string // why no block or certificate came out of it
	goRejected string // a certificate Go's parser refuses by policy (see Bundle.GoRejected)
	other      bool   // a well-formed block of another type
	trusted    bool
	headers    bool
	outside    int // non-blank bytes after the block
	newlines   int
	sum        [32]byte
	cert       *x509.Certificate
}

// decodeAll decodes the segments, on every CPU when there are many.
func decodeAll(data []byte, starts []int, cc certCache) []segment {
	segs := make([]segment, len(starts))
	bounds := func(i int) []byte {
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		return data[starts[i]:end]
	}
	// Workers take the next block as they go, so a CPU that is slow (a
	// busy or throttled one) does less, and nobody waits for it.
	workers := min(runtime.GOMAXPROCS(0), len(starts)/parallelFrom+1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(starts); i = int(next.Add(1)) - 1 {
				segs[i] = decodeSegment(bounds(i), cc)
			}
		}()
	}
	wg.Wait()
	return segs
}

func decodeSegment(seg []byte, cc certCache) segment {
	sg := segment{newlines: bytes.Count(seg, []byte{'\n'}), typ: blockType(seg)}
	block, rest := pem.Decode(seg)
	if block == nil {
		sg.malformed = "not a complete PEM block (no END line, or bad base64)"
		return sg
	}
	sg.typ, sg.outside = block.Type, nonBlank(rest)
	switch block.Type {
	case blockCert:
	case blockTrusted:
		sg.trusted = true
	default:
		sg.other = true
		return sg
	}
	der := block.Bytes
	if sg.trusted {
		// The DER is a certificate followed by OpenSSL's X509_CERT_AUX
		// (trust and reject OIDs, an alias); only the certificate counts.
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(der, &raw); err != nil {
			sg.malformed = "no certificate: " + err.Error()
			return sg
		}
		der = raw.FullBytes
	}
	sg.headers = len(block.Headers) != 0
	sg.sum = sha256.Sum256(der)
	if c, ok := cc[sg.sum]; ok {
		sg.cert = c
		return sg
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		if goPolicyRejection(err) {
			sg.goRejected = err.Error()
		} else {
			sg.malformed = err.Error()
		}
		return sg
	}
	sg.cert = c
	return sg
}

// goPolicyRejection tells a certificate crypto/x509 refuses by policy from a
// damaged one: "x509: negative serial number" (crypto/x509/parser.go, Go
// 1.23; the DER is valid and other readers accept it).
func goPolicyRejection(err error) bool {
	return strings.Contains(err.Error(), "negative serial number")
}

// blockStarts returns the offsets of the BEGIN lines (at the start of the
// data or of a line, as encoding/pem requires).
func blockStarts(data []byte) []int {
	var out []int
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], pemBegin)
		if i < 0 {
			break
		}
		at := off + i
		if at == 0 || data[at-1] == '\n' {
			out = append(out, at)
		}
		off = at + len(pemBegin)
	}
	return out
}

// add records a decoded segment in order; the cache is written here, by
// one goroutine.
func (b *bundle) add(sg segment, line int, cc certCache) {
	b.outside += sg.outside
	switch {
	case sg.malformed != "":
		b.problem(&b.malformed, problem{Line: line, Type: sg.typ, Reason: sg.malformed})
		return
	case sg.goRejected != "":
		b.problem(&b.goRejected, problem{Line: line, Type: sg.typ, Reason: sg.goRejected})
		return
	case sg.other:
		b.problem(&b.other, problem{Line: line, Type: sg.typ, Reason: "not a certificate"})
		return
	case len(b.certs) >= maxCerts:
		b.truncated = true
		return
	}
	if cc != nil {
		cc[sg.sum] = sg.cert
	}
	b.certs = append(b.certs, &cert{Certificate: sg.cert, sha256: sg.sum, line: line, trusted: sg.trusted, goUsable: !sg.trusted && !sg.headers})
}

func (b *bundle) problem(list *[]problem, p problem) {
	if len(*list) < maxProblems {
		*list = append(*list, p)
	}
}

// fingerprint is "sha256:<hex>" of a certificate's DER.
func fingerprint(c *x509.Certificate) string { return depcheck.Fingerprint(c) }

// blockType is the type named on a (possibly broken) BEGIN line.
func blockType(seg []byte) string {
	l := seg[len(pemBegin):]
	if i := bytes.IndexByte(l, '\n'); i >= 0 {
		l = l[:i]
	}
	l = bytes.TrimRight(l, "\r")
	l = bytes.TrimSuffix(l, []byte("-----"))
	if len(l) > 40 {
		l = l[:40]
	}
	return string(bytes.ToValidUTF8(l, []byte("?")))
}

func nonBlank(b []byte) int {
	n := 0
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			n++
		}
	}
	return n
}
