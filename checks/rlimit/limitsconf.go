package rlimit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// The files pam_limits reads, in order: limits.conf, then every *.conf of
// limits.d sorted by name in the C locale (pam_limits(8)).
const (
	limitsConf = "/etc/security/limits.conf"
	limitsDir  = "/etc/security/limits.d"
	// maxLimitsFile bounds one limits file; real ones are a few KiB.
	maxLimitsFile = 1 << 20
	// maxLimitsFiles bounds the files read from limits.d.
	maxLimitsFiles = 512
	// fgetsLine is pam_limits' LINE_LENGTH before 1.6.0: fgets reads at
	// most 1023 bytes, so a longer line is read (and parsed) as several.
	fgetsLine = 1024 - 1
	// maxLimitsBytes bounds what is read from limits.conf and limits.d
	// together; real hosts have a few KiB.
	maxLimitsBytes = 16 << 20
	// maxProblems bounds the problems kept per file: a hostile file of
	// junk lines must not become a report of a million lines.
	maxProblems = 100
)

// entry is one limits.conf line pam_limits would act on.
type entry struct {
	file   string
	line   int
	Domain string // as written: pam_limits compares it case-sensitively
	Type   string // soft, hard or - (lower-cased, as pam_limits compares it)
	Item   string // lower-cased
	Value  string // lower-cased
	// noLimits marks a "<domain> -" line: for a matching user pam_limits
	// stops reading and sets no limit at all.
	noLimits bool
}

// where is "file:line".
func (e entry) where() string { return fmt.Sprintf("%s:%d", e.file, e.line) }

// lineSyntax is how a pam_limits release reads a line of limits.conf.
type lineSyntax int

const (
	// wordSyntax is Linux-PAM 1.1.8 to 1.5.3: fgets into 1024 bytes and
	// sscanf("%s%s%s%s"), so the value is the fourth word and anything
	// after it is ignored ("* soft nproc unlimited extra" is unlimited).
	wordSyntax lineSyntax = iota
	// restSyntax is Linux-PAM 1.6.0 and later: getline and strtok_r, so
	// the value is the rest of the line, trimmed of spaces and tabs
	// (1.6.1; "unlimited extra" is then not a number and the line is
	// skipped).
	restSyntax
)

// ParseLimits splits one limits.conf-format file into entries as the
// pam_limits of every supported distro does (Linux-PAM 1.1.8 to 1.5.x).
func ParseLimits(file string, data []byte) (entries []entry, problems []string) {
	return parseLimits(file, data, wordSyntax)
}

// parseLimits is parse_config_file's reading of one file: leading
// whitespace skipped, everything from "#" on is a comment, fields split on
// whitespace. A line of four fields is an entry; "<domain> -<anything>" is
// a no-limits line; anything else is invalid and named in problems
// (pam_limits skips it). The text before a NUL byte is all C code sees of
// a line.
func parseLimits(file string, data []byte, syntax lineSyntax) (entries []entry, problems []string) {
	n, dropped := 0, 0
	problem := func(format string, args ...any) {
		if len(problems) < maxProblems {
			problems = append(problems, fmt.Sprintf(format, args...))
		} else {
			dropped++
		}
	}
	defer func() {
		if dropped > 0 {
			problems = append(problems, fmt.Sprintf("%s: %d more invalid lines", file, dropped))
		}
	}()
	for len(data) > 0 {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i+1], data[i+1:]
		} else {
			raw, data = data, nil
		}
		n++
		reads := [][]byte{raw}
		if syntax == wordSyntax && len(raw) > fgetsLine {
			reads = reads[:0]
			for len(raw) > fgetsLine {
				reads = append(reads, raw[:fgetsLine])
				raw = raw[fgetsLine:]
			}
			reads = append(reads, raw)
			problem("%s:%d: line longer than %d bytes: pam_limits reads it as %d lines", file, n, fgetsLine, len(reads))
		}
		for _, r := range reads {
			e, ok, bad := parseLimitsLine(r, syntax)
			switch {
			case ok:
				e.file, e.line = file, n
				entries = append(entries, e)
			case bad != "":
				problem("%s:%d: invalid line %q (pam_limits skips it)", file, n, truncate(bad, 200))
			}
		}
	}
	return entries, problems
}

// parseLimitsLine parses what one fgets (or getline) returned. ok is false
// for a blank or comment line (bad is empty) and for an invalid one (bad is
// the text).
func parseLimitsLine(raw []byte, syntax lineSyntax) (e entry, ok bool, bad string) {
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
	}
	line := strings.TrimLeft(string(raw), cSpace)
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if line == "" {
		return entry{}, false, ""
	}
	var f []string
	if syntax == wordSyntax {
		f = strings.FieldsFunc(line, isCSpace)
		if len(f) > 4 {
			f = f[:4]
		}
	} else {
		f = splitRest(line)
	}
	switch {
	case len(f) == 4:
		return entry{Domain: f[0], Type: asciiLower(f[1]), Item: asciiLower(f[2]), Value: asciiLower(f[3])}, true, ""
	case len(f) == 2 && strings.HasPrefix(f[1], "-"):
		return entry{Domain: f[0], Type: "-", noLimits: true}, true, ""
	}
	return entry{}, false, strings.TrimSpace(line)
}

// splitRest is pam_limits 1.6's split(): three words separated by spaces
// or tabs, then the rest of the line trimmed of spaces and tabs.
func splitRest(line string) []string {
	fields := make([]string, 0, 4)
	rest := line
	for len(fields) < 3 {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return fields
		}
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			return append(fields, rest)
		}
		fields = append(fields, rest[:end])
		rest = rest[end:]
	}
	if v := strings.Trim(rest, " \t"); v != "" {
		fields = append(fields, v)
	}
	return fields
}

// cSpace is isspace() in the C locale.
const cSpace = " \t\n\v\f\r"

func isCSpace(r rune) bool { return strings.ContainsRune(cSpace, r) }

// asciiLower is tolower() in the C locale: only A-Z change.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// parsePamValue is process_limit's value parsing for a limit: "-1", "-",
// "unlimited" and "infinity" mean RLIM_INFINITY; otherwise strtoul in base
// 10, which skips leading whitespace, takes a sign, stops at the first
// non-digit (so "65536abc" is 65536) and saturates at ULONG_MAX (which is
// RLIM_INFINITY). A negative number wraps around as strtoul makes it.
func parsePamValue(s string) (uint64, error) {
	switch s {
	case "-1", "-", "unlimited", "infinity":
		return Infinity, nil
	}
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	end := 0
	for end < len(t) && t[end] >= '0' && t[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("value %q is not a number", s)
	}
	v, err := strconv.ParseUint(t[:end], 10, 64)
	if err != nil {
		return Infinity, nil // ERANGE: strtoul returns ULONG_MAX
	}
	if neg {
		v = -v
	}
	return v, nil
}
