package dns

import "net/netip"

// inetAton parses an IPv4 address as glibc's inet_aton does: one to four
// parts separated by dots, each decimal, octal (leading 0) or hex (0x);
// the last part fills the remaining bytes, so "10.1" is 10.0.0.1 and
// "012.0.0.1" is 10.0.0.1. With exact (glibc's __inet_aton_exact, used for
// nameserver lines since 2.26) nothing may follow the address; otherwise a
// whitespace character and anything after it is accepted.
func inetAton(s string, exact bool) (netip.Addr, bool) {
	var high [3]uint32 // the parts before the last, most significant first
	parts := 0
	i := 0
	var val uint64
	for {
		if i >= len(s) || !isDigit(s[i]) {
			return netip.Addr{}, false
		}
		var ok bool
		val, i, ok = strtoul(s, i)
		if !ok {
			return netip.Addr{}, false
		}
		if i < len(s) && s[i] == '.' {
			if parts > 2 || val > 0xff {
				return netip.Addr{}, false
			}
			high[parts] = uint32(val)
			parts++
			i++
			continue
		}
		break
	}
	if i < len(s) && (exact || !isCSpace(s[i])) {
		return netip.Addr{}, false
	}
	limit := [4]uint64{0xffffffff, 0xffffff, 0xffff, 0xff}[parts]
	if val > limit {
		return netip.Addr{}, false
	}
	word := uint32(val)
	for p := 0; p < parts; p++ {
		word |= high[p] << (24 - 8*p)
	}
	return netip.AddrFrom4([4]byte{byte(word >> 24), byte(word >> 16), byte(word >> 8), byte(word)}), true
}

// strtoul reads one number the way strtoul(s, &end, 0) does after a digit:
// 0x prefix for hex, a leading 0 for octal, decimal otherwise. ok is false
// when the value exceeds 32 bits.
func strtoul(s string, i int) (val uint64, end int, ok bool) {
	base := uint64(10)
	if s[i] == '0' {
		base = 8
		if i+2 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X') && hexVal(s[i+2]) >= 0 {
			base = 16
			i += 2
		}
	}
	for ; i < len(s); i++ {
		d := hexVal(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		val = val*base + uint64(d)
		if val > 0xffffffff {
			return 0, i, false
		}
	}
	return val, i, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return true
	}
	return false
}
