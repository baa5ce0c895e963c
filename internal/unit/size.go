package unit

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// errSize is a value parse_size refuses.
var errSize = errors.New("not a size")

// sizeSuffixes are parse_size's base-1024 suffixes, largest first; a size
// may have several components, each with a smaller suffix ("1G 512M").
var sizeSuffixes = []struct {
	s string
	f uint64
}{
	{"E", 1 << 60}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}, {"", 1},
}

// ParseSize parses a size as systemd's parse_size(s, 1024): digits with an
// optional fraction and an optional suffix K, M, G, T, P, E (powers of
// 1024) or B, repeated with decreasing suffixes ("1G 512M"). The fraction
// of a component is truncated to whole bytes.
func ParseSize(s string) (uint64, error) {
	if len(s) > 256 {
		return 0, errSize
	}
	var total uint64
	start := 0
	p := s
	for {
		p = strings.TrimLeft(p, " \t\n\r")
		i := 0
		for i < len(p) && p[i] >= '0' && p[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, errSize
		}
		whole, err := strconv.ParseUint(p[:i], 10, 64)
		if err != nil {
			return 0, errSize
		}
		p = p[i:]
		var frac string
		if strings.HasPrefix(p, ".") {
			p = p[1:]
			j := 0
			for j < len(p) && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			frac, p = p[:j], p[j:]
		}
		p = strings.TrimLeft(p, " \t\n\r")
		k := start
		for k < len(sizeSuffixes) && !strings.HasPrefix(p, sizeSuffixes[k].s) {
			k++
		}
		if k == len(sizeSuffixes) {
			return 0, errSize
		}
		f := sizeSuffixes[k].f
		v := new(big.Int).Mul(new(big.Int).SetUint64(whole), new(big.Int).SetUint64(f))
		if frac != "" {
			fr, _ := new(big.Rat).SetString("0." + frac)
			fr.Mul(fr, new(big.Rat).SetInt(new(big.Int).SetUint64(f)))
			v.Add(v, new(big.Int).Quo(fr.Num(), fr.Denom()))
		}
		v.Add(v, new(big.Int).SetUint64(total))
		if !v.IsUint64() {
			return 0, errSize
		}
		total = v.Uint64()
		p = p[len(sizeSuffixes[k].s):]
		start = k + 1
		if p == "" {
			return total, nil
		}
	}
}
