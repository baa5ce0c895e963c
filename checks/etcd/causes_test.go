package etcd

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/depcheck/deptest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// runEndpoint runs the endpoint check of the first endpoint only.
func runEndpoint(t *testing.T, c *etcdtest.Cluster, yaml string, timeout time.Duration) engine.Result {
	t.Helper()
	p := resolve(t, yaml)
	checks, err := build(p.Section(Kind), p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New(c.Root)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(t.Context(), h, checks[:1], engine.RunOptions{CheckTimeout: timeout})
	r := out.Results[0]
	assertNoSecret(t, r, testPassword)
	return r
}

// oneEndpoint is sectionFor with only the first member listed.
func oneEndpoint(c *etcdtest.Cluster, extra string) string {
	s := sectionFor(c, extra)
	return strings.Replace(s, strings.Join(c.ClientURLs(), ", "), c.Members[0].ClientURL, 1)
}

func TestEndpointFailureCauses(t *testing.T) {
	c := sharedCluster(t)
	t.Setenv("GOLIVE_TEST_ETCD_PASSWORD", testPassword)
	t.Setenv("GOLIVE_TEST_ETCD_EMPTY", "")
	cases := []struct {
		name   string
		extra  string
		status engine.Status
		cause  string
		reason string
		words  []string
	}{
		{"password from the environment", "  username: root\n  password_env: GOLIVE_TEST_ETCD_PASSWORD\n", engine.Pass, "", "", nil},
		{"wrong CA", "  ca_file: /" + etcdtest.StrangerCAFile + "\n", engine.Fail, depcheck.CauseTLS, depcheck.ReasonUnknownAuthority,
			[]string{"etcd-1 is issued by Golive Test etcd CA", "not among ca_file /" + etcdtest.StrangerCAFile}},
		{"expired client certificate", "  cert_file: /" + etcdtest.ExpiredCertFile + "\n  key_file: /" + etcdtest.ExpiredKeyFile + "\n",
			engine.Fail, depcheck.CauseTLS, depcheck.ReasonClientExpired, []string{"rejected our client certificate", "certificate_expired", "our client certificate /" + etcdtest.ExpiredCertFile}},
		{"client certificate from another CA", "  cert_file: /" + etcdtest.StrangerCertFile + "\n  key_file: /" + etcdtest.StrangerKeyFile + "\n",
			engine.Fail, depcheck.CauseTLS, depcheck.ReasonClientCertRequired, []string{"requires a client certificate"}},
		{"wrong password", "  username: root\n  password_file: /" + etcdtest.WrongPasswordFile + "\n", engine.Fail, depcheck.CauseAuth, "",
			[]string{"credentials rejected", "authentication failed"}},
		{"unset password variable", "  username: root\n  password_env: GOLIVE_TEST_ETCD_UNSET\n", engine.Error, "", "",
			[]string{"environment variable GOLIVE_TEST_ETCD_UNSET is not set"}},
		{"missing CA file", "  ca_file: /etc/etcd/nope.pem\n", engine.Error, "", "", []string{"ca_file /etc/etcd/nope.pem"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runEndpoint(t, c, oneEndpoint(c, tc.extra), 10*time.Second)
			want(t, r, tc.status, tc.cause, tc.words...)
			if got, _ := r.Details["tls_reason"].(string); got != tc.reason {
				t.Errorf("tls_reason %q, want %q", got, tc.reason)
			}
			if tc.status == engine.Fail && (r.Remediation == nil || len(r.Remediation.Actions) == 0) {
				t.Errorf("no remediation for a failure")
			}
		})
	}
}

// TestTransportCauses: peers that are not etcd, each failing its own way.
func TestTransportCauses(t *testing.T) {
	c := sharedCluster(t)
	plain := talker(t, "SSH-2.0-OpenSSH_9.6\r\n")
	cases := []struct {
		name, yaml, cause string
		words             []string
	}{
		{"refused", "etcd:\n  endpoints: [https://" + deptest.ClosedPort(t) + "]\n  ca_file: /" + etcdtest.CAFile + "\n", depcheck.CauseRefused, []string{"connection refused"}},
		{"silent: ends at the check timeout", "etcd:\n  endpoints: [https://" + deptest.SilentListener(t) + "]\n  ca_file: /" + etcdtest.CAFile + "\n", depcheck.CauseTimeout,
			[]string{"TLS handshake did not complete"}},
		{"silent, plain text", "etcd:\n  endpoints: [http://" + deptest.SilentListener(t) + "]\n", depcheck.CauseTimeout, []string{"did not answer the HTTP/2 preface"}},
		{"not TLS", "etcd:\n  endpoints: [https://" + plain + "]\n  ca_file: /" + etcdtest.CAFile + "\n", depcheck.CauseProtocol, []string{"does not speak TLS"}},
		{"not HTTP/2", "etcd:\n  endpoints: [http://" + plain + "]\n", depcheck.CauseProtocol, []string{"HTTP/2"}},
		{"the peer port", "etcd:\n  endpoints: [" + c.Members[0].PeerURL + "]\n  ca_file: /" + etcdtest.CAFile + "\n  cert_file: /" + etcdtest.ClientCertFile + "\n  key_file: /" + etcdtest.ClientKeyFile + "\n",
			depcheck.CauseProtocol, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runEndpoint(t, c, tc.yaml, time.Second)
			// Fail, not the runner's "timed out" error: the check ended
			// itself before its deadline, with its own cause.
			want(t, r, engine.Fail, tc.cause, tc.words...)
		})
	}
}

// talker accepts connections, writes greeting, and reads until closed.
func talker(t *testing.T, greeting string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				_, _ = conn.Write([]byte(greeting))
				buf := make([]byte, 512)
				for {
					if _, err := conn.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}
