package textfmt

import "testing"

func TestCountAgreesWithItsNumber(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{
		{0, "0 checks"},
		{1, "1 check"},
		{2, "2 checks"},
		{-1, "-1 checks"},
		{1000, "1000 checks"},
	} {
		if got := Count(c.n, "check", "checks"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
