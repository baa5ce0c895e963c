// Package etcdtest starts real etcd clusters for tests: embedded members on
// 127.0.0.1 with pre-picked free ports, temp data dirs, TLS with client
// certificate authentication from a CA made for the test, and optionally
// etcd's own authentication with a root password.
package etcdtest

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"golang.org/x/crypto/bcrypt"

	"github.com/golive-sh/golive/internal/depcheck/deptest"
)

// Files are the PEM files of the test PKI, relative to Cluster.Root (so
// a profile names them as "/" + path).
const (
	CAFile            = "etc/etcd/ca.pem"
	ClientCertFile    = "etc/etcd/client.pem"
	ClientKeyFile     = "etc/etcd/client-key.pem"
	ExpiredCertFile   = "etc/etcd/expired-client.pem"
	ExpiredKeyFile    = "etc/etcd/expired-client-key.pem"
	StrangerCAFile    = "etc/etcd/stranger-ca.pem"
	StrangerCertFile  = "etc/etcd/stranger-client.pem"
	StrangerKeyFile   = "etc/etcd/stranger-client-key.pem"
	PasswordFile      = "etc/golive/etcd-password"
	WrongPasswordFile = "etc/golive/etcd-wrong-password"
)

// Member is one embedded etcd.
type Member struct {
	Name      string
	ClientURL string
	PeerURL   string
	cfg       *embed.Config
	etcd      *embed.Etcd
}

// Cluster is a running test cluster.
type Cluster struct {
	// Root is a directory laid out as a host root: the PKI under etc/etcd,
	// password files under etc/golive.
	Root     string
	CA       *deptest.CA
	Members  []*Member
	Password string // root's password when auth is enabled
	client   *deptest.Issued
	plain    bool
}

// Options shape a cluster.
type Options struct {
	Members int
	// Auth enables etcd authentication with user root and this password.
	Password string
	// Plain serves the client URLs over plain TCP (http://), gRPC on
	// HTTP/2 without TLS; the peers keep TLS.
	Plain bool
}

// Start starts a cluster and waits until it has a leader; it is stopped by
// Close (tests that share one call it from TestMain).
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	root, err := os.MkdirTemp("", "golive-etcdtest-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{Root: root, CA: deptest.NewCA(t, "Golive Test etcd CA"), Password: o.Password, plain: o.Plain}
	c.writePKI(t)
	ports := freePorts(t, 2*o.Members)
	var initial []string
	scheme := "https"
	if o.Plain {
		scheme = "http"
	}
	for i := range o.Members {
		m := &Member{Name: fmt.Sprintf("etcd-%d", i+1),
			ClientURL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, ports[2*i]),
			PeerURL:   fmt.Sprintf("https://127.0.0.1:%d", ports[2*i+1])}
		c.Members = append(c.Members, m)
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	for _, m := range c.Members {
		m.cfg = c.memberConfig(t, m, strings.Join(initial, ","))
	}
	// Members of a new cluster wait for each other: start them together.
	errs := make(chan error, len(c.Members))
	for _, m := range c.Members {
		go func() { errs <- m.start() }()
	}
	for range c.Members {
		if err := <-errs; err != nil {
			c.Close()
			t.Fatal(err)
		}
	}
	if o.Password != "" {
		c.enableAuth(t)
	}
	return c
}

func (c *Cluster) writePKI(t testing.TB) {
	t.Helper()
	stranger := deptest.NewCA(t, "Golive Stranger CA")
	c.client = c.CA.Issue(t, deptest.Leaf{CN: "root"})
	expired := c.CA.Issue(t, deptest.Leaf{CN: "root", NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Hour)})
	strange := stranger.Issue(t, deptest.Leaf{CN: "root"})
	files := map[string][]byte{
		CAFile: c.CA.PEM, ClientCertFile: c.client.CertPEM, ClientKeyFile: c.client.KeyPEM,
		ExpiredCertFile: expired.CertPEM, ExpiredKeyFile: expired.KeyPEM,
		StrangerCAFile: stranger.PEM, StrangerCertFile: strange.CertPEM, StrangerKeyFile: strange.KeyPEM,
		PasswordFile: []byte(c.Password + "\n"), WrongPasswordFile: []byte("not-the-password\n"),
	}
	for name, data := range files {
		c.write(t, name, data)
	}
}

