package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// sshConfig writes an ssh_config into the lab and returns its path.
func (l *fleetLab) sshConfig(t *testing.T, text string) string {
	t.Helper()
	write(t, l.dir, "ssh_config", text)
	return filepath.Join(l.dir, "ssh_config")
}

// runNoIdentity is `golive fleet check` with the lab's known_hosts but no
// --identity: the keys come from the ssh_config (HOME is the lab, whose
// .ssh holds none).
func (l *fleetLab) runNoIdentity(t *testing.T, args ...string) run {
	t.Helper()
	base := []string{"fleet", "check", "--known-hosts", l.knownHosts,
		"--offline", "--only", "os/kernel", "--host-timeout", "2m", "--timeout", "60s", "--config", "ready.yaml", "--format", "json"}
	return exe(t, golive, l.dir, []string{"SSH_AUTH_SOCK=", "HOME=" + l.dir}, append(base, args...)...)
}

func port(s *sshdtest.Server) string { return fmt.Sprint(s.Port) }

// An alias's HostName, Port, User and IdentityFile are followed; the fleet
// view names the host as typed, and an error says where it really was.
func TestFleetSSHConfigAlias(t *testing.T) {
	l := newFleetLab(t)
	u := sshdtest.User{Name: "golivecfg", UID: 4243}
	s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}, Users: []sshdtest.User{u}})
	l.trust(t, s.KnownHostsLine())
	down := strings.TrimPrefix(sshdtest.ClosedPort(t), "127.0.0.1:")
	cfg := l.sshConfig(t, "Host web-*\n  HostName 127.0.0.1\n  IdentityFile %d/id_ed25519\n"+
		"Host web-alias\n  Port "+port(s)+"\n  User "+u.Name+"\n"+
		"Host web-down\n  Port "+down+"\n")
	r := l.runNoIdentity(t, "--ssh-config", cfg, "web-alias", "web-down")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (one host down)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v := decodeFleet(t, []byte(r.stdout))
	if st, kind, msg := v.host(t, "web-alias"); st != "ready" {
		t.Errorf("web-alias: %s %s %q, want ready\nsshd log:\n%s", st, kind, msg, s.Log())
	}
	if !strings.Contains(s.Log(), "Accepted publickey for "+u.Name) {
		t.Errorf("the config's User was not used:\n%s", s.Log())
	}
	st, kind, msg := v.host(t, "web-down")
	if st != "unchecked" || kind != "unreachable" || !strings.Contains(msg, "(web-down is 127.0.0.1:"+down+")") {
		t.Errorf("web-down: %s %s %q, want unreachable naming the resolved address", st, kind, msg)
	}
	assertCleanedUp(t, s)
}

// user@ and :port on the command line win over the config's User and Port.
func TestFleetSSHConfigCommandLineWins(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, true)
	cfg := l.sshConfig(t, "Host web\n  HostName 127.0.0.1\n  Port "+strings.TrimPrefix(sshdtest.ClosedPort(t), "127.0.0.1:")+"\n  User nosuchuser\n")
	r := l.run(t, "--ssh-config", cfg, "--config", "ready.yaml", "--format", "json", "root@web:"+port(s))
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s\nsshd log:\n%s", r.code, r.stdout, r.stderr, s.Log())
	}
	if !strings.Contains(s.Log(), "Accepted publickey for root") {
		t.Errorf("root@ did not win over User:\n%s", s.Log())
	}
	v := decodeFleet(t, []byte(r.stdout))
	if st, _, _ := v.host(t, "web:"+port(s)); st != "ready" {
		t.Errorf("web:%s: %s", port(s), st)
	}
}

// A ProxyJump chain reaches a host through a jump sshd, each verified by
// its own known_hosts entry.
func TestFleetSSHConfigProxyJump(t *testing.T) {
	l := newFleetLab(t)
	jump := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}, AllowTCPForwarding: true})
	l.trust(t, jump.KnownHostsLine())
	target := l.server(t, true)
	cfg := l.sshConfig(t, "Host target\n  HostName 127.0.0.1\n  Port "+port(target)+"\n  ProxyJump bastion\n"+
		"Host bastion\n  HostName 127.0.0.1\n  Port "+port(jump)+"\n")
	r := l.run(t, "--ssh-config", cfg, "--config", "ready.yaml", "--format", "json", "target")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s\njump log:\n%s", r.code, r.stdout, r.stderr, jump.Log())
	}
	if v := decodeFleet(t, []byte(r.stdout)); len(v.Raw.Hosts) != 1 || v.Raw.Hosts[0].Host != "target" {
		t.Errorf("fleet view hosts %+v, want target", v.Raw.Hosts)
	}
	if !strings.Contains(jump.Log(), "Accepted publickey for root") {
		t.Errorf("the jump host was not used:\n%s", jump.Log())
	}
	assertCleanedUp(t, target)
}

