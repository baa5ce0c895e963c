// Package expect parses and evaluates the expectations written in profiles:
//
//	>= N   > N   <= N   < N   == V   != V   in [a, b]   V (bare: equality)
//
// Values may have several whitespace-separated fields (net.ipv4.tcp_rmem is
// "4096 87380 134217728"); such values compare field by field, and every
// field must satisfy the operator. Numbers are integers of any size; a value
// with dots (3.10.0-1160) compares as a version, component by component.
package expect

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Op is a comparison operator.
type Op string

// The operators of the grammar.
const (
	GE Op = ">="
	GT Op = ">"
	LE Op = "<="
	LT Op = "<"
	EQ Op = "=="
	NE Op = "!="
	In Op = "in"
)

// maxLen bounds an expectation; a profile is outside input.
const maxLen = 4096

// Expectation is one parsed expectation.
type Expectation struct {
	Op     Op
	Fields []string   // the operand, split into fields (all ops but In)
	Set    [][]string // the alternatives of In, each split into fields
}

// Parse parses one expectation. Errors say what is wrong in words a profile
// author can act on; the caller adds file and line.
func Parse(s string) (Expectation, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Expectation{}, errors.New("empty expectation")
	}
	if len(s) > maxLen {
		return Expectation{}, fmt.Errorf("expectation longer than %d characters", maxLen)
	}
	if rest, ok := cutWord(s, "in"); ok {
		return parseIn(rest)
	}
	for _, op := range []Op{GE, LE, EQ, NE, GT, LT} { // two-character ops first
		if rest, ok := strings.CutPrefix(s, string(op)); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				return Expectation{}, fmt.Errorf("%q needs a value after %s", s, op)
			}
			if op != EQ && op != NE {
				for _, f := range fields {
					if kindOf(f) == text {
						return Expectation{}, fmt.Errorf("%q: %s needs a number or version, not %q", s, op, f)
					}
				}
			}
			return Expectation{Op: op, Fields: fields}, nil
		}
	}
	if strings.ContainsAny(s[:1], "<>=!") {
		return Expectation{}, fmt.Errorf("%q: unknown operator (use >=, >, <=, <, ==, != or in [...])", s)
	}
	return Expectation{Op: EQ, Fields: strings.Fields(s)}, nil
}

// cutWord reports whether s starts with word followed by a space or "[".
func cutWord(s, word string) (string, bool) {
	rest, ok := strings.CutPrefix(s, word)
	if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '[') {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func parseIn(rest string) (Expectation, error) {
	if !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
		return Expectation{}, fmt.Errorf("in %s: the alternatives go in brackets: in [a, b]", rest)
	}
	e := Expectation{Op: In}
	for _, item := range strings.Split(rest[1:len(rest)-1], ",") {
		item = strings.TrimSpace(item)
		if len(item) >= 2 && (item[0] == '"' || item[0] == '\'') && item[len(item)-1] == item[0] {
			item = item[1 : len(item)-1]
		}
		fields := strings.Fields(item)
		if len(fields) == 0 {
			return Expectation{}, fmt.Errorf("in %s: empty alternative", rest)
		}
		e.Set = append(e.Set, fields)
	}
	return e, nil
}

// String is the canonical form, used in reports and `golive list`.
func (e Expectation) String() string {
	if e.Op == In {
		alts := make([]string, len(e.Set))
		for i, a := range e.Set {
			alts[i] = strings.Join(a, " ")
			// Parse strips one pair of matching quotes; an alternative that is
			// itself quoted keeps its quotes only inside another pair.
			if s := alts[i]; len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
				alts[i] = `"` + s + `"`
			}
		}
		return "in [" + strings.Join(alts, ", ") + "]"
	}
	return string(e.Op) + " " + strings.Join(e.Fields, " ")
}

