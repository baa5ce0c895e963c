package firewall

import (
	"fmt"
	"strings"
)

// token is a word of nft's syntax. Newlines and semicolons end statements
// (tokEnd); braces and commas are tokens of their own.
type token struct {
	text string
	line int
	kind tokKind
}

type tokKind uint8

const (
	tokWord tokKind = iota
	tokString
	tokEnd // newline or ;
	tokLBrace
	tokRBrace
	tokComma
)

// maxTokens bounds one file's tokens: a 5,000-rule ruleset has ~60,000.
const maxTokens = 2_000_000

// lex splits nft source into tokens. A backslash before a newline joins
// the lines; # starts a comment to the end of the line.
func lex(src string) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	for i < len(src) {
		if len(toks) > maxTokens {
			return nil, fmt.Errorf("line %d: more than %d tokens", line, maxTokens)
		}
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
		case c == '\n':
			toks = append(toks, token{text: "\n", line: line, kind: tokEnd})
			line++
			i++
		case c == ';':
			toks = append(toks, token{text: ";", line: line, kind: tokEnd})
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '{':
			toks = append(toks, token{text: "{", line: line, kind: tokLBrace})
			i++
		case c == '}':
			toks = append(toks, token{text: "}", line: line, kind: tokRBrace})
			i++
		case c == ',':
			toks = append(toks, token{text: ",", line: line, kind: tokComma})
			i++
		case c == '"':
			j := strings.IndexAny(src[i+1:], "\"\n")
			if j < 0 || src[i+1+j] != '"' {
				return nil, fmt.Errorf("line %d: unterminated string", line)
			}
			toks = append(toks, token{text: src[i+1 : i+1+j], line: line, kind: tokString})
			i += j + 2
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n;{},#\"", rune(src[j])) {
				if src[j] == '\\' && j+1 < len(src) && src[j+1] == '\n' {
					break
				}
				j++
			}
			toks = append(toks, token{text: src[i:j], line: line, kind: tokWord})
			i = j
		}
	}
	return toks, nil
}

// statement is the tokens of one statement, without its end, with the
// line it starts on. A block ({ ... }) inside a statement is kept whole.
type stream struct {
	toks []token
	pos  int
}

func (s *stream) peek() token {
	if s.pos < len(s.toks) {
		return s.toks[s.pos]
	}
	return token{kind: tokEnd, text: "EOF", line: -1}
}

func (s *stream) next() token {
	t := s.peek()
	if s.pos < len(s.toks) {
		s.pos++
	}
	return t
}

func (s *stream) eof() bool { return s.pos >= len(s.toks) }

// skipEnds skips statement ends.
func (s *stream) skipEnds() {
	for !s.eof() && s.peek().kind == tokEnd {
		s.pos++
	}
}

// statement returns the tokens up to the end of the statement: an end
// token outside braces, or a closing brace that closes the enclosing
// block (left in the stream). Newlines inside braces are dropped.
func (s *stream) statement() []token {
	var out []token
	depth := 0
	for !s.eof() {
		t := s.peek()
		switch t.kind {
		case tokEnd:
			if depth == 0 {
				return out
			}
			s.pos++
			if t.text == ";" {
				out = append(out, t)
			}
			continue
		case tokLBrace:
			depth++
		case tokRBrace:
			if depth == 0 {
				return out
			}
			depth--
		}
		out = append(out, t)
		s.pos++
	}
	return out
}

func words(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 && t.kind != tokComma {
			b.WriteByte(' ')
		}
		if t.kind == tokString {
			b.WriteString(`"` + t.text + `"`)
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}
