package http

import (
	"encoding/json"
	"fmt"
	"net"
	nethttp "net/http"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func handler() nethttp.Handler {
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/ok", func(w nethttp.ResponseWriter, _ *nethttp.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status": "up"}`)
	})
	mux.HandleFunc("/fail", func(w nethttp.ResponseWriter, _ *nethttp.Request) { w.WriteHeader(503); fmt.Fprint(w, "down") })
	mux.HandleFunc("/moved", func(w nethttp.ResponseWriter, r *nethttp.Request) { nethttp.Redirect(w, r, "/ok", nethttp.StatusFound) })
	mux.HandleFunc("/auth", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cr3t-t0ken" {
			// Echo what came, as a careless service might: the secret
			// must still never reach golive's output.
			w.Header().Set("X-Got", r.Header.Get("Authorization"))
			w.WriteHeader(401)
			fmt.Fprint(w, "got "+r.Header.Get("Authorization"))
			return
		}
		w.Header().Set("X-Got", r.Header.Get("Authorization"))
		fmt.Fprint(w, "welcome "+r.Header.Get("Authorization"))
	})
	return mux
}

func TestVerdicts(t *testing.T) {
	p := newPKI(t)
	leaf := p.leaf(t, false)
	s := server(t, handler(), &leaf)
	plain := server(t, handler(), nil)
	h := rootWithCA(t, p)
	t.Setenv("GOLIVE_TEST_TOKEN", "Bearer s3cr3t-t0ken")
	t.Setenv("GOLIVE_TEST_BAD", "Bearer wr0ng-s3cret")
	got := runYAML(t, h, fmt.Sprintf(`extends: none
http:
  %[1]s/ok: {ca_file: /etc/app/ca.pem, body: [up, "/\"status\": *\"up\"/", "!down"], headers: {content-type: json}}
  %[1]s/fail: {ca_file: /etc/app/ca.pem}
  %[1]s/moved: {ca_file: /etc/app/ca.pem}
  %[1]s/moved?x=1: {ca_file: /etc/app/ca.pem, no_follow_redirects: true, status: [301, 302]}
  %[1]s/auth: {ca_file: /etc/app/ca.pem, secret_headers: {Authorization: {env: GOLIVE_TEST_TOKEN}}, body: [welcome]}
  %[1]s/auth?bad=1: {ca_file: /etc/app/ca.pem, secret_headers: {Authorization: {env: GOLIVE_TEST_BAD}}, headers: {X-Got: nothing}, body: [welcome]}
  %[1]s/ok?noca=1: {}
  %[2]s/ok: {method: HEAD, level: warn}
  %[2]s/fail: {status: [500, 503]}
`, s.URL, plain.URL))
	expect := func(id string, status engine.Status, words ...string) {
		t.Helper()
		r, ok := got[id]
		if !ok {
			t.Fatalf("no %s among %v", id, got)
		}
		if r.Status != status {
			t.Errorf("%s: %s, want %s: %s", id, r.Status, status, r.Message)
		}
		for _, w := range words {
			if !strings.Contains(r.Message, w) {
				t.Errorf("%s: %q lacks %q", id, r.Message, w)
			}
		}
	}
	expect("http/get:"+s.URL+"/ok", engine.Pass, "answered 200")
	expect("http/get:"+s.URL+"/fail", engine.Fail, "status 503, not 200")
	expect("http/get:"+s.URL+"/moved", engine.Pass, "redirected to "+s.URL+"/ok")
	expect("http/get:"+s.URL+"/moved?x=1", engine.Pass, "answered 302")
	expect("http/get:"+s.URL+"/auth", engine.Pass)
	expect("http/get:"+s.URL+"/auth?bad=1", engine.Fail, "status 401", "X-Got is", "***")
	r := got["http/get:"+s.URL+"/ok?noca=1"]
	if r.Status != engine.Fail || r.Details["cause"] != "tls" || !strings.Contains(r.Message, "golive test CA") {
		t.Errorf("a server the host's roots do not know: %+v", r)
	}
	expect("http/head:"+plain.URL+"/ok", engine.Pass)
	expect("http/get:"+plain.URL+"/fail", engine.Pass)
	// The secrets are nowhere in the results.
	out, _ := json.Marshal(got)
	for _, secret := range []string{"s3cr3t-t0ken", "wr0ng-s3cret"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("the secret %q is in the output:\n%s", secret, out)
		}
	}
}

// Causes: an expired certificate, a name it does not have, a closed port,
// a listener that never answers (ends at the timeout).
func TestCauses(t *testing.T) {
	p := newPKI(t)
	expired := p.leaf(t, true)
	good := p.leaf(t, false)
	old := server(t, handler(), &expired)
	s := server(t, handler(), &good)
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	h := rootWithCA(t, p)
	start := time.Now()
	got := runYAML(t, h, fmt.Sprintf(`extends: none
http:
  %s/ok: {ca_file: /etc/app/ca.pem}
  %s/ok: {ca_file: /etc/app/ca.pem, server_name: other.test}
  http://%s/ok: {}
  http://%s/ok: {timeout: 300ms}
`, old.URL, s.URL, closedAddr, silent.Addr()))
	for id, want := range map[string][2]string{
		"http/get:" + old.URL + "/ok":                       {"tls", "expired"},
		"http/get:" + s.URL + "/ok":                         {"tls", "other.test"},
		"http/get:http://" + closedAddr + "/ok":             {"refused", "refused"},
		"http/get:http://" + silent.Addr().String() + "/ok": {"timeout", ""},
	} {
		r := got[id]
		if r.Status != engine.Fail || r.Details["cause"] != want[0] || !strings.Contains(r.Message, want[1]) {
			t.Errorf("%s: %s cause %v: %s (want %s, %q)", id, r.Status, r.Details["cause"], r.Message, want[0], want[1])
		}
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("the checks took %s: the silent server's 300ms timeout was not kept", el)
	}
}

// A profile's mistakes name the file and line.
func TestSectionErrors(t *testing.T) {
	for yaml, want := range map[string]string{
		"http:\n  ftp://x/: {}\n":                                 "is not an http:// or https:// URL",
		"http:\n  https://user:pw@x/: {}\n":                       "no user:password@",
		"http:\n  https://x/: {status: 700}\n":                    "not an HTTP status",
		"http:\n  https://x/: {status: [200, x]}\n":               "not an HTTP status",
		"http:\n  https://x/: {method: FETCH}\n":                  "not one of GET",
		"http:\n  https://x/: {body: [\"/(/\"]}\n":                "not an RE2",
		"http:\n  https://x/: {timeout: forever}\n":               "not a positive duration",
		"http:\n  http://x/: {ca_file: /ca.pem}\n":                "need an https:// URL",
		"http:\n  https://x/: {ca_file: ca.pem}\n":                "absolute path",
		"http:\n  https://x/: {secret_headers: {A: {}}}\n":        "give env or file",
		"http:\n  https://x/: {secret_headers: {A: {file: a}}}\n": "absolute path",
		"http:\n  https://x/: {request_headers: {\"a b\": x}}\n":  "not a header name",
		"http:\n  https://x/: {colour: red}\n":                    "colour",
		"http:\n  https://x/: {level: error}\n":                   "not one of fail, warn",
		"http: [https://x/]\n":                                    "expected a mapping",
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want %q with the file", yaml, err, want)
		}
	}
}

func TestExplain(t *testing.T) {
	m, ok := engine.Explain("http/get:https://127.0.0.1:8443/healthz")
	if !ok || !m.Network || m.Fix == "" {
		t.Errorf("%+v %v", m, ok)
	}
	for _, id := range []string{"http/GET:https://x/", "http/get:ftp://x/", "http/get:", "http/fetch:https://x/"} {
		if _, ok := engine.Explain(id); ok {
			t.Errorf("explain %q answered", id)
		}
	}
}
