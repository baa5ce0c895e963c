package cabundle

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
)

// A certificate with a negative serial number (EC-ACC, which Debian 11's
// ca-certificates ships) is well formed: Go >= 1.23 refuses it by policy,
// other readers use it. Go's pool skips it, so it does not count, but it is
// not "malformed" and not a warning: taking it out of the bundle would
// change nothing for a Go program.
func TestNegativeSerialIsReportedNotJudged(t *testing.T) {
	ecacc, err := os.ReadFile("testdata/ec-acc.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(ecacc)
	if block == nil {
		t.Fatal("testdata/ec-acc.pem: no PEM block")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err == nil || !strings.Contains(err.Error(), "negative serial number") {
		t.Fatalf("the fixture must be a certificate Go refuses for its negative serial, got %v", err)
	}
	b := parseBundle([]byte(twelve+string(ecacc)), nil)
	if len(b.malformed) != 0 || len(b.goRejected) != 1 || b.goDistinct() != 12 {
		t.Fatalf("malformed %v, rejected %v, usable %d; want 0, 1, 12", b.malformed, b.goRejected, b.goDistinct())
	}
	if b.goRejected[0].Line != strings.Count(twelve, "\n")+2 || !strings.Contains(b.goRejected[0].Reason, "negative serial number") {
		t.Errorf("rejected block %+v", b.goRejected[0])
	}
	r := runProfile(t, rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve + string(ecacc)}, pinnedClock()), "extends: debian-11\n")["cabundle/present"]
	want(t, r, engine.Pass, "12 certificates in /etc/ssl/certs/ca-certificates.crt")
	if got, ok := r.Details["go_rejected_blocks"].([]problem); !ok || len(got) != 1 {
		t.Errorf("go_rejected_blocks = %#v", r.Details["go_rejected_blocks"])
	}
	// A damaged block next to it is still malformed and warns.
	r = runProfile(t, rootWith(t, map[string]string{"etc/ssl/certs/ca-certificates.crt": twelve + string(ecacc) + "-----BEGIN CERTIFICATE-----\nAAA\n"}, pinnedClock()), "extends: debian-11\n")["cabundle/present"]
	want(t, r, engine.Warn, "1 malformed block skipped")
}
