package textfmt

import "strconv"

// Count is n followed by the noun in the number n takes: "1 check",
// "2 checks", "0 checks". many is the plural spelled out, since English
// plurals ("fix", "fixes") are not one rule.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
