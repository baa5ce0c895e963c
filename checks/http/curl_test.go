package http

import (
	"errors"
	"fmt"
	"math/rand/v2"
	nethttp "net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// TestStatusAgreesWithCurl holds the family to curl on generated cases:
// servers that answer with random statuses and redirect chains, over HTTP
// and HTTPS (trusted through a ca_file, or not at all), asked with GET or
// HEAD, following redirects or not. For each, the status golive judges
// (or its failure: tls) must be curl's `%{http_code}` (or curl's exit 60,
// a certificate it cannot verify).
func TestStatusAgreesWithCurl(t *testing.T) {
	curl := testenv.NeedCommand(t, "curl", "curl")
	p := newPKI(t)
	leaf := p.leaf(t, false)
	h := rootWithCA(t, p)
	r := rand.New(rand.NewPCG(29, 12))
	statuses := []int{200, 201, 204, 301, 302, 303, 307, 308, 400, 401, 403, 404, 418, 500, 502, 503}
	// /s/CODE answers CODE; /r/N/CODE redirects N times (with a random
	// redirect code), then answers CODE.
	redirects := []int{301, 302, 303, 307, 308}
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/s/{code}", func(w nethttp.ResponseWriter, req *nethttp.Request) {
		code, _ := strconv.Atoi(req.PathValue("code"))
		w.WriteHeader(code)
	})
	mux.HandleFunc("/r/{n}/{rc}/{code}", func(w nethttp.ResponseWriter, req *nethttp.Request) {
		n, _ := strconv.Atoi(req.PathValue("n"))
		rc, _ := strconv.Atoi(req.PathValue("rc"))
		next := fmt.Sprintf("/r/%d/%d/%s", n-1, rc, req.PathValue("code"))
		if n <= 1 {
			next = "/s/" + req.PathValue("code")
		}
		nethttp.Redirect(w, req, next, rc)
	})
	servers := map[string]string{"https": server(t, mux, &leaf).URL, "http": server(t, mux, nil).URL}
	ca := filepath.Join(h.Root(), "etc/app/ca.pem")
	var compared int
	for i := range 150 {
		scheme := []string{"http", "https"}[r.IntN(2)]
		code := statuses[r.IntN(len(statuses))]
		path := fmt.Sprintf("/s/%d", code)
		if r.IntN(2) == 0 {
			path = fmt.Sprintf("/r/%d/%d/%d", 1+r.IntN(3), redirects[r.IntN(len(redirects))], code)
		}
		u := servers[scheme] + path
		method := []string{"GET", "GET", "HEAD"}[r.IntN(3)]
		follow := r.IntN(3) > 0
		trusted := scheme == "https" && r.IntN(4) > 0
		var opts []string
		args := []string{"-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--noproxy", "*"}
		if method == "HEAD" {
			args = append(args, "-I")
		}
		if follow {
			args = append(args, "-L")
		} else {
			opts = append(opts, "no_follow_redirects: true")
		}
		if trusted {
			args = append(args, "--cacert", ca)
			opts = append(opts, "ca_file: /etc/app/ca.pem")
		}
		opts = append(opts, "method: "+method, fmt.Sprintf("status: %d", code))
		cmd := exec.Command(curl, append(args, u)...)
		// Without --cacert, curl trusts this machine's public bundle and
		// golive the test root's (none): neither has the test CA.
		cmd.Env = append(os.Environ(), "CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt")
		out, err := cmd.Output()
		curlTLS := false
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ee.ExitCode() != 60 { // CURLE_PEER_FAILED_VERIFICATION
				t.Fatalf("case %d: curl %v: exit %d", i, args, ee.ExitCode())
			}
			curlTLS = true
		} else if err != nil {
			t.Fatal(err)
		}
		got := runYAML(t, h, "extends: none\nhttp:\n  "+u+": {"+strings.Join(opts, ", ")+"}\n")["http/"+strings.ToLower(method)+":"+u]
		golTLS := got.Details["cause"] == "tls"
		if curlTLS != golTLS {
			t.Errorf("case %d %s %s trusted=%v: curl TLS failure %v, golive %v (%s)", i, method, u, trusted, curlTLS, golTLS, got.Message)
			continue
		}
		if !curlTLS {
			want, _ := strconv.Atoi(strings.TrimSpace(string(out)))
			if got.Details["status"] != want {
				t.Errorf("case %d %s %s follow=%v: curl %d, golive %v (%s)", i, method, u, follow, want, got.Details["status"], got.Message)
				continue
			}
			if (got.Status == "pass") != (want == code) {
				t.Errorf("case %d: golive %s for status %d, wanted %d", i, got.Status, want, code)
			}
		}
		compared++
	}
	t.Logf("%d cases agree with curl", compared)
}
