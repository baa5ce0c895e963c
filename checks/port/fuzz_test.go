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
