package fleet

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in   string
		want Target
		name string // Name()
	}{
		{"db1", Target{Host: "db1", Port: 22}, "db1"},
		{"ops@db1.example.com", Target{User: "ops", Host: "db1.example.com", Port: 22}, "db1.example.com"},
		{"db1:2222", Target{Host: "db1", Port: 2222, PortGiven: true}, "db1:2222"},
		{"root@10.0.0.1:22", Target{User: "root", Host: "10.0.0.1", Port: 22, PortGiven: true}, "10.0.0.1"},
		{"[::1]:2222", Target{Host: "::1", Port: 2222, PortGiven: true}, "[::1]:2222"},
		{"::1", Target{Host: "::1", Port: 22}, "::1"},
		{"[fe80::1]", Target{Host: "fe80::1", Port: 22}, "fe80::1"},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.in)
		if err != nil || got != c.want || got.Name() != c.name {
			t.Errorf("ParseTarget(%q) = %+v (name %q), %v; want %+v (%q)", c.in, got, got.Name(), err, c.want, c.name)
		}
	}
	for _, bad := range []string{"", "db1:0", "db1:65536", "db1:x", "@db1", "-oProxyCommand=x", "db1;rm", "a b", "db'1", "[::1", "u ser@db1", "db1\n", "\x1b[31mdb1"} {
		if got, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestParseHosts(t *testing.T) {
	in := "# cut-over batch 1\n\ndb1\n  ops@db2:2222   # the odd one\n[::1]:22\n"
	got, err := ParseHosts(strings.NewReader(in), "hosts.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{Host: "db1", Port: 22}, {User: "ops", Host: "db2", Port: 2222, PortGiven: true}, {Host: "::1", Port: 22, PortGiven: true}}
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
