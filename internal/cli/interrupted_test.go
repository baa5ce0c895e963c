package cli_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

// slowTLS is a healthy TLS server that is slow: it accepts at once and
// completes the handshake only after delay. Its CA's PEM is returned.
func slowTLS(t *testing.T, ca *deptest.CA, delay time.Duration) string {
	t.Helper()
	leaf := ca.Issue(t, deptest.Leaf{CN: "slow", IPs: deptest.Loopback})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(quit); ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				select {
				case <-time.After(delay):
				case <-quit:
					return
				}
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				_ = tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}).Handshake()
			}()
		}
	}()
	return ln.Addr().String()
}

// tlsWorkdir is workdir with a profile of tls endpoints at addrs, trusted
// through the test CA in the root.
func tlsWorkdir(t *testing.T, ca *deptest.CA, addrs ...string) string {
	t.Helper()
	dir := workdir(t)
	write(t, dir, "root/etc/ssl/test-ca.pem", string(ca.PEM))
	var b strings.Builder
	b.WriteString("tls:\n  endpoints:\n")
	for _, a := range addrs {
		fmt.Fprintf(&b, "    - {address: %q, ca_file: /etc/ssl/test-ca.pem}\n", a)
	}
	write(t, dir, "tls.yaml", b.String())
	return dir
}

type interruptedReport struct {
	Verdict string `json:"verdict"`
	Aborted string `json:"aborted"`
	Summary struct {
		Total, Fail, Error, Interrupted int
	} `json:"summary"`
	Checks []struct {
		ID          string         `json:"id"`
		Status      string         `json:"status"`
		Message     string         `json:"message"`
		Details     map[string]any `json:"details"`
		Remediation any            `json:"remediation"`
	} `json:"checks"`
}

func decodeInterrupted(t *testing.T, out string) interruptedReport {
	t.Helper()
	if err := reporttest.Validate([]byte(out)); err != nil {
		t.Fatalf("report does not validate: %v\n%s", err, out)
	}
	var r interruptedReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// assertAllInterrupted: exit 3, every tls check error/interrupted, none a
// fail, none blaming the peer with a timeout.
func assertAllInterrupted(t *testing.T, code int, out string, want int, reason string) {
	t.Helper()
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	r := decodeInterrupted(t, out)
	if r.Verdict != "aborted" || !strings.Contains(r.Aborted, reason) {
		t.Errorf("verdict %q aborted %q, want aborted naming %q", r.Verdict, r.Aborted, reason)
	}
	n := 0
	for _, c := range r.Checks {
		if !strings.HasPrefix(c.ID, "tls/endpoint:") {
			continue
		}
		n++
		if c.Status != "error" || c.Details["cause"] != "interrupted" || c.Remediation != nil {
			t.Errorf("%s = %s cause %v remediation %v: %s, want error/interrupted without remediation", c.ID, c.Status, c.Details["cause"], c.Remediation, c.Message)
		}
		if !strings.Contains(c.Message, "the run ended") || strings.Contains(c.Message, "check's deadline") {
			t.Errorf("%s message %q", c.ID, c.Message)
		}
	}
	if n != want || r.Summary.Fail != 0 || r.Summary.Interrupted != want {
		t.Errorf("%d tls checks, summary fail %d interrupted %d; want %d interrupted and no fail", n, r.Summary.Fail, r.Summary.Interrupted, want)
	}
}

// A slow but healthy server (handshake after 3 s, --check-timeout 5s) cut
// short by the run's --timeout is interrupted: exit 3, not the peer's
// timeout, not a fail.
func TestRunTimeoutInterruptsASlowPeer(t *testing.T) {
	ca := deptest.NewCA(t, "Golive Test Slow CA")
	dir := tlsWorkdir(t, ca, slowTLS(t, ca, 3*time.Second))
	start := time.Now()
	r := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "tls.yaml", "--only", "tls/*",
		"--offline=false", "--format", "json", "--check-timeout", "5s", "--timeout", "1s")
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("took %s with --timeout 1s", d)
	}
	assertAllInterrupted(t, r.code, r.stdout, 1, "--timeout 1s")
}

// SIGINT or SIGTERM at 1 s to the real binary: the same.
func TestSignalInterruptsASlowPeer(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			ca := deptest.NewCA(t, "Golive Test Slow CA")
			dir := tlsWorkdir(t, ca, slowTLS(t, ca, 3*time.Second))
			code, out := runAndSignal(t, dir, sig, "check", "--root", "root", "--config", "tls.yaml", "--only", "tls/*",
				"--offline=false", "--format", "json", "--check-timeout", "5s", "--timeout", "60s")
			assertAllInterrupted(t, code, out, 1, "signal")
		})
	}
}

// runAndSignal starts golive, sends sig after a second, and returns its
// exit code and standard output.
func runAndSignal(t *testing.T, dir string, sig syscall.Signal, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(golive, args...)
	cmd.Dir = dir
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOLIVE_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if errb.Len() > 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

// Only a check's own --check-timeout is the peer's timeout: a silent
// server with a long --timeout is still a fail with cause timeout.
func TestCheckTimeoutIsStillThePeersTimeout(t *testing.T) {
	ca := deptest.NewCA(t, "Golive Test Slow CA")
	dir := tlsWorkdir(t, ca, deptest.SilentListener(t))
	r := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "tls.yaml", "--only", "tls/*",
		"--offline=false", "--format", "json", "--check-timeout", "1s", "--timeout", "60s")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	rep := decodeInterrupted(t, r.stdout)
	if len(rep.Checks) != 1 || rep.Checks[0].Status != "fail" || rep.Checks[0].Details["cause"] != "timeout" || rep.Summary.Interrupted != 0 {
		t.Fatalf("report %+v, want one fail with cause timeout", rep)
	}
}

// 150 slow peers (more than --parallel 128, so some never start) cut
// short by --timeout: every one interrupted, none a timeout, none a fail.
func TestManySlowPeersAreAllInterrupted(t *testing.T) {
	ca := deptest.NewCA(t, "Golive Test Slow CA")
	var addrs []string
	for range 150 {
		addrs = append(addrs, slowTLS(t, ca, 3*time.Second))
	}
	dir := tlsWorkdir(t, ca, addrs...)
	r := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "tls.yaml", "--only", "tls/*",
		"--offline=false", "--format", "json", "--check-timeout", "5s", "--timeout", "1s", "--parallel", "128")
	assertAllInterrupted(t, r.code, r.stdout, len(addrs), "--timeout 1s")
	// The table says so apart from the errors.
	table := exe(t, golive, dir, nil, "check", "--root", "root", "--config", "tls.yaml", "--only", "tls/*",
		"--offline=false", "--check-timeout", "5s", "--timeout", "1s", "--parallel", "128")
	if !strings.Contains(table.stdout, "150 error (150 interrupted") {
		t.Errorf("table summary does not count the interrupted checks apart:\n%s", lastLines(table.stdout, 3))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
