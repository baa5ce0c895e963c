package firewall

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const serviceConfig = `extends: auto
service:
  ports:
    - {port: 22}
    - {port: 8443, address: 0.0.0.0, expect: listening}
    - {port: 9000, address: 127.0.0.1}
    - {port: 546, proto: udp}
`

func run(t *testing.T, root string, config string) map[string]engine.Result {
	t.Helper()
	return runOn(t, hosttest.Fixture(t, root), root, config)
}

func runOn(t *testing.T, h *host.Host, root, config string) map[string]engine.Result {
	t.Helper()
	p := profiletest.Detected(t, h, config)
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := engine.Run(context.Background(), h, checks, engine.RunOptions{})
	got := map[string]engine.Result{}
	for _, r := range out.Results {
		got[r.ID] = r
	}
	reporttest.ValidateOutcome(t, h, root, out)
	return got
}

func expect(t *testing.T, r engine.Result, status engine.Status, words ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %s, want %s: %s", r.ID, r.Status, status, r.Message)
	}
	for _, w := range words {
		if !strings.Contains(r.Message, w) {
			t.Errorf("%s: message %q lacks %q", r.ID, r.Message, w)
		}
	}
}

// On each fixture root the boot configuration decides (an image has no
// loaded ruleset): testdata/roots/README.md, "firewall".
func TestFixtureRootVerdicts(t *testing.T) {
	t.Run("centos-7", func(t *testing.T) {
		got := run(t, "centos-7", serviceConfig)
		if len(got) != 3 {
			t.Fatalf("%d results (a loopback port has no firewall check): %v", len(got), got)
		}
		expect(t, got["firewall/port:22/tcp"], engine.Pass, "zone public: service ssh (/usr/lib/firewalld/services/ssh.xml)")
		expect(t, got["firewall/port:8443/tcp"], engine.Fail, "zone public (/usr/lib/firewalld/zones/public.xml) allows neither")
		// dhcpv6-client opens 546/udp (for its link-local destination).
		expect(t, got["firewall/port:546/udp"], engine.Pass, "service dhcpv6-client")
		a := got["firewall/port:8443/tcp"].Remediation.Actions
		if len(a) != 2 || strings.Join(a[0].Argv, " ") != "firewall-cmd --permanent --zone=public --add-port=8443/tcp" ||
			strings.Join(a[1].Argv, " ") != "firewall-cmd --reload" {
			t.Errorf("remediation %+v", a)
		}
	})
	t.Run("rocky-9", func(t *testing.T) {
		got := run(t, "rocky-9", serviceConfig)
		// The admin's /etc/firewalld/zones/public.xml replaces the stock zone.
		expect(t, got["firewall/port:8443/tcp"], engine.Pass, "zone public: port 8443/tcp")
		expect(t, got["firewall/port:22/tcp"], engine.Pass, "service ssh")
		if got["firewall/port:8443/tcp"].Remediation != nil {
			t.Error("a passing check has a remediation")
		}
	})
	t.Run("ubuntu-22.04", func(t *testing.T) {
		got := run(t, "ubuntu-22.04", serviceConfig)
		for _, id := range []string{"firewall/port:22/tcp", "firewall/port:8443/tcp", "firewall/port:546/udp"} {
			expect(t, got[id], engine.Pass, "no host firewall starts (ufw is off (/etc/ufw/ufw.conf:6 ENABLED=no))")
		}
	})
	t.Run("broken", func(t *testing.T) {
		got := run(t, "broken", serviceConfig)
		expect(t, got["firewall/port:8443/tcp"], engine.Error, `/etc/firewalld/zones/public.xml: port range "80-" is not LOW-HIGH`)
	})
}

// A ufw the admin enabled, with the rules `ufw allow 22/tcp`, `ufw allow
// from 10.0.0.0/8 to any port 8443 proto tcp` and `ufw deny 9100` write.
func TestUfwEnabledRoot(t *testing.T) {
	h := copyRoot(t, "ubuntu-22.04")
	h.write(t, "etc/ufw/ufw.conf", "ENABLED=yes\nLOGLEVEL=low\n")
	rules := "*filter\n### RULES ###\n\n" +
		"### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in\n-A ufw-user-input -p tcp --dport 22 -j ACCEPT\n\n" +
		"### tuple ### allow tcp 8443 0.0.0.0/0 any 10.0.0.0/8 in\n-A ufw-user-input -p tcp --dport 8443 -s 10.0.0.0/8 -j ACCEPT\n\n" +
		"### tuple ### deny any 9100 0.0.0.0/0 any 0.0.0.0/0 in\n-A ufw-user-input -p tcp --dport 9100 -j DROP\n-A ufw-user-input -p udp --dport 9100 -j DROP\n\n" +
		"### END RULES ###\nCOMMIT\n"
	h.write(t, "etc/ufw/user.rules", rules)
	h.write(t, "etc/ufw/user6.rules", strings.ReplaceAll(strings.ReplaceAll(rules, "0.0.0.0/0", "::/0"), "10.0.0.0/8", "fd00::/8"))
	got := runOn(t, h.host(t), "ubuntu-22.04", `extends: auto
service:
  ports:
    - {port: 22}
    - {port: 8443}
    - {port: 9100}
    - {port: 8080}
`)
	expect(t, got["firewall/port:22/tcp"], engine.Pass, "/etc/ufw/user.rules:4 (allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in)")
	expect(t, got["firewall/port:8443/tcp"], engine.Warn, "open to some clients only", "only clients from 10.0.0.0/8")
	expect(t, got["firewall/port:9100/tcp"], engine.Fail, "user.rules:10 (deny any 9100")
	expect(t, got["firewall/port:8080/tcp"], engine.Fail, "DEFAULT_INPUT_POLICY=DROP")
	a := got["firewall/port:8080/tcp"].Remediation.Actions
	if len(a) != 1 || a[0].Kind != remediate.Command || strings.Join(a[0].Argv, " ") != "ufw allow 8080/tcp" {
		t.Errorf("remediation %+v", a)
	}
}

