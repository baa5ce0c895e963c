package http

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// reserve is how long before the check's deadline the request gives up,
// so that its own answer arrives before the runner's generic "timed out".
const reserve = 50 * time.Millisecond

type check struct {
	engine.Base
	s *spec
	// dial opens TCP connections; tests give one that never leaves
	// loopback.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func newCheck(s *spec) *check {
	var d net.Dialer
	return &check{Base: engine.Base{M: meta(s)}, s: s, dial: d.DialContext}
}

func (c *check) Run(ctx context.Context, h *host.Host) engine.Result {
	s := c.s
	res := engine.Result{Details: map[string]any{"url": s.raw, "method": s.method}}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if dl, ok := ctx.Deadline(); ok {
		r := min(time.Until(dl)/10, reserve)
		var c2 context.CancelFunc
		ctx, c2 = context.WithDeadline(ctx, dl.Add(-r))
		defer c2()
	}
	var secrets []string
	hdr := nethttp.Header{}
	for k, v := range s.reqHdrs {
		hdr.Set(k, v)
	}
	for k, ref := range s.secrets {
		v, err := depcheck.LoadSecret(h, ref.Env, ref.File)
		if err != nil {
			res.Status, res.Message = engine.Error, fmt.Sprintf("secret header %s: %v", k, err)
			return res
		}
		secrets = append(secrets, v)
		hdr.Set(k, v)
	}
	redact := func(m string) string { return depcheck.Redact(m, secrets...) }

	tr := &nethttp.Transport{Proxy: nil, DialContext: c.dial, ForceAttemptHTTP2: true, DisableKeepAlives: true,
		MaxResponseHeaderBytes: 64 << 10}
	roots := rootsText(s)
	if s.url.Scheme == "https" {
		cfg, err := depcheck.TLSConfig(h, depcheck.TLSFiles{CA: s.caFile}, s.sn)
		if err != nil {
			res.Status, res.Message = engine.Error, err.Error()
			return res
		}
		tr.TLSClientConfig = cfg
	}
	client := &nethttp.Client{Transport: tr}
	if s.noFollow {
		client.CheckRedirect = func(*nethttp.Request, []*nethttp.Request) error { return nethttp.ErrUseLastResponse }
	}
	req, err := nethttp.NewRequestWithContext(ctx, s.method, s.url.String(), nil)
	if err != nil {
		res.Status, res.Message = engine.Error, redact(err.Error())
		return res
	}
	req.Header = hdr
	req.Header.Set("User-Agent", "golive")
	start := time.Now()
	resp, err := client.Do(req)
	res.Details["elapsed_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		return c.failed(res, depcheck.ClassifyRoots(ctx, unwrapURL(err), roots), redact)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil && len(s.body) > 0 {
		return c.failed(res, depcheck.ClassifyRoots(ctx, err, roots), redact)
	}
	res.Details["status"] = resp.StatusCode
	res.Details["final_url"] = resp.Request.URL.String()
	if resp.TLS != nil {
		res.Details["tls_version"] = tls.VersionName(resp.TLS.Version)
	}
	res.Observed = fmt.Sprintf("%d %s", resp.StatusCode, nethttp.StatusText(resp.StatusCode))
	var problems []string
	if !contains(s.status, resp.StatusCode) {
		problems = append(problems, fmt.Sprintf("status %d, not %s", resp.StatusCode, joinInts(s.status)))
	}
	var missed []string
	for _, p := range s.body {
		if !p.matches(body) {
			missed = append(missed, p.text)
		}
	}
	if len(missed) > 0 {
		problems = append(problems, "the body (first MiB) does not match "+strings.Join(missed, ", "))
		res.Details["body_missed"] = missed
	}
	for k, want := range s.headers {
		got := resp.Header.Values(k)
		if len(got) == 0 {
			problems = append(problems, "no "+k+" header")
			continue
		}
		if !strings.Contains(strings.Join(got, ", "), want) {
			problems = append(problems, fmt.Sprintf("%s is %q, without %q", k, redact(strings.Join(got, ", ")), want))
		}
	}
	where := s.method + " " + s.raw
	if res.Details["final_url"] != s.raw {
		where += " (redirected to " + fmt.Sprint(res.Details["final_url"]) + ")"
	}
	if len(problems) == 0 {
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%s answered %d in %d ms", where, resp.StatusCode, res.Details["elapsed_ms"])
		return res
	}
	res.Details["cause"] = "http"
	res.Status = engine.MissStatus(c.M.Level)
	res.Message = redact(where + ": " + strings.Join(problems, "; "))
	res.Remediation = &remediate.Plan{Summary: "make " + s.raw + " answer as expected", Actions: []remediate.Action{remediate.Tell(
		"the service answered, but not as expected: its logs and the body say why (curl -sv " + s.raw + ")")}}
	return res
}

func (c *check) failed(res engine.Result, f depcheck.Failure, redact func(string) string) engine.Result {
	if f.Cause == depcheck.CauseInterrupted {
		res.Status, res.Message = engine.Skip, f.Message
		res.Details["cause"] = f.Cause
		return res
	}
	res.Details["cause"] = f.Cause
	if f.TLSReason != "" {
		res.Details["tls_reason"] = f.TLSReason
	}
	res.Status = engine.MissStatus(c.M.Level)
	res.Observed = f.Cause
	res.Message = redact(fmt.Sprintf("%s %s: %s", c.s.method, c.s.raw, f.Message))
	res.Remediation = &remediate.Plan{Summary: "make " + c.s.raw + " reachable", Actions: []remediate.Action{remediate.Tell(fixFor(f.Cause))}}
	return res
}

func fixFor(cause string) string {
	switch cause {
	case depcheck.CauseDNS:
		return "make the name resolve on this host (DNS, /etc/hosts), or use the address"
	case depcheck.CauseRefused:
		return "nothing listens there: start the service, or check the port"
	case depcheck.CauseTimeout:
		return "no answer in time: a firewall dropping the packets, a route, or a service too busy to answer"
	case depcheck.CauseTLS:
		return "fix the certificate the server presents (chain, name, dates; see details) or give ca_file the CA that signed it"
	}
	return "see the message: the request failed before an answer"
}

// unwrapURL drops net/http's *url.Error wrapper, whose text repeats the
// method and URL the message already names.
func unwrapURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
