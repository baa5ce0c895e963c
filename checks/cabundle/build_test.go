package cabundle

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

func TestProfileErrorsNameFileAndLine(t *testing.T) {
	cases := []struct {
		name, yaml, want string
		line             int
	}{
		{"unknown key", "cabundle:\n  min_cert: 5\n", `unknown key "min_cert"`, 2},
		{"min_certs negative", "cabundle:\n  min_certs: -1\n", "min_certs: -1 is out of range (0 to 5000)", 2},
		{"expiry_days not a number", "cabundle:\n  expiry_days: soon\n", "expected ", 2},
		{"require not a list", "cabundle:\n  require: /etc/ca.pem\n", "expected ", 2},
		{"require relative path", "cabundle:\n  require:\n    - {file: ca.pem}\n", `"ca.pem" must be an absolute path`, 3},
		{"require neither path nor fingerprint", "cabundle:\n  require:\n    - etcd-ca\n", "not a SHA-256 fingerprint", 3},
		{"require short fingerprint", "cabundle:\n  require:\n    - sha256:abcd\n", "expected 64 hex digits", 3},
		{"require both file and sha256", "cabundle:\n  require:\n    - {file: /a.pem, sha256: 'sha256:00'}\n", "exactly one of file: or sha256:", 3},
		{"require listed twice", "cabundle:\n  require:\n    - /a.pem\n    - {file: /a.pem}\n", "listed twice", 4},
		{"require unknown key", "cabundle:\n  require:\n    - {path: /a.pem}\n", `unknown key "path"`, 3},
		{"certs without cert", "cabundle:\n  certs:\n    - {key: /k.pem}\n", "cert: is required", 3},
		{"certs relative key", "cabundle:\n  certs:\n    - {cert: /c.pem, key: k.pem}\n", `"k.pem" must be an absolute path`, 3},
		{"certs listed twice", "cabundle:\n  certs: [/c.pem, /c.pem]\n", "listed twice", 2},
		{"endpoint without port", "tls:\n  endpoints:\n    - db.internal\n", "is not host:port", 3},
		{"endpoint bad port", "tls:\n  endpoints:\n    - db.internal:https\n", "port must be a number", 3},
		{"endpoint IPv6 without brackets", "tls:\n  endpoints:\n    - ::1:443\n", "write IPv6 as [addr]:port", 3},
		{"endpoint relative ca_file", "tls:\n  endpoints:\n    - {address: 'db:443', ca_file: ca.pem}\n", "must be an absolute path", 3},
		{"endpoint listed twice", "tls:\n  endpoints: ['db:443', {address: 'db:443'}]\n", "listed twice", 2},
		{"tls unknown key", "tls:\n  endpoint: []\n", `unknown key "endpoint"`, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "golive.yaml")
			if err := os.WriteFile(file, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := profile.Resolve(profile.Request{Profile: file})
			if err == nil {
				_, err = build(p.Section(kind), p)
				if err == nil {
					_, err = buildTLS(p.Section(kindTLS), p)
				}
			}
			var pe *profile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err %v, want a *profile.Error", err)
			}
			if pe.File != file || pe.Line != c.line || !strings.Contains(pe.Msg, c.want) {
				t.Errorf("%v, want %s:%d: ...%s...", err, file, c.line, c.want)
			}
		})
	}
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*/.+$`)

func TestPlanIDsAndMeta(t *testing.T) {
	p := testProfile(t, `extends: rocky-9
cabundle:
  require:
    - /etc/ssl/etcd/ca.pem
    - {name: corp-root, sha256: "sha256:`+strings.Repeat("ab", 32)+`"}
  certs:
    - {cert: /etc/ssl/etcd/client.pem, key: /etc/ssl/etcd/client-key.pem, ca: /etc/ssl/etcd/ca.pem}
tls:
  endpoints:
    - db.internal.example.com:443
    - {address: "[2001:db8::1]:2379", server_name: etcd1}
`)
	checks := plan(t, p)
	var ids []string
	for _, c := range checks {
		m := c.Meta()
		ids = append(ids, c.ID())
		if !idPattern.MatchString(c.ID()) || m.ID != c.ID() || m.Category != strings.SplitN(c.ID(), "/", 2)[0] || m.Title == "" || m.Expected == "" || m.Why == "" || m.Fix == "" {
			t.Errorf("meta of %s incomplete: %+v", c.ID(), m)
		}
		if m.Network != strings.HasPrefix(c.ID(), "tls/") {
			t.Errorf("%s: Network %v", c.ID(), m.Network)
		}
		explained, ok := engine.Explain(c.ID())
		if !ok || explained.ID != c.ID() || explained.Category != m.Category {
			t.Errorf("explain %s: %+v %v", c.ID(), explained, ok)
		}
	}
	wantIDs := []string{
		"cabundle/present", "cabundle/expiry", "cabundle/anchors",
		"cabundle/contains:/etc/ssl/etcd/ca.pem", "cabundle/contains:corp-root",
		"cert/file:/etc/ssl/etcd/client.pem",
		"tls/endpoint:db.internal.example.com:443", "tls/endpoint:[2001:db8::1]:2379",
	}
	if strings.Join(ids, " ") != strings.Join(wantIDs, " ") {
		t.Errorf("IDs\n%q\nwant\n%q", ids, wantIDs)
	}
	if w := checks[3].Meta().Where; !strings.HasSuffix(w, ":4") {
		t.Errorf("contains Where %q, want the line of its entry", w)
	}
	if e := checks[0].Meta().Expected; e != ">= 10 certificates Go can load from /etc/pki/tls/certs/ca-bundle.crt" {
		t.Errorf("present expected %q", e)
	}
}

func TestExplainUnknownIDs(t *testing.T) {
	for _, id := range []string{"cabundle/contains:", "cert/file:", "tls/endpoint:", "cabundle/other", "tls/other:x"} {
		if m, ok := engine.Explain(id); ok {
			t.Errorf("explain %q = %+v", id, m)
		}
	}
}

func TestParseFingerprint(t *testing.T) {
	hexs := strings.Repeat("0f", 32)
	for in, ok := range map[string]bool{
		"sha256:" + hexs:                             true,
		"SHA256:" + strings.ToUpper(hexs):            true,
		"sha256:" + strings.Repeat("0F:", 31) + "0F": true,
		hexs:                         false,
		"sha1:" + hexs[:40]:          false,
		"sha256:" + hexs[:62]:        false,
		"sha256:" + hexs[:62] + "zz": false,
	} {
		if _, err := parseFingerprint(in); (err == nil) != ok {
			t.Errorf("parseFingerprint(%q): %v", in, err)
		}
	}
}
