package unit

import "strings"

// ParseEnvFile parses an EnvironmentFile= file as systemd does
// (parse_env_file in systemd's env-file.c): KEY=VALUE lines; lines
// starting with # or ; are comments; whitespace around keys and unquoted
// values is dropped; '...' is literal; "..." honours backslash escapes of
// " \ ` $ (others keep their backslash); an unquoted backslash escapes the
// next character and a backslash-newline joins lines; a line without "="
// is ignored. Pairs come back in file order; names are not validated.
func ParseEnvFile(data []byte) [][2]string {
	const (
		preKey = iota
		key
		preValue
		value
		valueEscape
		singleQuote
		doubleQuote
		doubleQuoteEscape
		comment
		commentEscape
	)
	var out [][2]string
	var k, v []byte
	kTrail, vTrail := -1, -1 // where trailing whitespace starts, -1: none
	state := preKey
	push := func() {
		if kTrail >= 0 {
			k = k[:kTrail]
		}
		out = append(out, [2]string{string(k), string(v)})
		k, v = k[:0], nil
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	isNewline := func(c byte) bool { return c == '\n' || c == '\r' }
	for _, c := range data {
		switch state {
		case preKey:
			switch {
			case c == '#' || c == ';':
				state = comment
			case !isSpace(c):
				state, kTrail = key, -1
				k = append(k[:0], c)
			}
		case key:
			switch {
			case isNewline(c):
				state, k = preKey, k[:0]
			case c == '=':
				state, vTrail = preValue, -1
			default:
				if !isSpace(c) {
					kTrail = -1
				} else if kTrail < 0 {
					kTrail = len(k)
				}
				k = append(k, c)
			}
		case preValue:
			switch {
			case isNewline(c):
				state = preKey
				push()
			case c == '\'':
				state = singleQuote
			case c == '"':
				state = doubleQuote
			case c == '\\':
				state = valueEscape
			case !isSpace(c):
				state = value
				v = append(v, c)
			}
		case value:
			switch {
			case isNewline(c):
				state = preKey
				if vTrail >= 0 {
					v = v[:vTrail]
				}
				push()
			case c == '\\':
				state, vTrail = valueEscape, -1
			default:
				if !isSpace(c) {
					vTrail = -1
				} else if vTrail < 0 {
					vTrail = len(v)
				}
				v = append(v, c)
			}
		case valueEscape:
			state = value
			if !isNewline(c) {
				v = append(v, c)
			}
		case singleQuote:
			if c == '\'' {
				state = preValue
			} else {
				v = append(v, c)
			}
		case doubleQuote:
			switch c {
			case '"':
				state = preValue
			case '\\':
				state = doubleQuoteEscape
			default:
				v = append(v, c)
			}
		case doubleQuoteEscape:
			state = doubleQuote
			switch {
			case strings.IndexByte("\"\\`$", c) >= 0:
				v = append(v, c)
			case c != '\n':
				v = append(v, '\\', c)
			}
		case comment:
			if c == '\\' {
				state = commentEscape
			} else if isNewline(c) {
				state = preKey
			}
		case commentEscape:
			if isNewline(c) {
				state = preKey
			} else {
				state = comment
			}
		}
	}
	switch state {
	case preValue, value, valueEscape, singleQuote, doubleQuote, doubleQuoteEscape:
		if state == value && vTrail >= 0 {
			v = v[:vTrail]
		}
		push()
	}
	return out
}