func (c *Cluster) write(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(c.Root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (c *Cluster) memberConfig(t testing.TB, m *Member, initial string) *embed.Config {
	t.Helper()
	server := c.CA.Issue(t, deptest.Leaf{CN: m.Name, IPs: deptest.Loopback})
	cert := c.write(t, "srv/"+m.Name+".pem", server.CertPEM)
	key := c.write(t, "srv/"+m.Name+"-key.pem", server.KeyPEM)
	ca := filepath.Join(c.Root, CAFile)
	cfg := embed.NewConfig()
	cfg.Name = m.Name
	cfg.Dir = filepath.Join(c.Root, "data", m.Name)
	cu, pu := mustURL(m.ClientURL), mustURL(m.PeerURL)
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
	cfg.InitialCluster = initial
	cfg.InitialClusterToken = "golive-test"
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.PeerTLSInfo.CertFile, cfg.PeerTLSInfo.KeyFile, cfg.PeerTLSInfo.TrustedCAFile = cert, key, ca
	cfg.PeerTLSInfo.ClientCertAuth = true
	if !c.plain {
		cfg.ClientTLSInfo = cfg.PeerTLSInfo
	}
	// Short ticks start the cluster fast; the election timeout stays long
	// enough that a busy test machine does not cause spurious elections.
	cfg.TickMs, cfg.ElectionMs = 50, 1000
	// bcrypt's default cost makes each Authenticate cost tens of
	// milliseconds of CPU (seconds under -race); the tests authenticate
	// often and prove nothing about bcrypt.
	cfg.BcryptCost = uint(bcrypt.MinCost)
	cfg.Logger = "zap"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	return cfg
}

func (m *Member) start() error {
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		return fmt.Errorf("start %s: %w", m.Name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return fmt.Errorf("%s: %w", m.Name, err)
	case <-time.After(60 * time.Second):
		e.Close()
		return fmt.Errorf("%s did not become ready in 60s", m.Name)
	}
	m.etcd = e
	return nil
}

// Stop stops member i (it stays in the member list).
func (c *Cluster) Stop(i int) {
	if e := c.Members[i].etcd; e != nil {
		e.Close()
		c.Members[i].etcd = nil
	}
}

// Close stops every member and removes the files.
func (c *Cluster) Close() {
	for i := range c.Members {
		c.Stop(i)
	}
	os.RemoveAll(c.Root)
}

// ClientURLs lists the members' client URLs.
func (c *Cluster) ClientURLs() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, m.ClientURL)
	}
	return out
}

// Client is an etcd client as root (client certificate, and the password
// when auth is on).
func (c *Cluster) Client(t testing.TB) *clientv3.Client {
	t.Helper()
	cfg := &tls.Config{RootCAs: deptest.Pool(c.CA), Certificates: []tls.Certificate{c.client.TLS}, MinVersion: tls.VersionTLS12}
	cc := clientv3.Config{Endpoints: c.ClientURLs(), TLS: cfg, DialTimeout: 10 * time.Second, Logger: zap.NewNop()}
	if c.Password != "" {
		cc.Username, cc.Password = "root", c.Password
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

func (c *Cluster) enableAuth(t testing.TB) {
	t.Helper()
	pw := c.Password
	c.Password = "" // the client below connects before auth exists
	cli := c.Client(t)
	c.Password = pw
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := cli.UserAdd(ctx, "root", pw); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.UserGrantRole(ctx, "root", "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.AuthEnable(ctx); err != nil {
		t.Fatal(err)
	}
}

// RaiseAlarm raises alarm on member i through raft, as the server does
// when its quota fills up or corruption is found.
func (c *Cluster) RaiseAlarm(t testing.TB, i int, alarm pb.AlarmType) {
	t.Helper()
	c.alarm(t, i, pb.AlarmRequest_ACTIVATE, alarm)
}

// DisarmAlarm clears alarm on member i.
func (c *Cluster) DisarmAlarm(t testing.TB, i int, alarm pb.AlarmType) {
	t.Helper()
	c.alarm(t, i, pb.AlarmRequest_DEACTIVATE, alarm)
}

func (c *Cluster) alarm(t testing.TB, i int, action pb.AlarmRequest_AlarmAction, alarm pb.AlarmType) {
	t.Helper()
	s := c.Members[i].etcd.Server
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Alarm(ctx, &pb.AlarmRequest{Action: action, MemberID: uint64(s.MemberID()), Alarm: alarm}); err != nil {
		t.Fatal(err)
	}
}

// freePorts picks n free loopback ports: listen on :0, note, close.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		out = append(out, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return out
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return *u
}
