package port

import (
	"bytes"
	"fmt"
	"testing"
)

// tcpTable is a /proc/net/tcp of n sockets: a few listeners and many
// established connections, as a busy host has.
func tcpTable(n int) []byte {
	var b bytes.Buffer
	b.WriteString(tcpHeader)
	for i := 0; i < n; i++ {
		state := "01"
		if i%100 == 0 {
			state = "0A"
		}
		fmt.Fprintf(&b, "%4d: 0A00000B:%04X 0A0000%02X:%04X %s 00000000:00000000 02:000A7D54 00000000  1000        0 %d 2 0000000000000000 20 4 30 10 -1\n",
			i, 1024+i%60000, i%256, 32768+i%28000, state, 100000+i)
	}
	return b.Bytes()
}

// BenchmarkParseTable10k: DESIGN's budget is under 20 ms for a 10,000-socket
// /proc/net/tcp.
func BenchmarkParseTable10k(b *testing.B) {
	data := tcpTable(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ls, bad, _, err := parseTable(bytes.NewReader(data), "tcp", false)
		if err != nil || bad != 0 || len(ls) != 100 {
			b.Fatalf("%d listeners, %d bad, %v", len(ls), bad, err)
		}
	}
}
