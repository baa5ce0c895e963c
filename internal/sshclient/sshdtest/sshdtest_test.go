package sshdtest

import "testing"

// The kernel offers a closed probe port again; freePort never hands one
// out twice in a process, so the servers of one StartMany (and a
// ClosedPort) never share a port.
func TestFreePortNeverRepeats(t *testing.T) {
	seen := map[int]bool{}
	for range 3000 {
		p := freePort(t)
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
	}
}