// A jump host whose key is unknown, or changed, is refused, and the
// target is never reached.
func TestFleetSSHConfigProxyJumpHostKeyRefused(t *testing.T) {
	l := newFleetLab(t)
	jump := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}, AllowTCPForwarding: true})
	target := l.server(t, true)
	cfg := l.sshConfig(t, "Host target\n  HostName 127.0.0.1\n  Port "+port(target)+"\n  ProxyJump bastion:"+port(jump)+"\n"+
		"Host bastion\n  HostName 127.0.0.1\n")

	r := l.run(t, "--ssh-config", cfg, "--config", "ready.yaml", "--format", "json", "target")
	v := decodeFleet(t, []byte(r.stdout))
	st, kind, msg := v.host(t, "target")
	if r.code != 1 || st != "unchecked" || kind != "hostkey" || !strings.HasPrefix(msg, "via bastion:"+port(jump)+": host [127.0.0.1]:"+port(jump)+" is not in") {
		t.Errorf("unknown jump key: exit %d, %s %s %q", r.code, st, kind, msg)
	}

	impostor := sshdtest.NewKey(t, l.dir, "impostor")
	l.trust(t, strings.Replace(jump.KnownHostsLine(),
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(jump.HostKey.Public))),
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(impostor.Public))), 1))
	r = l.run(t, "--ssh-config", cfg, "--config", "ready.yaml", "--format", "json", "target")
	v = decodeFleet(t, []byte(r.stdout))
	st, kind, msg = v.host(t, "target")
	if r.code != 1 || st != "unchecked" || kind != "hostkey" || !strings.Contains(msg, "via bastion:"+port(jump)+": host key for [127.0.0.1]:"+port(jump)+" has CHANGED") {
		t.Errorf("changed jump key: exit %d, %s %s %q", r.code, st, kind, msg)
	}
	if strings.Contains(target.Log(), "Accepted publickey") || strings.Contains(jump.Log(), "Accepted publickey") {
		t.Errorf("a refused jump host was logged into, or the target reached\njump:\n%s\ntarget:\n%s", jump.Log(), target.Log())
	}
}

// StrictHostKeyChecking no in the config never turns verification off:
// that host is refused, before any connection.
func TestFleetSSHConfigStrictNoIsRefused(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, false)
	cfg := l.sshConfig(t, "Host lax\n  HostName 127.0.0.1\n  Port "+port(s)+"\n  StrictHostKeyChecking no\n")
	r := l.run(t, "--ssh-config", cfg, "--config", "ready.yaml", "--format", "json", "lax")
	v := decodeFleet(t, []byte(r.stdout))
	st, kind, msg := v.host(t, "lax")
	if r.code != 1 || st != "unchecked" || kind != "hostkey" || !strings.Contains(msg, "StrictHostKeyChecking no ("+cfg+":4)") {
		t.Errorf("exit %d, %s %s %q; want the host refused naming the config line", r.code, st, kind, msg)
	}
	if data, _ := os.ReadFile(l.knownHosts); len(data) != 0 {
		t.Errorf("known_hosts changed: %q", data)
	}
}

func TestFleetSSHConfigInvalid(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "match", "Host a\n  User x\nMatch host a\n")
	write(t, dir, "badhostname", "Host a\n  HostName \"bad name\"\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"match", []string{"--ssh-config", "match", "a"}, "match:3: Match is not supported"},
		{"missing file", []string{"--ssh-config", "nosuch", "a"}, "--ssh-config: "},
		{"bad HostName", []string{"--ssh-config", "badhostname", "a"}, "badhostname:2: HostName"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := exe(t, golive, dir, []string{"SSH_AUTH_SOCK=", "HOME=" + dir}, append([]string{"fleet", "check"}, c.args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d stderr %q; want 2 with %q", r.code, r.stderr, c.want)
			}
		})
	}
	// ~/.ssh/config is read by default, and --ssh-config none reads none.
	write(t, dir, ".ssh/config", "Match all\n")
	r := exe(t, golive, dir, []string{"SSH_AUTH_SOCK=", "HOME=" + dir}, "fleet", "check", "a")
	if r.code != 2 || !strings.Contains(r.stderr, filepath.Join(dir, ".ssh", "config")+":1: Match") {
		t.Errorf("default ~/.ssh/config: exit %d stderr %q", r.code, r.stderr)
	}
	r = exe(t, golive, dir, []string{"SSH_AUTH_SOCK=", "HOME=" + dir}, "fleet", "check", "--ssh-config", "none", "a")
	if r.code != 2 || strings.Contains(r.stderr, "Match") || !strings.Contains(r.stderr, "no ssh key") {
		t.Errorf("--ssh-config none: exit %d stderr %q", r.code, r.stderr)
	}
}

// The host timeout bounds the whole chain: a jump host that never speaks
// times the host out, and the message says which hop.
func TestFleetSSHConfigProxyJumpTimeout(t *testing.T) {
	l := newFleetLab(t)
	silent := sshdtest.StartSilent(t)
	cfg := l.sshConfig(t, "Host target\n  HostName 127.0.0.1\n  ProxyJump "+silent.Addr+"\n")
	r := l.run(t, "--ssh-config", cfg, "--config", "ready.yaml", "--host-timeout", "2s", "--timeout", "1s", "--format", "json", "target")
	v := decodeFleet(t, []byte(r.stdout))
	st, kind, msg := v.host(t, "target")
	if r.code != 1 || st != "unchecked" || kind != "timeout" || !strings.HasPrefix(msg, "via "+silent.Addr+": ssh handshake") {
		t.Errorf("silent jump host: exit %d, %s %s %q; want a timeout on the jump hop", r.code, st, kind, msg)
	}
}
