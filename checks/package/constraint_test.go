package packages

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
	"github.com/golive-sh/golive/internal/testenv"
)

func TestParseConstraint(t *testing.T) {
	for in, want := range map[string]string{
		">= 3.0":             ">= 3.0",
		">=3.0,<4":           ">= 3.0, < 4",
		"1:2.4.6-1.el9":      "== 1:2.4.6-1.el9",
		"= 1.0":              "== 1.0",
		" != 2.0~rc1 , > 1 ": "!= 2.0~rc1, > 1",
		"< 20240203~22.04.1": "< 20240203~22.04.1",
	} {
		c, err := parseConstraint(in)
		if err != nil || c.String() != want {
			t.Errorf("parseConstraint(%q) = %q, %v; want %q", in, c, err, want)
		}
	}
	for _, in := range []string{"", ">=", ">= 1,", "> 1 2", ">> 1", "=> 1", "-1", "~1", "1,,2", "< 1 || > 2", ">= " + strings.Repeat("1", 300)} {
		if c, err := parseConstraint(in); err == nil {
			t.Errorf("parseConstraint(%q) = %q, want an error", in, c)
		}
	}
}

// TestCompareByTheWrittenParts pins the rule of docs/checks.md on the
// cases it names.
func TestCompareByTheWrittenParts(t *testing.T) {
	for _, c := range []struct {
		eco             ecosystem
		installed, want string
		met             bool
	}{
		{rpm, "1:1.0.2k-26.el7_9", ">= 3.0", false},
		{rpm, "1:1.0.2k-26.el7_9", ">= 1:0.9", true},
		{rpm, "1:3.0.7-27.el9", ">= 3.0", true},
		{rpm, "3.0.7-27.el9", "== 3.0.7", true},
		{rpm, "3.0.7-27.el9", "<= 3.0.7", true},
		{rpm, "3.0.7-27.el9", "< 3.0.7", false},
		{rpm, "3.0.7-27.el9", "< 3.0.7-28.el9", true},
		{rpm, "5.14.0-427.13.1.el9_4", ">= 5.14.0-362", true},
		{dpkg, "3.0.2-0ubuntu1.18", ">= 3.0.2-0ubuntu1.10", true},
		{dpkg, "3.0.2-0ubuntu1.18", "<= 3.0.2", true},
		{dpkg, "1:9.18.28-0ubuntu0.22.04.1", "< 9.20", true},
		{dpkg, "20240203~22.04.1", ">= 20240203", false},
		{dpkg, "2.35-0ubuntu3.8", ">= 2.35, < 2.36", true},
	} {
		k, err := parseConstraint(c.want)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.met(c.eco, c.installed); got != c.met {
			t.Errorf("%s: %s meets %q = %v, want %v", c.eco, c.installed, c.want, got, c.met)
		}
	}
}

// ops as dpkg --compare-versions and rpm's dependency strings spell them.
var dpkgOps = map[string]string{">=": "ge", ">": "gt", "<=": "le", "<": "lt", "==": "eq", "!=": "ne"}

// complete writes into want the parts of installed that a constraint
// without them leaves out: then the reference program, which would count
// them, compares exactly what golive compares.
func complete(installed, want string, release bool) string {
	ie, irest := splitEpoch(installed)
	we, wrest := splitEpoch(want)
	if release && !strings.Contains(wrest, "-") {
		if i := strings.LastIndexByte(irest, '-'); i >= 0 {
			wrest += irest[i:]
		}
	}
	if we == "" && ie != "" {
		we = ie
	}
	if we == "" {
		return wrest
	}
	return we + ":" + wrest
}

// near draws a constraint version close to v, so that comparisons land on
// the boundaries: the same, with or without epoch and release, a digit
// bumped, a pre-release (~) or post-release (^, +) suffix.
func near(r *rand.Rand, v string, ops []string) string {
	e, rest := splitEpoch(v)
	ver, rel, hasRel := strings.Cut(rest, "-")
	switch r.IntN(5) {
	case 0:
		ver += []string{"~rc1", ".1", "+b1", "a"}[r.IntN(4)]
	case 1:
		if i := strings.IndexAny(ver, "0123456789"); i >= 0 {
			ver = ver[:i] + strconv.Itoa(max(int(ver[i]-'0')+r.IntN(3)-1, 0)) + ver[i+1:]
		}
	}
	out := ver
	if hasRel && r.IntN(2) == 0 {
		out += "-" + rel
		if r.IntN(3) == 0 {
			out += ".1"
		}
	}
	switch r.IntN(4) {
	case 0:
		if e != "" {
			out = e + ":" + out
		}
	case 1:
		out = strconv.Itoa(r.IntN(3)) + ":" + out
	}
	return ops[r.IntN(len(ops))] + " " + out
}

