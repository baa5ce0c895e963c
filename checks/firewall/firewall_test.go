package firewall

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/profile/profiletest"
)

func TestExplain(t *testing.T) {
	m, ok := explain("firewall/port:8443/tcp")
	if !ok || m.ID != "firewall/port:8443/tcp" || !strings.Contains(m.Title, "8443/tcp") || m.Fix == "" || len(m.Reads) == 0 {
		t.Errorf("explain: %+v %v", m, ok)
	}
	for _, id := range []string{"firewall/port:0/tcp", "firewall/port:80/sctp", "firewall/port:x/tcp", "firewall/zone:public", "port/free:80/tcp"} {
		if _, ok := explain(id); ok {
			t.Errorf("explain(%q) answered", id)
		}
	}
}

// firewall.interfaces is read strictly: a mistake names the file and line.
func TestSectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"firewall:\n  interfaces: [eth0, \"a/b\"]\n", `p.yaml:3: firewall.interfaces: "a/b" is not an interface name`},
		{"firewall:\n  interfaces: [averyveryverylongname0]\n", "p.yaml:3: firewall.interfaces"},
		{"firewall:\n  zone: public\n", "p.yaml:3"},
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+c.yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.err)
		}
	}
}
