package facts

import (
	"reflect"
	"testing"
)

// The rules of glibc's files module, line by line (Passwd's doc comment).
func TestParsePasswdRules(t *testing.T) {
	data := "root:x:0:0:root:/root:/bin/bash\n" +
		"# app:x:1:1::/:/bin/sh\n" + // a comment
		"\n" +
		"+app::::::\n" + // NIS compat: the compat module's business
		"no colons at all\n" + // skipped: no uid
		"app:x:notanumber:1500::/:/bin/sh\n" + // skipped: bad uid
		"app:x:1500:x::/:/bin/sh\n" + // skipped: bad gid
		"app:x:1500:1500:first good line:/opt/app:/bin/sh\n" +
		"app:x:0:0:a later line loses:/:/bin/sh\n" +
		"  short:x:1600:1600\n" + // four fields, leading blanks: glibc takes it
		"colons:x:1700:1700:g:/h:/bin/sh:extra:more\n" + // the shell is the rest
		"crlf:x:1800:1800\r\n" + // the gid is "1800\r": skipped
		"nul\x00:x:1900:1900::/:/bin/sh\n" + // C sees "nul": no uid
		"big:x:4294967296:1::/:/bin/sh\n" + // does not fit 32 bits
		// strtoul's forms (found by TestAccountsDifferentialGlibc):
		"blank:x: 12:\v13\n" + "plus:x:+14:-0\n" + "wrap:x:-18446744073709551615:1\n" +
		"neg:x:-1:1\n" + "trail:x:15 :1\n" + "sign:x:+:1\n"
	pw := ParsePasswd([]byte(data))
	want := map[string]User{
		"root":   {Name: "root", Home: "/root", Shell: "/bin/bash", Line: 1},
		"app":    {Name: "app", UID: 1500, GID: 1500, Home: "/opt/app", Shell: "/bin/sh", Line: 8},
		"short":  {Name: "short", UID: 1600, GID: 1600, Line: 10},
		"colons": {Name: "colons", UID: 1700, GID: 1700, Home: "/h", Shell: "/bin/sh:extra:more", Line: 11},
		"blank":  {Name: "blank", UID: 12, GID: 13, Line: 15},
		"plus":   {Name: "plus", UID: 14, Line: 16},
		"wrap":   {Name: "wrap", UID: 1, GID: 1, Home: "", Line: 17}, // -(2^64-1) is 1 modulo 2^64
	}
	for name, w := range want {
		if u, ok := pw.User(name); !ok || u != w {
			t.Errorf("User(%q) = %+v, %v; want %+v", name, u, ok, w)
		}
	}
	for _, name := range []string{"+app", "nul", "nul\x00", "big", "no colons at all", "# app", "crlf", "neg", "trail", "sign"} {
		if u, ok := pw.User(name); ok {
			t.Errorf("User(%q) = %+v: glibc skips that line", name, u)
		}
	}
	if u, ok := pw.UserByUID(1500); !ok || u.Line != 8 {
		t.Errorf("UserByUID(1500) = %+v, %v", u, ok)
	}
	if u, ok := pw.UserByUID(0); !ok || u.Name != "root" {
		t.Errorf("UserByUID(0) = %+v: the first line with uid 0 is root's", u)
	}
	wantProblems := []AccountProblem{
		{5, "", "malformed line"}, {6, "app", "malformed uid or gid"}, {7, "app", "malformed uid or gid"},
		{12, "crlf", "malformed uid or gid"}, {13, "", "malformed line"}, {14, "big", "malformed uid or gid"},
		{18, "neg", "malformed uid or gid"}, {19, "trail", "malformed uid or gid"}, {20, "sign", "malformed uid or gid"},
	}
	if !reflect.DeepEqual(pw.Problems, wantProblems) {
		t.Errorf("problems %+v\nwant %+v", pw.Problems, wantProblems)
	}
}

func TestParseGroupsRules(t *testing.T) {
	data := "root:x:0:\n" +
		"wheel:x:10: app, root ,ops\n" + // leading blanks go, trailing ones stay
		"ops:x:2000\n" + // three fields: no members
		"toofew:x\n" +
		"bad:x:x:app\n" +
		"ops:x:2002:app\n" + // a second ops line: getgrnam finds the first
		"twin:x:2001:app,app\n" +
		"tail:x:2003:app:with:colons\n" +
		// initgroups reads comment and NIS compat lines too, and a compat
		// line's empty gid is 0 (TestAccountsDifferentialGlibc):
		"#old:x:2004:app\n" + "+nis:x::app\n" + "-nis:x:2005:app\n"
	g := ParseGroups([]byte(data))
	if gr, ok := g.Group("ops"); !ok || gr.GID != 2000 || len(gr.Members) != 0 {
		t.Errorf("Group(ops) = %+v, %v", gr, ok)
	}
	if gr, ok := g.GroupByGID(10); !ok || !reflect.DeepEqual(gr.Members, []string{"app", "root ", "ops"}) {
		t.Errorf("GroupByGID(10) = %+v, %v", gr, ok)
	}
	if got, want := g.Supplementary("app"), []uint64{10, 2002, 2001, 2004, 0, 2005}; !reflect.DeepEqual(got, want) {
		t.Errorf("Supplementary(app) = %v, want %v (a member named app:with:colons is not app)", got, want)
	}
	if got := g.Supplementary("root"); len(got) != 0 {
		t.Errorf("Supplementary(root) = %v: \"root \" is another name to glibc", got)
	}
	for _, name := range []string{"bad", "#old", "+nis", "-nis"} {
		if _, ok := g.Group(name); ok {
			t.Errorf("Group(%q): getgrnam skips that line", name)
		}
	}
	want := []AccountProblem{{4, "", "malformed line"}, {5, "bad", "malformed gid"}}
	if !reflect.DeepEqual(g.Problems, want) {
		t.Errorf("problems %+v, want %+v", g.Problems, want)
	}
}
