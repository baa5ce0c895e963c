package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golive import goss: the importer's output on standard output or -o,
// exit 2 with the file and line on a bad gossfile, -o kept unless --force,
// and the result validates with golive validate.
func TestImportGoss(t *testing.T) {
	d := t.TempDir()
	gossfile := filepath.Join(d, "goss.yaml")
	if err := os.WriteFile(gossfile, []byte("file:\n  /etc/passwd: {exists: true, mode: \"0644\"}\ncommand:\n  id: {exit-status: 0}\nuser:\n  {{.Vars.user}}: {exists: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := filepath.Join(d, "vars.yaml")
	_ = os.WriteFile(vars, []byte("user: root\n"), 0o644)
	code, out, errOut := runInProcess(t, "import", "goss", gossfile, "--vars", vars)
	if code != 0 || !strings.Contains(out, `/etc/passwd: {exists: true, mode: "0644"}`) || !strings.Contains(out, `goss command "id"`) ||
		!strings.Contains(out, "root: {exists: true}") || !strings.Contains(errOut, "imported 2 goss resources; 1 written as comments") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	dst := filepath.Join(d, "golive.yaml")
	if code, _, errOut := runInProcess(t, "import", "goss", gossfile, "--vars", vars, "-o", dst); code != 0 {
		t.Fatalf("-o: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runInProcess(t, "validate", dst); code != 0 {
		t.Fatalf("the import does not validate: %s", errOut)
	}
	if code, _, errOut := runInProcess(t, "import", "goss", gossfile, "--vars", vars, "-o", dst); code != 2 || !strings.Contains(errOut, "exists") {
		t.Errorf("an existing -o: exit %d: %s", code, errOut)
	}
	bad := filepath.Join(d, "bad.yaml")
	_ = os.WriteFile(bad, []byte("file:\n  /x: [1]\n"), 0o644)
	if code, _, errOut := runInProcess(t, "import", "goss", bad); code != 2 || !strings.Contains(errOut, "bad.yaml:2") {
		t.Errorf("a bad gossfile: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runInProcess(t, "import", "goss", gossfile); code != 2 || !strings.Contains(errOut, `map has no entry for key "user"`) {
		t.Errorf("a template without its var: exit %d: %s", code, errOut)
	}
}
