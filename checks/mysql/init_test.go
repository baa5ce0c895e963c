package mysql_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/etcd/etcdtest"
	"github.com/golive-sh/golive/checks/mysql"
	"github.com/golive-sh/golive/internal/cli"
)

// A new user's first session (issue 15's acceptance): a service unit in a
// host root whose Environment= points at a real MariaDB primary and a real
// etcd on loopback; `golive init` writes golive.yaml from the unit,
// `golive validate` accepts it, and `golive check` on it passes. The test
// lives here because the MariaDB lab does.
func TestInitToPassingCheck(t *testing.T) {
	primary, _, _ := mysql.LabDSNs(t)
	const etcdPassword = "Etcd-root-pw-7c1d"
	cluster := etcdtest.Start(t, etcdtest.Options{Members: 1, Password: etcdPassword})
	defer cluster.Close()

	root := t.TempDir()
	if out, err := exec.Command("cp", "-a", "../../testdata/roots/rocky-9/.", root).CombinedOutput(); err != nil {
		t.Fatalf("copy the fixture root: %v\n%s", err, out)
	}
	for _, f := range []string{etcdtest.CAFile, etcdtest.ClientCertFile, etcdtest.ClientKeyFile} {
		data, err := os.ReadFile(filepath.Join(cluster.Root, f))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(root, "etc/payments", filepath.Base(f)), string(data))
	}
	write(t, filepath.Join(root, "etc/systemd/system/payments.service"), `[Unit]
Description=payments API
Wants=network-online.target
After=network-online.target

[Service]
User=golive-demo
ExecStart=/usr/bin/golive-demo --listen :8443
Environment="PAYMENTS_DB_DSN=`+primary+`"
Environment=ETCDCTL_ENDPOINTS=`+cluster.ClientURLs()[0]+`
Environment=ETCDCTL_USER=root:`+etcdPassword+`
EnvironmentFile=/etc/sysconfig/payments
LimitNOFILE=65536
LimitCORE=infinity
Restart=always
RestartSec=5s

[Install]
WantedBy=multi-user.target
`)
	if err := os.Symlink("/etc/systemd/system/payments.service", filepath.Join(root, "etc/systemd/system/multi-user.target.wants/payments.service")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "etc/sysconfig/payments"), `ETCDCTL_CACERT=/etc/payments/ca.pem
ETCDCTL_CERT=/etc/payments/client.pem
ETCDCTL_KEY=/etc/payments/client-key.pem
`)

	run := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := cli.Execute(args, cli.IO{Out: &out, Err: &errs, Getenv: func(string) string { return "" }})
		return code, out.String(), errs.String()
	}
	cfg := filepath.Join(t.TempDir(), "golive.yaml")
	code, out, errs := run("init", "--root", root, "--unit", "payments", "-o", cfg)
	if code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, out, errs)
	}
	written, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range append([]string{etcdPassword}, mysql.LabPasswords...) {
		if strings.Contains(string(written)+out+errs, secret) {
			t.Fatalf("init copied a secret (%q) into its output:\n%s", secret, written)
		}
	}
	for _, want := range []string{"dsn_env: PAYMENTS_DB_DSN", "unit: payments.service", "user: golive-demo",
		"- /usr/bin/golive-demo", `nofile: ">= 65536"`, "core: unlimited", "username: root",
		"password_env: GOLIVE_ETCD_PASSWORD", "ca_file: /etc/payments/ca.pem", "members: 1"} {
		if !strings.Contains(string(written), want) {
			t.Errorf("init's file lacks %q:\n%s", want, written)
		}
	}
	// Every value says where it came from; only block keys stand alone.
	for _, line := range strings.Split(string(written), "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") && !strings.HasSuffix(l, ":") && !strings.Contains(l, "  # ") {
			t.Errorf("a value without a comment: %q", line)
		}
	}
	if code, _, errs = run("init", "--root", root, "--unit", "payments", "-o", cfg); code != cli.ExitInvalid || !strings.Contains(errs, "exists") {
		t.Errorf("init over an existing file: exit %d, want 2 naming the file\n%s", code, errs)
	}

	if code, out, errs = run("validate", "--root", root, cfg); code != 0 || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("validate: exit %d\n%s%s", code, out, errs)
	}

	// The secrets reach golive check through the environment, as the
	// comments in the file say.
	t.Setenv("PAYMENTS_DB_DSN", primary)
	t.Setenv("GOLIVE_ETCD_PASSWORD", etcdPassword)
	code, out, errs = run("check", "--root", root, "--config", cfg, "--offline=false",
		"--only", "mysql/*,etcd/*,rlimit/unit*,systemd/*", "--format", "json")
	var rep struct {
		Checks []struct{ ID, Status, Message string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("check: exit %d, not JSON: %v\n%s%s", code, err, out, errs)
	}
	ids := map[string]bool{}
	for _, c := range rep.Checks {
		ids[strings.SplitN(c.ID, ":", 2)[0]] = true
		if c.Status != "pass" && c.Status != "skip" {
			t.Errorf("%s: %s: %s", c.ID, c.Status, c.Message)
		}
	}
	for _, want := range []string{"mysql/connect", "mysql/role", "etcd/endpoint", "etcd/cluster", "rlimit/unit"} {
		if !ids[want] {
			t.Errorf("check ran no %s check: %v", want, ids)
		}
	}
	if code != cli.ExitReady {
		t.Errorf("check: exit %d, want 0\n%s", code, errs)
	}
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
