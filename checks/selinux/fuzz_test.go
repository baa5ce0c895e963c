package selinux

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureSeeds adds every fixture root's copy of a file as a seed.
func fixtureSeeds(f *testing.F, rel string, extra ...any) {
	roots, _ := filepath.Glob("../../testdata/roots/*")
	for _, r := range roots {
		if data, err := os.ReadFile(filepath.Join(r, rel)); err == nil {
			f.Add(append([]any{data}, extra...)...)
		}
	}
}

// FuzzParseConfig: any bytes give a known mode or none, a line that
// exists, a usable policy name or a reason, and printable problems.
func FuzzParseConfig(f *testing.F) {
	fixtureSeeds(f, "etc/selinux/config")
	for _, s := range []string{"", "SELINUX=enforcing", "SELINUX=\x00", "SELINUXTYPE=../x\nSELINUX=Disabled\r\n", "selinuxtype=" + strings.Repeat("a", 300)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := parseConfig(data)
		lines := bytes.Count(data, []byte("\n")) + 1
		switch c.mode {
		case "", enforcing, permissive, disabled:
		default:
			t.Fatalf("mode %q", c.mode)
		}
		if (c.mode == "") != (c.modeLine == 0) || c.modeLine > lines || c.policyLine > lines {
			t.Fatalf("lines %d %d of %d", c.modeLine, c.policyLine, lines)
		}
		if c.policy == "" && c.policyProblem == "" || c.policy != "" && badPolicyName(c.policy) != "" {
			t.Fatalf("policy %q problem %q", c.policy, c.policyProblem)
		}
		for _, p := range c.problems {
			if p.Line < 1 || p.Line > lines || !utf8.ValidString(p.Text) || strings.ContainsAny(p.Text, "\n\x00") {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}

// FuzzFileContexts: any file either is refused with a line-numbered error
// or gives entries that look up any path without a panic, answering an
// entry of the table or an error.
func FuzzFileContexts(f *testing.F) {
	fixtureSeeds(f, "etc/selinux/targeted/contexts/files/file_contexts", "/opt/goservice/bin")
	fixtureSeeds(f, "etc/selinux/targeted/contexts/files/file_contexts.local", "/opt/goservice/data/x")
	fixtureSeeds(f, "etc/selinux/targeted/contexts/files/file_contexts.homedirs", "/home/app/.ssh")
	for _, s := range [][2]string{
		{"/a|/b\tu:r:t\n", "/x/b"}, {"/opt(/.*\tu:r:t\n", "/opt/x"}, {"/x\\\tu:r:t\n", "/x"},
		{"/(?=a)\tu:r:t\n", "/a"}, {"/a{1000000}\tu:r:t\n", "/a"}, {"/us\\r/x\t-l\t<<none>>\n", "/usr/x"},
	} {
		f.Add([]byte(s[0]), s[1])
	}
	f.Fuzz(func(t *testing.T, data []byte, p string) {
		specs, err := parseFileContexts("fc", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fc") {
				t.Fatalf("error %q names no file", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, s := range specs {
			if s.regex == "" || s.context == "" || s.line < 1 || s.line > lines || strings.ContainsAny(s.regex+s.context, " \t\n\x00") {
				t.Fatalf("entry %+v", s)
			}
		}
		fc := newFileContexts(specs, parseSubs("subs", data), nil)
		if fc.size() != len(specs) {
			t.Fatalf("%d entries, %d in the table", len(specs), fc.size())
		}
		for _, ft := range []fileType{anyFile, regularFile, directory, symlink} {
			for _, key := range []string{p, "/" + strings.TrimLeft(p, "/"), "/opt/x/bin/y", "/"} {
				m, err := fc.lookup(key, ft)
				if err != nil {
					continue
				}
				if m.spec != nil && m.spec.Type != anyFile && ft != anyFile && m.spec.Type != ft {
					t.Fatalf("%s %q matched an entry for %q", key, ft, m.spec.Type)
				}
			}
		}
	})
}

// FuzzParseContext: a context either parses into non-empty fields that
// print back as the input, or is refused with ErrBadContext.
func FuzzParseContext(f *testing.F) {
	for _, s := range []string{"system_u:object_r:bin_t:s0", "u:r:t", "s:s:s:s0-s0:c0.c1023", "::", "a:b:c:", "<<none>>", "\xff:\x00:t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseContext(s)
		if err != nil {
			return
		}
		if c.User == "" || c.Role == "" || c.Type == "" || c.String() != s {
			t.Fatalf("ParseContext(%q) = %+v", s, c)
		}
	})
}

// FuzzParseSubs: substitutions keep to their lines and rewrite only at a
// path boundary.
func FuzzParseSubs(f *testing.F) {
	fixtureSeeds(f, "etc/selinux/targeted/contexts/files/file_contexts.subs_dist", "/run/x")
	f.Add([]byte("/a /\n/ /b\n"), "/a/b")
	f.Fuzz(func(t *testing.T, data []byte, p string) {
		subs := parseSubs("subs", data)
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, s := range subs {
			if s.from == "" || s.to == "" || s.from == "/" || s.line < 1 || s.line > lines {
				t.Fatalf("substitution %+v", s)
			}
		}
		out, s := substitute(subs, p)
		if s == nil && out != p {
			t.Fatalf("%q rewritten to %q without a substitution", p, out)
		}
		if s != nil && !strings.HasPrefix(p, s.from) {
			t.Fatalf("%q rewritten by %+v", p, s)
		}
	})
}
