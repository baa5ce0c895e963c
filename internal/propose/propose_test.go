package propose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/testenv"
)

// secret is the password every case hides somewhere; no output may hold it.
const secret = "Pw-s3cr3t-9b1e"

// fakeRoot is a host root holding one unit and the files it names.
func fakeRoot(t testing.TB, unitText string, files map[string]string) *host.Host {
	t.Helper()
	root := t.TempDir()
	files["/etc/systemd/system/app.service"] = unitText
	files["/etc/os-release"] = "ID=rocky\nVERSION_ID=9.4\nID_LIKE=\"rhel centos fedora\"\n"
	for p, data := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h, err := host.New(root)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// resolves writes out as a service's file and resolves it the way golive
// check does: strict YAML, every section known.
func resolves(t testing.TB, out []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := profile.Resolve(profile.Request{Config: p, Profile: "rocky-9"}); err != nil {
		t.Fatalf("the proposed file does not resolve: %v\n%s", err, out)
	}
}

func TestProposals(t *testing.T) {
	cases := []struct {
		name  string
		unit  string
		files map[string]string
		want  []string
		not   []string
	}{{
		name:  "service and limits",
		unit:  "[Service]\nUser=app\nExecStart=/opt/app/bin/app --port 8080\nExecStartPre=-/bin/true\nLimitNOFILE=1024:524288\nLimitMEMLOCK=64M\nLimitNPROC=infinity\nLimitSTACK=8M:16M\nWorkingDirectory=/srv/app\nStateDirectory=app\n",
		files: map[string]string{"/opt/app/bin/app": "x"},
		want: []string{"name: app  # the unit's name", "unit: app.service", "user: app  # User= in /etc/systemd/system/app.service",
			"- /opt/app/bin/app  # ExecStart=", `nofile: ">= 1024"`, `memlock: ">= 67108864"`, "nproc: unlimited", `stack: ">= 8388608"`,
			"/srv/app (WorkingDirectory=", "/var/lib/app (StateDirectory="},
		not: []string{"/bin/true"},
	}, {
		name: "drop-in overrides and resets",
		unit: "[Service]\nUser=first\nExecStart=/opt/a\n",
		files: map[string]string{
			"/etc/systemd/system/app.service.d/10.conf": "[Service]\nUser=second\nExecStart=\nExecStart=/opt/b\n",
		},
		want: []string{"user: second  # User= in /etc/systemd/system/app.service.d/10.conf", "- /opt/b  #"},
		not:  []string{"- /opt/a", "user: first"},
	}, {
		name: "mysql, etcd, tls and dns from the environment",
		unit: "[Service]\nExecStart=/opt/app --upstream=https://api.example.com/v1 --etcd-servers=https://etcd1.internal:2379,https://etcd2.internal:2379 --etcd-cafile=/etc/app/etcd-ca.pem\n" +
			"Environment=\"APP_DB_DSN=app:" + secret + "@tcp(db1.internal:3306)/app?tls=custom\"\n" +
			"Environment=REPORTING_REPLICA_DSN=ro:" + secret + "@tcp(10.0.0.9:3306)/app\n" +
			"EnvironmentFile=/etc/app/env\n",
		files: map[string]string{"/etc/app/env": "ETCD_USERNAME=app\nETCD_PASSWORD=" + secret + "\nWEBHOOK=https://hooks:" + secret + "@hooks.example.org:8443/x\n"},
		want: []string{"- name: app-db", "dsn_env: APP_DB_DSN", "role: primary", "server db1.internal:3306",
			"- name: reporting-replica", "dsn_env: REPORTING_REPLICA_DSN", "role: replica",
			"- https://etcd1.internal:2379", "- https://etcd2.internal:2379", "ca_file: /etc/app/etcd-ca.pem",
			"username: app", "password_env: ETCD_PASSWORD", "members: 2",
			"- api.example.com:443", "- hooks.example.org:8443", "- db1.internal", "- etcd1.internal", "- api.example.com  #"},
		not: []string{"10.0.0.9  #"},
	}, {
		name: "secrets on the command line and in URLs are not copied",
		unit: "[Service]\nExecStart=/opt/app --db-password " + secret + " --token=" + secret + " mysql://u:" + secret + "@db.example.com/x\n" +
			"Environment=ETCDCTL_USER=root:" + secret + "\nEnvironment=ETCDCTL_ENDPOINTS=etcd.example.com:2379\n",
		files: map[string]string{},
		want: []string{"--db-password", "--token", "mysql:// URL", "username: root", "password_env: GOLIVE_ETCD_PASSWORD",
			"- https://etcd.example.com:2379  #", "scheme assumed"},
	}, {
		name:  "mixed etcd schemes keep the first",
		unit:  "[Service]\nExecStart=/opt/app\nEnvironment=ETCD_ENDPOINTS=http://a.example.com:2379,https://b.example.com:2379\nEnvironment=ETCD_CA_FILE=/etc/ca.pem\n",
		files: map[string]string{},
		want:  []string{"- http://a.example.com:2379", "# - https://b.example.com:2379", "# ca_file: /etc/ca.pem"},
	}, {
		name:  "relative ExecStart and DynamicUser",
		unit:  "[Service]\nDynamicUser=yes\nExecStart=app-server\n",
		files: map[string]string{},
		want:  []string{"runs \"app-server\", not an absolute path", "DynamicUser="},
		not:   []string{"user:", "binaries:"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := fakeRoot(t, c.unit, c.files)
			out, err := Profile(h, Options{Unit: "app", Base: "rocky-9"})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(string(out), n) {
					t.Errorf("%q in:\n%s", n, out)
				}
			}
			if strings.Contains(string(out), secret) {
				t.Errorf("the output holds the secret:\n%s", out)
			}
			resolves(t, out)
		})
	}
}

