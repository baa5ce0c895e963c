package firewall

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// ufwLab runs the real ufw on a copy of its configuration: every ufw
// command runs in a private mount namespace where the copy is bound over
// /etc/ufw, /etc/default/ufw and /lib/ufw (so the host's files are never
// written), inside the lab's server network namespace (so the rules ufw
// loads with iptables-restore filter only the lab). The copy's sysctl.conf
// is empty and IPT_MODULES too: ufw changes no kernel setting.
type ufwLab struct {
	*lab
	root, pristine string
}

func newUfwLab(t *testing.T) *ufwLab {
	testenv.NeedCommand(t, "ufw", "ufw")
	testenv.NeedCommand(t, "iptables-restore", "iptables")
	l := newLab(t, probePorts)
	u := &ufwLab{lab: l, root: t.TempDir(), pristine: t.TempDir()}
	for _, d := range []string{u.pristine + "/etc/default", u.pristine + "/lib"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range [][]string{
		{"cp", "-a", "/etc/ufw", u.pristine + "/etc/"},
		{"cp", "-a", "/etc/default/ufw", u.pristine + "/etc/default/ufw"},
		{"cp", "-a", "/lib/ufw", u.pristine + "/lib/"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", c, err, out)
		}
	}
	if err := os.WriteFile(u.pristine+"/etc/ufw/sysctl.conf", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	def, _ := os.ReadFile(u.pristine + "/etc/default/ufw")
	def = []byte(strings.ReplaceAll(string(def), "IPT_MODULES=", "IPT_MODULES=\"\"\n#"))
	if err := os.WriteFile(u.pristine+"/etc/default/ufw", def, 0o644); err != nil {
		t.Fatal(err)
	}
	return u
}

// apply starts from ufw's pristine files and an empty ruleset, runs the
// commands, and enables ufw.
func (u *ufwLab) apply(cmds []string) error {
	if out, err := exec.Command("sh", "-c", fmt.Sprintf("rm -rf %[1]s/* && cp -a %[2]s/. %[1]s/", u.root, u.pristine)).CombinedOutput(); err != nil {
		return fmt.Errorf("reset: %v %s", err, out)
	}
	script := fmt.Sprintf(`set -e
mount -t tmpfs none /run
mount --bind %[1]s/etc/ufw /etc/ufw
mount --bind %[1]s/etc/default/ufw /etc/default/ufw
mount --bind %[1]s/lib/ufw /lib/ufw
nft flush ruleset
%[2]s
ufw --force enable >/dev/null
`, u.root, strings.Join(cmds, " >/dev/null\n")+" >/dev/null")
	out, err := exec.Command("nsenter", "--net=/proc/"+strconv.Itoa(u.server.Process.Pid)+"/ns/net",
		"unshare", "--mount", "--propagation", "private", "sh", "-c", script).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ufw: %v: %s", err, out)
	}
	return nil
}

func genUfw(r *rand.Rand) []string {
	cmds := []string{"ufw default " + []string{"deny", "deny", "reject", "allow"}[r.IntN(4)] + " incoming"}
	port := func() uint16 { return probePorts[r.IntN(len(probePorts))] }
	for range 1 + r.IntN(6) {
		action := []string{"allow", "allow", "deny", "reject"}[r.IntN(4)]
		var c string
		switch r.IntN(8) {
		case 0:
			c = fmt.Sprintf("ufw %s %d", action, port())
		case 1:
			lo := port()
			c = fmt.Sprintf("ufw %s %d:%d/%s", action, lo, lo+1+uint16(r.IntN(2)), []string{"tcp", "udp"}[r.IntN(2)])
		case 2:
			c = fmt.Sprintf("ufw %s proto %s from any to any port %d,%d", action, []string{"tcp", "udp"}[r.IntN(2)], port(), port())
		case 3:
			c = fmt.Sprintf("ufw %s in on %s to any port %d", action, []string{"gl0", "eth9"}[r.IntN(2)], port())
		case 4:
			c = fmt.Sprintf("ufw %s from 192.0.2.0/24 to any port %d", action, port())
		case 5:
			c = fmt.Sprintf("ufw insert 1 %s %d/%s", action, port(), []string{"tcp", "udp"}[r.IntN(2)])
		default:
			c = fmt.Sprintf("ufw %s %d/%s", action, port(), []string{"tcp", "udp"}[r.IntN(2)])
		}
		if strings.Contains(c, "insert 1") && len(cmds) == 1 {
			c = strings.Replace(c, "insert 1 ", "", 1) // ufw cannot insert into an empty list
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// TestUfwVerdictsMatchRealUfw: random ufw command sequences run by the
// real ufw on a copy of its files, enabled in the lab's namespace (rules
// loaded through iptables-restore), and a real packet per port, protocol
// and family. golive reads the files ufw wrote; where its verdict does not
// depend on the client it must agree with the packet. The loaded ruleset
// is iptables-nft's (xt matches): golive must not judge it.
func TestUfwVerdictsMatchRealUfw(t *testing.T) {
	cases := 16
	if testing.Short() {
		cases = 6
	}
	u := newUfwLab(t)
	r := rand.New(rand.NewPCG(7, 12))
	var agreed, dependent int
	for i := range cases {
		cmds := genUfw(r)
		if err := u.apply(cmds); err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, strings.Join(cmds, "\n"))
		}
		h, err := host.New(u.root)
		if err != nil {
			t.Fatal(err)
		}
		st := readUfw(h)
		if !st.enabled || len(st.errs) > 0 {
			t.Fatalf("case %d: golive read ufw as enabled=%v, problems %v", i, st.enabled, st.errs)
		}
		live, err := liveRulesetIn(u.server.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		liveState := (&liveState{rs: live}).judge(target{proto: "tcp", port: 22, ifaces: []string{labIface}})
		if liveState.state != stateUnknown {
			t.Errorf("case %d: golive judged iptables-nft's ruleset (%s) instead of saying it cannot", i, liveState.state)
		}
		a, d := u.probeAll(t, func() string {
			files, _ := os.ReadFile(filepath.Join(u.root, "etc/ufw/user.rules"))
			return fmt.Sprintf("case %d\n%s\n%s", i, strings.Join(cmds, "\n"), files)
		}, verdictSource{"files", func(p packet) portVerdict { return st.judge(p.port, p.proto, p.v6, []string{labIface}) }})
		agreed, dependent = agreed+a, dependent+d
		if t.Failed() {
			return
		}
	}
	t.Logf("%d verdicts agreed with ufw and a real packet, %d depended on the client", agreed, dependent)
	if agreed < cases*len(probePorts)*2 {
		t.Errorf("only %d verdicts compared", agreed)
	}
}
