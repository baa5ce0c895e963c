package fleet

import (
	"strings"
	"time"
	"unicode"
)

// Kind says how far the fan-out got with a host.
type Kind string

// Result kinds. Only KindOK carries a report; every other kind is a host
// that could not be checked, which the fleet never counts as ready.
const (
	KindOK          Kind = "ok"          // the report was fetched
	KindUnreachable Kind = "unreachable" // dial failed: refused, no route, DNS, not an ssh server
	KindAuth        Kind = "auth"        // no key was accepted
	KindHostKey     Kind = "hostkey"     // unknown or changed host key: refused
	KindRemote      Kind = "remote"      // on the host: sudo refused, golive failed to run, exit 2
	KindTimeout     Kind = "timeout"     // the per-host timeout expired
)

// HostResult is the outcome of one host.
type HostResult struct {
	Target Target
	Kind   Kind
	// Err says what went wrong, on one line; empty for KindOK.
	Err string
	// Report is the JSON report as fetched, already checked to be a
	// golive/report/v1 document; only for KindOK.
	Report []byte
	// Verdict is the fetched report's verdict; only for KindOK.
	Verdict string
	// Arch is the host's `uname -m`, when it got that far.
	Arch string
	// Stderr is the remote golive's standard error, clipped.
	Stderr   string
	Duration time.Duration
	// Cache says how the host got its binary: CacheHit, CacheStored,
	// CacheTemp or CacheOff; empty when it got no binary.
	Cache string
	// BytesSent counts what was written to the host's connection (ssh
	// framing included), cleanup too.
	BytesSent int64
}

// maxShown bounds text from the remote side in a message.
const maxShown = 400

// clip makes remote text one short printable line.
func clip(s string) string { return printable(s, maxShown) }

// printable makes outside text one line a terminal shows as text: line
// breaks and tabs become spaces, other control and bidi characters U+FFFD.
// limit > 0 cuts it, marked, past limit bytes; 0 keeps it whole.
func printable(s string, limit int) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			b.WriteRune(unicode.ReplacementChar)
		default:
			b.WriteRune(r)
		}
		if limit > 0 && b.Len() > limit {
			return b.String() + "…"
		}
	}
	return b.String()
}
