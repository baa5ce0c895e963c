package facts

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// Every database is read with the same rules; the hosts line's rules are
// tested in depth by checks/dns (TestParseNsswitch).
func TestNsswitchDatabases(t *testing.T) {
	const conf = "passwd:     sss files systemd\n" +
		"group:      files [SUCCESS=merge] sss\n" +
		"hosts:      files dns myhostname\n" +
		"sudoers:    files [bogus=x]\n" // not a database glibc parses
	for _, r := range []NSSRules{NSSModern, NSSLegacy} {
		ns := ParseNsswitch([]byte(conf), r)
		if ns.Rejected {
			t.Fatalf("%v: rejected; a line of a database glibc does not know rejects nothing", r)
		}
		for db, want := range map[string][]string{"passwd": {"sss", "files", "systemd"}, "group": {"files", "sss"}, "hosts": {"files", "dns", "myhostname"}} {
			d := ns.Database(db)
			if !reflect.DeepEqual(d.Names(), want) || d.Default {
				t.Errorf("%v: %s = %v (default %v), want %v", r, db, d.Names(), d.Default, want)
			}
		}
		if !ns.Database("group").Services[0].Merges(NSSSuccess) {
			t.Errorf("%v: files [SUCCESS=merge] does not merge", r)
		}
	}
}

func TestNsswitchDefaults(t *testing.T) {
	cases := []struct {
		rules        NSSRules
		db, services string
	}{
		{NSSModern, "passwd", "files"},
		{NSSModern, "hosts", "files dns"},
		{NSSLegacy, "passwd", "files"},
		{NSSLegacy, "hosts", "dns [!UNAVAIL=return] files"},
		{NSSLegacyNoMerge, "passwd", "compat [NOTFOUND=return] files"},
		{NSSLegacyNoMerge, "group", "compat [NOTFOUND=return] files"},
	}
	for _, c := range cases {
		for _, ns := range []*Nsswitch{DefaultNsswitch(c.rules), ParseNsswitch([]byte("aliases: files\n"), c.rules)} {
			d := ns.Database(c.db)
			if d.String() != c.services || !d.Default {
				t.Errorf("%v: %s = %q (default %v), want the default %q", c.rules, c.db, d.String(), d.Default, c.services)
			}
		}
	}
}

// glibc 2.33+ rejects the whole file when any database it knows has an
// action list it cannot parse; older glibc drops the rest of that line.
func TestNsswitchRejectionIsFileWide(t *testing.T) {
	conf := []byte("passwd: files [NOTFOUND=jump] sss\nhosts: files dns\n")
	ns := ParseNsswitch(conf, NSSModern)
	hosts := ns.Database("hosts")
	if !ns.Rejected || ns.RejectedLine != 1 || len(hosts.Services) != 0 || hosts.Line != 1 {
		t.Fatalf("modern: rejected %v line %d, hosts %q", ns.Rejected, ns.RejectedLine, hosts.String())
	}
	if last := hosts.Problems[len(hosts.Problems)-1]; !strings.Contains(last.Text, "rejects the whole file") {
		t.Errorf("hosts problems %+v", hosts.Problems)
	}
	legacy := ParseNsswitch(conf, NSSLegacy)
	if legacy.Rejected || legacy.Database("hosts").String() != "files dns" || legacy.Database("passwd").String() != "files" {
		t.Errorf("legacy: rejected %v, hosts %q, passwd %q", legacy.Rejected, legacy.Database("hosts"), legacy.Database("passwd"))
	}
}

// The file is read once per run however many rule sets ask for it.
func TestNsswitchReadOncePerRun(t *testing.T) {
	var log host.ReadLog
	h := hosttest.Root(t, map[string]string{"etc/nsswitch.conf": "passwd: files ldap\n"}, host.WithReadLog(&log))
	for _, r := range []NSSRules{NSSModern, NSSLegacy, NSSLegacyNoMerge, NSSModern} {
		ns, err := NsswitchOf(h, r)
		if err != nil || ns.Rules != r || ns.Database("passwd").String() != "files ldap" {
			t.Fatalf("%v: %+v, %v", r, ns, err)
		}
	}
	if n := log.Counts()[NsswitchPath]; n != 1 {
		t.Errorf("%s read %d times, want 1", NsswitchPath, n)
	}
	if _, err := NsswitchOf(hosttest.Root(t, nil), NSSModern); err == nil {
		t.Error("no nsswitch.conf: want the read's error")
	}
}
