package report

import (
	"slices"
	"testing"
)

func TestFitColumns(t *testing.T) {
	tests := []struct {
		name    string
		natural []int
		budget  int
		want    []int
	}{
		{"fits: natural widths", []int{30, 10, 20}, 86, []int{30, 10, 20}},
		{"values give way before the ID", []int{36, 32, 50}, 86, []int{36, 25, 25}},
		{"ties: the rightmost narrows first", []int{20, 30, 30}, 79, []int{20, 30, 29}},
		{"then every column, widest first", []int{60, 40, 40}, 46, []int{26, 10, 10}},
		{"never below minColumn", []int{50, 50, 50}, 12, []int{minColumn, minColumn, minColumn}},
		{"narrow columns stay narrow", []int{5, 8, 8}, 12, []int{5, 8, 8}},
		{"huge values are bounded", []int{20, 1 << 30, 8}, 86, []int{20, 58, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fitColumns(tt.natural, tt.budget); !slices.Equal(got, tt.want) {
				t.Errorf("fitColumns(%v, %d) = %v, want %v", tt.natural, tt.budget, got, tt.want)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := map[string]string{
		"4096":                        "4096",
		"  4096\n":                    "4096",
		"a\nb":                        "a⏎b",
		"a\r\nb":                      "a⏎b",
		"a\rb\u2028c":                 "a⏎b⏎c",
		"a\tb":                        "a b",
		"\x1b[2Jx":                    "\ufffd[2Jx",
		"\u202egnp.exe":               "\ufffdgnp.exe",
		"bad\xffutf8":                 "bad\ufffdutf8",
		"Rocky Linux 9.3 (Blue Onyx)": "Rocky Linux 9.3 (Blue Onyx)",
		"ümlaut ✓":                    "ümlaut ✓",
	}
	for in, want := range tests {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
