package port

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strconv"
)

// The socket tables of the running kernel's network namespace, one per
// transport and family (proc_net(5)): every socket, a line each.
var tables = []struct {
	path  string
	proto string
	v6    bool
}{
	{"/proc/net/tcp", "tcp", false},
	{"/proc/net/tcp6", "tcp", true},
	{"/proc/net/udp", "udp", false},
	{"/proc/net/udp6", "udp", true},
}

// Bounds: a line of /proc/net/tcp6 is under 180 bytes; a table of more
// than maxSockets sockets is read up to there and the checks say error:
// a port not found in part of a table is not known to be free.
const maxLine = 512

// maxSockets is a variable so that a test can reach it without writing a
// million lines.
var maxSockets = 1 << 20

// The socket states a table says in hex (include/net/tcp_states.h): a TCP
// socket accepts connections in LISTEN; a UDP socket that receives from
// anyone is unconnected, which the kernel shows as CLOSE.
const (
	stateListen = 0x0A
	stateClose  = 0x07
)

// listener is one socket that holds a port for anyone who connects: a TCP
// socket in LISTEN, or an unconnected UDP socket.
type listener struct {
	Proto string
	Addr  netip.Addr // IPv4-mapped IPv6 addresses unmapped to IPv4
	V6    bool       // from tcp6/udp6: a wildcard :: may take IPv4 too
	Port  uint16
	UID   uint32
	Inode uint64
}

// Local is the socket's address as ss(8) prints it: 0.0.0.0:80, [::]:80.
func (l listener) Local() string { return netip.AddrPortFrom(l.Addr, l.Port).String() }

// parseTable reads one /proc/net table and keeps its listeners. A line
// that is not a socket is counted in bad, not fatal: the header, and lines
// of a table that changed while it was read, are skipped. truncated is set
// when the table has more than maxSockets lines.
func parseTable(r io.Reader, proto string, v6 bool) (out []listener, bad int, truncated bool, err error) {
	want := byte(stateListen)
	if proto == "udp" {
		want = stateClose
	}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 0; ; n++ {
		line, tooLong, err := readLine(br)
		if errors.Is(err, io.EOF) {
			return out, bad, false, nil
		}
		if err != nil {
			return out, bad, false, err
		}
		if n == 0 {
			continue // "  sl  local_address rem_address   st ..."
		}
		if n > maxSockets {
			return out, bad, true, nil
		}
		if tooLong {
			bad++
			continue
		}
		l, state, ok := parseLine(line, v6)
		if !ok {
			if len(bytes.TrimSpace(line)) > 0 {
				bad++
			}
			continue
		}
		if state == want {
			l.Proto = proto
			out = append(out, l)
		}
	}
}

// readLine is the next line without its newline; a line longer than
// maxLine is consumed and reported as tooLong.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	line, err = br.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		tooLong = true
		_, err = br.ReadSlice('\n')
	}
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, false, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return line, tooLong || len(line) > maxLine, nil
}

// parseLine reads "sl: local rem st queues tr retrnsmt uid timeout inode":
//
//	0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41321 1 ...
func parseLine(line []byte, v6 bool) (l listener, state byte, ok bool) {
	var f [10][]byte
	n := 0
	for i := 0; i < len(line) && n < len(f); {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		if j > i {
			f[n] = line[i:j]
			n++
		}
		i = j
	}
	if n < len(f) || len(f[0]) < 2 || f[0][len(f[0])-1] != ':' {
		return l, 0, false
	}
	addr, port, ok := parseEndpoint(f[1], v6)
	if !ok {
		return l, 0, false
	}
	st, err := strconv.ParseUint(string(f[3]), 16, 8)
	if err != nil || len(f[3]) != 2 {
		return l, 0, false
	}
	uid, err := strconv.ParseUint(string(f[7]), 10, 32)
	if err != nil {
		return l, 0, false
	}
	inode, err := strconv.ParseUint(string(f[9]), 10, 64)
	if err != nil {
		return l, 0, false
	}
	return listener{Addr: addr, V6: v6, Port: port, UID: uint32(uid), Inode: inode}, byte(st), true
}

// parseEndpoint reads "0100007F:1F90": the address as 32-bit words in the
// kernel's byte order (one word for IPv4, four for IPv6), the port in hex.
func parseEndpoint(b []byte, v6 bool) (netip.Addr, uint16, bool) {
	words := 1
	if v6 {
		words = 4
	}
	if len(b) != words*8+5 || b[words*8] != ':' {
		return netip.Addr{}, 0, false
	}
	var raw [16]byte
	for w := 0; w < words; w++ {
		v, ok := hex32(b[w*8 : w*8+8])
		if !ok {
			return netip.Addr{}, 0, false
		}
		binary.NativeEndian.PutUint32(raw[w*4:], v)
	}
	port, ok := hex32(b[words*8+1:])
	if !ok {
		return netip.Addr{}, 0, false
	}
	if !v6 {
		return netip.AddrFrom4([4]byte(raw[:4])), uint16(port), true
	}
	return netip.AddrFrom16(raw).Unmap(), uint16(port), true
}

// hex32 parses up to eight upper- or lower-case hex digits.
func hex32(b []byte) (uint32, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var v uint32
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint32(c)
	}
	return v, true
}

// errTruncated is why a table read in part gives no verdict.
var errTruncated = errors.New("the rest was not read")
