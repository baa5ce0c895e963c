package etcd

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// testPassword is root's password on the shared cluster; every output is
// searched for it.
const testPassword = "Golive-etcd-S3cret!"

var (
	sharedOnce sync.Once
	shared     *etcdtest.Cluster
	sharedErr  string
)

// sharedCluster is one 3-member cluster with TLS, client-certificate and
// password authentication, started by the first test that needs it and
// stopped after all tests. Tests must leave it as they found it.
func sharedCluster(t testing.TB) *etcdtest.Cluster {
	t.Helper()
	sharedOnce.Do(func() {
		rec := &recorder{TB: t}
		func() {
			defer func() {
				if v := recover(); v != nil && v != errStop {
					panic(v)
				}
			}()
			shared = etcdtest.Start(rec, etcdtest.Options{Members: 3, Password: testPassword})
		}()
		sharedErr = rec.msg
	})
	if shared == nil {
		t.Fatalf("shared etcd cluster: %s", sharedErr)
	}
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.Close()
	}
	os.Exit(code)
}

// recorder keeps the first test's failure from being blamed for every
// later one: a failed start is reported to each test that asks.
type recorder struct {
	testing.TB
	msg string
}

var errStop = fmt.Errorf("stop")

func (r *recorder) Fatal(args ...any) { r.msg = fmt.Sprint(args...); panic(errStop) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	panic(errStop)
}
func (r *recorder) Helper() {}

// profileFor writes an etcd section for c (plus extra lines) and resolves
// it.
func profileFor(t *testing.T, c *etcdtest.Cluster, extra string) *profile.Profile {
	t.Helper()
	return resolve(t, sectionFor(c, extra))
}

// sectionFor is the profile a service on the cluster would use: every
// member, the test PKI, root with its password file.
func sectionFor(c *etcdtest.Cluster, extra string) string {
	var b strings.Builder
	b.WriteString("etcd:\n  endpoints: [" + strings.Join(c.ClientURLs(), ", ") + "]\n")
	if !strings.Contains(extra, "ca_file:") {
		b.WriteString("  ca_file: /" + etcdtest.CAFile + "\n")
	}
	if !strings.Contains(extra, "cert_file:") {
		b.WriteString("  cert_file: /" + etcdtest.ClientCertFile + "\n  key_file: /" + etcdtest.ClientKeyFile + "\n")
	}
	if c.Password != "" && !strings.Contains(extra, "username:") {
		b.WriteString("  username: root\n  password_file: /" + etcdtest.PasswordFile + "\n")
	}
	b.WriteString(extra)
	return b.String()
}

func resolve(t testing.TB, yaml string) *profile.Profile {
	t.Helper()
	return profiletest.ResolveNamed(t, "golive.yaml", yaml)
}

// runChecks plans the profile's etcd checks and runs them on c's root.
func runChecks(t *testing.T, c *etcdtest.Cluster, p *profile.Profile, timeout time.Duration) map[string]engine.Result {
	t.Helper()
	checks, err := build(p.Section(Kind), p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New(c.Root)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(t.Context(), h, checks, engine.RunOptions{CheckTimeout: timeout})
	res := map[string]engine.Result{}
	for _, r := range out.Results {
		res[r.ID] = r
		assertNoSecret(t, r, testPassword)
	}
	return res
}

// assertNoSecret fails when any text of a result holds the secret.
func assertNoSecret(t *testing.T, r engine.Result, secret string) {
	t.Helper()
	if s := fmt.Sprintf("%#v %#v", r, r.Remediation); strings.Contains(s, secret) {
		t.Errorf("%s: the result holds the password", r.ID)
	}
}

// want checks a result's status, cause and words of its message.
func want(t *testing.T, r engine.Result, status engine.Status, cause string, words ...string) {
	t.Helper()
	if r.ID == "" {
		t.Fatal("no such result")
	}
	if r.Status != status {
		t.Errorf("%s: status %s, want %s: %s", r.ID, r.Status, status, r.Message)
	}
	if got, _ := r.Details["cause"].(string); got != cause {
		t.Errorf("%s: cause %q, want %q: %s", r.ID, got, cause, r.Message)
	}
	for _, w := range words {
		if !strings.Contains(r.Message, w) {
			t.Errorf("%s: message lacks %q: %s", r.ID, w, r.Message)
		}
	}
}

func endpointID(u string) string { return "etcd/endpoint:" + u }
