package etcd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The HTTP/2 connection preface (RFC 9113 §3.4), written and read here
// rather than with golang.org/x/net/http2's Framer: the probe needs one
// frame each way, and x/net/http2 brought its own HPACK tables and five
// packages into every run's package init (issue 19 §4). FuzzPreface holds
// readFirstFrame to the Framer's verdict on every input.

// clientPreface is the magic an HTTP/2 client sends first, followed by
// its SETTINGS frame.
const clientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// emptySettings is a SETTINGS frame with no parameters: a 24-bit length
// of 0, type 4, no flags, stream 0.
var emptySettings = []byte{0, 0, 0, frameSettings, 0, 0, 0, 0, 0}

const (
	frameHeaderLen = 9
	frameSettings  = 0x4
	// settingsAck is the ACK flag of a SETTINGS frame.
	settingsAck = 0x1
	// settingInitialWindowSize is the one parameter whose value a
	// SETTINGS frame can get wrong (RFC 9113 §6.5.2).
	settingInitialWindowSize = 0x4
	// maxPrefaceFrame is HTTP/2's initial maximum frame size: a server's
	// first SETTINGS frame is a few dozen bytes, and a non-HTTP/2 peer's
	// bytes read as a huge length must not make us wait for megabytes.
	maxPrefaceFrame = 1 << 14
)

// errFrameTooLarge is a first frame longer than maxPrefaceFrame.
var errFrameTooLarge = errors.New("http2: frame too large")

// frameError is a frame that breaks RFC 9113: what the HTTP/2 library
// calls a connection error, named by its error code.
type frameError string

func (e frameError) Error() string { return "connection error: " + string(e) }

// frameNames are RFC 9113's frame types, as HTTP/2 libraries print them.
var frameNames = [...]string{"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"}

func frameName(t byte) string {
	if int(t) < len(frameNames) {
		return frameNames[t]
	}
	if t == 0x10 {
		return "PRIORITY_UPDATE" // RFC 9218
	}
	return fmt.Sprintf("UNKNOWN_FRAME_TYPE_%d", t)
}

// readFirstFrame reads the server's first frame and returns its type. A
// SETTINGS frame is checked as RFC 9113 §6.5 says (stream 0, a whole
// number of 6-byte parameters, no payload on an ACK, a window size below
// 2^31); a frame of another type is returned unread beyond its payload,
// for the caller to name.
func readFirstFrame(r io.Reader) (byte, error) {
	var hdr [frameHeaderLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, err
	}
	length := uint32(hdr[0])<<16 | uint32(hdr[1])<<8 | uint32(hdr[2])
	typ, flags := hdr[3], hdr[4]
	stream := binary.BigEndian.Uint32(hdr[5:]) & (1<<31 - 1)
	if length > maxPrefaceFrame {
		return typ, errFrameTooLarge
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(r, payload); err != nil {
		return typ, err
	}
	if typ != frameSettings {
		return typ, nil
	}
	switch {
	case flags&settingsAck != 0 && length > 0:
		return typ, frameError("FRAME_SIZE_ERROR")
	case stream != 0:
		return typ, frameError("PROTOCOL_ERROR")
	case length%6 != 0:
		return typ, frameError("FRAME_SIZE_ERROR")
	}
	for p := payload; len(p) >= 6; p = p[6:] {
		if binary.BigEndian.Uint16(p) == settingInitialWindowSize {
			// The first one counts, as in the Go HTTP/2 library.
			if binary.BigEndian.Uint32(p[2:]) > 1<<31-1 {
				return typ, frameError("FLOW_CONTROL_ERROR")
			}
			break
		}
	}
	return typ, nil
}
