package envframe

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	vars := []Var{
		{"GOLIVE_MYSQL_PRIMARY_DSN", "app:p@ss\nword\x00end\n@tcp(10.0.0.1:3306)/"},
		{"EMPTY", ""},
		{"_x1", strings.Repeat("z", MaxValueSize)},
	}
	data, err := Encode(vars)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(vars) {
		t.Fatalf("%d vars, want %d", len(got), len(vars))
	}
	for i := range vars {
		if got[i] != vars[i] {
			t.Errorf("var %d: %q, want %q", i, got[i].Name, vars[i].Name)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for _, vars := range [][]Var{
		{{"1BAD", "x"}}, {{"A B", "x"}}, {{"", "x"}}, {{"A=B", "x"}},
		{{"BIG", strings.Repeat("x", MaxValueSize+1)}},
	} {
		if _, err := Encode(vars); err == nil {
			t.Errorf("Encode(%q) succeeded", vars[0].Name)
		} else if strings.Contains(err.Error(), "xxxx") {
			t.Errorf("error shows the value: %v", err)
		}
	}
}

// Malformed frames are refused, and no error shows a value.
func TestDecodeRefuses(t *testing.T) {
	const secret = "s3cr3t-value"
	for name, frame := range map[string]string{
		"empty":          "",
		"no header":      "A 1\nx\nend\n",
		"wrong header":   "golive-env/2\nend\n",
		"no end":         header + "\nA 12\n" + secret + "\n",
		"short value":    header + "\nA 20\n" + secret + "\nend\n",
		"long value":     header + "\nA 3\n" + secret + "\nend\n",
		"bad length":     header + "\nA -1\n\nend\n",
		"plus length":    header + "\nA +1\nx\nend\n",
		"huge length":    header + "\nA 99999999999\nx\nend\n",
		"bad name":       header + "\n1A 1\nx\nend\n",
		"twice":          header + "\nA 1\nx\nA 1\ny\nend\n",
		"no length":      header + "\n" + secret + "\nend\n",
		"long line":      header + "\n" + strings.Repeat("A", 1000) + "\n",
		"over the frame": header + "\n" + strings.Repeat("A 65536\n"+strings.Repeat("x", 65536)+"\n", 17),
	} {
		_, err := Decode(strings.NewReader(frame))
		if !errors.Is(err, ErrFrame) {
			t.Errorf("%s: %v, want ErrFrame", name, err)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error shows the value: %v", name, err)
		}
	}
}

func TestDecodeBoundsVarCount(t *testing.T) {
	var b strings.Builder
	b.WriteString(header + "\n")
	for i := 0; i <= MaxVars; i++ {
		fmt.Fprintf(&b, "V%d 0\n\n", i)
	}
	b.WriteString("end\n")
	if _, err := Decode(strings.NewReader(b.String())); !errors.Is(err, ErrFrame) {
		t.Errorf("%d vars: %v, want ErrFrame", MaxVars+1, err)
	}
}

func FuzzDecode(f *testing.F) {
	ok, _ := Encode([]Var{{"A", "x\ny"}, {"B", ""}})
	f.Add(ok)
	f.Add([]byte(header + "\nend\n"))
	f.Add([]byte(header + "\nA 5\nab\nend\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What decodes re-encodes to a frame that decodes the same.
		again, err := Encode(vars)
		if err != nil {
			t.Fatalf("decoded vars do not encode: %v", err)
		}
		back, err := Decode(bytes.NewReader(again))
		if err != nil || len(back) != len(vars) {
			t.Fatalf("re-decode: %v", err)
		}
		for i := range vars {
			if back[i] != vars[i] {
				t.Fatalf("var %d changed", i)
			}
		}
	})
}