// TestConstraintsAgreeWithDpkg: each clause's verdict is dpkg
// --compare-versions' on the completed constraint, for generated
// installed versions and constraints near them.
func TestConstraintsAgreeWithDpkg(t *testing.T) {
	testenv.NeedCommand(t, "dpkg", "dpkg")
	r := rand.New(rand.NewPCG(20, 3))
	parts := []string{"0", "1", "9", "10", "a", "ubuntu", "~", "~rc1", "+", ".", "+dfsg", "build1"}
	var cases [][3]string // installed, op, want
	var input strings.Builder
	for len(cases) < 2000 {
		inst := genVersion(r, parts)
		op, want, _ := strings.Cut(near(r, inst, []string{">=", ">", "<=", "<", "==", "!="}), " ")
		if validVersion(want) != nil {
			continue
		}
		cases = append(cases, [3]string{inst, op, want})
		fmt.Fprintf(&input, "%s %s %s\n", inst, dpkgOps[op], complete(inst, want, true))
	}
	cmd := exec.Command("sh", "-c", `while read -r a op b; do if dpkg --compare-versions "$a" "$op" "$b"; then echo 1; else echo 0; fi; done`)
	cmd.Stdin = strings.NewReader(input.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg: %v", err)
	}
	answers := strings.Fields(string(out))
	if len(answers) != len(cases) {
		t.Fatalf("dpkg answered %d of %d", len(answers), len(cases))
	}
	for i, c := range cases {
		got := constraint{{c[1], c[2]}}.met(dpkg, c[0])
		if want := answers[i] == "1"; got != want {
			t.Errorf("dpkg: %s %s %s: golive %v, dpkg --compare-versions %s %s %s: %v", c[0], c[1], c[2], got, c[0], dpkgOps[c[1]], complete(c[0], c[2], true), want)
		}
	}
	t.Logf("differential: %d clauses held to dpkg --compare-versions", len(cases))
}

func genVersion(r *rand.Rand, parts []string) string {
	var b strings.Builder
	if r.IntN(3) == 0 {
		fmt.Fprintf(&b, "%d:", r.IntN(3))
	}
	b.WriteString(strconv.Itoa(r.IntN(12)))
	for range r.IntN(4) {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	if r.IntN(3) > 0 {
		fmt.Fprintf(&b, "-%d", r.IntN(4))
		for range r.IntN(3) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
	}
	return b.String()
}

// TestConstraintsAgreeWithRPM: each clause's verdict is rpm's own
// dependency-range match against a real rpm database: a package requiring
// "name OP version" (the installed epoch written into a constraint without
// one; != is the negation of =) is checked by rpm -i --test against the
// packages rpm recorded there.
func TestConstraintsAgreeWithRPM(t *testing.T) {
	rpmdbtest.Need(t)
	r := rand.New(rand.NewPCG(20, 4))
	specs := rpmdbtest.Random(r, 80)
	for i := range specs {
		specs[i].Description = "" // small headers: this test is about versions
		if r.IntN(3) > 0 {        // versions that look like versions, often
			specs[i].Version = genVersion(r, []string{"0", "1", "9", "10", "a", "~rc1", "^git1", ".", "_", "+"})
			v, _, _ := strings.Cut(specs[i].Version[strings.IndexByte(specs[i].Version, ':')+1:], "-")
			for strings.Contains(v, "..") { // rpmbuild refuses ".."
				v = strings.ReplaceAll(v, "..", ".")
			}
			specs[i].Version = v
		}
	}
	dir := rpmdbtest.InstallSQLite(t, rpmdbtest.Build(t, specs))
	type rcase struct{ name, installed, op, want, query string }
	var cases []rcase
	for _, s := range specs {
		inst := s.Version + "-" + s.Release
		if s.Epoch >= 0 {
			inst = strconv.Itoa(s.Epoch) + ":" + inst
		}
		for range 8 {
			op, want, _ := strings.Cut(near(r, inst, []string{">=", ">", "<=", "<", "==", "!="}), " ")
			if validVersion(want) != nil || strings.Contains(want, "..") { // rpmbuild refuses ".."
				continue
			}
			rop := map[string]string{"==": "=", "!=": "="}[op]
			if rop == "" {
				rop = op
			}
			cases = append(cases, rcase{s.Name, inst, op, want, s.Name + " " + rop + " " + complete(inst, want, false)})
		}
	}
	var queries []string
	for _, c := range cases {
		queries = append(queries, c.query)
	}
	failed := rpmdbtest.Unsatisfied(t, dir, queries)
	if len(failed) == 0 || len(failed) == len(cases) {
		t.Fatalf("rpm found %d of %d dependencies unsatisfied: the reference does not discriminate", len(failed), len(cases))
	}
	for _, c := range cases {
		provided := !failed[c.query]
		if c.op == "!=" {
			provided = !provided
		}
		if got := (constraint{{c.op, c.want}}).met(rpm, c.installed); got != provided {
			t.Errorf("rpm: %s %s %s %s: golive %v, rpm's dependency check on %q: %v", c.name, c.installed, c.op, c.want, got, c.query, provided)
		}
	}
	t.Logf("differential: %d clauses on %d packages held to rpm -i --test's dependency check (%d unsatisfied)", len(cases), len(specs), len(failed))
}
