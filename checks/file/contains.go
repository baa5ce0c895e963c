package file

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// pattern is one entry of contains: a line that must (or, negated, must
// not) be in the file. The syntax is goss's: "text" matches a line that
// has text in it, "/re/" a line the regular expression matches, and a
// leading "!" negates; "\!" and "\/" start a literal "!" or "/". Regular
// expressions are RE2 (Go's regexp): no backreferences or lookaround, and
// a match costs time linear in the line.
type pattern struct {
	text   string // as written in the profile
	negate bool
	lit    string
	re     *regexp.Regexp
}

// maxPattern bounds one pattern's text.
const maxPattern = 4096

// parsePattern parses one contains entry.
func parsePattern(s string) (pattern, error) {
	p := pattern{text: s}
	if len(s) > maxPattern {
		return p, fmt.Errorf("pattern longer than %d characters", maxPattern)
	}
	if s == "" {
		return p, fmt.Errorf("an empty pattern matches every file")
	}
	if strings.ContainsAny(s, "\n\x00") {
		return p, fmt.Errorf("%q: a pattern matches one line: no newline or NUL", s)
	}
	body := s
	if strings.HasPrefix(body, "!") {
		p.negate, body = true, body[1:]
	}
	switch {
	case strings.HasPrefix(body, `\!`), strings.HasPrefix(body, `\/`):
		p.lit = body[1:]
	case len(body) == 2 && body == "//":
		return p, fmt.Errorf("%q: an empty regular expression matches every line", s)
	case len(body) > 2 && body[0] == '/' && body[len(body)-1] == '/':
		re, err := regexp.Compile(body[1 : len(body)-1])
		if err != nil {
			return p, fmt.Errorf("%q: not an RE2 regular expression (Go's regexp syntax): %v", s, err)
		}
		p.re = re
	default:
		p.lit = body
	}
	if p.re == nil && p.lit == "" {
		return p, fmt.Errorf("%q: an empty pattern matches every file", s)
	}
	return p, nil
}

// inLine reports whether line matches the pattern (before negation).
func (p pattern) inLine(line []byte) bool {
	if p.re != nil {
		return p.re.Match(line)
	}
	return bytes.Contains(line, []byte(p.lit))
}

// missed lists the patterns data does not satisfy: a pattern no line
// matches, or a negated one some line matches (with that line's number).
// Lines end at '\n'; a trailing '\r' stays part of the line.
func missed(data []byte, pats []pattern) []string {
	found := make([]int, len(pats)) // line of the first match, 0: none
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		for i, p := range pats {
			if found[i] == 0 && p.inLine(line) {
				found[i] = n
			}
		}
	}
	var out []string
	for i, p := range pats {
		switch {
		case !p.negate && found[i] == 0:
			out = append(out, fmt.Sprintf("%q: no line matches", p.text))
		case p.negate && found[i] != 0:
			out = append(out, fmt.Sprintf("%q: line %d matches", p.text, found[i]))
		}
	}
	return out
}
