package textfmt

import "strings"

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// PromLabelValue escapes a Prometheus label value for the text exposition
// format: only backslash, double quote and newline need escaping, and the
// value must be valid UTF-8, which Prometheus otherwise rejects. Other
// characters are kept: label values are matched exactly in PromQL, so an ID
// must come out as the user wrote it. The caller adds the quotes.
func PromLabelValue(s string) string {
	return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD"))
}
