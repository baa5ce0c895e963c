package expect

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAcceptsEveryOperator(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		op     Op
		fields []string
		set    [][]string
		str    string
	}{
		{"ge", ">= 65535", GE, []string{"65535"}, nil, ">= 65535"},
		{"gt", "> 0", GT, []string{"0"}, nil, "> 0"},
		{"le", "<= 10", LE, []string{"10"}, nil, "<= 10"},
		{"lt", "< 100", LT, []string{"100"}, nil, "< 100"},
		{"eq", "== 1", EQ, []string{"1"}, nil, "== 1"},
		{"ne", "!= 0", NE, []string{"0"}, nil, "!= 0"},
		{"ne word", "!= disabled", NE, []string{"disabled"}, nil, "!= disabled"},
		{"eq word", "== enforcing", EQ, []string{"enforcing"}, nil, "== enforcing"},
		{"no space after operator", ">=65535", GE, []string{"65535"}, nil, ">= 65535"},
		{"surrounding space", "  <=  10  ", LE, []string{"10"}, nil, "<= 10"},
		{"negative number", ">= -1", GE, []string{"-1"}, nil, ">= -1"},
		{"version bound", ">= 3.10.0-1160", GE, []string{"3.10.0-1160"}, nil, ">= 3.10.0-1160"},
		{"multi-field bound", ">= 4096 87380 134217728", GE, []string{"4096", "87380", "134217728"}, nil, ">= 4096 87380 134217728"},
		{"multi-field tabs", ">=\t4096\t87380", GE, []string{"4096", "87380"}, nil, ">= 4096 87380"},
		{"bare number", "1", EQ, []string{"1"}, nil, "== 1"},
		{"bare word", "enforcing", EQ, []string{"enforcing"}, nil, "== enforcing"},
		{"bare multi-field", "4096 87380 6291456", EQ, []string{"4096", "87380", "6291456"}, nil, "== 4096 87380 6291456"},
		{"bare word starting with in", "inactive", EQ, []string{"inactive"}, nil, "== inactive"},
		{"bare in alone", "in", EQ, []string{"in"}, nil, "== in"},
		{"in", "in [a, b]", In, nil, [][]string{{"a"}, {"b"}}, "in [a, b]"},
		{"in without spaces", "in [a,b,c]", In, nil, [][]string{{"a"}, {"b"}, {"c"}}, "in [a, b, c]"},
		{"in bracket glued", "in[1,2]", In, nil, [][]string{{"1"}, {"2"}}, "in [1, 2]"},
		{"in double-quoted items", `in ["enforcing", "permissive"]`, In, nil, [][]string{{"enforcing"}, {"permissive"}}, "in [enforcing, permissive]"},
		{"in single-quoted items", `in ['v1', 'v2']`, In, nil, [][]string{{"v1"}, {"v2"}}, "in [v1, v2]"},
		{"in multi-field item", `in ["4096 87380", 1]`, In, nil, [][]string{{"4096", "87380"}, {"1"}}, "in [4096 87380, 1]"},
		{"in with extra spaces", "in   [  a  ,   b  ]", In, nil, [][]string{{"a"}, {"b"}}, "in [a, b]"},
		{"in single item", "in [x]", In, nil, [][]string{{"x"}}, "in [x]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if e.Op != tt.op {
				t.Errorf("Op = %q, want %q", e.Op, tt.op)
			}
			if !reflect.DeepEqual(e.Fields, tt.fields) {
				t.Errorf("Fields = %q, want %q", e.Fields, tt.fields)
			}
			if !reflect.DeepEqual(e.Set, tt.set) {
				t.Errorf("Set = %q, want %q", e.Set, tt.set)
			}
			if got := e.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		errPart string
	}{
		{"empty", "", "empty"},
		{"blank", "   \t ", "empty"},
		{"operator without value", ">=", "needs a value"},
		{"operator with only spaces", ">=   ", "needs a value"},
		{"eq without value", "==", "needs a value"},
		{"ordering a word", ">= abc", "needs a number or version"},
		{"ordering a word in a later field", ">= 1 abc", "needs a number or version"},
		{"ordering a hex number", "< 0x10", "needs a number or version"},
		{"reversed operator", "=> 5", "unknown operator"},
		{"single equals", "= 5", "unknown operator"},
		{"bang alone", "!5", "unknown operator"},
		{"in without brackets", "in a, b", "brackets"},
		{"in with open bracket only", "in [a, b", "brackets"},
		{"in empty", "in []", "empty alternative"},
		{"in empty alternative", "in [a, , b]", "empty alternative"},
		{"in empty quoted alternative", `in [a, ""]`, "empty alternative"},
		{"too long", ">= " + strings.Repeat("1", maxLen), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.in, e)
			}
			if !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("Parse(%q) error %q does not mention %q", tt.in, err, tt.errPart)
			}
		})
	}
}

