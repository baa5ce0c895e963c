package file

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
)

func TestParseMode(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   []uint32
		miss []uint32
	}{
		{"0640", "0640", []uint32{0o640}, []uint32{0o644, 0o4640}},
		{"640", "0640", []uint32{0o640}, []uint32{0o600}},
		{"4755", "4755", []uint32{0o4755}, []uint32{0o755}},
		{"0o750", "0750", []uint32{0o750}, nil},
		{"== 0600", "0600", []uint32{0o600}, nil},
		{"<= 0755", "<= 0755", []uint32{0o755, 0o700, 0}, []uint32{0o4755, 0o775, 0o1755}},
		{"<=7755", "<= 7755", []uint32{0o4755, 0o6755}, []uint32{0o775, 0o757}},
		{">= 0600", ">= 0600", []uint32{0o600, 0o644, 0o4777}, []uint32{0o400, 0o200}},
		{"none 0022", "none 0022", []uint32{0o755, 0o4700}, []uint32{0o775, 0o757}},
	}
	for _, c := range cases {
		e, err := parseMode(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if e.String() != c.want {
			t.Errorf("%q: String %q, want %q", c.in, e, c.want)
		}
		for _, m := range c.ok {
			if !e.match(m) {
				t.Errorf("%q does not match %04o", c.in, m)
			}
		}
		for _, m := range c.miss {
			if e.match(m) {
				t.Errorf("%q matches %04o", c.in, m)
			}
			if fix := e.fix(m); !e.match(fix) {
				t.Errorf("%q: fix(%04o) = %04o does not match", c.in, m, fix)
			}
		}
	}
	for _, bad := range []string{"", "64", "0999", "12345", "rwxr-x---", "nonе 022", "none", "<= ", "u+rwx", "0x1ed", "none0022"} {
		if _, err := parseMode(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestFixChangesFewestBits(t *testing.T) {
	for in, want := range map[string][2]uint32{
		"<= 0750":   {0o755, 0o750},
		">= 0600":   {0o400, 0o600},
		"none 0022": {0o4777, 0o4755},
		"0640":      {0o777, 0o640},
	} {
		e, _ := parseMode(in)
		if got := e.fix(want[0]); got != want[1] {
			t.Errorf("%s: fix(%04o) = %04o, want %04o", in, want[0], got, want[1])
		}
	}
}

func TestContains(t *testing.T) {
	data := []byte("listen: 8080\nlog_level: info\n# debug: true\r\ntls: on")
	var pats []pattern
	for _, s := range []string{"listen: ", "/^log_level: (info|warn)$/", "!debug: false", `\!bang`, "/^tls: on$/", "!/^debug/"} {
		p, err := parsePattern(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		pats = append(pats, p)
	}
	got := missed(data, pats)
	if len(got) != 1 || !strings.Contains(got[0], `\\!bang`) {
		t.Errorf("missed %q, want only the literal !bang", got)
	}
	p, _ := parsePattern("!debug: true")
	if got := missed(data, []pattern{p}); len(got) != 1 || !strings.Contains(got[0], "line 3") {
		t.Errorf("negated: %q", got)
	}
	for _, bad := range []string{"", "!", "/(/", "a\nb", "//", "/a(?=b)/"} {
		if _, err := parsePattern(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestBuildErrorsNameFileAndLine(t *testing.T) {
	cases := map[string]string{
		"file:\n  etc/x: {}\n":                                 "must be an absolute path",
		"file:\n  /etc/x: {mode: \"0999\"}\n":                  "not a mode",
		"file:\n  /etc/x: {type: dir}\n":                       "not one of file, directory",
		"file:\n  /etc/x: {exists: false, mode: \"0600\"}\n":   "exists: false allows no other aspect",
		"file:\n  /etc/x: {sha256: abc}\n":                     "not 64 hex digits",
		"file:\n  /etc/x: {size: \">= big\"}\n":                "needs a number",
		"file:\n  /etc/x: {size: \"1.5\"}\n":                   "whole numbers",
		"file:\n  /etc/x: {contains: [\"/(/\"]}\n":             "not an RE2 regular expression",
		"file:\n  /etc/x: {owner: \"a b\"}\n":                  "not a user or group name",
		"file:\n  /etc/x: {owner: \"-R\"}\n":                   "not a user or group name",
		"file:\n  /etc/x: {type: file, target: /y}\n":          "a target makes the path a symlink",
		"file:\n  /etc/x: {}\n  /etc/./x: {}\n":                "named twice",
		"file:\n  /etc/x: {colour: red}\n":                     "colour",
		"file:\n  /etc/x: {level: error}\n":                    "not one of fail, warn",
		"file:\n  /etc/x: 0640\n":                              "expected a mapping",
		"file: [/etc/x]\n":                                     "expected a mapping",
		"file:\n  /etc/x: {severity: urgent}\n":                "not one of critical",
		"file:\n  /etc/x: {contains: [\"a\", \"\"]}\n":         "empty pattern",
		"file:\n  /etc/x: {mode: \"<= 0755\", size: \"in\"}\n": "size",
	}
	for yaml, wantErr := range cases {
		p, err := profiletest.ResolveErr(t, "p.yaml", yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "p.yaml:") {
			t.Errorf("%q: %v, want an error with %q and the file", yaml, err, wantErr)
		}
	}
}

// TestUnquotedModeIsOctal: YAML reads 0640 as the number 416; the mode is
// the text as written.
func TestUnquotedModeIsOctal(t *testing.T) {
	p := profiletest.ResolveNamed(t, "p.yaml", "file:\n  /etc/x: {mode: 0640}\n")
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	if got := checks[1].Meta().Expected; got != "0640" {
		t.Errorf("expected %q", got)
	}
}

func runYAML(t *testing.T, h *host.Host, yaml string) map[string]engine.Result {
	t.Helper()
	p := profiletest.ResolveNamed(t, "p.yaml", yaml)
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]engine.Result{}
	for _, c := range checks {
		r := c.Run(context.Background(), h)
		r.ID = c.ID()
		out[r.ID] = r
	}
	return out
}

func TestVerdictsAndRemediation(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/passwd":        "root:x:0:0::/root:/bin/bash\napp:x:1000:1000::/opt/app:/sbin/nologin\n",
		"etc/group":         "root:x:0:\napp:x:1000:\n",
		"etc/nsswitch.conf": "passwd: files sss\ngroup: files\n",
		"etc/app/conf":      "listen: 1\n",
		"etc/app/current":   "->conf",
		"etc/app/dangling":  "->nowhere",
	})
	if err := os.Chmod(filepath.Join(h.Root(), "etc/app/conf"), 0o664); err != nil {
		t.Fatal(err)
	}
	got := runYAML(t, h, `file:
  /etc/app/conf: {mode: "<= 0640", owner: root, group: app, size: "> 100", contains: ["listen", "!/^listen: 1$/"]}
  /etc/app/current: {type: symlink, target: conf, mode: "<= 0640"}
  /etc/app/dangling: {mode: "0600"}
  /etc/app/missing: {exists: false}
  /etc/app/gone: {mode: "0600", owner: app}
  /etc/app: {type: file, owner: ldapuser}
`)
	for id, want := range map[string]engine.Status{
		"file/exists:/etc/app/conf":    engine.Pass,
		"file/mode:/etc/app/conf":      engine.Fail,
		"file/owner:/etc/app/conf":     engine.Pass,
		"file/group:/etc/app/conf":     engine.Fail, // owned by root:root when the test runs as root
		"file/size:/etc/app/conf":      engine.Fail,
		"file/contains:/etc/app/conf":  engine.Fail,
		"file/type:/etc/app/current":   engine.Pass,
		"file/target:/etc/app/current": engine.Pass,
		"file/mode:/etc/app/current":   engine.Fail,
		"file/mode:/etc/app/dangling":  engine.Fail,
		"file/exists:/etc/app/missing": engine.Pass,
		"file/exists:/etc/app/gone":    engine.Fail,
		"file/mode:/etc/app/gone":      engine.Skip,
		"file/owner:/etc/app/gone":     engine.Skip,
		"file/type:/etc/app":           engine.Fail,
		"file/owner:/etc/app":          engine.Error, // not in the files, and nsswitch names sss
	} {
		r, ok := got[id]
		if !ok {
			t.Errorf("%s: not built", id)
			continue
		}
		if id == "file/owner:/etc/app/conf" || id == "file/group:/etc/app/conf" {
			// The files belong to whoever runs the test: judge by uid.
			if os.Geteuid() != 0 {
				continue
			}
		}
		if r.Status != want {
			t.Errorf("%s: %s %q (observed %q), want %s", id, r.Status, r.Message, r.Observed, want)
		}
	}
	if a := got["file/mode:/etc/app/conf"].Remediation.Actions[0]; a.Kind != remediate.FileMode || a.Path != "/etc/app/conf" || a.Mode != "0640" || a.Owner+a.Group != "" {
		t.Errorf("mode fix %+v", a)
	}
	if m := got["file/owner:/etc/app"].Message; !strings.Contains(m, "sss") || !strings.Contains(m, "files only") {
		t.Errorf("owner message %q does not name sss", m)
	}
	if os.Geteuid() == 0 {
		if a := got["file/group:/etc/app/conf"].Remediation.Actions[0]; a.Kind != remediate.FileMode || a.Group != "1000" || a.Owner != "" {
			t.Errorf("group fix %+v", a)
		}
	}
}

// TestExplain: every aspect explains for any clean path, and only those.
func TestExplain(t *testing.T) {
	for _, a := range aspects {
		id := "file/" + string(a) + ":/etc/x.conf"
		if m, ok := explain(id); !ok || m.ID != id || m.Title == "" || m.Why == "" || m.Fix == "" || len(m.Reads) == 0 {
			t.Errorf("%s: %+v %v", id, m, ok)
		}
	}
	for _, id := range []string{"file/mode:etc/x", "file/colour:/etc/x", "file/mode:/etc/../x", "file/mode", "user/mode:/x"} {
		if _, ok := explain(id); ok {
			t.Errorf("%s explained", id)
		}
	}
}