// nftables.service enabled on a Debian root: the file its ExecStart loads,
// with an include, decides.
func TestNftablesServiceRoot(t *testing.T) {
	h := copyRoot(t, "ubuntu-22.04")
	h.write(t, "lib/systemd/system/nftables.service", "[Unit]\nDescription=nftables\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"+
		"ExecStart=/usr/sbin/nft -f /etc/nftables.conf\nExecReload=/usr/sbin/nft -f /etc/nftables.conf\nExecStop=/usr/sbin/nft flush ruleset\n\n[Install]\nWantedBy=sysinit.target\n")
	h.symlink(t, "/lib/systemd/system/nftables.service", "etc/systemd/system/sysinit.target.wants/nftables.service")
	h.write(t, "etc/nftables.conf", "#!/usr/sbin/nft -f\n\nflush ruleset\n\ntable inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"+
		"\t\tct state established,related accept\n\t\tiif lo accept\n\t\ttcp dport ssh accept\n\t}\n}\n\ninclude \"/etc/nftables.d/*.nft\"\n")
	h.write(t, "etc/nftables.d/10-web.nft", "add rule inet filter input tcp dport { 80, 443 } accept\n")
	got := runOn(t, h.host(t), "ubuntu-22.04", `extends: auto
service:
  ports:
    - {port: 22}
    - {port: 443}
    - {port: 8080}
`)
	expect(t, got["firewall/port:22/tcp"], engine.Pass)
	expect(t, got["firewall/port:443/tcp"], engine.Pass)
	expect(t, got["firewall/port:8080/tcp"], engine.Fail, "the policy of chain inet filter input (/etc/nftables.conf:6)")
	a := got["firewall/port:8080/tcp"].Remediation.Actions
	if len(a) != 1 || a[0].Kind != remediate.Manual || !strings.Contains(a[0].Text, "add `tcp dport 8080 accept` to the input chain of /etc/nftables.conf") {
		t.Errorf("remediation %+v", a)
	}
}

// rootCopy is a copy of a fixture root a test may change.
type rootCopy string

func copyRoot(t *testing.T, name string) rootCopy {
	t.Helper()
	d := t.TempDir()
	if out, err := exec.Command("cp", "-a", "../../testdata/roots/"+name+"/.", d).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	return rootCopy(d)
}

func (r rootCopy) write(t *testing.T, rel, content string) {
	t.Helper()
	p := filepath.Join(string(r), rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (r rootCopy) symlink(t *testing.T, target, rel string) {
	t.Helper()
	p := filepath.Join(string(r), rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func (r rootCopy) host(t *testing.T) *host.Host {
	h, err := host.New(string(r))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// iptables-services on a CentOS 7 root: iptables.service enabled (and
// firewalld not), /etc/sysconfig/iptables as RHEL 7's package ships it
// plus the admin's 8443 rule; no ip6tables.service, so IPv6 is unfiltered.
func TestIptablesServiceRoot(t *testing.T) {
	h := copyRoot(t, "centos-7")
	if err := os.Remove(string(h) + "/etc/systemd/system/multi-user.target.wants/firewalld.service"); err != nil {
		t.Fatal(err)
	}
	h.write(t, "usr/lib/systemd/system/iptables.service", "[Unit]\nDescription=IPv4 firewall with iptables\n\n[Service]\nType=oneshot\nRemainAfterExit=yes\n"+
		"ExecStart=/usr/libexec/iptables/iptables.init start\n\n[Install]\nWantedBy=basic.target\n")
	h.symlink(t, "/usr/lib/systemd/system/iptables.service", "etc/systemd/system/basic.target.wants/iptables.service")
	h.write(t, "etc/sysconfig/iptables", "# sample configuration for iptables service\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"+
		"-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p icmp -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n"+
		"-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 8443 -j ACCEPT\n"+
		"-A INPUT -j REJECT --reject-with icmp-host-prohibited\n-A FORWARD -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n")
	got := runOn(t, h.host(t), "centos-7", serviceConfig)
	expect(t, got["firewall/port:22/tcp"], engine.Pass)
	expect(t, got["firewall/port:8443/tcp"], engine.Pass)
	// 546/udp: rejected on IPv4, unfiltered on IPv6 — open to some clients only.
	expect(t, got["firewall/port:546/udp"], engine.Warn, "open to some clients only", "-j REJECT --reject-with icmp-host-prohibited", "/etc/sysconfig/iptables:11")
	if fw, _ := got["firewall/port:22/tcp"].Details["firewalls_at_boot"].([]string); len(fw) != 1 || fw[0] != "iptables" {
		t.Errorf("details %v", got["firewall/port:22/tcp"].Details)
	}
}
