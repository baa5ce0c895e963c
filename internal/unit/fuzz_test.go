package unit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

var unitSeeds = []string{
	"[Unit]\nDescription=x\n[Service]\nExecStart=/bin/x\nEnvironment=\"A=1 2\" B=3\n",
	"[Service]\nEnvironment=A=1 \\\n B=2\n",
	"[Service]\nEnvironmentFile=-/etc/default/app\nEnvironment=\n",
	"[Service\n",
	"garbage before\n[Service]\nA\n",
	"[Service]\n" + strings.Repeat("x", 3000),
	"[Service]\nEnvironment='unterminated\n",
	"",
}

// FuzzParse feeds arbitrary text as a unit file: Parse returns options or
// an error, never panics or hangs, and never leaves a continuation's
// backslash-newline in a value.
func FuzzParse(f *testing.F) {
	for _, s := range unitSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts, err := Parse(data)
		if err != nil {
			return
		}
		for _, o := range opts {
			if strings.Contains(o.Value, "\\\n") {
				t.Fatalf("continuation left in %q", o.Value)
			}
		}
	})
}

// FuzzLoadEnvironment writes a unit and an environment file into a temp
// root and loads the service's environment: no panic, every variable name
// valid, every source one of the files read.
func FuzzLoadEnvironment(f *testing.F) {
	for _, s := range unitSeeds {
		f.Add(s, "A=1\n")
	}
	f.Add("[Service]\nEnvironmentFile=/etc/default/app\n", "A='x\nB=\"y\\\"\"\n# c\\\nC=3")
	f.Add("[Service]\nEnvironment=A=\\x41 B=%n%i%%\nUnsetEnvironment=A\n", "")
	f.Fuzz(func(t *testing.T, unitText, envText string) {
		root := t.TempDir()
		for p, content := range map[string]string{
			"etc/systemd/system/app@i.service": unitText,
			"etc/default/app":                  envText,
		} {
			full := filepath.Join(root, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h, err := host.New(root)
		if err != nil {
			t.Fatal(err)
		}
		u, err := Load(h, "app@i.service")
		if err != nil {
			return
		}
		env := u.Environment(h)
		for name, v := range env.Vars {
			if !ValidEnvName(name) || v.Name != name {
				t.Fatalf("invalid variable %q (%+v)", name, v)
			}
			if v.Source != "/etc/systemd/system/app@i.service" && v.Source != "/etc/default/app" {
				t.Fatalf("source %q", v.Source)
			}
		}
	})
}

// FuzzParseEnvFile: any bytes give pairs, never a panic.
func FuzzParseEnvFile(f *testing.F) {
	for _, s := range []string{"A=1\n", "A='x\n", "A=\"\\", "#\\", "A=b\\\nc", "\r\r=\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, kv := range ParseEnvFile(data) {
			if kv[0] == "" {
				t.Fatalf("empty key from %q", data)
			}
		}
	})
}
