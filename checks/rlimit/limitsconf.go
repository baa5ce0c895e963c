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
	LimitsConf = "/etc/security/limits.conf"
	LimitsDir  = "/etc/security/limits.d"
	// maxLimitsFile bounds one limits file; real ones are a few KiB.
	maxLimitsFile = 1 << 20
	// maxLimitsFiles bounds the files read from limits.d.
	maxLimitsFiles = 512
	// maxLimitsLine bounds one line; a longer one is reported and skipped
	// (pam_limits 1.1.8 split lines at 1024 bytes, later versions do not).
	maxLimitsLine = 4096
	// maxLimitsBytes bounds what is read from limits.conf and limits.d
	// together; real hosts have a few KiB.
	maxLimitsBytes = 16 << 20
	// maxProblems bounds the problems kept per file: a hostile file of
	// junk lines must not become a report of a million lines.
	maxProblems = 100
)

// Entry is one limits.conf line pam_limits would act on.
type Entry struct {
	File   string
	Line   int
	Domain string
	Type   string // soft, hard or - (lower-cased, as pam_limits compares it)
	Item   string // lower-cased
	Value  string // lower-cased, trimmed
	// NoLimits marks a "<domain> -" line: for a matching user pam_limits
	// stops reading and sets no limit at all.
	NoLimits bool
}

// Where is "file:line".
func (e Entry) Where() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// ParseLimits splits one limits.conf-format file into entries as
// pam_limits' parse_config_file does (Linux-PAM 1.1.8 to 1.7): leading
// whitespace skipped, everything from "#" on is a comment, fields split on
// spaces and tabs, the value is the rest of the line. A line of four fields
// is an entry; "<domain> -" is a no-limits line; anything else is invalid
// and named in problems (pam_limits skips it). The text before a NUL byte
// is all C code sees of a line.
func ParseLimits(file string, data []byte) (entries []Entry, problems []string) {
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
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		n++
		if len(raw) > maxLimitsLine {
			problem("%s:%d: line longer than %d bytes, skipped", file, n, maxLimitsLine)
			continue
		}
		if i := bytes.IndexByte(raw, 0); i >= 0 {
			raw = raw[:i]
		}
		line := strings.TrimLeft(string(raw), " \t\r\v\f")
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if line == "" {
			continue
		}
		fields, value := splitLimitsLine(line)
		switch {
		case len(fields) == 3 && value != "":
			entries = append(entries, Entry{File: file, Line: n, Domain: fields[0],
				Type: strings.ToLower(fields[1]), Item: strings.ToLower(fields[2]), Value: strings.ToLower(value)})
		case len(fields) == 2 && value == "" && strings.HasPrefix(fields[1], "-"):
			entries = append(entries, Entry{File: file, Line: n, Domain: fields[0], Type: "-", NoLimits: true})
		default:
			problem("%s:%d: invalid line %q (pam_limits skips it)", file, n, truncate(strings.TrimSpace(line), 200))
		}
	}
	return entries, problems
}

// splitLimitsLine is pam_limits' split(): three words separated by spaces
// or tabs, then the rest of the line trimmed of spaces and tabs.
func splitLimitsLine(line string) (fields []string, value string) {
	fields = make([]string, 0, 3)
	rest := line
	for len(fields) < 3 {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			return fields, ""
		}
		end := strings.IndexAny(rest, " \t")
		if end < 0 {
			fields = append(fields, rest)
			return fields, ""
		}
		fields = append(fields, rest[:end])
		rest = rest[end:]
	}
	return fields, strings.Trim(rest, " \t")
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
