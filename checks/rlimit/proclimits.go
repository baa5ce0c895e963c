package rlimit

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// maxProcLimits bounds /proc/<pid>/limits (about 1.4 KiB on every kernel).
const maxProcLimits = 16 << 10

// procLimits are the rows of /proc/<pid>/limits, by the kernel's row name
// ("Max open files").
type procLimits map[string]Limit

// ParseProcLimits parses /proc/<pid>/limits as fs/proc/base.c prints it: a
// header line, then per limit a name padded to 25 columns, the soft and
// hard values ("unlimited" or a number) and an optional unit. Names have
// spaces, so a row is matched by its known name, then split into fields.
// Rows that do not parse are returned as problems.
func ParseProcLimits(data []byte) (procLimits, []string) {
	out := procLimits{}
	var problems []string
	for n, raw := range bytes.Split(data, []byte("\n")) {
		line := strings.TrimRight(string(raw), " \r")
		if line == "" || (n == 0 && strings.HasPrefix(line, "Limit")) {
			continue
		}
		name, rest, ok := procRowName(line)
		if !ok {
			problems = append(problems, fmt.Sprintf("line %d: unknown row %q", n+1, truncate(line, 80)))
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 || len(f) > 3 {
			problems = append(problems, fmt.Sprintf("line %d: %s: expected soft, hard and a unit", n+1, name))
			continue
		}
		soft, err1 := parseProcValue(f[0])
		hard, err2 := parseProcValue(f[1])
		if err1 != nil || err2 != nil {
			problems = append(problems, fmt.Sprintf("line %d: %s: malformed value", n+1, name))
			continue
		}
		out[name] = Limit{Soft: soft, Hard: hard}
	}
	return out, problems
}

// procRows are every row name the kernel prints (lnames in fs/proc/base.c).
var procRows = []string{
	"Max cpu time", "Max file size", "Max data size", "Max stack size", "Max core file size",
	"Max resident set", "Max processes", "Max open files", "Max locked memory", "Max address space",
	"Max file locks", "Max pending signals", "Max msgqueue size", "Max nice priority",
	"Max realtime priority", "Max realtime timeout",
}

func procRowName(line string) (name, rest string, ok bool) {
	for _, r := range procRows {
		if rest, ok := strings.CutPrefix(line, r); ok && (rest == "" || rest[0] == ' ') {
			return r, rest, true
		}
	}
	return "", "", false
}

func parseProcValue(s string) (uint64, error) {
	if s == "unlimited" {
		return Infinity, nil
	}
	return strconv.ParseUint(s, 10, 64)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
