package rlimit

import (
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestParseLimitsLines(t *testing.T) {
	data := "# comment\n" +
		"  *\tsoft\tnofile\t4096   # trailing comment\n" +
		"@ops hard nproc 100 extra words\n" +
		"golive-demo -\n" +
		"bad line\n" +
		"golive-demo soft\n" +
		"golive-demo SOFT NOFILE 8192\r\n" +
		"golive-demo soft memlock 64\x00 hard memlock 1\n" +
		"x soft stack " + strings.Repeat("9", fgetsLine) + "\n" +
		"   \n" +
		"Golive-Demo\vsoft\fcore Unlimited\n" +
		"app -x\n"
	entries, problems := ParseLimits("/etc/security/limits.conf", []byte(data))
	want := []entry{
		{line: 2, Domain: "*", Type: "soft", Item: "nofile", Value: "4096"},
		{line: 3, Domain: "@ops", Type: "hard", Item: "nproc", Value: "100"},
		{line: 4, Domain: "golive-demo", Type: "-", noLimits: true},
		{line: 7, Domain: "golive-demo", Type: "soft", Item: "nofile", Value: "8192"},
		{line: 8, Domain: "golive-demo", Type: "soft", Item: "memlock", Value: "64"},
		{line: 9, Domain: "x", Type: "soft", Item: "stack", Value: strings.Repeat("9", fgetsLine-len("x soft stack "))},
		{line: 11, Domain: "Golive-Demo", Type: "soft", Item: "core", Value: "unlimited"},
		{line: 12, Domain: "app", Type: "-", noLimits: true},
	}
	if len(entries) != len(want) {
		t.Fatalf("entries %+v, want %d", entries, len(want))
	}
	for i, w := range want {
		w.file = "/etc/security/limits.conf"
		if entries[i] != w {
			t.Errorf("entry %d = %+v, want %+v", i, entries[i], w)
		}
	}
	joined := strings.Join(problems, "\n")
	for _, w := range []string{"limits.conf:5: invalid line", "limits.conf:6: invalid line", "limits.conf:9: line longer than 1023 bytes: pam_limits reads it as 2 lines", `limits.conf:9: invalid line "9999999999999"`} {
		if !strings.Contains(joined, w) {
			t.Errorf("problems %q lack %q", joined, w)
		}
	}
}

// Linux-PAM 1.6 reads the value as the rest of the line: "100 extra
// words" is then a value strtoul stops in, and long lines stay whole.
func TestParseLimitsRestOfLine(t *testing.T) {
	long := "x soft stack " + strings.Repeat("9", 2000) + "\n"
	entries, problems := parseLimits("/l", []byte("@ops hard nproc  100 extra words \t\n"+long+"a b c\n"), restSyntax)
	if len(entries) != 2 || entries[0].Value != "100 extra words" || len(entries[1].Value) != 2000 {
		t.Errorf("entries %+v", entries)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "/l:3: invalid line") {
		t.Errorf("problems %q", problems)
	}
	if pamFlavor(pamFlavor{Version: [3]int{1, 6, 1}}).syntax() != restSyntax || (pamFlavor{Version: [3]int{1, 5, 3}}).syntax() != wordSyntax || (pamFlavor{}).syntax() != wordSyntax {
		t.Error("1.6.0 and later read the rest of the line, earlier releases one word")
	}
}

// A long comment hides only what fgets returned with it: the rest of the
// line is read as a line of its own.
func TestLongCommentLineContinues(t *testing.T) {
	entries, _ := ParseLimits("/l", []byte("# "+strings.Repeat("x", fgetsLine-2)+" app soft nofile 900\n"))
	if len(entries) != 1 || entries[0].Domain != "app" || entries[0].Value != "900" {
		t.Errorf("entries %+v", entries)
	}
}

func TestParsePamValueIsStrtoul(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		err  bool
	}{
		{"65536", 65536, false},
		{"unlimited", Infinity, false},
		{"infinity", Infinity, false},
		{"-1", Infinity, false},
		{"-", Infinity, false},
		{"8192extra", 8192, false},
		{"8192\r", 8192, false},
		{"100 extra words", 100, false}, // Linux-PAM 1.6's rest-of-line value
		{"+5", 5, false},
		{"-5", Infinity - 4, false},
		{"99999999999999999999999", Infinity, false},
		{"lots", 0, true},
		{"", 0, true},
	}
	for _, c := range cases {
		got, err := parsePamValue(c.in)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("parsePamValue(%q) = %d, %v; want %d (error %v)", c.in, got, err, c.want, c.err)
		}
	}
}

