package expect

import (
	"testing"
)

// FuzzParse pins three properties of the expectation grammar for any input:
// Parse never panics; what it accepts prints (String) as something it
// accepts again with the same meaning; and Eval never panics, whatever a
// host reports.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		">= 65535", "> 0", "<= 10", "< 100", "== 1", "!= 0", "enforcing",
		">= 4096 87380 134217728", ">= 3.10.0-1160", "in [a, b]", `in ["a b", 'c']`,
		"in[1,2]", "=> 5", ">= abc", "", "in a, b", "> 18446744073709551615",
	} {
		f.Add(s, "4096\t131072\t6291456")
	}
	f.Fuzz(func(t *testing.T, expr, observed string) {
		e, err := Parse(expr)
		if err != nil {
			return
		}
		s := e.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String() = %q): %v", expr, s, err)
		}
		if got := again.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q, but Parse(%q).String() = %q", expr, s, s, got)
		}
		ok1, err1 := e.Eval(observed)
		ok2, err2 := again.Eval(observed)
		if ok1 != ok2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("Eval(%q) differs after a round trip through %q: %v, %v vs %v, %v", observed, s, ok1, err1, ok2, err2)
		}
		if err1 != nil && ok1 {
			t.Fatalf("Eval(%q) = true with error %v", observed, err1)
		}
		e.Suggest()
	})
}
