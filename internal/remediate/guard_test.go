package remediate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate/remediatetest"
)

// TestScriptReadsOSReleaseLikeGolive holds the script's os-release parser
// (it must not source the file) to host.ParseOSRelease, which decided the
// profile in the first place.
func TestScriptReadsOSReleaseLikeGolive(t *testing.T) {
	broken, err := os.ReadFile("../../testdata/roots/broken/etc/os-release")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"rocky":        "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n",
		"unquoted":     "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=22.04\n",
		"single":       "ID='centos'\nVERSION_ID='7'\n",
		"escapes":      "ID=\"a\\\"b\\\\c\\$d\\`e\"\nVERSION_ID=\"1\"\n",
		"bad escapes":  "ID=\"a\\qb\"\n",
		"no ID":        "VERSION_ID=3\n",
		"blanks, CRLF": "  ID=alpine  \r\nVERSION_ID=3.19.1\r\n",
		"last wins":    "ID=one\nID=two\n",
		"malformed":    "ID=\"unterminated\nID_LIKE='mis\"\nVERSION_ID=has space\nID=$(touch PWNED)\n",
		"no newline":   "ID=fedora\nVERSION_ID=40",
		"comments":     "# ID=commented\nID=real\n#VERSION_ID=1\n",
		"broken root":  string(broken),
	}
	dir := t.TempDir()
	for name, content := range files {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got := runBashSnippet(t, bashPrelude+"\ngolive_os_release "+shellQuote(file)+
			"\nprintf '%s\\n' \"$GOLIVE_OS_ID\" \"$GOLIVE_OS_ID_LIKE\" \"$GOLIVE_OS_VERSION_ID\"\n")
		rel := host.ParseOSRelease(content)
		want := rel.ID + "\n" + strings.Join(rel.IDLike, " ") + "\n" + rel.VersionID + "\n"
		if got != want {
			t.Errorf("%s: script read %q, golive %q", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Error("reading os-release ran a command from it")
	}
}

func TestGuard(t *testing.T) {
	rules := []GuardRule{{ID: "rocky", VersionID: "9*"}, {ID: "rhel", VersionID: "9*"}, {IDLike: "rhel", VersionID: "9*"}}
	cases := []struct {
		name, osRelease string
		rules           []GuardRule
		runs            bool
	}{
		{"the profile's distro", "ID=rocky\nVERSION_ID=9.4\n", rules, true},
		{"by ID_LIKE", "ID=almalinux\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=9.3\n", rules, true},
		{"another release", "ID=rocky\nVERSION_ID=8.9\n", rules, false},
		{"another distro", "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=22.04\n", rules, false},
		{"ID beats ID_LIKE", "ID=fedora\nID_LIKE=rhel\nVERSION_ID=9\n", []GuardRule{{ID: "rocky", VersionID: "9*"}}, false},
		{"escaped glob is literal", "ID=a*\nVERSION_ID=1\n", []GuardRule{{ID: `a\*`}}, true},
		{"escaped glob is not a glob", "ID=ab\nVERSION_ID=1\n", []GuardRule{{ID: `a\*`}}, false},
		{"no rules refuse", "ID=rocky\nVERSION_ID=9.4\n", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, root, "etc/os-release", c.osRelease)
			in := testInput(fix("sysctl/x", SetSysctl("x.y", "1")))
			in.Guard = Guard{Distro: "Rocky Linux 9", Rules: c.rules}
			before := remediatetest.Tree(t, root)
			r := runScript(t, renderBash(t, in), root, t.TempDir())
			if c.runs && r.code != 0 {
				t.Fatalf("refused: exit %d\n%s", r.code, r.stderr)
			}
			if !c.runs {
				if r.code != 1 || !strings.Contains(r.stderr, "refusing to run") || !strings.Contains(r.stderr, "Rocky Linux 9") {
					t.Fatalf("exit %d, stderr %q: want a refusal naming the distro", r.code, r.stderr)
				}
				if d := remediatetest.TreeDiff(before, remediatetest.Tree(t, root)); len(d) > 0 {
					t.Errorf("a refused script changed files: %v", d)
				}
			}
		})
	}
}
