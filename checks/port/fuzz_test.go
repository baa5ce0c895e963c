package port

import (
	"bytes"
	"testing"
)

// FuzzParseTable: any bytes give listeners and a count of bad lines, never
// a panic; a listener kept has the state's transport and a port.
func FuzzParseTable(f *testing.F) {
	f.Add([]byte(tcpHeader+"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321 1\n"), false, false)
	f.Add([]byte(tcp6Header+"   1: 0000000000000000FFFF00000100007F:97F9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7480333 1\n"), true, false)
	f.Add([]byte(udpHeader+"  253: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 15120 2 0000000000000000 0\n"), false, true)
	f.Add([]byte("\n\n\x00 0: :\n"), true, true)
	f.Fuzz(func(t *testing.T, data []byte, v6, udp bool) {
		proto := "tcp"
		if udp {
			proto = "udp"
		}
		ls, bad, _, err := parseTable(bytes.NewReader(data), proto, v6)
		if err != nil {
			t.Fatalf("a reader of bytes cannot fail: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if len(ls)+bad > lines {
			t.Fatalf("%d listeners and %d bad lines from %d lines", len(ls), bad, lines)
		}
		for _, l := range ls {
			if l.Proto != proto || l.V6 != v6 || !l.Addr.IsValid() || !v6 && !l.Addr.Is4() {
				t.Fatalf("kept %+v", l)
			}
		}
	})
}

// FuzzParsePortList: ip_local_reserved_ports and ip_local_port_range as
// any bytes; what parses is ranges that print back to the same ranges.
func FuzzParsePortList(f *testing.F) {
	f.Add("2379-2380,3306,4001-4010,6379,8080-8089\n")
	f.Add("32768\t60999\n")
	f.Add("")
	f.Add("1-,-2,65536")
	f.Fuzz(func(t *testing.T, s string) {
		if rs, err := parsePortList(s); err == nil {
			for _, r := range rs {
				if r.lo > r.hi {
					t.Fatalf("range %v", r)
				}
			}
			again, err := parsePortList(joinRanges(rs))
			if err != nil || joinRanges(again) != joinRanges(rs) {
				t.Fatalf("%q: %v then %v (%v)", s, rs, again, err)
			}
		}
		if r, err := parsePortRange(s); err == nil && r.lo > r.hi {
			t.Fatalf("range %v", r)
		}
	})
}

// FuzzUnitFromCgroup: a unit named from /proc/<pid>/cgroup is one path
// segment of a service or scope.
func FuzzUnitFromCgroup(f *testing.F) {
	f.Add([]byte("0::/system.slice/payments.service\n"))
	f.Add([]byte("12:pids:/\n1:name=systemd:/system.slice/nginx.service/x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		u := unitFromCgroup(data)
		if u != "" && (bytes.ContainsAny([]byte(u), "/\n") || !bytes.HasSuffix([]byte(u), []byte(".service")) && !bytes.HasSuffix([]byte(u), []byte(".scope"))) {
			t.Fatalf("unit %q", u)
		}
	})
}
