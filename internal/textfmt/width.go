// Package textfmt is the text formatting the report and fleet renderers
// share: display width, truncation and column padding for terminal
// tables. It is its own package, rather than exported from
// internal/report, so fleet and report use one implementation without
// report's API growing helpers that are not about reports.
//
// Rune widths come from clipperhouse/displaywidth, the tables tablewriter's
// twwidth (which these replace) reads, so tables stay byte-identical;
// go-runewidth disagrees with it (a flag's regional indicators are one
// column each there, two here) and compiles a regexp at init. East Asian
// ambiguous characters are narrow whatever the locale: the same table on
// every machine. ANSI escape sequences (CSI and OSC) take no width, as in
// twwidth. twwidth itself allocates an LRU cache and compiles a regexp
// when it initialises, in every golive run; displaywidth's tables are
// static.
package textfmt

import (
	"strings"

	"github.com/clipperhouse/displaywidth"
)

var narrow = displaywidth.Options{EastAsianWidth: false}

// Width is the number of terminal columns s takes.
func Width(s string) int {
	if isPrintableASCII(s) {
		return len(s)
	}
	w := 0
	for i := 0; i < len(s); {
		if n := escapeLen(s[i:]); n > 0 {
			i += n
			continue
		}
		r, size := decodeRune(s[i:])
		w += narrow.Rune(r)
		i += size
	}
	return w
}

// Truncate shortens s to at most width columns, the last of them taken
// by suffix when s is cut. Escape sequences are kept and take no width;
// when any were kept, a reset follows so colour does not bleed.
func Truncate(s string, width int, suffix string) string {
	if width < 0 {
		return ""
	}
	if Width(s) <= width {
		return s
	}
	budget := width - Width(suffix)
	if budget < 0 {
		return ""
	}
	var b strings.Builder
	used, escapes := 0, false
	for i := 0; i < len(s); {
		if n := escapeLen(s[i:]); n > 0 {
			b.WriteString(s[i : i+n])
			escapes = true
			i += n
			continue
		}
		r, size := decodeRune(s[i:])
		rw := narrow.Rune(r)
		if budget == 0 || used+rw > budget { // no room: not even a combining mark

			break
		}
		b.WriteString(s[i : i+size])
		used += rw
		i += size
	}
	if escapes && !strings.HasSuffix(b.String(), "\x1b[0m") {
		b.WriteString("\x1b[0m")
	}
	return b.String() + suffix
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// escapeLen is the length of the ANSI escape sequence s starts with, or 0:
// a CSI (ESC [ parameters intermediates final) or an OSC (ESC ] ...
// terminated by BEL or ESC \). An unterminated sequence is not one.
func escapeLen(s string) int {
	if len(s) < 2 || s[0] != 0x1b {
		return 0
	}
	switch s[1] {
	case '[':
		i := 2
		for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
			i++
		}
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
			return i + 1
		}
	case ']':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
	}
	return 0
}