func TestBinaryWithoutUnit(t *testing.T) {
	h := fakeRoot(t, "", map[string]string{"/usr/local/bin/tool": "x"})
	out, err := Profile(h, Options{Binaries: []string{"/usr/local/bin/tool"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "- /usr/local/bin/tool  # --binary") || strings.Contains(string(out), "unit:") {
		t.Errorf("unexpected:\n%s", out)
	}
	resolves(t, out)
	if _, err := Profile(h, Options{Binaries: []string{"/nope"}}); err == nil {
		t.Error("a missing --binary was accepted")
	}
	if _, err := Profile(h, Options{Binaries: []string{"tool"}}); err == nil {
		t.Error("a relative --binary was accepted")
	}
	if _, err := Profile(h, Options{Unit: "missing"}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a missing unit: %v", err)
	}
	if _, err := Profile(h, Options{}); err == nil {
		t.Error("nothing to start from was accepted")
	}
}

func TestSysctlReview(t *testing.T) {
	h := fakeRoot(t, "[Service]\nExecStart=/opt/app\n", map[string]string{
		"/proc/sys/net/core/somaxconn":  "4096\n",
		"/proc/sys/net/ipv4/tcp_rmem":   "4096\t131072\t6291456\n",
		"/proc/sys/kernel/evil":         "1\x1b[2J\n",
		"/proc/sys/vm/swappiness":       "60\n",
		"/proc/sys/vm/other_not_listed": "1\n",
	})
	out, err := Profile(h, Options{Unit: "app", Base: "rocky-9", SysctlKeys: []string{"net.core.somaxconn", "net.ipv4.tcp_rmem", "kernel.evil", "vm.swappiness", "absent.key"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`#   net.core.somaxconn: "4096"`, "#   net.ipv4.tcp_rmem: 4096 131072 6291456", `#   vm.swappiness: "60"`} {
		if !strings.Contains(string(out), w) {
			t.Errorf("no %q in:\n%s", w, out)
		}
	}
	for _, n := range []string{"kernel.evil", "absent.key", "other_not_listed", "\x1b"} {
		if strings.Contains(string(out), n) {
			t.Errorf("%q in:\n%s", n, out)
		}
	}
	resolves(t, out)
}

// FuzzProfile: any unit text and environment file give a file that
// resolves strictly, or an error — never a panic, never the secret.
func FuzzProfile(f *testing.F) {
	f.Add("[Service]\nUser=app\nExecStart=/opt/app --etcd-servers=https://e:2379\nEnvironment=DB_DSN=u:"+secret+"@tcp(h:1)/d\nLimitNOFILE=10:20\n", "ETCD_PASSWORD="+secret+"\n")
	f.Add("[Service]\nExecStart=/opt/app \"--x=y z\" 'a b' \\\nEnvironment=\"A=B C\" D=E\n", "A=https://x.example:1/\n")
	f.Add("[Service]\nUser=\"'\"\nWorkingDirectory=/a: b\nStateDirectory=../x a:b\n", "")
	f.Fuzz(func(t *testing.T, unitText, env string) {
		if strings.Contains(unitText, "\x00") || len(unitText) > 4096 || len(env) > 4096 {
			return
		}
		h := fakeRoot(t, unitText+"\nEnvironmentFile=-/etc/app.env\n", map[string]string{"/etc/app.env": env})
		out, err := Profile(h, Options{Unit: "app", Base: "rocky-9"})
		if err != nil {
			return
		}
		if strings.Contains(unitText+env, secret) && strings.Contains(string(out), secret) {
			t.Fatalf("the output holds the secret:\n%s", out)
		}
		resolves(t, out)
	})
}

// The types the binary and data paths carry now become selinux.paths; a
// path without a label is said in a comment, not guessed.
func TestSELinuxLabels(t *testing.T) {
	h := fakeRoot(t, "[Service]\nExecStart=/opt/app/bin/app\nWorkingDirectory=/srv/app\nReadWritePaths=/var/lib/app -/var/log/app\n", map[string]string{
		"/opt/app/bin/app": "x", "/srv/app/.keep": "", "/var/lib/app/.keep": "",
	})
	for p, label := range map[string]string{"/opt/app/bin/app": "system_u:object_r:bin_t:s0", "/srv/app": "system_u:object_r:httpd_sys_content_t:s0"} {
		if err := unix.Setxattr(filepath.Join(h.Root(), p), "security.selinux", append([]byte(label), 0), 0); err != nil {
			testenv.Missing(t, "cannot set security.selinux on a temp file: "+err.Error())
			return
		}
	}
	out, err := Profile(h, Options{Unit: "app"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"selinux:\n  paths:\n", "/opt/app/bin/app: bin_t  # its label now, system_u:object_r:bin_t:s0 (path from ExecStart=",
		"/srv/app: httpd_sys_content_t  # its label now", "/var/log/app (ReadWritePaths= in /etc/systemd/system/app.service) does not exist under the root"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("no %q in:\n%s", w, out)
		}
	}
	if strings.Contains(string(out), "/var/lib/app:") {
		t.Errorf("an unlabelled path got a type:\n%s", out)
	}
	resolves(t, out)
}
