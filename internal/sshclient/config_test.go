package sshclient

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseConfigText parses text as file "cfg", with files (name → text)
// for Include, relative to home/.ssh.
func parseConfigText(t testing.TB, text string, files map[string]string) (*Config, error) {
	t.Helper()
	l := &configLoader{
		home: "/home/op",
		read: func(p string) ([]byte, error) {
			if s, ok := files[p]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
		glob: func(p string) ([]string, error) {
			var out []string
			for name := range files {
				if ok, err := filepath.Match(p, name); err != nil {
					return nil, err
				} else if ok {
					out = append(out, name)
				}
			}
			return sortedCopy(out), nil
		},
	}
	items, err := l.parse([]byte(text), "cfg", 0)
	if err != nil {
		return nil, err
	}
	return &Config{items: items}, nil
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "anything", true},
		{"*", "", true},
		{"web?", "web1", true},
		{"web?", "web12", false},
		{"*.example.com", "db.example.com", true},
		{"*.example.com", "example.com", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"10.0.*.1", "10.0.3.1", true},
		{"", "", true},
		{"", "x", false},
	}
	for _, c := range cases {
		if got := wildcardMatch(c.p, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func TestHostMatchesNegationAndSeveralPatterns(t *testing.T) {
	patterns := []string{"web*", "db?", "!web-test*"}
	for host, want := range map[string]bool{
		"web1": true, "db1": true, "db12": false, "web-test1": false, "WEB2": true, "mail": false,
	} {
		if got := hostMatches(strings.ToLower(host), patterns); got != want {
			t.Errorf("%s: %v, want %v", host, got, want)
		}
	}
	// Only negations: nothing matches.
	if hostMatches("x", []string{"!y"}) {
		t.Error(`"!y" alone matched x`)
	}
}

func TestConfigFirstValueWins(t *testing.T) {
	c, err := parseConfigText(t, `
# comment
Host web1 web2
  HostName 10.0.0.%h
  Port=2222
  User ops
  IdentityFile ~/.ssh/web
  ProxyJump admin@bastion:2200,bastion2

Host web*
  Port 22
  User nobody
  IdentityFile "~/.ssh/with space"
  UserKnownHostsFile ~/.ssh/kh_web ~/.ssh/kh_other
  StrictHostKeyChecking accept-new

Host *
  User fallback
  ProxyJump none
  Ciphers aes128-ctr
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Lookup("web1")
	want := HostConfig{
		HostName: "10.0.0.%h", Port: 2222, User: "ops",
		IdentityFiles: []string{"~/.ssh/web", "~/.ssh/with space"},
		Jumps: []Dest{
			{User: "admin", Host: "bastion", Port: 2200, PortGiven: true},
			{Host: "bastion2", Port: 22},
		},
		KnownHostsFile: "~/.ssh/kh_web", Strict: "accept-new",
	}
	got.Pos = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("web1:\n got %+v\nwant %+v", got, want)
	}
	other := c.Lookup("db9")
	if other.User != "fallback" || other.Jumps != nil || other.Port != 0 || other.Pos["user"] != "cfg:18" {
		t.Errorf("db9: %+v", other)
	}
}

func TestConfigInclude(t *testing.T) {
	files := map[string]string{
		"/home/op/.ssh/conf.d/a.conf": "Host a\n  HostName a.example.com\n",
		"/home/op/.ssh/conf.d/b.conf": "Host *\n  User fromb\n",
		"/etc/golive-ssh.conf":        "Port 2022\n",
	}
	c, err := parseConfigText(t, "Include conf.d/*.conf\nHost z\n  Include /etc/golive-ssh.conf\n", files)
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Lookup("a"); a.HostName != "a.example.com" || a.User != "fromb" || a.Port != 0 {
		t.Errorf("a: %+v", a)
	}
	// The include inside "Host z" applies to z only.
	if z := c.Lookup("z"); z.Port != 2022 {
		t.Errorf("z: %+v", z)
	}
	// A loop ends at the depth bound with an error.
	loop := map[string]string{"/home/op/.ssh/self": "Include self\n"}
	if _, err := parseConfigText(t, "Include self\n", loop); err == nil || !strings.Contains(err.Error(), "Include") {
		t.Errorf("include loop: %v", err)
	}
}

func TestConfigErrorsNameTheLine(t *testing.T) {
	cases := map[string]struct {
		in   string
		line int
		want string
	}{
		"match":          {"Host a\n  User x\nMatch host a\n", 3, "Match is not supported"},
		"match lower":    {"match all\n", 1, "Match is not supported"},
		"bad port":       {"Host a\n  Port 70000\n", 2, "Port"},
		"bad jump":       {"ProxyJump bad host!\n", 1, "ProxyJump"},
		"jump uri":       {"ProxyJump ssh://b\n", 1, "ssh://"},
		"bad strict":     {"StrictHostKeyChecking maybe\n", 1, "StrictHostKeyChecking"},
		"no value":       {"\n\nHostName\n", 3, "needs a value"},
		"open quote":     {"IdentityFile \"abc\n", 1, "quote"},
		"line too long":  {"Host a\n" + strings.Repeat("x", maxConfigLine+1), 2, "longer"},
		"include ~other": {"Include ~root/x\n", 1, "~user"},
	}
	for name, c := range cases {
		_, err := parseConfigText(t, c.in, nil)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Line != c.line || ce.File != "cfg" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want cfg:%d and %q", name, err, c.line, c.want)
		}
	}
}

func TestExpandTokens(t *testing.T) {
	v := map[byte]string{'h': "web1", 'd': "/home/op", 'r': "ops", 'u': "me"}
	got, err := expandTokens("%d/.ssh/%r@%h-%u%%", v)
	if err != nil || got != "/home/op/.ssh/ops@web1-me%" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, bad := range []string{"%p", "x%"} {
		if _, err := expandTokens(bad, v); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestResolverCommandLineWins(t *testing.T) {
	dir := t.TempDir()
	c, err := parseConfigText(t, "Host web\n  HostName 127.0.0.9\n  Port 2222\n  User cfguser\n  ProxyJump jump\nHost jump\n  User jumpuser\n  Port 2200\nHost lax\n  StrictHostKeyChecking no\nHost pc\n  ProxyCommand nc %h %p\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(dir, "known_hosts")
	os.WriteFile(kh, nil, 0o600)
	r := &Resolver{Config: c, Home: dir, KnownHosts: kh}
	resolve := func(s string) *Route {
		d, err := ParseDest(s)
		if err != nil {
			t.Fatal(err)
		}
		rt, err := r.Resolve(d)
		if err != nil {
			t.Fatal(err)
		}
		return rt
	}

	rt := resolve("web")
	if rt.Addr() != "127.0.0.9:2222" || rt.User != "cfguser" || len(rt.Jumps) != 1 || rt.Jumps[0].Addr() != "jump:2200" || rt.Jumps[0].User != "jumpuser" || rt.Label != "web" || rt.Jumps[0].Label != "jump" {
		t.Errorf("web: %+v", rt)
	}
	r.UserGiven = "flaguser"
	if rt = resolve("web:22"); rt.Port != 22 || rt.User != "flaguser" || rt.Jumps[0].User != "jumpuser" {
		t.Errorf("web:22 with --user: %+v", rt)
	}
	if rt = resolve("root@web"); rt.User != "root" {
		t.Errorf("root@web: %+v", rt)
	}

	if rt = resolve("lax"); rt.Refused == "" || rt.RefusedReason != HostKeyRefused || !strings.Contains(rt.Refused, "cfg:10") {
		t.Errorf("StrictHostKeyChecking no: %+v", rt)
	}
	r.AcceptNew = true
	if rt = resolve("lax"); rt.Refused != "" {
		t.Errorf("--accept-new-host-keys over StrictHostKeyChecking no: %+v", rt)
	}
	if rt = resolve("pc"); rt.RefusedReason != Unreachable {
		t.Errorf("ProxyCommand: %+v", rt)
	}
}

func TestResolverJumpLoopEnds(t *testing.T) {
	c, err := parseConfigText(t, "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Config: c, Home: t.TempDir()}
	if _, err := r.Resolve(Dest{Host: "a", Port: 22}); err == nil || !strings.Contains(err.Error(), "hops") {
		t.Errorf("loop: %v", err)
	}
}

// FuzzConfig: whatever the file says, parsing and lookups end without
// a panic, and what they return is within bounds.
func FuzzConfig(f *testing.F) {
	for _, s := range []string{
		"Host web*\n  HostName %h.example.com\n  Port 2222\n  ProxyJump a@b:22,c\n",
		"Host=x\nUser=\"a b\"\nIdentityFile ~/.ssh/%r@%h\n",
		"Host !a *\n  StrictHostKeyChecking no\nInclude conf.d/*\n",
		"Match all\n",
		"Host \"unterminated\n",
		"ProxyJump none\nHost ****?***a\n  Port 0\n",
		"\x00\xff Host\tweb1 # c\n   HostName\t=\t1.2.3.4\n",
	} {
		f.Add(s, "web1")
	}
	f.Fuzz(func(t *testing.T, text, host string) {
		c, err := parseConfigText(t, text, map[string]string{"/home/op/.ssh/conf.d/x": text})
		if err != nil {
			return
		}
		hc := c.Lookup(host)
		if hc.Port < 0 || hc.Port > 65535 {
			t.Fatalf("port %d", hc.Port)
		}
		tg, err := ParseDest(host)
		if err != nil {
			return
		}
		// The command line's key and known_hosts: the fuzzer's paths are
		// never opened.
		r := &Resolver{Config: c, Home: "/nonexistent-golive-fuzz", Identities: []string{"k"}, KnownHostsGiven: true}
		if got, err := r.Resolve(tg); err == nil {
			if len(got.Jumps) >= maxHops || !validHost(got.Host) {
				t.Fatalf("route %+v", got)
			}
		}
	})
}