// loginFor resolves limits.conf text for a user of a small passwd/group.
func loginFor(t *testing.T, limits, user string, rootExempt bool) *loginLimits {
	t.Helper()
	h := hosttest.Root(t, map[string]string{
		"etc/passwd":               "root:x:0:0::/root:/bin/bash\napp:x:1500:1500::/opt/app:/sbin/nologin\nother:x:1600:2000::/:/sbin/nologin\n",
		"etc/group":                "root:x:0:\napp:x:1500:\nops:x:2000:app\nwheel:x:10:root\n",
		"etc/security/limits.conf": limits,
	})
	return loadPamConfig(h, pamFlavor{}).resolveLogin(lookupAccount(h, user), rootExempt)
}

func TestPamLimitsPrecedence(t *testing.T) {
	cases := []struct {
		name       string
		limits     string
		user       string
		rootExempt bool
		soft, hard string // "" = not set
		res        string
	}{
		{"a user line beats a group line written after it", "app soft nofile 10\n@ops soft nofile 20\n", "app", false, "10", "", "nofile"},
		{"a group line beats *", "* soft nofile 10\n@ops soft nofile 20\n* soft nofile 30\n", "app", false, "20", "", "nofile"},
		{"the primary group counts", "@app hard nofile 40\n", "app", false, "", "40", "nofile"},
		{"a later line of equal priority wins", "app - nofile 10\napp - nofile 20\n", "app", false, "20", "20", "nofile"},
		{"- sets both sides", "app - nproc 16384\n", "app", false, "16384", "16384", "nproc"},
		{"a - line blocked on its soft side does not set the hard side", "app soft nofile 10\n@ops - nofile 20\n", "app", false, "10", "", "nofile"},
		{"% domains are for maxlogins only", "%ops - nofile 20\n% - nofile 30\n", "app", false, "", "", "nofile"},
		{"uid range matches as a user line", "1000: soft nproc 32768\n@ops soft nproc 1\n", "app", false, "32768", "", "nproc"},
		{"uid range that does not match", "2000:3000 soft nproc 5\n", "app", false, "", "", "nproc"},
		{"exact uid", ":1500 hard nproc 7\n", "app", false, "", "7", "nproc"},
		{"gid range looks at the primary group only", "@1900:2100 soft nofile 5\n", "app", false, "", "", "nofile"},
		{"gid range of the primary group", "@1500:1500 soft nofile 5\n", "app", false, "5", "", "nofile"},
		{"exact gid looks at every group", "@:2000 soft nofile 6\n", "app", false, "6", "", "nofile"},
		{"invalid range is skipped", "@: soft nofile 6\n", "app", false, "", "", "nofile"},
		{"memlock is in KiB", "app - memlock 64\n", "app", false, "65536", "65536", "memlock"},
		{"core unlimited", "app soft core unlimited\n", "app", false, "unlimited", "", "core"},
		{"* applies to root where pam_limits is not patched", "* soft nofile 99\n", "root", false, "99", "", "nofile"},
		{"Debian: * does not apply to root", "* soft nofile 99\n@wheel soft nofile 98\n", "root", true, "", "", "nofile"},
		{"Debian: a root line still applies", "root soft nofile 97\n", "root", true, "97", "", "nofile"},
		{"another user's line", "other - nofile 5\n", "app", false, "", "", "nofile"},
		{"Debian: a @ or % domain with a range is a uid range for root", "@0: soft nofile 96\n%:0 hard nofile 95\n", "root", true, "96", "95", "nofile"},
		{"a @ domain with a range is a gid range for others", "@0: soft nofile 96\n", "app", true, "96", "", "nofile"},
		{"domains are case-sensitive", "APP soft nofile 9\n", "app", false, "", "", "nofile"},
		{"strtoul takes a sign in a range", "+1500: soft nofile 94\n-1: hard nofile 93\n", "app", false, "94", "", "nofile"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ll := loginFor(t, c.limits, c.user, c.rootExempt)
			show := func(m map[string]setting) string {
				if s, ok := m[c.res]; ok {
					return formatValue(s.value)
				}
				return ""
			}
			if got := show(ll.soft); got != c.soft {
				t.Errorf("soft %q, want %q", got, c.soft)
			}
			if got := show(ll.hard); got != c.hard {
				t.Errorf("hard %q, want %q", got, c.hard)
			}
		})
	}
}

func TestNoLimitsLineStopsPamLimits(t *testing.T) {
	ll := loginFor(t, "app soft nofile 10\n@ops -\napp soft nofile 20\n", "app", false)
	if ll.noLimits == nil || ll.noLimits.line != 2 {
		t.Fatalf("NoLimits = %+v", ll.noLimits)
	}
	if ll.soft["nofile"].value != 10 {
		t.Errorf("lines after the no-limits line were applied: %+v", ll.soft["nofile"])
	}
	if other := loginFor(t, "other -\napp soft nofile 20\n", "app", false); other.noLimits != nil {
		t.Error("another user's no-limits line applied")
	}
}