func TestParseAcceptsExactlyMaxLen(t *testing.T) {
	s := ">= " + strings.Repeat("1", maxLen-3)
	if _, err := Parse(s); err != nil {
		t.Fatalf("Parse of a %d-character expectation: %v", len(s), err)
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		name     string
		expr     string
		observed string
		want     bool
	}{
		// integers
		{"ge equal", ">= 65535", "65535", true},
		{"ge above", ">= 65535", "65536", true},
		{"ge below", ">= 65535", "4096", false},
		{"gt equal", "> 10", "10", false},
		{"gt above", "> 10", "11", true},
		{"le equal", "<= 10", "10", true},
		{"le above", "<= 10", "60", false},
		{"lt below", "< 10", "9", true},
		{"lt equal", "< 10", "10", false},
		{"observed has surrounding whitespace", ">= 1024", "  4096\n", true},
		{"max uint64", ">= 18446744073709551615", "18446744073709551615", true},
		{"beyond uint64", "> 18446744073709551615", "18446744073709551616", true},
		{"beyond uint64 smaller", "< 18446744073709551615", "18446744073709551616", false},
		{"max int64 below max uint64", ">= 18446744073709551615", "9223372036854775807", false},
		{"negatives", ">= -1", "-1", true},
		{"negative below", ">= -1", "-2", false},
		{"negative vs positive", "< 0", "-5", true},
		{"leading zero is a number", ">= 8", "010", true},
		// multi-field: every field must satisfy
		{"tcp_rmem third field too small", ">= 4096 87380 134217728", "4096\t131072\t6291456", false},
		{"tcp_rmem all fields large enough", ">= 4096 87380 6291456", "4096\t131072\t6291456", true},
		{"multi-field le", "<= 10 20", "10 21", false},
		// versions
		{"el7 kernel above patch bound", ">= 3.10.0-1160", "3.10.0-1160.119.1.el7.x86_64", true},
		{"el7 kernel below patch bound", ">= 3.10.0-1160", "3.10.0-957.el7.x86_64", false},
		{"minor compares numerically", ">= 5.14", "5.4.0", false},
		{"minor compares numerically above", ">= 5.4", "5.14.0-362.el9.x86_64", true},
		{"glibc", ">= 2.17", "2.28", true},
		{"glibc lt", "< 2.34", "2.34", false},
		{"version vs integer bound", ">= 5", "5.4.0", true},
		{"version vs larger integer bound", ">= 6", "5.15.0-91-generic", false},
		{"longer equal prefix is greater", "> 3.10", "3.10.0", true},
		// equality
		{"eq number", "== 1", "1", true},
		{"eq number by value", "== 1", "01", true},
		{"eq number differs", "== 1", "0", false},
		{"eq word", "== enforcing", "enforcing", true},
		{"eq word differs", "== enforcing", "permissive", false},
		{"eq word is case sensitive", "== enforcing", "Enforcing", false},
		{"bare word", "enforcing", "enforcing", true},
		{"bare multi-field", "4096 87380", "4096\t87380", true},
		{"eq field count differs", "== 1 2", "1", false},
		{"eq versions compare as text", "== 1.0", "1.00", false},
		{"eq version exact", "== 2.17", "2.17", true},
		{"eq word vs number", "== abc", "1", false},
		{"ne equal", "!= 0", "0", false},
		{"ne differs", "!= 0", "1", true},
		{"ne word", "!= disabled", "enforcing", true},
		{"ne by value", "!= 1", "01", false},
		{"ne empty observed", "!= 0", "", true},
		// in
		{"in first", "in [enforcing, permissive]", "enforcing", true},
		{"in second", "in [enforcing, permissive]", "permissive", true},
		{"in none", "in [enforcing, permissive]", "disabled", false},
		{"in by value", "in [1, 2]", "02", true},
		{"in multi-field", `in ["4096 87380", "1 2"]`, "1\t2", true},
		{"in empty observed", "in [a]", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			got, err := e.Eval(tt.observed)
			if err != nil {
				t.Fatalf("%q.Eval(%q): %v", tt.expr, tt.observed, err)
			}
			if got != tt.want {
				t.Errorf("%q.Eval(%q) = %v, want %v", tt.expr, tt.observed, got, tt.want)
			}
		})
	}
}

