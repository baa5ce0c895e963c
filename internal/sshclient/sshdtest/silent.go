package sshdtest

import (
	"net"
	"sync"
	"testing"
)

// Silent is a TCP listener on loopback that accepts connections and never
// says anything: a host whose sshd hangs. It counts how many connections
// are open at once.
type Silent struct {
	Addr string
	l    net.Listener

	mu      sync.Mutex
	open    int
	maxOpen int
	total   int
}

// StartSilent listens until the test ends.
func StartSilent(t testing.TB) *Silent {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Silent{Addr: l.Addr().String(), l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open++
			s.total++
			s.maxOpen = max(s.maxOpen, s.open)
			s.mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for { // read until the client hangs up
					if _, err := c.Read(buf); err != nil {
						break
					}
				}
				c.Close()
				s.mu.Lock()
				s.open--
				s.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return s
}

// MaxOpen is the most connections that were open at once; Total counts
// all accepted.
func (s *Silent) MaxOpen() (maxOpen, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxOpen, s.total
}

// StartStalling listens until the test ends, and on each connection sends
// an SSH banner and then nothing: a host whose sshd hangs after the TCP
// handshake and version exchange (an overloaded or wedged server).
func StartStalling(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := c.Write([]byte("SSH-2.0-OpenSSH_9.2 stalled\r\n")); err != nil {
					return
				}
				buf := make([]byte, 4096)
				for { // read until the client hangs up
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}
