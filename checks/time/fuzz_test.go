package clock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func addFixtures(f *testing.F, rels ...string) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		for _, rel := range rels {
			if data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", root, rel)); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParseNTPConfig: any bytes give bounded sources and problems, and
// every source kept is one word.
func FuzzParseNTPConfig(f *testing.F) {
	addFixtures(f, "etc/chrony.conf")
	f.Add([]byte("server a iburst\nPOOL b\n! peer c\nsourcedir /run/chrony-dhcp\nserver\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := parseNTPConfig(data)
		if len(c.servers) > maxServers || len(c.dirs) > maxServers || len(c.problems) > maxProblems {
			t.Fatalf("%d servers, %d dirs, %d problems", len(c.servers), len(c.dirs), len(c.problems))
		}
		for _, s := range c.servers {
			if s == "" || strings.ContainsAny(s, " \t\n") || strings.HasPrefix(s, "-") {
				t.Fatalf("kept %q", s)
			}
		}
	})
}

// FuzzParseTimesyncd: bounded, and a file applied on top of nothing never
// keeps an empty name.
func FuzzParseTimesyncd(f *testing.F) {
	addFixtures(f, "etc/systemd/timesyncd.conf")
	f.Add([]byte("[Time]\nNTP=a b\nNTP=\nNTP=c\n[Other]\nNTP=d\n"))
	f.Add([]byte("[Time]\nNTP"))
	f.Fuzz(func(t *testing.T, data []byte) {
		servers, problems := parseTimesyncd(data, nil)
		if len(servers) > maxServers || len(problems) > maxProblems {
			t.Fatalf("%d servers, %d problems", len(servers), len(problems))
		}
		for _, s := range servers {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				t.Fatalf("kept %q", s)
			}
		}
	})
}

// FuzzParseTZif: any bytes are a TZif file or an error, never a panic or
// an allocation a header asks for.
func FuzzParseTZif(f *testing.F) {
	for _, z := range []string{"UTC", "Europe/Berlin", "America/New_York"} {
		if data, err := os.ReadFile("/usr/share/zoneinfo/" + z); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("TZif2" + strings.Repeat("\x00", 39)))
	f.Add([]byte("TZif\x00" + strings.Repeat("\x00", 15) + strings.Repeat("\xff", 24)))
	f.Fuzz(func(t *testing.T, data []byte) {
		tz, err := parseTZif(data)
		if err == nil && (len(data) < 44 || strings.Contains(tz.footer, "\n")) {
			t.Fatalf("accepted %d bytes, footer %q", len(data), tz.footer)
		}
	})
}