func TestEvalCannotDecide(t *testing.T) {
	tests := []struct {
		name     string
		expr     string
		observed string
		errPart  string
	}{
		{"fewer fields than the bound", ">= 4096 87380 134217728", "4096 87380", "expected 3 field(s), observed 2"},
		{"more fields than the bound", ">= 4096", "4096 87380", "expected 1 field(s), observed 2"},
		{"empty observed", ">= 1", "", "observed 0"},
		{"word observed", ">= 10", "unlimited", `"unlimited" is not a number`},
		{"word in a later field", ">= 1 2", "1 x", `"x" is not a number`},
		{"word observed against a version", ">= 3.10", "unknown", `"unknown" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			got, err := e.Eval(tt.observed)
			if err == nil {
				t.Fatalf("%q.Eval(%q) = %v, want an error", tt.expr, tt.observed, got)
			}
			if got {
				t.Errorf("%q.Eval(%q) returned true with an error", tt.expr, tt.observed)
			}
			if !strings.Contains(err.Error(), tt.errPart) {
				t.Errorf("error %q does not mention %q", err, tt.errPart)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		expr string
		want string
		ok   bool
	}{
		{">= 65535", "65535", true},
		{"<= 10", "10", true},
		{"== enforcing", "enforcing", true},
		{"permissive", "permissive", true},
		{">= 4096 87380 134217728", "4096 87380 134217728", true},
		{"> 10", "11", true},
		{"< 10", "9", true},
		{"> 18446744073709551615", "18446744073709551616", true},
		{"< -1", "-2", true},
		{"> 1 2", "2 3", true},
		{"in [enforcing, permissive]", "enforcing", true},
		{`in ["4096 87380", x]`, "4096 87380", true},
		{"!= 0", "", false},
		{"> 3.10", "", false},
		{"< 2.34", "", false},
		{"> 1 2.5", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := Parse(tt.expr)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.expr, err)
			}
			got, ok := e.Suggest()
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Suggest() = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
			if !ok {
				return
			}
			// A suggestion is only useful if it satisfies the expectation.
			pass, err := e.Eval(got)
			if err != nil || !pass {
				t.Errorf("Eval(Suggest()) = %v, %v; want true", pass, err)
			}
		})
	}
}

func TestStringRoundTrips(t *testing.T) {
	for _, in := range []string{
		">= 65535", "bare", "in [a, b]", `in ["a b", 'c']`, `in ["'quoted'", x]`,
		`in ['"x"']`, `in ["'a' 'b'"]`, "== in [x]", "!= 1 2 3",
	} {
		t.Run(in, func(t *testing.T) {
			e, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", in, err)
			}
			again, err := Parse(e.String())
			if err != nil {
				t.Fatalf("Parse(String() = %q): %v", e.String(), err)
			}
			if !reflect.DeepEqual(again, e) {
				t.Errorf("Parse(%q) = %#v, want %#v", e.String(), again, e)
			}
		})
	}
}

func TestNegativeIntegersAreBelowEveryVersion(t *testing.T) {
	for _, c := range []struct {
		expr, obs string
		want      bool
	}{{">= 0.5", "-1", false}, {"<= 0.5", "-1", true}, {">= -1", "0.5", true}} {
		e, err := Parse(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.Eval(c.obs); err != nil || got != c.want {
			t.Errorf("%s vs %s = %v, %v; want %v", c.expr, c.obs, got, err, c.want)
		}
	}
}
