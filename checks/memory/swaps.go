package memory

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/kerneltext"
)

// swapsPath is the kernel's list of active swap areas.
const swapsPath = "/proc/swaps"

// Bounds: the kernel allows at most MAX_SWAPFILES (32) swap areas, so a
// longer file is not the kernel's.
const (
	maxSwapsFile = 1 << 20
	maxSwapLines = 256
	maxProblems  = 20
)

// swap is one active swap area, a line of /proc/swaps:
//
//	Filename				Type		Size		Used		Priority
//	/dev/dm-1                               partition	2097148		0		-2
//
// Size and Used are in KiB. The kernel escapes space, tab, newline and
// backslash in the file name as \040, \011, \012, \134; a swap file that
// was deleted while active ends in " (deleted)".
type swap struct {
	Filename string `json:"filename"`
	Type     string `json:"type"`
	SizeKiB  uint64 `json:"size_kib"`
	UsedKiB  uint64 `json:"used_kib"`
	Priority int    `json:"priority"`
	Line     int    `json:"line"`
}

// swaps is a parsed /proc/swaps.
type swaps struct {
	areas    []swap
	problems []string
	skipped  int
}

func (s *swaps) problem(line int, format string, args ...any) {
	if len(s.problems) == maxProblems {
		s.skipped++
		return
	}
	s.problems = append(s.problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, args...)))
}

// parseSwaps parses /proc/swaps. github.com/prometheus/procfs parses this
// file too, but only by path (unbounded, not through --root) and gives up
// on the first bad line; golive keeps every line it understands and names
// the others.
func parseSwaps(data []byte) *swaps {
	s := &swaps{}
	lines := bytes.Split(data, []byte("\n"))
	for i, raw := range lines {
		n := i + 1
		if n > maxSwapLines {
			s.problem(n, "more than %d lines: the rest is not read", maxSwapLines)
			break
		}
		line := string(raw)
		if strings.TrimSpace(line) == "" {
			continue
		}
		if n == 1 {
			if strings.HasPrefix(line, "Filename") {
				continue
			}
			s.problem(n, "no Filename/Type/Size/Used/Priority header")
		}
		a, err := parseSwapLine(line)
		if err != nil {
			s.problem(n, "%v", err)
			continue
		}
		a.Line = n
		s.areas = append(s.areas, a)
	}
	return s
}

func parseSwapLine(line string) (swap, error) {
	f := strings.Fields(line)
	if len(f) != 5 {
		return swap{}, fmt.Errorf("%d fields, want 5 (Filename Type Size Used Priority): %q", len(f), clip(line))
	}
	name, err := kerneltext.Unescape(f[0])
	if err != nil {
		return swap{}, err
	}
	if !strings.HasPrefix(name, "/") {
		return swap{}, fmt.Errorf("file name %q is not absolute", clip(name))
	}
	a := swap{Filename: name, Type: f[1]}
	if a.SizeKiB, err = strconv.ParseUint(f[2], 10, 64); err != nil {
		return swap{}, fmt.Errorf("size %q is not a number of KiB", clip(f[2]))
	}
	if a.UsedKiB, err = strconv.ParseUint(f[3], 10, 64); err != nil {
		return swap{}, fmt.Errorf("used %q is not a number of KiB", clip(f[3]))
	}
	if a.UsedKiB > a.SizeKiB {
		return swap{}, fmt.Errorf("used %d KiB is more than the size %d KiB", a.UsedKiB, a.SizeKiB)
	}
	p, err := strconv.ParseInt(f[4], 10, 32)
	if err != nil {
		return swap{}, fmt.Errorf("priority %q is not a number", clip(f[4]))
	}
	a.Priority = int(p)
	return a, nil
}

// clip shortens text from a hostile file for a message (which quotes it
// with %q).
func clip(s string) string { return kerneltext.Clip(s, 64) }
