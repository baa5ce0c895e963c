package gossimport

import (
	"os"
	"testing"
)

// FuzzLoadConvert: a gossfile is outside input; any bytes load or fail
// with an error, and what loads converts.
func FuzzLoadConvert(f *testing.F) {
	for _, p := range []string{"testdata/goss.yaml", "testdata/include/extra.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("port:\n  tcp:22: {listening: true}\n  tcp6:22: {listening: true}\n"))
	f.Add([]byte("file:\n  {{.Vars.x}}: {}\n"))
	f.Add([]byte("gossfile:\n  self.yaml: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := loadBytes("/nonexistent/self.yaml", data, Options{Vars: map[string]any{"x": "/y"}})
		if err != nil {
			return
		}
		if _, err := Convert(r); err != nil {
			t.Fatalf("convert: %v", err)
		}
	})
}
