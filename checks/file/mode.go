package file

import (
	"fmt"
	"strconv"
	"strings"
)

// modeOp is how a mode expression compares the file's permission bits.
type modeOp string

const (
	modeExact   modeOp = "=="   // every bit as written
	modeAtMost  modeOp = "<="   // no bit outside the mask
	modeAtLeast modeOp = ">="   // every bit of the mask set
	modeNone    modeOp = "none" // no bit of the mask set
)

// modeExpr is a parsed mode expression: "0640" (exactly), "<= 0755" (no
// bit outside 0755: no setuid, no group or other write), ">= 0600" (at
// least owner read and write), "none 0022" (no group or other write).
// Bits are the twelve of chmod(1)'s octal form: setuid 4000, setgid
// 2000, sticky 1000 and the nine permission bits.
type modeExpr struct {
	op   modeOp
	bits uint32
}

// maxModeExpr bounds the text; the longest valid one is "none 07777".
const maxModeExpr = 64

// parseMode parses a mode expression.
func parseMode(s string) (modeExpr, error) {
	if len(s) > maxModeExpr {
		return modeExpr{}, fmt.Errorf("mode expression longer than %d characters", maxModeExpr)
	}
	s = strings.TrimSpace(s)
	e := modeExpr{op: modeExact}
	for _, op := range []modeOp{modeAtMost, modeAtLeast, modeNone, modeExact} {
		if rest, ok := strings.CutPrefix(s, string(op)); ok {
			if op == modeNone && rest != "" && rest[0] != ' ' && rest[0] != '\t' {
				break
			}
			e.op, s = op, strings.TrimSpace(rest)
			break
		}
	}
	bits, err := parseOctal(s)
	if err != nil {
		return modeExpr{}, err
	}
	e.bits = bits
	return e, nil
}

// parseOctal reads three or four octal digits, with an optional leading
// 0 or 0o ("640", "0640", "4755", "0o640").
func parseOctal(s string) (uint32, error) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	if len(digits) == 5 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) < 3 || len(digits) > 4 || strings.Trim(digits, "01234567") != "" {
		return 0, fmt.Errorf("%q is not a mode: write 3 or 4 octal digits (0640, 4755), optionally after <=, >= or none", s)
	}
	v, err := strconv.ParseUint(digits, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a mode: %v", s, err)
	}
	return uint32(v), nil
}

// String is the expression in its canonical form.
func (e modeExpr) String() string {
	if e.op == modeExact {
		return octal(e.bits)
	}
	return string(e.op) + " " + octal(e.bits)
}

// match reports whether mode (the twelve chmod bits) satisfies e.
func (e modeExpr) match(mode uint32) bool {
	mode &= 0o7777
	switch e.op {
	case modeAtMost:
		return mode&^e.bits == 0
	case modeAtLeast:
		return mode&e.bits == e.bits
	case modeNone:
		return mode&e.bits == 0
	}
	return mode == e.bits
}

// fix is the mode that meets e and changes as few bits of mode as can be.
func (e modeExpr) fix(mode uint32) uint32 {
	mode &= 0o7777
	switch e.op {
	case modeAtMost:
		return mode & e.bits
	case modeAtLeast:
		return mode | e.bits
	case modeNone:
		return mode &^ e.bits
	}
	return e.bits
}

// octal writes the bits as chmod and stat -c %a would, with a leading 0
// and at least four digits ("0640", "4755").
func octal(bits uint32) string {
	return fmt.Sprintf("%04o", bits)
}
