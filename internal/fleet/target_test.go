package fleet

import (
	"errors"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/sshclient"
)

func TestParseHosts(t *testing.T) {
	in := "# cut-over batch 1\n\ndb1\n  ops@db2:2222   # the odd one\n[::1]:22\n"
	got, err := ParseHosts(strings.NewReader(in), "hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{
		{Dest: sshclient.Dest{Host: "db1", Port: 22}},
		{Dest: sshclient.Dest{User: "ops", Host: "db2", Port: 2222, PortGiven: true}},
		{Dest: sshclient.Dest{Host: "::1", Port: 22, PortGiven: true}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("host %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseHostsErrorsNameTheLine(t *testing.T) {
	cases := map[string]struct {
		in   string
		line int
		want string
	}{
		"two on a line": {"db1\ndb2 db3\n", 2, "one host per line"},
		"bad port":      {"# x\ndb1:0\n", 2, "port"},
		"listed twice":  {"db1\ndb2\ndb1:22\n", 3, "already listed on line 1"},
		"long line":     {"db1\n" + strings.Repeat("a", 2000) + "\n", 2, "longer than"},
	}
	for name, c := range cases {
		_, err := ParseHosts(strings.NewReader(c.in), "h")
		var he *HostsError
		if !errors.As(err, &he) || he.Line != c.line || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want line %d with %q", name, err, c.line, c.want)
		}
	}
}

func TestParseHostsBounds(t *testing.T) {
	var b strings.Builder
	for i := 0; i <= MaxHosts; i++ {
		b.WriteString("h")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(".example:")
		b.WriteString(itoa(1 + i%60000))
		b.WriteString("\n")
	}
	if _, err := ParseHosts(strings.NewReader(b.String()), "h"); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("%d hosts: %v, want refused", MaxHosts+1, err)
	}
	huge := strings.Repeat("# padding padding padding\n", maxHostsBytes/20)
	if _, err := ParseHosts(strings.NewReader(huge), "h"); err == nil {
		t.Error("a hosts file over the size limit was read")
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{digits[i%10]}, b...)
	}
	return string(b)
}

// FuzzParseHosts: any input parses or fails cleanly, and whatever parses
// is a target that round-trips through its own string form and contains
// nothing a shell, a file name or a known_hosts line could trip on.
func FuzzParseHosts(f *testing.F) {
	for _, s := range []string{
		"db1\n", "ops@db2:2222 # c\n", "[::1]:22\n#only\n", "a b\n", "db1\ndb1\n", "\xff\xfe\n", "x@y@z\n",
		"[fe80::1%eth0]:22\n", "host:\n", ":22\n", "root@:22\n", strings.Repeat("a", 1100) + "\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		targets, err := ParseHosts(strings.NewReader(in), "fuzz")
		if err != nil {
			return
		}
		for _, tg := range targets {
			if strings.ContainsAny(tg.String(), " \t\n'\"`$;|&<>\\") {
				t.Fatalf("%q parsed to a target with shell metacharacters: %+v", in, tg)
			}
			back, err := ParseTarget(tg.String())
			back.PortGiven = tg.PortGiven // "db1:22" is written "db1"
			if err != nil || back != tg {
				t.Fatalf("%+v does not round-trip: %+v %v", tg, back, err)
			}
		}
	})
}

// A host's error names where it really was when ssh_config sent golive
// elsewhere, and says nothing when it did not.
func TestRouteNote(t *testing.T) {
	web := Target{Dest: sshclient.Dest{Host: "web1", Port: 22}}
	if n := web.routeNote(); n != "" {
		t.Errorf("direct: %q, want none", n)
	}
	web.Route = &sshclient.Route{
		Jumps: []sshclient.Hop{{Label: "bastion"}, {Label: "inner"}},
		Hop:   sshclient.Hop{Label: "web1", Host: "10.0.0.5", Port: 22},
	}
	if n, want := web.routeNote(), " (web1 is 10.0.0.5:22 via bastion, inner)"; n != want {
		t.Errorf("through jumps: %q, want %q", n, want)
	}
}
