package report

import (
	"strings"
	"unicode"

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
			code: remediate.CommandLine("sysctl", "-w", a.Key+"="+a.Value),
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
		return step{says: []part{prose(why)}, code: remediate.CommandLine(a.Argv...), lang: "sh"}
	case remediate.Manual:
		return step{says: []part{prose(a.Text)}}
	}
	return step{says: []part{prose("action of unknown type "), literal(string(a.Kind))}}
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

// isUnprintable is a rune a reader cannot see or that could drive a
// terminal: controls, bidi overrides, and U+FFFD for invalid UTF-8.
func isUnprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\uFFFD'
}
