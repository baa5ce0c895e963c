package clock

import (
	"encoding/binary"
	"net"
	"sync"
	"testing"
	"time"
)

// ntpServer is a minimal SNTP server (RFC 4330) on loopback: it answers a
// client's mode 3 request with a mode 4 reply from its own clock, which is
// the test's clock shifted by skew. Other behaviours stand for the ways a
// real server fails.
type ntpServer struct {
	addr string
	mu   sync.Mutex
	hits int
}

type ntpBehaviour struct {
	skew    time.Duration
	stratum uint8  // 0 with kiss: a kiss-of-death
	kiss    string // the kiss code in the reference ID
	leap    uint8
	short   bool // answer 20 bytes: not an NTP packet
	silent  bool // read and never answer
}

// ntpEpoch is 1900-01-01 in Unix seconds' terms.
const ntpEpoch = 2208988800

func ntpTime(t time.Time) uint64 {
	secs := uint64(t.Unix() + ntpEpoch)
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return secs<<32 | frac
}

func startNTP(t *testing.T, b ntpBehaviour) *ntpServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &ntpServer{addr: pc.LocalAddr().String()}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			recv := time.Now().Add(b.skew)
			s.mu.Lock()
			s.hits++
			s.mu.Unlock()
			if b.silent || n < 48 || buf[0]&7 != 3 {
				continue
			}
			out := make([]byte, 48)
			out[0] = b.leap<<6 | 4<<3 | 4 // LI, VN 4, mode 4 (server)
			out[1] = b.stratum
			out[2] = buf[2]                                 // poll: echo the client's
			out[3] = 0xEC                                   // precision 2^-20
			binary.BigEndian.PutUint32(out[4:], 1<<16/1000) // root delay 1 ms
			binary.BigEndian.PutUint32(out[8:], 1<<16/1000) // root dispersion 1 ms
			copy(out[12:16], "LOCL")
			if b.kiss != "" {
				copy(out[12:16], b.kiss)
			}
			binary.BigEndian.PutUint64(out[16:], ntpTime(recv.Add(-10*time.Second))) // reference
			copy(out[24:32], buf[40:48])                                             // origin: the client's transmit
			binary.BigEndian.PutUint64(out[32:], ntpTime(recv))                      // receive
			binary.BigEndian.PutUint64(out[40:], ntpTime(time.Now().Add(b.skew)))    // transmit
			if b.short {
				out = out[:20]
			}
			pc.WriteTo(out, from)
		}
	}()
	return s
}

func (s *ntpServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// closedPort is a loopback UDP port nothing listens on: a datagram sent
// there draws an ICMP port unreachable, which a connected socket reads as
// ECONNREFUSED.
func closedPort(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}
