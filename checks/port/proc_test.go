package port

import (
	"strconv"
	"strings"
	"testing"
)

// Lines as kernels print them (copied from a 6.1 kernel's tables).
const (
	tcpHeader  = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	tcp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	udpHeader  = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            \n"
)

func TestParseTableKeepsListenersOnly(t *testing.T) {
	tcp := tcpHeader +
		"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1080 1 0000000000000000 100 0 0 10 0\n" +
		"   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321 1 0000000000000000 100 0 0 10 0\n" +
		"   2: 0100007F:1F90 0100007F:D5A2 01 00000000:00000000 00:00000000 00000000  1000        0 41322 1 0000000000000000 20 4 30 10 -1\n" +
		"   3: 0100007F:D5A2 0100007F:1F90 06 00000000:00000000 03:00000AB0 00000000     0        0 0 3 0000000000000000\n"
	ls, bad, truncated, err := parseTable(strings.NewReader(tcp), "tcp", false)
	if err != nil || bad != 0 || truncated {
		t.Fatalf("bad %d truncated %v err %v", bad, truncated, err)
	}
	want := []string{"0.0.0.0:2024 uid 0 inode 1080", "127.0.0.1:8080 uid 1000 inode 41321"}
	if got := summary(ls); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseTableIPv6(t *testing.T) {
	tcp6 := tcp6Header +
		"   0: 00000000000000000000000001000000:E3B7 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7480334 1 00000000f848d93d 100 0 0 10 0\n" +
		"   1: 0000000000000000FFFF00000100007F:97F9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7480333 1 00000000725bbab7 100 0 0 10 0\n" +
		"   2: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20 1 0 100 0 0 10 0\n" +
		"   3: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21 1 0 100 0 0 10 0\n"
	ls, bad, _, err := parseTable(strings.NewReader(tcp6), "tcp", true)
	if err != nil || bad != 0 {
		t.Fatal(bad, err)
	}
	// The mapped ::ffff:127.0.0.1 is the IPv4 address; 2001:db8::1 shows
	// the word order (each 32-bit word in the kernel's byte order).
	want := []string{"[::1]:58295 uid 0 inode 7480334", "127.0.0.1:38905 uid 0 inode 7480333", "[::]:22 uid 0 inode 20", "[2001:db8::1]:80 uid 0 inode 21"}
	if got := summary(ls); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	for _, l := range ls {
		if !l.V6 {
			t.Errorf("%s: not marked as from tcp6", l.Local())
		}
	}
}

func TestParseTableUDPKeepsUnconnected(t *testing.T) {
	udp := udpHeader +
		"  253: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 15120 2 0000000000000000 0        \n" +
		"  700: 0100007F:B2C4 0100007F:0035 01 00000000:00000000 00:00000000 00000000  1000        0 99 2 0000000000000000 0        \n"
	ls, _, _, err := parseTable(strings.NewReader(udp), "udp", false)
	if err != nil || len(ls) != 1 || ls[0].Local() != "127.0.0.53:53" || ls[0].Proto != "udp" {
		t.Fatalf("%+v %v", ls, err)
	}
}

// Hostile or torn input: each bad line is counted and skipped, the good
// ones around it are kept.
func TestParseTableCountsBadLines(t *testing.T) {
	good := "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321 1\n"
	for name, line := range map[string]string{
		"short":         "   0: 0100007F:1F90 00000000:0000 0A\n",
		"no colon":      "   0 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321\n",
		"bad hex":       "   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321\n",
		"v6 in v4":      "   0: 00000000000000000000000001000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 4\n",
		"5-digit port":  "   0: 0100007F:11F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321\n",
		"state 3 chars": "   0: 0100007F:1F90 00000000:0000 00A 00000000:00000000 00:00000000 00000000  1000        0 41321\n",
		"uid too big":   "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  4294967296 0 41321\n",
		"inode sign":    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 -1\n",
		"too long":      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321" + strings.Repeat(" 0", 400) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			ls, bad, _, err := parseTable(strings.NewReader(tcpHeader+line+good), "tcp", false)
			if err != nil || bad != 1 || len(ls) != 1 || ls[0].Inode != 41321 {
				t.Errorf("bad %d, kept %v, err %v", bad, summary(ls), err)
			}
		})
	}
}

func TestParseTableStopsAtMaxSockets(t *testing.T) {
	defer func(n int) { maxSockets = n }(maxSockets)
	maxSockets = 100
	var b strings.Builder
	b.WriteString(tcpHeader)
	line := "   0: 0100007F:1F90 00000000:0000 01 00000000:00000000 00:00000000 00000000  1000        0 1 1\n"
	for i := 0; i <= maxSockets; i++ {
		b.WriteString(line)
	}
	_, _, truncated, err := parseTable(strings.NewReader(b.String()), "tcp", false)
	if err != nil || !truncated {
		t.Fatalf("truncated %v, err %v", truncated, err)
	}
}

func summary(ls []listener) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Local()+" uid "+strconv.FormatUint(uint64(l.UID), 10)+" inode "+strconv.FormatUint(l.Inode, 10))
	}
	return out
}
