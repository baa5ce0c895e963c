package disk

import (
	"fmt"
	"math/big"
	"strings"
)

// sizeUnits are the units a size expression takes: IEC (KiB = 1024, also
// written K, KB is not) and SI (KB = 1000), as df(1) and systemd read them.
var sizeUnits = map[string]uint64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tib": 1 << 40, "p": 1 << 50, "pib": 1 << 50,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
}

// parseSize reads a size: a number with an optional unit (10GiB, 1.5G,
// 500MB, 4096), case-insensitive, at most 16 EiB.
func parseSize(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeUnits[unit]
	if num == "" || !ok || strings.Count(num, ".") > 1 || num == "." || len(num) > 40 {
		return 0, fmt.Errorf("%q is not a size (10GiB, 500MB, 1.5T)", clip(s))
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, fmt.Errorf("%q is not a size (10GiB, 500MB, 1.5T)", clip(s))
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).SetUint64(mult)))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !q.IsUint64() {
		return 0, fmt.Errorf("%q is larger than 16 EiB", clip(s))
	}
	return q.Uint64(), nil
}

// parseCount reads a number of inodes: a whole number, with an optional
// k, m or g suffix (1000s, as inode counts are written in df -i --si).
func parseCount(s string) (uint64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := uint64(1)
	switch {
	case strings.HasSuffix(t, "k"):
		mult, t = 1e3, t[:len(t)-1]
	case strings.HasSuffix(t, "m"):
		mult, t = 1e6, t[:len(t)-1]
	case strings.HasSuffix(t, "g"):
		mult, t = 1e9, t[:len(t)-1]
	}
	var n uint64
	if t == "" || strings.Trim(t, "0123456789") != "" || len(t) > 12 {
		return 0, fmt.Errorf("%q is not a whole number of inodes (200000, 500k)", clip(s))
	}
	for _, c := range t {
		n = n*10 + uint64(c-'0')
	}
	return n * mult, nil
}

// formatBytes writes a byte count in IEC units with one decimal, as df -h
// does (but exact below 1 KiB).
func formatBytes(n uint64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, u := float64(n)/1024, 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.1f %ciB", v, units[u])
}

// clip keeps a hostile value short in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
