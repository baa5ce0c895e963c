package profile

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Two YAML mistakes every new profile author makes, caught with the fix
// spelled out instead of the parser's "did not find expected comment or
// line break": an expectation such as >= 65535 left unquoted (YAML reads
// > as a folded block, ! as a tag, * as an alias), and a key indented so
// that it belongs to no mapping above it.

// operatorValue is a "key: value" or "- value" line whose value starts
// with a character YAML gives a meaning to.
var operatorValue = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\s*(?:- +)?(?:[^\s#'"][^#]*?:\s+)?)([><!*]\S*(?:[ \t]+[^#\s]+)*)(\s*(?:#.*)?)$`)
})

// flowOperator is the same inside a flow mapping or list: {expect: >= 5}.
var flowOperator = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([:{\[,]\s*)([><!*][^,}\]"']*?)(\s*[,}\]])`) })

// quoteHint returns the message for an unquoted expectation on line
// (1-based) of lines, or "".
func quoteHint(lines []string, line int) string {
	if line < 1 || line > len(lines) {
		return ""
	}
	src := lines[line-1]
	if strings.ContainsAny(src, "{[") {
		fixed := flowOperator().ReplaceAllString(src, `$1"$2"$3`)
		if fixed == src {
			return ""
		}
		return fmt.Sprintf("an expectation that starts with >, <, ! or * must be quoted: write\n    %s", strings.TrimRight(fixed, " \t"))
	}
	m := operatorValue().FindStringSubmatch(src)
	if m == nil || strings.TrimSpace(m[1]) == "" && !strings.HasPrefix(strings.TrimSpace(src), "-") {
		return ""
	}
	fixed := m[1] + `"` + strings.ReplaceAll(m[2], `"`, `\"`) + `"` + m[3]
	return fmt.Sprintf("an expectation that starts with >, <, ! or * must be quoted: write\n    %s", strings.TrimRight(fixed, " \t"))
}

// syntaxHint improves a YAML syntax error at line: the unquoted
// expectation on that line or the one before, or the mis-indented key
// the parser stumbled over. It returns the line to report and the
// message.
func syntaxHint(data []byte, line int, msg string) (int, string) {
	lines := strings.Split(string(data), "\n")
	for _, l := range []int{line, line - 1} {
		if h := quoteHint(lines, l); h != "" {
			return l, h
		}
	}
	if bad := misindented(lines); bad > 0 && bad <= line+1 {
		key, _, _ := strings.Cut(strings.TrimSpace(lines[bad-1]), ":")
		return bad, fmt.Sprintf("%q is indented %d columns, which lines it up with no key above it: indent it as far as the keys it belongs with (yaml: %s)",
			key, indentOf(lines[bad-1]), msg)
	}
	return line, msg
}

// misindented returns the first line (1-based) whose indentation matches
// no open block above it, or 0. Block scalars and flow collections are
// not followed: it only has to find what a person typing a profile gets
// wrong.
func misindented(lines []string) int {
	stack := []int{0}
	opens := true // the previous line ends with ":" or starts a list item
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		d := indentOf(l)
		top := stack[len(stack)-1]
		switch {
		case d > top && !opens:
			return i + 1
		case d > top:
			stack = append(stack, d)
		default:
			popped := false
			for len(stack) > 1 && stack[len(stack)-1] > d {
				stack = stack[:len(stack)-1]
				popped = true
			}
			if stack[len(stack)-1] != d && popped {
				return i + 1
			}
		}
		body := strings.TrimSpace(strings.SplitN(t, " #", 2)[0])
		opens = strings.HasSuffix(body, ":")
		if strings.HasPrefix(t, "- ") {
			// An item's own keys continue at the column after "- ".
			stack = append(stack, d+2+indentOf(t[2:]))
			opens = true
		}
	}
	return 0
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// tagHint is the error for a scalar YAML read as something other than the
// value written: a local tag (!= 5 is the tag != on 5) or an empty block
// scalar (>= 5 is a folded block with nothing in it).
func tagHint(lines []string, n *yaml.Node) string {
	custom := n.Tag != "" && !strings.HasPrefix(n.Tag, "!!")
	emptyBlock := (n.Style == yaml.FoldedStyle || n.Style == yaml.LiteralStyle) && strings.TrimSpace(n.Value) == ""
	if !custom && !emptyBlock {
		return ""
	}
	if h := quoteHint(lines, n.Line); h != "" {
		return h
	}
	return "YAML tags (!name) are not allowed in profiles; quote a value that starts with !"
}
