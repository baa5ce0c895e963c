package gossimport

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/golive-sh/golive/checks/all" // every family, as golive validate plans them
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// validate is golive validate on the imported text: strict YAML, every
// section built by its family.
func validate(t *testing.T, text []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(p, text, 0o644); err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Resolve(profile.Request{Config: p, OS: host.OSRelease{ID: "rocky", VersionID: "9.4"}})
	if err == nil {
		_, err = engine.Build(prof)
	}
	if err != nil {
		t.Fatalf("the imported file does not validate: %v\n%s", err, text)
	}
}

// The fixture gossfile (YAML with a JSON include and a template): every
// resource becomes golive configuration or a comment with its reason, and
// the result validates.
func TestImportFixture(t *testing.T) {
	r, err := Load("testdata/goss.yaml", Options{Vars: map[string]any{"openssl": "1:1.0.2k-26.el7_9"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(r)
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.YAML)
	if res.Imported != 14 || res.Skipped != 3 {
		t.Errorf("imported %d, skipped %d, want 14 and 3:\n%s", res.Imported, res.Skipped, out)
	}
	for _, want := range []string{
		`openssl: {installed: true, version: "== 1:1.0.2k-26.el7_9"}`,
		`/etc/shadow: {exists: true, mode: "0000"}`, "not imported: md5: golive compares sha256 only",
		`net.core.somaxconn: "== 4096"`, `- {port: 22, expect: listening, address: 0.0.0.0}`,
		`goss command "echo hello" (goss.yaml:40): not imported: golive check never runs programs`,
		`goss interface "eth0" (extra.yaml:4)`, `goss service "sshd"`,
		"allow-insecure: golive always verifies TLS", "timeout: 2000ms",
		`/: {mounted: true, fstype: xfs, options: ["rw"]}`, `sshd: {running: true}`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the import lacks %q:\n%s", want, out)
		}
	}
	validate(t, res.YAML)
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// What golive refuses, it says with the file (and line where it has one).
func TestLoadErrors(t *testing.T) {
	d := t.TempDir()
	for name, c := range map[string]struct{ content, err string }{
		"func.yaml":  {"file:\n  /x:\n    exists: {{ upper \"true\" }}\n", `function "upper" not defined`},
		"var.yaml":   {"file:\n  {{.Vars.path}}: {}\n", `map has no entry for key "path"`},
		"list.yaml":  {"- a\n", "func.yaml"},
		"bad.yaml":   {"file: [a\n", "bad.yaml"},
		"res.yaml":   {"file:\n  /x: [1]\n", "res.yaml:2"},
		"cycle.yaml": {"gossfile:\n  cycle.yaml: {}\n", "included twice"},
		"none.yaml":  {"gossfile:\n  missing/*.yaml: {}\n", `"missing/*.yaml": no such file`},
	} {
		p := write(t, d, name, c.content)
		_, err := Load(p, Options{Vars: map[string]any{}})
		want := c.err
		if name == "list.yaml" {
			want = "a gossfile is a mapping"
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

// A generated corpus: random gossfiles of every resource type and
// attribute goss has; each import validates and accounts for every
// resource (configuration or comment).
func TestGeneratedCorpus(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 12))
	d := t.TempDir()
	for i := range 200 {
		var b strings.Builder
		total := 0
		for _, typ := range []string{"file", "package", "user", "group", "kernel-param", "mount", "process", "port", "http", "dns", "command", "addr", "service", "interface", "matching"} {
			if r.IntN(2) == 0 {
				continue
			}
			fmt.Fprintf(&b, "%s:\n", typ)
			for j := range 1 + r.IntN(3) {
				total++
				fmt.Fprintf(&b, "  %s:\n%s", genKey(r, typ, j), genAttrs(r, typ))
			}
		}
		p := write(t, d, fmt.Sprintf("g%d.yaml", i), b.String())
		res, err := Load(p, Options{})
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, b.String())
		}
		out, err := Convert(res)
		if err != nil {
			t.Fatal(err)
		}
		if out.Imported+out.Skipped != total {
			t.Errorf("case %d: %d imported + %d comments, want %d resources accounted for\n%s", i, out.Imported, out.Skipped, total, out.YAML)
		}
		validate(t, out.YAML)
	}
}

func genKey(r *rand.Rand, typ string, j int) string {
	switch typ {
	case "file", "mount":
		return fmt.Sprintf("/srv/g%d/x%d", r.IntN(5), j)
	case "port":
		return fmt.Sprintf("%s:%d", []string{"tcp", "udp", "tcp6"}[r.IntN(3)], 1000+j*1000+r.IntN(900))
	case "http":
		return fmt.Sprintf("http://127.0.0.1:%d/h%d", 1000+r.IntN(60000), j)
	case "kernel-param":
		return []string{"net.core.somaxconn", "vm.swappiness", "net.ipv4.tcp_rmem", "fs.file-max"}[j]
	}
	return fmt.Sprintf("name%d_%d", r.IntN(9), j)
}

func genAttrs(r *rand.Rand, typ string) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var lines []string
	add := func(p float64, l string) {
		if r.Float64() < p {
			lines = append(lines, "    "+l)
		}
	}
	switch typ {
	case "file":
		add(0.9, "exists: true")
		add(0.5, pick(`mode: "0644"`, `mode: "0600"`, `mode: "0755"`))
		add(0.5, "owner: "+pick("root", "app"))
		add(0.5, "group: "+pick("root", "app"))
		add(0.3, "filetype: "+pick("file", "directory", "symlink"))
		add(0.3, "contains: ["+pick(`"a"`, `"/^x$/"`, `"!debug"`)+"]")
		add(0.2, "md5: 0123")
		add(0.2, "size: 10")
		add(0.2, "sha256: "+strings.Repeat("a", 64))
	case "package":
		add(0.9, "installed: "+pick("true", "false"))
		add(0.4, "versions: ["+pick(`"1.0"`, `"1.0", "2.0"`)+"]")
	case "user":
		add(0.9, "exists: true")
		add(0.5, "uid: 1000")
		add(0.5, "gid: 1000")
		add(0.3, "groups: [wheel]")
		add(0.3, "home: /home/x")
		add(0.3, "shell: /bin/sh")
	case "group":
		add(0.9, "exists: true")
		add(0.5, "gid: 1000")
	case "kernel-param":
		lines = append(lines, "    value: "+pick(`"1"`, `"4096"`, `"4096 87380 6291456"`))
	case "mount":
		add(0.9, "exists: true")
		add(0.5, "opts: [rw]")
		add(0.5, "filesystem: xfs")
		add(0.3, "source: /dev/vdb1")
		add(0.2, "vfs-opts: [rw]")
	case "process":
		add(0.9, "running: "+pick("true", "false"))
	case "port":
		add(0.9, "listening: "+pick("true", "false"))
		add(0.4, "ip: ["+pick(`"0.0.0.0"`, `"127.0.0.1"`, `"0.0.0.0", "::"`)+"]")
	case "http":
		add(0.9, "status: "+pick("200", "204", "301"))
		add(0.4, "body: [ok]")
		add(0.3, "no-follow-redirects: true")
		add(0.3, "allow-insecure: true")
		add(0.3, "timeout: 1000")
		add(0.3, `headers: ["Content-Type: text/plain"]`)
		add(0.2, "username: u")
	case "dns":
		add(0.9, "resolvable: true")
		add(0.4, "addrs: [127.0.0.1]")
		add(0.3, "server: 10.0.0.2")
	default:
		add(1, "exists: true")
	}
	if len(lines) == 0 {
		return "    skip: false\n"
	}
	return strings.Join(lines, "\n") + "\n"
}
