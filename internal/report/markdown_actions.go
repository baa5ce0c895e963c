package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/golive-sh/golive/internal/remediate"
)

// A step is one remediation action as a person reads it in a ticket or a
// CI log: a sentence, and the command, config line or file content that
// does it. The Markdown and JUnit renderers share it, so both describe a
// fix in the same words; only their markup differs.
type step struct {
	says []part
	code string // a shell command line, a config line or a whole file; may be empty
	lang string // fence info string for code: "sh" for commands
}

// part is a piece of a step's sentence. Literal parts (keys, paths,
// values) are shown as code in Markdown and as they are in plain text.
type part struct {
	text    string
	literal bool
}

func prose(s string) part   { return part{text: s} }
func literal(s string) part { return part{text: s, literal: true} }

// plain is the sentence as plain text.
func (s step) plain() string {
	var b strings.Builder
	for _, p := range s.says {
		b.WriteString(p.text)
	}
	return b.String()
}

// stepOf describes one action. Commands are shown as shell command lines,
// each word quoted as needed, so a path with a space or a quote copied from
// the ticket still runs as the one argument it is.
func stepOf(a remediate.Action) step {
	switch a.Kind {
	case remediate.SysctlSet:
		return step{
			says: []part{prose("set kernel parameter "), literal(a.Key), prose(" to "), literal(a.Value),
				prose(" now and at boot (persisted in "), literal(remediate.SysctlDropIn), prose(")")},
			code: shellLine("sysctl", "-w", a.Key+"="+a.Value),
			lang: "sh",
		}
	case remediate.FileLine:
		return step{
			says: []part{prose("in "), literal(a.Path), prose(", replace the line setting "), literal(a.Key),
				prose(" with this line, or append it")},
			code: a.Line,
		}
	case remediate.DropIn:
		return step{says: []part{prose("write "), literal(a.Path), prose(" with this content")}, code: a.Content}
	case remediate.Command:
		why := a.Why
		if strings.TrimSpace(why) == "" {
			why = "run"
		}
		return step{says: []part{prose(why)}, code: shellLine(a.Argv...), lang: "sh"}
	case remediate.Manual:
		return step{says: []part{prose(a.Text)}}
	}
	return step{says: []part{prose("action of unknown type "), literal(string(a.Kind))}}
}

// shellLine joins argv into a POSIX shell command line.
func shellLine(argv ...string) string {
	quoted := make([]string, len(argv))
	for i, w := range argv {
		quoted[i] = shellWord(w)
	}
	return strings.Join(quoted, " ")
}

// shellWord quotes one argument: bare when it is plainly safe, in single
// quotes otherwise, and as bash $'...' with escapes when it holds control
// characters or invalid UTF-8, which must not reach a terminal or a ticket
// raw.
func shellWord(w string) string {
	if w == "" {
		return "''"
	}
	if isShellSafe(w) {
		return w
	}
	if !utf8.ValidString(w) || strings.IndexFunc(w, isUnprintable) >= 0 {
		return ansiCQuote(w)
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func isShellSafe(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("_@%+=:,./-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// isUnprintable is a rune that a reader cannot see or that could drive a
// terminal: controls (tab included: it is invisible), bidi overrides, and
// the replacement character standing in for invalid UTF-8.
func isUnprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
}

func ansiCQuote(w string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRuneInString(w[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, w[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80 && isUnprintable(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isUnprintable(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// block makes multi-line outside text (a file's content) safe to show as
// lines: line breaks normalised to \n, tabs kept, every other control
// character, bidi override and invalid byte replaced by U+FFFD.
func block(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\v' || r == '\f' || r == '\u0085' || r == '\u2028' || r == '\u2029':
			return '\n'
		case isUnprintable(r):
			return unicode.ReplacementChar
		}
		return r
	}, s)
}
