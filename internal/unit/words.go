package unit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValidEnvName reports whether s is a variable name systemd accepts:
// letters, digits and underscores, not starting with a digit.
func ValidEnvName(s string) bool {
	if s == "" || len(s) > 4096 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// SplitWords splits a setting's value into words as systemd does for
// Environment= (extract_first_word with unquoting and C unescaping):
// whitespace separates words, single and double quotes group (also in the
// middle of a word), and backslash escapes work inside and outside quotes.
func SplitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 == len(s) {
				return nil, errors.New("trailing backslash")
			}
			r, n, err := unescape(s[i+1:])
			if err != nil {
				return nil, err
			}
			w.WriteString(r)
			i += n
			inWord = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote = c
			inWord = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// unescape decodes one C escape (the text after a backslash) and returns
// it with the number of bytes consumed.
func unescape(s string) (string, int, error) {
	switch c := s[0]; c {
	case 'a':
		return "\a", 1, nil
	case 'b':
		return "\b", 1, nil
	case 'f':
		return "\f", 1, nil
	case 'n':
		return "\n", 1, nil
	case 'r':
		return "\r", 1, nil
	case 't':
		return "\t", 1, nil
	case 'v':
		return "\v", 1, nil
	case 's':
		return " ", 1, nil
	case '\\', '"', '\'':
		return string(c), 1, nil
	case 'x':
		return unescapeNum(s, 1, 2, 16)
	case 'u':
		return unescapeNum(s, 1, 4, 16)
	case 'U':
		return unescapeNum(s, 1, 8, 16)
	case '0', '1', '2', '3', '4', '5', '6', '7':
		return unescapeNum(s, 0, 3, 8)
	}
	return "", 0, fmt.Errorf("invalid escape \\%c", s[0])
}

func unescapeNum(s string, skip, digits, base int) (string, int, error) {
	if len(s) < skip+digits {
		return "", 0, fmt.Errorf("short escape \\%s", s)
	}
	n, err := strconv.ParseUint(s[skip:skip+digits], base, 32)
	if err != nil || n == 0 || n > utf8.MaxRune {
		return "", 0, fmt.Errorf("invalid escape \\%s", s[:skip+digits])
	}
	if skip > 0 && s[0] == 'x' || base == 8 {
		if n > 0xff {
			return "", 0, fmt.Errorf("invalid escape \\%s", s[:skip+digits])
		}
		return string([]byte{byte(n)}), skip + digits, nil
	}
	return string(rune(n)), skip + digits, nil
}
