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
	"time"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// firewalldLab runs the real firewalld in the lab's server namespace: a
// private D-Bus system bus in a private mount and pid namespace (so the
// host's bus, /run and processes are untouched), its configuration read
// from a temp root through --system-config and --default-config.
type firewalldLab struct {
	*lab
	root string // etc/firewalld and usr/lib/firewalld under it
	cmd  *exec.Cmd
	pid  int // a process in firewalld's mount namespace
}

func newFirewalldLab(t *testing.T) *firewalldLab {
	testenv.NeedCommand(t, "firewalld", "firewalld")
	testenv.NeedCommand(t, "dbus-daemon", "dbus")
	l := newLab(t, probePorts)
	root := t.TempDir()
	etc, usr := filepath.Join(root, "etc/firewalld"), filepath.Join(root, "usr/lib/firewalld")
	for _, d := range []string{etc + "/zones", etc + "/services", usr} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The stock zones and services of the firewalld package installed here.
	if out, err := exec.Command("cp", "-a", "/usr/lib/firewalld/.", usr).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(etc, "firewalld.conf"), []byte("DefaultZone=public\nFirewallBackend=nftables\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`set -e
mount -t tmpfs none /run
mkdir -p /run/dbus
dbus-daemon --system --fork
exec firewalld --nofork --nopid --system-config %s --default-config %s --log-target console`, etc, usr)
	cmd := exec.Command("nsenter", "--net=/proc/"+strconv.Itoa(l.server.Process.Pid)+"/ns/net",
		"unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "--kill-child", "sh", "-c", script)
	logf, err := os.Create(filepath.Join(root, "firewalld.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() })
	fl := &firewalldLab{lab: l, root: root, cmd: cmd}
	// nsenter execs unshare, which forks the namespace's PID 1: find it.
	deadline := time.Now().Add(20 * time.Second)
	for fl.pid == 0 && time.Now().Before(deadline) {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
		if f := strings.Fields(string(data)); len(f) > 0 {
			fl.pid, _ = strconv.Atoi(f[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
	for time.Now().Before(deadline) {
		if out, _ := fl.inside("firewall-cmd", "--state"); strings.TrimSpace(string(out)) == "running" {
			return fl
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(root, "firewalld.log"))
	t.Fatalf("firewalld did not start:\n%s", log)
	return nil
}

func (fl *firewalldLab) inside(argv ...string) ([]byte, error) {
	args := append([]string{"-t", strconv.Itoa(fl.pid), "-m", "-n"}, argv...)
	return exec.Command("nsenter", args...).CombinedOutput()
}

// fwCase is a generated permanent configuration: files relative to root.
type fwCase map[string]string

var stockServices = []string{"ssh", "http", "https", "dns", "ntp", "mysql", "cockpit", "dhcpv6-client", "mdns", "prometheus-node-exporter"}

func genFirewalld(r *rand.Rand) fwCase {
	c := fwCase{}
	port := func() string {
		p := probePorts[r.IntN(len(probePorts))]
		if r.IntN(5) == 0 {
			return fmt.Sprintf("%d-%d", p, p+uint16(r.IntN(3)))
		}
		return fmt.Sprint(p)
	}
	proto := func() string { return []string{"tcp", "udp"}[r.IntN(2)] }
	service := func() string {
		if r.IntN(3) == 0 {
			return fmt.Sprintf("custom%d", r.IntN(2))
		}
		return stockServices[r.IntN(len(stockServices))]
	}
	for i := range 2 {
		var b strings.Builder
		b.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service>\n  <short>custom</short>\n")
		for range 1 + r.IntN(2) {
			fmt.Fprintf(&b, "  <port protocol=%q port=%q/>\n", proto(), port())
		}
		if i == 1 && r.IntN(2) == 0 {
			b.WriteString("  <include service=\"custom0\"/>\n")
		}
		b.WriteString("</service>\n")
		c[fmt.Sprintf("etc/firewalld/services/custom%d.xml", i)] = b.String()
	}
	zone := func(name string) string {
		var b strings.Builder
		target := []string{"", "", "", "ACCEPT", "DROP", "%%REJECT%%"}[r.IntN(6)]
		if target != "" {
			fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<zone target=%q>\n  <short>%s</short>\n", target, name)
		} else {
			fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<zone>\n  <short>%s</short>\n", name)
		}
		for range r.IntN(3) {
			fmt.Fprintf(&b, "  <service name=%q/>\n", service())
		}
		for range r.IntN(3) {
			fmt.Fprintf(&b, "  <port protocol=%q port=%q/>\n", proto(), port())
		}
		if r.IntN(8) == 0 {
			fmt.Fprintf(&b, "  <protocol value=%q/>\n", proto())
		}
		for range r.IntN(3) {
			fam := []string{"", "", ` family="ipv4"`, ` family="ipv6"`}[r.IntN(4)]
			what := fmt.Sprintf("<port port=%q protocol=%q/>", port(), proto())
			if r.IntN(3) == 0 {
				what = fmt.Sprintf("<service name=%q/>", service())
			}
			src := ""
			if r.IntN(6) == 0 {
				src = `<source address="192.0.2.0/24"/>`
				if fam == "" || strings.Contains(fam, "6") {
					fam = ` family="ipv4"`
				}
			}
			action := []string{"<accept/>", "<accept/>", "<reject/>", "<drop/>"}[r.IntN(4)]
			fmt.Fprintf(&b, "  <rule%s>%s%s%s</rule>\n", fam, src, what, action)
		}
		b.WriteString("</zone>\n")
		return b.String()
	}
	def := []string{"public", "public", "svc", "internal", "drop"}[r.IntN(5)]
	c["etc/firewalld/firewalld.conf"] = "DefaultZone=" + def + "\nFirewallBackend=nftables\n"
	c["etc/firewalld/zones/svc.xml"] = zone("svc")
	if r.IntN(2) == 0 {
		c["etc/firewalld/zones/public.xml"] = zone("public") // overrides the stock zone
	}
	if r.IntN(4) == 0 {
		// Bind the clients' interface to a zone other than the default.
		z := []string{"svc", "internal", "trusted"}[r.IntN(3)]
		if z == "svc" {
			c["etc/firewalld/zones/svc.xml"] = strings.Replace(c["etc/firewalld/zones/svc.xml"], "</zone>", "  <interface name=\"gl0\"/>\n</zone>", 1)
		} else {
			c["etc/firewalld/zones/"+z+".xml"] = strings.Replace(readStockZone(z), "</zone>", "  <interface name=\"gl0\"/>\n</zone>", 1)
		}
	}
	return c
}

func readStockZone(name string) string {
	data, _ := os.ReadFile("/usr/lib/firewalld/zones/" + name + ".xml")
	return string(data)
}

func (fl *firewalldLab) apply(t *testing.T, c fwCase) error {
	t.Helper()
	for _, d := range []string{"etc/firewalld/zones", "etc/firewalld/services"} {
		_ = os.RemoveAll(filepath.Join(fl.root, d))
		_ = os.MkdirAll(filepath.Join(fl.root, d), 0o755)
	}
	for rel, content := range c {
		if err := os.WriteFile(filepath.Join(fl.root, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// --complete-reload reads firewalld.conf too (the default zone).
	out, err := fl.inside("firewall-cmd", "--complete-reload")
	if err != nil || strings.TrimSpace(string(out)) != "success" {
		return fmt.Errorf("firewall-cmd --complete-reload: %v: %s", err, out)
	}
	return nil
}

// TestFirewalldVerdictsMatchRealFirewalld: random permanent
// configurations (zones with services, ports, protocols, rich rules and
// targets; /etc overriding /usr/lib; custom services with includes; the
// default zone and interface bindings) loaded by the real firewalld, and a
// real packet per port, protocol and family. golive's verdict from the
// files, and from the nftables ruleset firewalld generated (read through
// netlink), must agree with the packet wherever golive does not say the
// answer depends on the client.
func TestFirewalldVerdictsMatchRealFirewalld(t *testing.T) {
	cases := 16
	if testing.Short() {
		cases = 6
	}
	fl := newFirewalldLab(t)
	r := rand.New(rand.NewPCG(5, 12))
	var agreed, dependent, refused int
	for i := range cases {
		c := genFirewalld(r)
		if err := fl.apply(t, c); err != nil {
			// firewalld refuses what it finds invalid (it then keeps no
			// rules); golive is not asked about those.
			refused++
			t.Logf("case %d refused: %v", i, err)
			continue
		}
		h, err := host.New(fl.root)
		if err != nil {
			t.Fatal(err)
		}
		fw := readFirewalld(h)
		if len(fw.errs) > 0 {
			t.Fatalf("case %d: firewalld loaded it, golive did not: %v", i, fw.errs)
		}
		live, err := liveRulesetIn(fl.server.Process.Pid)
		if err != nil {
			t.Fatal(err)
		}
		a, d := fl.probeAll(t, func() string { return fmt.Sprintf("case %d\n%s", i, dumpFw(c)) },
			verdictSource{"files", func(p packet) portVerdict {
				v, _ := fw.judgeFamilies(h, p.port, p.proto, []string{labIface}, []bool{p.v6})
				return v
			}},
			rulesetSource("netlink", live))
		agreed, dependent = agreed+a, dependent+d
		if t.Failed() {
			return
		}
	}
	t.Logf("%d verdicts agreed with firewalld and a real packet, %d depended on the client, %d configurations refused by firewalld", agreed, dependent, refused)
	if agreed < cases*len(probePorts)*2 {
		t.Errorf("only %d verdicts compared", agreed)
	}
}

func dumpFw(c fwCase) string {
	var b strings.Builder
	for k, v := range c {
		fmt.Fprintf(&b, "--- %s\n%s", k, v)
	}
	return b.String()
}
