package remediate

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// configLines are lines of sysctl.d, SELinux, systemd and grub files,
// quirks included.
var configLines = []string{
	"net.core.somaxconn = 4096",
	"net.core.somaxconn=4096",
	"  net.core.somaxconn\t=\t4096",
	"-net.core.somaxconn = 4096",
	"- net.core.somaxconn = 4096",
	"net/core/somaxconn = 4096",
	"net.core.somaxconn = 4096\r",
	"net.core.somaxconn",
	"# net.core.somaxconn = 4096",
	"; net.core.somaxconn = 4096",
	"  # net.core.somaxconn = 4096",
	"net.core.somaxconn_other = 1",
	"xnet.core.somaxconn = 1",
	"net.core.somaxconnx=1",
	"net.core.somaxconn.x = 1",
	"SELINUX=enforcing",
	"SELINUX = enforcing",
	" SELINUX=permissive",
	"SELINUX=",
	"selinux=enforcing",
	"SELINUXTYPE=targeted",
	"  selinuxtype=targeted",
	"MemoryMax=2G",
	"MemoryMaxX=2G",
	"GRUB_CMDLINE_LINUX=\"crashkernel=auto rhgb quiet\"",
	"GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"",
	"=value-without-a-key",
	"   =   ",
	"",
	"\t",
	"a=b=c",
}

var lineKeys = []string{"net.core.somaxconn", "SELINUX", "SELINUXTYPE", "MemoryMax", "GRUB_CMDLINE_LINUX", "a"}

func TestSetsKey(t *testing.T) {
	sets := map[string][]string{
		"net.core.somaxconn": {
			"net.core.somaxconn = 4096", "net.core.somaxconn=4096", "  net.core.somaxconn\t=\t4096",
			"-net.core.somaxconn = 4096", "- net.core.somaxconn = 4096", "net/core/somaxconn = 4096",
			"net.core.somaxconn = 4096\r",
		},
		"SELINUX":            {"SELINUX=enforcing", "SELINUX = enforcing", " SELINUX=permissive", "SELINUX="},
		"SELINUXTYPE":        {"SELINUXTYPE=targeted"},
		"MemoryMax":          {"MemoryMax=2G"},
		"GRUB_CMDLINE_LINUX": {"GRUB_CMDLINE_LINUX=\"crashkernel=auto rhgb quiet\""},
		"a":                  {"a=b=c"},
	}
	for _, key := range lineKeys {
		for _, line := range configLines {
			want := false
			for _, l := range sets[key] {
				want = want || l == line
			}
			if got := SetsKey(line, key); got != want {
				t.Errorf("SetsKey(%q, %q) = %v, want %v", line, key, got, want)
			}
		}
	}
}

// TestEditorsFollowSetsKey holds the script's awk editor and the
// playbook's lineinfile regexp to SetsKey: every line it says sets the key
// is replaced, every other line is kept as it is.
func TestEditorsFollowSetsKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conf")
	content := strings.Join(configLines, "\n") + "\n"
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, key := range lineKeys {
		line := key + "=golive"
		var want []string
		replaced := false
		for _, l := range configLines {
			if SetsKey(l, key) {
				want = append(want, line)
				replaced = true
			} else {
				want = append(want, l)
			}
		}
		if !replaced {
			want = append(want, line)
		}
		// The prelude's functions, sourced with ROOT unset: golive_edit
		// only prints.
		script := bashPrelude + "\ngolive_edit " + shellQuote(file) + " " + shellQuote(key) + " " + shellQuote(altKey(key)) + " " + shellQuote(line) + "\n"
		r := runBashSnippet(t, script)
		if r != strings.Join(want, "\n")+"\n" {
			t.Errorf("golive_edit for %s:\n%s\nwant:\n%s", key, r, strings.Join(want, "\n"))
		}

		// The playbook's regexp, in Go's syntax (which it shares with
		// Python's re for what keyRegexp writes).
		re := regexp.MustCompile(keyRegexp(key))
		for _, l := range configLines {
			if re.MatchString(l) != SetsKey(l, key) {
				t.Errorf("lineinfile regexp %s on %q: %v, SetsKey says %v", keyRegexp(key), l, re.MatchString(l), SetsKey(l, key))
			}
		}
	}
}
