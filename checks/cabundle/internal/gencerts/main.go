// Command gencerts writes the cabundle fixtures into the fixture roots:
// CA bundles, anchors, certificate files and service units, each where its
// distro keeps it. Every certificate comes from the fixed test PKI
// (../testpki), so a second run writes the same bytes.
//
// Run it from the module root (it never touches a file it does not own):
//
//	go run ./checks/cabundle/internal/gencerts
//
// testdata/roots/README.md ("cabundle fixtures") says what each root holds
// and what each check finds there.
package main

import (
	"bytes"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golive-sh/golive/checks/cabundle/internal/testpki"
)

func main() {
	dir := flag.String("roots", "testdata/roots", "the fixture roots directory")
	flag.Parse()
	for _, f := range fixtures() {
		if err := f.write(*dir); err != nil {
			fmt.Fprintln(os.Stderr, "gencerts:", err)
			os.Exit(1)
		}
	}
}

// file is one fixture: content, or a symlink target when link is set.
type file struct {
	path    string // root/relative/path
	content []byte
	link    string
}

func (f file) write(dir string) error {
	p := filepath.Join(dir, f.path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if f.link != "" {
		if t, err := os.Readlink(p); err == nil && t == f.link {
			return nil
		}
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
		return os.Symlink(f.link, p)
	}
	return os.WriteFile(p, f.content, 0o644)
}

func text(path, s string) file      { return file{path: path, content: []byte(s)} }
func link(path, target string) file { return file{path: path, link: target} }

// elBundle is p11-kit's extracted PEM bundle: a "# name" line before each
// certificate, as update-ca-trust writes tls-ca-bundle.pem.
func elBundle(cas ...testpki.CA) []byte {
	var b bytes.Buffer
	for _, ca := range cas {
		fmt.Fprintf(&b, "# %s\n", ca.Name)
		b.Write(ca.PEM())
	}
	return b.Bytes()
}

// elTrustBundle is the OpenSSL-format bundle of the same CAs
// (ca-bundle.trust.crt): TRUSTED CERTIFICATE blocks, which Go ignores.
func elTrustBundle(cas ...testpki.CA) []byte {
	var b bytes.Buffer
	for _, ca := range cas {
		fmt.Fprintf(&b, "# %s\n", ca.Name)
		b.Write(testpki.TrustedPEM(ca.DER(), ca.Name))
	}
	return b.Bytes()
}

// debBundle is update-ca-certificates' concatenation: no comments, local
// CAs last.
func debBundle(cas ...testpki.CA) []byte {
	var b bytes.Buffer
	for _, ca := range cas {
		b.Write(ca.PEM())
	}
	return b.Bytes()
}

const keyNote = "# golive test fixture key (derived from a public seed in checks/cabundle/internal/testpki): not a secret\n"

// server is /etc/goservice/tls/server.pem (leaf + issuer) and its key.
func server(root string, l testpki.Leaf, ca testpki.CA, key testpki.Leaf) []file {
	return []file{
		{path: root + "/etc/goservice/tls/server.pem", content: append(testpki.PEM(l.Sign(ca)), ca.PEM()...)},
		{path: root + "/etc/goservice/tls/server-key.pem", content: append([]byte(keyNote), key.KeyPEM()...)},
	}
}

// elTrust is the EL layout of the extracted bundles and their links.
func elTrust(root string, cas ...testpki.CA) []file {
	return []file{
		{path: root + "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", content: elBundle(cas...)},
		{path: root + "/etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt", content: elTrustBundle(cas...)},
		link(root+"/etc/pki/tls/certs/ca-bundle.crt", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"),
		link(root+"/etc/pki/tls/certs/ca-bundle.trust.crt", "/etc/pki/ca-trust/extracted/openssl/ca-bundle.trust.crt"),
		link(root+"/etc/ssl/certs", "../pki/tls/certs"),
	}
}

func fixtures() []file {
	r := testpki.Roots
	var fs []file

	// centos-7: an expired CA left installed as a local anchor (and so
	// extracted into the bundle), the company CA anchored and extracted,
	// SSL_CERT_DIR from an EnvironmentFile.
	c7 := append(append([]testpki.CA{}, r[:11]...), testpki.Expired, testpki.ACMEInternal)
	fs = append(fs, elTrust("centos-7", c7...)...)
	fs = append(fs,
		file{path: "centos-7/etc/pki/ca-trust/source/anchors/acme-internal-ca.pem", content: testpki.ACMEInternal.PEM()},
		file{path: "centos-7/etc/pki/ca-trust/source/anchors/golive-test-expired-root.pem", content: testpki.Expired.PEM()},
		text("centos-7/etc/systemd/system/goservice.service", `[Unit]
Description=goservice (golive fixture)
After=network-online.target

[Service]
User=goservice
EnvironmentFile=/etc/sysconfig/goservice
ExecStart=/opt/goservice/bin/goservice
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
`),
		text("centos-7/etc/sysconfig/goservice", "# goservice environment (golive fixture)\nGOMAXPROCS=8\nSSL_CERT_DIR=/opt/goservice/certs\n"),
	)
	fs = append(fs, server("centos-7", testpki.CentOSServer, testpki.ACMEInternal, testpki.CentOSServer)...)

	// ubuntu-22.04: everything in order; the unit points SSL_CERT_FILE at
	// the system bundle itself.
	u := append(append([]testpki.CA{}, r...), testpki.ACMEInternal)
	fs = append(fs,
		file{path: "ubuntu-22.04/etc/ssl/certs/ca-certificates.crt", content: debBundle(u...)},
		file{path: "ubuntu-22.04/usr/local/share/ca-certificates/acme-internal-ca.crt", content: testpki.ACMEInternal.PEM()},
		link("ubuntu-22.04/etc/ssl/certs/acme-internal-ca.pem", "/usr/local/share/ca-certificates/acme-internal-ca.crt"),
		text("ubuntu-22.04/etc/systemd/system/goservice.service", `[Unit]
Description=goservice (golive fixture)

[Service]
User=goservice
Environment=SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EnvironmentFile=-/etc/default/goservice
ExecStart=/opt/goservice/bin/goservice

[Install]
WantedBy=multi-user.target
`),
	)
	fs = append(fs, server("ubuntu-22.04", testpki.UbuntuServer, testpki.ACMEInternal, testpki.UbuntuServer)...)

	// rocky-9: a root expiring in 14 days, a DER anchor in the bundle, and
	// the platform CA anchored after the last extract (stale); the service
	// ships that CA and points SSL_CERT_FILE at it from a drop-in.
	r9 := append(append([]testpki.CA{}, r...), testpki.Expiring, testpki.ACMELegacy)
	fs = append(fs, elTrust("rocky-9", r9...)...)
	fs = append(fs,
		file{path: "rocky-9/etc/pki/ca-trust/source/anchors/acme-legacy-root.der", content: testpki.ACMELegacy.DER()},
		file{path: "rocky-9/etc/pki/ca-trust/source/anchors/acme-platform-root-2026.pem", content: testpki.ACMEPlatform.PEM()},
		file{path: "rocky-9/opt/goservice/ca.pem", content: testpki.ACMEPlatform.PEM()},
		text("rocky-9/usr/lib/systemd/system/goservice.service", `[Unit]
Description=goservice (golive fixture, as the package ships it)
After=network-online.target

[Service]
User=goservice
EnvironmentFile=-/etc/sysconfig/goservice
ExecStart=/opt/goservice/bin/goservice

[Install]
WantedBy=multi-user.target
`),
		text("rocky-9/etc/systemd/system/goservice.service.d/50-tls.conf", "[Service]\nEnvironment=\"SSL_CERT_FILE=/opt/goservice/ca.pem\"\n"),
		text("rocky-9/etc/sysconfig/goservice", "GOMAXPROCS=4\n"),
	)
	fs = append(fs, server("rocky-9", testpki.RockyServer, testpki.ACMEPlatform, testpki.RockyServer)...)

	// broken: Go's first candidate is damaged, its second is empty, a
	// text file sits among the certificates, the unit is masked, and the
	// server certificate comes with another certificate's key.
	fs = append(fs,
		file{path: "broken/etc/ssl/certs/ca-certificates.crt", content: damaged()},
		file{path: "broken/etc/pki/tls/certs/ca-bundle.crt", content: []byte{}},
		text("broken/etc/ssl/certs/README.txt", "This directory holds certificates. (Not PEM: a reader must skip it.)\n"),
		link("broken/etc/systemd/system/goservice.service", "/dev/null"),
	)
	fs = append(fs, server("broken", testpki.BrokenServer, r[0], testpki.CentOSServer)...)
	return fs
}

// damaged is a bundle with every defect a reader must survive; only Roots
// 01 and 03 are usable by Go (02 is a TRUSTED CERTIFICATE block).
func damaged() []byte {
	r := testpki.Roots
	var b bytes.Buffer
	b.WriteString("# golive fixture: a CA bundle damaged in every way a reader must survive\n")
	b.Write(r[0].PEM())
	b.WriteString("Certificate:\n    Data: (text pasted from `openssl x509 -text`, harmless)\n")
	b.WriteString("-----BEGIN CERTIFICATE-----\n!!!! this is not base64 !!!!\n-----END CERTIFICATE-----\n")
	b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("golive: these bytes are not DER")}))
	b.Write(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte("golive: a CRL has no place in a CA bundle")}))
	b.Write(testpki.TrustedPEM(r[1].DER(), r[1].Name))
	b.Write(r[2].PEM())
	// A download cut short: the BEGIN line and two lines of base64.
	third := r[3].PEM()
	cut := bytes.SplitAfterN(third, []byte("\n"), 4)
	b.Write(bytes.Join(cut[:3], nil))
	return b.Bytes()
}
