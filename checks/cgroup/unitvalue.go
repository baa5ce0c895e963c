package cgroup

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/unit"
)

// Values as systemd parses them in unit files (src/basic/parse-util.c
// parse_size and parse_permyriad, src/core/load-fragment.c
// config_parse_memory_limit, config_parse_cpu_quota, config_parse_tasks_max).

var errValue = errors.New("not a valid value")

// parseSize parses a size as systemd's parse_size(s, 1024) (unit.ParseSize).
func parseSize(s string) (uint64, error) {
	n, err := unit.ParseSize(s)
	if err != nil {
		return 0, errValue
	}
	return n, nil
}

// parsePermyriad parses a share as systemd's parse_permyriad: "N%" with up
// to two decimals, "N‰" with up to one, or "N‱". It returns the share in
// units of 1/10000. unbounded allows more than 100% (CPUQuota=).
func parsePermyriad(s string, unbounded bool) (uint64, bool, error) {
	var digitsAllowed int
	var scale uint64
	var body string
	switch {
	case strings.HasSuffix(s, "‱"):
		body, digitsAllowed, scale = strings.TrimSuffix(s, "‱"), 0, 1
	case strings.HasSuffix(s, "‰"):
		body, digitsAllowed, scale = strings.TrimSuffix(s, "‰"), 1, 10
	case strings.HasSuffix(s, "%"):
		body, digitsAllowed, scale = strings.TrimSuffix(s, "%"), 2, 100
	default:
		return 0, false, nil
	}
	whole, frac, hasDot := strings.Cut(body, ".")
	if !digits(whole) || len(whole) > 12 || hasDot && (!digits(frac) || len(frac) > digitsAllowed) {
		return 0, true, errValue
	}
	w, _ := strconv.ParseUint(whole, 10, 64)
	v := w * scale
	if frac != "" {
		f, _ := strconv.ParseUint(frac, 10, 64)
		for i := len(frac); i < digitsAllowed; i++ {
			f *= 10
		}
		v += f
	}
	if !unbounded && v > 10000 {
		return 0, true, errValue
	}
	return v, true, nil
}

// limitValue is one parsed resource-control assignment.
type limitValue struct {
	infinity  bool
	n         uint64 // bytes or tasks
	permyriad uint64 // a share of the host's memory or task limit
	isShare   bool
}

// parseMemoryLimit parses MemoryMax=, MemoryHigh=, MemoryLow=, MemoryLimit=:
// infinity, a percentage of physical memory, or a size.
func parseMemoryLimit(s string) (limitValue, error) {
	if s == "infinity" {
		return limitValue{infinity: true}, nil
	}
	if p, isShare, err := parsePermyriad(s, false); isShare {
		return limitValue{permyriad: p, isShare: true}, err
	}
	n, err := parseSize(s)
	if err != nil || n == ^uint64(0) {
		return limitValue{}, errValue
	}
	return limitValue{n: n}, nil
}

// parseCPUQuota parses CPUQuota= ("150%") into cores. systemd accepts only
// a positive percentage, any size.
func parseCPUQuota(s string) (*big.Rat, error) {
	p, isShare, err := parsePermyriad(s, true)
	if !isShare || err != nil || p == 0 {
		return nil, errValue
	}
	return new(big.Rat).SetFrac(new(big.Int).SetUint64(p), big.NewInt(10000)), nil
}

// parseTasksMax parses TasksMax= and DefaultTasksMax=: infinity, a
// percentage of the system's task limit, or a positive number.
func parseTasksMax(s string) (limitValue, error) {
	if s == "infinity" {
		return limitValue{infinity: true}, nil
	}
	if p, isShare, err := parsePermyriad(s, false); isShare {
		return limitValue{permyriad: p, isShare: true}, err
	}
	if !digits(s) {
		return limitValue{}, errValue
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 || n == ^uint64(0) {
		return limitValue{}, errValue
	}
	return limitValue{n: n}, nil
}

// resolve turns a parsed value into an amount; a share needs the total it
// is a share of (0: unknown).
func (v limitValue) resolve(total uint64) (amount, bool) {
	switch {
	case v.infinity:
		return amount{Max: true}, true
	case !v.isShare:
		return amount{V: new(big.Rat).SetInt(new(big.Int).SetUint64(v.n))}, true
	case total == 0:
		return amount{}, false
	}
	n := new(big.Int).Mul(new(big.Int).SetUint64(total), new(big.Int).SetUint64(v.permyriad))
	n.Quo(n, big.NewInt(10000))
	return amount{V: new(big.Rat).SetInt(n)}, true
}

// formatPermyriad shows a share as a percentage: 1500 -> "15%".
func formatPermyriad(p uint64) string {
	s := fmt.Sprintf("%d.%02d", p/100, p%100)
	return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(s, "0"), "."), ".") + "%"
}
