package fleet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/sshclient"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// jumpLab is a remoteLab whose host is reached through a jump sshd that
// accepts the same key and is in the same known_hosts.
func jumpLab(t *testing.T) (*remoteLab, Target) {
	t.Helper()
	l := newRemoteLab(t)
	data, err := os.ReadFile(filepath.Join(l.dir, "id"))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	jump := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()}, AllowTCPForwarding: true})
	kh := filepath.Join(l.dir, "known_hosts")
	f, err := os.OpenFile(kh, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(jump.KnownHostsLine() + "\n")
	f.Close()
	if l.opts.HostKeys, err = sshclient.NewHostKeys(kh, false); err != nil {
		t.Fatal(err)
	}
	tg := Target{Dest: sshclient.Dest{Host: "target", Port: 22}, Route: &sshclient.Route{
		Jumps: []sshclient.Hop{{Label: "bastion", Host: "127.0.0.1", Port: jump.Port}},
		Hop:   sshclient.Hop{Label: "target", Host: "127.0.0.1", Port: l.server.Port},
	}}
	return l, tg
}

func runOne(t *testing.T, l *remoteLab, tg Target) HostResult {
	t.Helper()
	res, err := Run(context.Background(), []Target{tg}, l.opts)
	if err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(l.server.Tmp, "golive.*"))
	if len(left) > 0 {
		t.Errorf("left on the host: %v", left)
	}
	return res[0]
}

func TestRemoteThroughJumpHost(t *testing.T) {
	l, tg := jumpLab(t)
	rep := filepath.Join(l.dir, "report.json")
	os.WriteFile(rep, hostReport(t, "h", id(1), t0, "", "sysctl/x=pass"), 0o644)
	l.fake(t, "cat "+sshclient.Quote(rep)+"\n")
	if res := runOne(t, l, tg); res.Kind != KindOK || res.Verdict != "pass" {
		t.Fatalf("%s %q", res.Kind, res.Err)
	}
}

// Timed out behind a jump host: the whole chain is cut, the cleanup
// dials the chain again, and the error says where the host was.
func TestRemoteThroughJumpHostTimeoutStillCleansUp(t *testing.T) {
	l, tg := jumpLab(t)
	l.fake(t, "exec sleep 300\n")
	l.opts.HostTimeout = 4 * time.Second
	res := runOne(t, l, tg)
	if res.Kind != KindTimeout || !strings.HasSuffix(res.Err, "(target is "+tg.Route.Addr()+" via bastion)") {
		t.Errorf("%s %q, want a timeout naming the route", res.Kind, res.Err)
	}
}