// Eval reports whether observed satisfies the expectation. An error means
// the two cannot be compared (a word where a number was expected, a
// different number of fields): the check could not decide.
func (e Expectation) Eval(observed string) (bool, error) {
	obs := strings.Fields(observed)
	switch e.Op {
	case EQ:
		return equalFields(e.Fields, obs), nil
	case NE:
		return !equalFields(e.Fields, obs), nil
	case In:
		for _, alt := range e.Set {
			if equalFields(alt, obs) {
				return true, nil
			}
		}
		return false, nil
	}
	if len(obs) != len(e.Fields) {
		return false, fmt.Errorf("expected %d field(s), observed %d (%q)", len(e.Fields), len(obs), observed)
	}
	for i, want := range e.Fields {
		c, err := compare(obs[i], want)
		if err != nil {
			return false, err
		}
		var ok bool
		switch e.Op {
		case GE:
			ok = c >= 0
		case GT:
			ok = c > 0
		case LE:
			ok = c <= 0
		case LT:
			ok = c < 0
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// Suggest returns a value that satisfies the expectation, for remediation:
// the boundary itself for >=, <=, == and the first alternative of in.
// There is none for != or for a strict bound on a version.
func (e Expectation) Suggest() (string, bool) {
	switch e.Op {
	case GE, LE, EQ:
		return strings.Join(e.Fields, " "), true
	case In:
		return strings.Join(e.Set[0], " "), true
	case GT, LT:
		out := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			n, ok := new(big.Int).SetString(f, 10)
			if !ok {
				return "", false
			}
			if e.Op == GT {
				n.Add(n, big.NewInt(1))
			} else {
				n.Sub(n, big.NewInt(1))
			}
			out[i] = n.String()
		}
		return strings.Join(out, " "), true
	}
	return "", false
}

func equalFields(want, obs []string) bool {
	if len(want) != len(obs) {
		return false
	}
	for i := range want {
		if want[i] == obs[i] {
			continue
		}
		// 1 == 01 and 0x-free integers compare by value; words by text.
		if c, err := compare(obs[i], want[i]); err != nil || c != 0 || kindOf(want[i]) != integer {
			return false
		}
	}
	return true
}

type kind int

const (
	text kind = iota
	integer
	version
)

func kindOf(s string) kind {
	if _, ok := new(big.Int).SetString(s, 10); ok {
		return integer
	}
	if s != "" && s[0] >= '0' && s[0] <= '9' && strings.Contains(s, ".") {
		return version
	}
	return text
}

// compare orders two fields: as integers when both are, as versions when
// either has dots.
func compare(a, b string) (int, error) {
	ka, kb := kindOf(a), kindOf(b)
	if ka == integer && kb == integer {
		x, _ := new(big.Int).SetString(a, 10)
		y, _ := new(big.Int).SetString(b, 10)
		return x.Cmp(y), nil
	}
	if ka == text || kb == text {
		bad := a
		if ka != text {
			bad = b
		}
		return 0, fmt.Errorf("%q is not a number", bad)
	}
	// Versions are never negative: a negative integer is below any version
	// (versionParts would otherwise drop its sign with the "-" separator).
	if ka == integer && strings.HasPrefix(a, "-") {
		return -1, nil
	}
	if kb == integer && strings.HasPrefix(b, "-") {
		return 1, nil
	}
	return compareVersions(a, b), nil
}

// compareVersions compares the leading numeric components of two versions:
// "3.10.0-1160.el7.x86_64" is 3, 10, 0, 1160 (it stops at "el7"). A version
// that extends an equal prefix is the greater.
func compareVersions(a, b string) int {
	x, y := versionParts(a), versionParts(b)
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(x) < len(y):
		return -1
	case len(x) > len(y):
		return 1
	}
	return 0
}

func versionParts(s string) []uint64 {
	var out []uint64
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' || r == '_' || r == '+' || r == '~' }) {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			break
		}
		out = append(out, n)
	}
	return out
}

// Fix returns the value to set so that observed satisfies the expectation
// while moving as little as possible: for a multi-field >= each field is
// raised to its bound but never lowered (tcp_rmem's default middle field can
// already exceed the bound). Without a usable observed value it is Suggest.
func (e Expectation) Fix(observed string) (string, bool) {
	want, ok := e.Suggest()
	if !ok || (e.Op != GE && e.Op != GT && e.Op != LE && e.Op != LT) {
		return want, ok
	}
	obs := strings.Fields(observed)
	wf := strings.Fields(want)
	if len(obs) != len(wf) {
		return want, true
	}
	for i := range wf {
		c, err := compare(obs[i], wf[i])
		if err != nil {
			return want, true
		}
		raise := e.Op == GE || e.Op == GT
		if (raise && c > 0) || (!raise && c < 0) {
			wf[i] = obs[i]
		}
	}
	return strings.Join(wf, " "), true
}
