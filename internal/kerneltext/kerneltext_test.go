package kerneltext

import "testing"

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`/mnt/with\040space`: "/mnt/with space",
		`/tab\011x`:          "/tab\tx",
		`/plain`:             "/plain",
	} {
		if got, err := Unescape(in); err != nil || got != want {
			t.Errorf("Unescape(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`/short\04`, `/bad\09x`, `/over\777`} {
		if _, err := Unescape(bad); err == nil {
			t.Errorf("Unescape(%q) accepted", bad)
		}
	}
}

func TestClip(t *testing.T) {
	if got := Clip("abcdef", 3); got != "abc..." {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip("ab", 3); got != "ab" {
		t.Errorf("Clip = %q", got)
	}
}
