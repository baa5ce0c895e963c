package rlimit

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/expect"
)

// Infinity is RLIM_INFINITY: "unlimited" in limits.conf and /proc,
// "infinity" in systemd.
const Infinity uint64 = math.MaxUint64

// infinityText is how expectations see RLIM_INFINITY: a number larger than
// any finite limit, so ">= 1048576" holds for unlimited.
var infinityText = strconv.FormatUint(Infinity, 10)

// Limit is a soft and hard limit pair, in the kernel's unit.
type Limit struct {
	Soft uint64
	Hard uint64
}

// String shows a pair as systemd writes it: "1024:524288", or one value
// when both are equal ("1048576", "unlimited").
func (l Limit) String() string {
	if l.Soft == l.Hard {
		return formatValue(l.Soft)
	}
	return formatValue(l.Soft) + ":" + formatValue(l.Hard)
}

// formatValue shows one value, "unlimited" for RLIM_INFINITY.
func formatValue(v uint64) string {
	if v == Infinity {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}

// systemdValue writes one value for a unit file.
func systemdValue(v uint64) string {
	if v == Infinity {
		return "infinity"
	}
	return strconv.FormatUint(v, 10)
}

// isUnlimitedWord reports whether an expectation field means RLIM_INFINITY.
func isUnlimitedWord(s string) bool {
	switch strings.ToLower(s) {
	case "unlimited", "infinity", "-1":
		return true
	}
	return false
}

// normalize rewrites "unlimited" / "infinity" in an expectation into
// RLIM_INFINITY's number, so the expect package compares them as numbers.
func normalize(e expect.Expectation) expect.Expectation {
	out := expect.Expectation{Op: e.Op}
	fix := func(fs []string) []string {
		cp := make([]string, len(fs))
		for i, f := range fs {
			if isUnlimitedWord(f) {
				f = infinityText
			}
			cp[i] = f
		}
		return cp
	}
	out.Fields = fix(e.Fields)
	for _, alt := range e.Set {
		out.Set = append(out.Set, fix(alt))
	}
	return out
}

// validExpectation reports why an expectation cannot apply to a limit: a
// limit is one non-negative number or unlimited.
func validExpectation(e expect.Expectation) error {
	check := func(fs []string) error {
		if len(fs) != 1 {
			return fmt.Errorf("a limit is one value, not %q", strings.Join(fs, " "))
		}
		if isUnlimitedWord(fs[0]) {
			return nil
		}
		if _, err := strconv.ParseUint(fs[0], 10, 64); err != nil {
			return fmt.Errorf("%q is not a limit (a number or unlimited)", fs[0])
		}
		return nil
	}
	if e.Op == expect.In {
		for _, alt := range e.Set {
			if err := check(alt); err != nil {
				return err
			}
		}
		return nil
	}
	return check(e.Fields)
}

// satisfies judges one value against an expectation.
func satisfies(e expect.Expectation, v uint64) (bool, error) {
	obs := strconv.FormatUint(v, 10)
	return normalize(e).Eval(obs)
}

// fixValue is the value to set so that the expectation holds, moving as
// little as possible from current.
func fixValue(e expect.Expectation, current uint64) (uint64, bool) {
	s, ok := normalize(e).Fix(strconv.FormatUint(current, 10))
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// errSoftAboveHard is systemd's EILSEQ: "Soft resource limit chosen higher
// than hard limit, ignoring".
var errSoftAboveHard = errors.New("soft limit above the hard limit")

// parseSystemdLimit parses a Limit*= / DefaultLimit*= value as systemd's
// rlimit_parse() does (src/basic/rlimit-util.c): "soft:hard" or one value
// for both; "infinity"; plain integers for counts; sizes with K, M, G, T,
// P, E suffixes (base 1024) for byte limits. systemd before 229 (CentOS 7's
// 219) took only one integer or "infinity": a colon or a suffix there makes
// systemd ignore the line. An error means systemd logs "Failed to parse
// resource value, ignoring" and keeps the previous value (also for an empty
// assignment: unlike list settings, Limit*= has no reset).
func parseSystemdLimit(r resource, s string, version int) (Limit, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Limit{}, errors.New("empty value (systemd ignores it: Limit settings cannot be reset)")
	}
	if version > 0 && version < 229 {
		v, err := parseOldSystemdValue(s)
		if err != nil {
			return Limit{}, fmt.Errorf("%w (systemd %d takes one integer or infinity)", err, version)
		}
		return Limit{Soft: v, Hard: v}, nil
	}
	softText, hardText, pair := strings.Cut(s, ":")
	soft, err := parseSystemdValue(r, softText)
	if err != nil {
		return Limit{}, err
	}
	if !pair {
		return Limit{Soft: soft, Hard: soft}, nil
	}
	if strings.Contains(hardText, ":") {
		return Limit{}, fmt.Errorf("%q: more than one colon", s)
	}
	hard, err := parseSystemdValue(r, hardText)
	if err != nil {
		return Limit{}, err
	}
	if soft > hard {
		return Limit{}, errSoftAboveHard
	}
	return Limit{Soft: soft, Hard: hard}, nil
}

// parseOldSystemdValue is systemd 219's config_parse_limit: "infinity" or
// safe_atollu (strtoull, base 0).
func parseOldSystemdValue(s string) (uint64, error) {
	if s == "infinity" {
		return Infinity, nil
	}
	v, err := parseCUint(s)
	if err != nil {
		return 0, err
	}
	return v, nil
}

func parseSystemdValue(r resource, s string) (uint64, error) {
	if s == "infinity" {
		return Infinity, nil
	}
	var v uint64
	var err error
	if r.size {
		v, err = parseSize(s)
	} else {
		v, err = parseCUint(s)
	}
	if err != nil {
		return 0, err
	}
	if v == Infinity {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}

// parseCUint is systemd's safe_atou64: strtoull with base 0 (0x hex, a
// leading 0 octal), no sign, nothing after the number.
func parseCUint(s string) (uint64, error) {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	base := 10
	digits := s
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	for _, c := range digits {
		if !isDigitIn(byte(c), base) {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}

func isDigitIn(c byte, base int) bool {
	switch base {
	case 8:
		return c >= '0' && c <= '7'
	case 16:
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	}
	return c >= '0' && c <= '9'
}

// sizeFactors are parse_size()'s suffixes with base 1024.
var sizeFactors = map[byte]uint64{
	'B': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40, 'P': 1 << 50, 'E': 1 << 60,
}

// parseSize is systemd's parse_size(t, 1024, ...): one or more components
// "<number>[.<fraction>][suffix]", summed ("1G 512M"), whitespace allowed
// between them; no sign.
func parseSize(s string) (uint64, error) {
	bad := fmt.Errorf("%q is not a size", s)
	var total uint64
	i, parts := 0, 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			break
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return 0, bad
		}
		whole, err := strconv.ParseUint(s[start:i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		var frac uint64
		var fracDiv uint64 = 1
		if i < len(s) && s[i] == '.' {
			i++
			fs := i
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				if fracDiv < 1e18 {
					frac = frac*10 + uint64(s[i]-'0')
					fracDiv *= 10
				}
				i++
			}
			if i == fs {
				return 0, bad
			}
		}
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		factor := uint64(1)
		if i < len(s) {
			if f, ok := sizeFactors[s[i]]; ok {
				factor = f
				i++
			} else if s[i] < '0' || s[i] > '9' {
				return 0, bad
			}
		}
		hi, lo := bits.Mul64(whole, factor)
		if hi != 0 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		// frac < fracDiv, so the fractional part is below factor and the
		// high word below fracDiv: Div64 cannot overflow.
		fhi, flo := bits.Mul64(frac, factor)
		fpart, _ := bits.Div64(fhi, flo, fracDiv)
		part := lo + fpart
		if part < lo || total+part < total {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		total += part
		parts++
	}
	if parts == 0 {
		return 0, bad
	}
	return total, nil
}