// The "<domain> -" line: Debian's root patch leaves it alone, "*" never
// matches, a uid range does.
func TestNoLimitsLineDomains(t *testing.T) {
	for _, c := range []struct {
		limits, user string
		applies      bool
	}{
		{"@wheel -\n", "root", true},
		{"* -\n", "app", false},
		{"1000: -x\n", "app", true},
		{"% -\n", "app", false},
		{"@:2000 -\n", "app", true},
	} {
		if got := loginFor(t, c.limits, c.user, true).noLimits != nil; got != c.applies {
			t.Errorf("%q for %s: no-limits %v, want %v", c.limits, c.user, got, c.applies)
		}
	}
}

// pam_modutil_user_in_group_* look the group up by name or gid (the first
// line) and then ask getgrouplist, which has the gid of every line that
// lists the user.
func TestGroupMembershipIsGetgrouplist(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/passwd": "app:x:1500:1500::/:/bin/sh\n",
		"etc/group":  "ops:x:2000:\nops:x:2002:app\ndev:x:2001:\ntwin:x:2001:app\nbad:x:x:app\n",
	})
	a := lookupAccount(h, "app")
	if a.inGroup("ops") || !a.inGroup("dev") || !a.inGroup("twin") || !a.inGID(2001) || !a.inGID(2002) || a.inGID(1500) {
		t.Errorf("groups %v, gids %v", a.groups, a.gids)
	}
}

func TestUnknownItemsAndTypesAreReported(t *testing.T) {
	ll := loginFor(t, "app hurd nofile 1\napp soft nofiles 1\napp soft nproc lots\napp - maxlogins 4\n", "app", false)
	joined := strings.Join(ll.problems, "\n")
	for _, w := range []string{`unknown type "hurd"`, `unknown item "nofiles"`, `value "lots" is not a number`} {
		if !strings.Contains(joined, w) {
			t.Errorf("problems %q lack %q", joined, w)
		}
	}
	if strings.Contains(joined, "maxlogins") {
		t.Error("maxlogins is a pam_limits item, not a problem")
	}
	if len(ll.soft)+len(ll.hard) != 0 {
		t.Errorf("ignored lines set limits: %+v %+v", ll.soft, ll.hard)
	}
}

func TestLimitsDReadInNameOrderAfterLimitsConf(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/passwd":                             "app:x:1500:1500::/:/sbin/nologin\n",
		"etc/group":                              "app:x:1500:\n",
		"etc/security/limits.conf":               "app soft nofile 1\n",
		"etc/security/limits.d/20-b.conf":        "app soft nofile 3\n",
		"etc/security/limits.d/10-a.conf":        "app soft nofile 2\n",
		"etc/security/limits.d/30-c.conf.rpmnew": "app soft nofile 4\n",
		"etc/security/limits.d/.hidden.conf":     "app soft nofile 5\n",
		"etc/security/limits.d/dir.conf/x":       "",
	})
	c := loadPamConfig(h, pamFlavor{})
	ll := c.resolveLogin(lookupAccount(h, "app"), false)
	if got := ll.soft["nofile"]; got.value != 3 || !strings.HasSuffix(got.from.file, "20-b.conf") {
		t.Errorf("nofile from %+v, want 3 from 20-b.conf", got)
	}
	if strings.Join(c.files, " ") != "/etc/security/limits.conf /etc/security/limits.d/10-a.conf /etc/security/limits.d/20-b.conf" {
		t.Errorf("files %v", c.files)
	}
	if len(c.fatal) != 0 {
		t.Errorf("fatal %v: a directory named x.conf is harmless", c.fatal)
	}
}

func TestUnreadableLimitsFileIsFatal(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/security/limits.d/50-loop.conf": "->51-loop.conf",
		"etc/security/limits.d/51-loop.conf": "->50-loop.conf",
	})
	c := loadPamConfig(h, pamFlavor{})
	// Linux-PAM up to 1.5 fails the session when fopen fails, for a
	// missing limits.conf too (pam_limits.c parse_config_file).
	if len(c.fatal) != 3 || !strings.Contains(c.fatal[0], "limits.conf (no such file or directory)") ||
		!strings.Contains(c.fatal[1], "50-loop.conf (too many levels of symbolic links)") {
		t.Errorf("fatal %v", c.fatal)
	}
}

func TestJunkFilesGiveBoundedProblems(t *testing.T) {
	_, problems := ParseLimits("/x", []byte(strings.Repeat("junk\n", 100000)))
	if len(problems) != maxProblems+1 || !strings.Contains(problems[maxProblems], "99900 more invalid lines") {
		t.Errorf("%d problems, last %q", len(problems), problems[len(problems)-1])
	}
}
