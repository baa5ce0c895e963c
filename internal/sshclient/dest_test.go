package sshclient

import "testing"

func TestParseDest(t *testing.T) {
	cases := []struct {
		in   string
		want Dest
		name string // Name()
	}{
		{"db1", Dest{Host: "db1", Port: 22}, "db1"},
		{"ops@db1.example.com", Dest{User: "ops", Host: "db1.example.com", Port: 22}, "db1.example.com"},
		{"db1:2222", Dest{Host: "db1", Port: 2222, PortGiven: true}, "db1:2222"},
		{"root@10.0.0.1:22", Dest{User: "root", Host: "10.0.0.1", Port: 22, PortGiven: true}, "10.0.0.1"},
		{"[::1]:2222", Dest{Host: "::1", Port: 2222, PortGiven: true}, "[::1]:2222"},
		{"::1", Dest{Host: "::1", Port: 22}, "::1"},
		{"[fe80::1]", Dest{Host: "fe80::1", Port: 22}, "fe80::1"},
	}
	for _, c := range cases {
		got, err := ParseDest(c.in)
		if err != nil || got != c.want || got.Name() != c.name {
			t.Errorf("ParseDest(%q) = %+v (name %q), %v; want %+v (%q)", c.in, got, got.Name(), err, c.want, c.name)
		}
	}
	for _, bad := range []string{"", "db1:0", "db1:65536", "db1:x", "@db1", "-oProxyCommand=x", "db1;rm", "a b", "db'1", "[::1", "u ser@db1", "db1\n", "\x1b[31mdb1"} {
		if got, err := ParseDest(bad); err == nil {
			t.Errorf("ParseDest(%q) = %+v, want an error", bad, got)
		}
	}
}
