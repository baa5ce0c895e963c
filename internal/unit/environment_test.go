package unit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestEnvironmentAssignments(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"usr/lib/systemd/system/app@.service": `[Service]
Environment=OLD=gone
Environment=
Environment="SSL_CERT_FILE=/opt/app/ca one.pem" PLAIN=1 'SINGLE=a b'
Environment=ESC=tab\there UNIT=%n INST=%i PCT=100%% KEEP=%H
Environment=not-valid=1 NOEQUALS
EnvironmentFile=-/etc/default/app
EnvironmentFile=-/etc/default/missing
EnvironmentFile=/etc/app.d/*.env
UnsetEnvironment=DROPPED KEEPIF=other
`,
		"etc/default/app":   "# comment\nPLAIN=from-file\nDROPPED=x\nKEEPIF=1\n",
		"etc/app.d/10.env":  "A=10\nSHARED=first\n",
		"etc/app.d/20.env":  "SHARED=second\n",
		"etc/app.d/ignored": "SHARED=not-matched\n",
	})
	f, err := Load(h, "app@blue.service")
	if err != nil {
		t.Fatal(err)
	}
	env := f.Environment(h)
	want := map[string]string{
		"SSL_CERT_FILE": "/opt/app/ca one.pem",
		"PLAIN":         "from-file", // EnvironmentFile= overrides Environment=
		"SINGLE":        "a b",
		"ESC":           "tab\there",
		"UNIT":          "app@blue.service",
		"INST":          "blue",
		"PCT":           "100%",
		"KEEP":          "%H",
		"KEEPIF":        "1", // UnsetEnvironment=KEEPIF=other does not match
		"A":             "10",
		"SHARED":        "second",
	}
	got := map[string]string{}
	for _, v := range env.Sorted() {
		got[v.Name] = v.Value
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("environment\n%v\nwant\n%v", got, want)
	}
	if v, _ := env.Lookup("SSL_CERT_FILE"); v.Source != "/usr/lib/systemd/system/app@.service" {
		t.Errorf("SSL_CERT_FILE source %q", v.Source)
	}
	if v, _ := env.Lookup("PLAIN"); v.Source != "/etc/default/app" {
		t.Errorf("PLAIN source %q", v.Source)
	}
	if len(env.Problems) != 2 || !strings.Contains(env.Problems[0], "not-valid=1") || !strings.Contains(env.Problems[1], "NOEQUALS") {
		t.Errorf("problems %q: the two invalid assignments must be named", env.Problems)
	}
	if len(env.Files) != 3 || !env.Files[1].Missing || !env.Files[1].Optional || env.Files[2].Missing {
		t.Errorf("files %+v", env.Files)
	}
}

func TestMissingRequiredEnvironmentFileIsAProblem(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/systemd/system/app.service": "[Service]\nEnvironmentFile=/etc/sysconfig/app\nEnvironmentFile=relative\n",
	})
	f, err := Load(h, "app.service")
	if err != nil {
		t.Fatal(err)
	}
	env := f.Environment(h)
	if len(env.Problems) != 2 || !strings.Contains(env.Problems[0], "refuses to start") || !strings.Contains(env.Problems[1], "not an absolute path") {
		t.Errorf("problems %q", env.Problems)
	}
}

func TestSplitWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{`A=1 B=2`, []string{"A=1", "B=2"}, ""},
		{`"A=one two"   B=3`, []string{"A=one two", "B=3"}, ""},
		{`A="mid"dle'x y'`, []string{"A=middlex y"}, ""},
		{`A=\x41\101\u00e9\s\"q\"`, []string{"A=AAé \"q\""}, ""},
		{`"A=\t"`, []string{"A=\t"}, ""},
		{`A="open`, nil, "unterminated quote"},
		{`A=\`, nil, "trailing backslash"},
		{`A=\q`, nil, "invalid escape"},
		{`A=\x4`, nil, "short escape"},
		{``, nil, ""},
	}
	for _, c := range cases {
		got, err := SplitWords(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %q %v, want %q", c.in, got, err, c.want)
		}
	}
}

func TestParseEnvFile(t *testing.T) {
	cases := []struct {
		name, in string
		want     [][2]string
	}{
		{"plain", "A=1\nB = 2 \n", [][2]string{{"A", "1"}, {"B", "2"}}},
		{"comments", "# A=1\n; B=2\n  C=3\n", [][2]string{{"C", "3"}}},
		{"no equals", "JUNK\nA=1\n", [][2]string{{"A", "1"}}},
		{"empty value", "A=\nB=", [][2]string{{"A", ""}, {"B", ""}}},
		{"single quotes literal", `A='x \n $y'` + "\n", [][2]string{{"A", `x \n $y`}}},
		{"double quotes escapes", `A="q\"d\\ \$ \n"` + "\n", [][2]string{{"A", `q"d\ $ \n`}}},
		{"multi-line double quote", "A=\"one\ntwo\"\n", [][2]string{{"A", "one\ntwo"}}},
		{"unquoted escape and continuation", "A=a\\ b\\\nc\n", [][2]string{{"A", "a bc"}}},
		{"trailing spaces trimmed, inner kept", "A=a b  \n", [][2]string{{"A", "a b"}}},
		{"no final newline", "A=last", [][2]string{{"A", "last"}}},
		{"CRLF", "A=1\r\nB=2\r\n", [][2]string{{"A", "1"}, {"B", "2"}}},
		{"comment continued by backslash", "# x \\\nA=1\n", [][2]string{{"A", "1"}}},
		{"later wins is the caller's job", "A=1\nA=2\n", [][2]string{{"A", "1"}, {"A", "2"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ParseEnvFile([]byte(c.in)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestValidEnvName(t *testing.T) {
	for s, want := range map[string]bool{"SSL_CERT_FILE": true, "_x1": true, "1X": false, "A-B": false, "": false, "A B": false} {
		if ValidEnvName(s) != want {
			t.Errorf("ValidEnvName(%q) = %v", s, !want)
		}
	}
}
