package remediate

import (
	"fmt"
	"io"
	"testing"
)

// benchInput is a large report's worth of fixes: 200 checks, each kind.
func benchInput() Input {
	var fixes []Fix
	for i := 0; i < 40; i++ {
		for _, f := range typical().Fixes[:5] {
			f.CheckID = fmt.Sprintf("%s#%d", f.CheckID, i)
			fixes = append(fixes, f)
		}
	}
	return testInput(fixes...)
}

func BenchmarkBash(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		if err := Bash(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAnsible(b *testing.B) {
	in := benchInput()
	b.ReportAllocs()
	for b.Loop() {
		if err := Ansible(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}
