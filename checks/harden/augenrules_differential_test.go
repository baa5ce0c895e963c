package harden

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// augenrulesCase is one rules.d directory: file name -> content ("" name
// suffix "/" makes a directory).
type augenrulesCase map[string]string

// handCases are the edge cases of augenrules' merge.
var handCases = []augenrulesCase{
	// RHEL 9's stock audit.rules.
	{"audit.rules": "## First rule - delete all\n-D\n\n## Increase the buffers to survive stress events.\n## Make this bigger for busy systems\n-b 8192\n\n## This determine how long to wait in burst of events\n--backlog_wait_time 60000\n\n## Set failure mode to syslog\n-f 1\n\n"},
	// Version order: 9 before 10, 10 before 010? ls -v ties fall back to strcmp.
	{"10-a.rules": "-w /a -p x\n", "9-b.rules": "-w /b -p x\n", "010-c.rules": "-w /c\n", "99-z.rules": "-e 2\n"},
	// The last -D, -b, -f, -e win; -D with options stays in place.
	{"1.rules": "-D\n-b 100\n-f 0\n-e 1\n-D -k old\n", "2.rules": " -D \n\t-b 200\n-f 2\n-e 2\n"},
	// A file without a final newline runs into the next one.
	{"a.rules": "-w /x -p wa", "b.rules": "-w /y -p x\n# c\n"},
	// Only *.rules, not hidden ones; a directory named .rules is skipped by cat.
	{"a.conf": "-w /no\n", ".h.rules": "-w /hidden\n", "d.rules/": "", "k.rules.bak": "-w /bak\n", "z.rules": "-w /yes\n"},
	// Comments after blanks, blank-only lines kept as rules, CR kept.
	{"c.rules": "   # indented comment\n   \n\t\n-w /crlf -p x\r\n#x\n-a always,exit -F arch=b64 -S execve -F exe=/opt/a -k e\n"},
	// -e, -f, -b, -D as prefixes of longer words.
	{"p.rules": "-exit\n-fast\n-bee\n-Dx\n--backlog_wait_time 1\n-r 100\n"},
	// Empty files, and no files at all.
	{"e.rules": ""},
	{},
	// Tildes and dotted suffixes in version order.
	{"a~1.rules": "-w /1\n", "a.rules": "-w /2\n", "a1.rules": "-w /3\n", "a.b.rules": "-w /4\n", "A.rules": "-w /5\n", "a-1.rules": "-w /6\n", "a_1.rules": "-w /7\n"},
}

var ruleLinePool = []string{
	"-D", " -D ", "-D -k x", "-b 8192", "  -b 320", "-f 1", "-f 2", "-e 1", "-e 2", "\t-e 0", "# comment", "  # indented",
	"", "   ", "\t", "-w /usr/bin/x -p x -k k", "-w /etc/myapp -p wa", "-a always,exit -F arch=b64 -S execve -F exe=/opt/a",
	"-a exit,always -F path=/opt/b -F perm=x", "--backlog_wait_time 60000", "-r 100", "-fx", "-Dx", "-w /crlf\r", "#-e 2",
	"--loginuid-immutable", "-W /usr/bin/x -p x", "-a never,exit -F path=/opt/b", "-A always,exit -F dir=/etc/myapp -F perm=wa",
}

var nameParts = []string{"0", "1", "2", "9", "10", "010", "99", "a", "b", "Z", "-", "_", ".", "~", "audit", "x1", "00"}

func randomCase(r *rand.Rand) augenrulesCase {
	c := augenrulesCase{}
	n := r.Intn(7)
	for i := 0; i < n; i++ {
		var name strings.Builder
		for k := 1 + r.Intn(4); k > 0; k-- {
			name.WriteString(nameParts[r.Intn(len(nameParts))])
		}
		switch r.Intn(12) {
		case 0:
			name.WriteString(".conf")
		case 1:
			name.WriteString(".rules.bak")
		default:
			name.WriteString(".rules")
		}
		nm := name.String()
		if strings.HasPrefix(nm, ".") && r.Intn(2) == 0 {
			nm = "x" + nm
		}
		var body strings.Builder
		for k := r.Intn(8); k > 0; k-- {
			body.WriteString(ruleLinePool[r.Intn(len(ruleLinePool))])
			body.WriteString("\n")
		}
		s := body.String()
		if r.Intn(5) == 0 && s != "" {
			s = strings.TrimSuffix(s, "\n")
		}
		c[nm] = s
	}
	return c
}

func writeCase(t *testing.T, dir string, c augenrulesCase) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range c {
		p := filepath.Join(dir, strings.TrimSuffix(name, "/"))
		if strings.HasSuffix(name, "/") {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestAugenrulesDifferential runs the real augenrules on generated rules.d
// directories inside a mount namespace (tmpfs over /etc/audit, /mnt and /tmp, so
// nothing on the host is written) and compares the audit.rules it writes
// with golive's merge, byte for byte.
func TestAugenrulesDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "augenrules", "auditd")
	cases := append([]augenrulesCase{}, handCases...)
	r := rand.New(rand.NewSource(17))
	for len(cases) < 210 {
		cases = append(cases, randomCase(r))
	}
	work := t.TempDir()
	for i, c := range cases {
		writeCase(t, filepath.Join(work, fmt.Sprintf("c%04d", i), "etc", "audit", "rules.d"), c)
	}
	before := hostAuditState(t)
	// One namespace for every case: each copies its rules.d over the
	// tmpfs /etc/audit, runs augenrules and keeps what it wrote.
	script := `set -e
for c in "$1"/c*; do
	rm -rf /etc/audit/* /etc/audit/.[!.]* 2>/dev/null || true
	cp -a "$c/etc/audit/rules.d" /etc/audit/rules.d
	augenrules >"$c/stdout" 2>"$c/stderr" || echo "exit $?" >>"$c/stderr"
	cp /etc/audit/audit.rules "$c/audit.rules" 2>/dev/null || true
done`
	ns := testenv.Namespace{Tmpfs: []string{"/etc/audit", "/mnt"}, Binds: []testenv.Bind{{Source: work, Target: "/mnt/golive-cases"}},
		// augenrules' mktemp writes to /tmp: a tmpfs too, mounted after
		// the bind, whose source may be under /tmp.
		Setup: "mount -t tmpfs golive-tmp /tmp"}
	if _, err := os.Stat("/sbin/restorecon"); err == nil {
		// augenrules relabels what it wrote: that is no part of the
		// merge, and loading the policy's file contexts per case takes
		// a third of a second. /bin/true stands in, in the namespace only.
		ns.Binds = append(ns.Binds, testenv.Bind{Source: "/bin/true", Target: "/sbin/restorecon", ReadOnly: true})
	}
	if out, err := ns.Output("/bin/sh", "-c", script, "augenrules-cases", "/mnt/golive-cases"); err != nil {
		t.Fatalf("augenrules: %v\n%s", err, out)
	}
	if after := hostAuditState(t); after != before {
		t.Fatalf("the host's /etc/audit changed:\nbefore %s\nafter  %s", before, after)
	}
	agree := 0
	for i := range cases {
		dir := filepath.Join(work, fmt.Sprintf("c%04d", i))
		want, err := os.ReadFile(filepath.Join(dir, "audit.rules"))
		if err != nil {
			stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
			t.Errorf("case %d %q: augenrules wrote no audit.rules: %s", i, cases[i], stderr)
			continue
		}
		h, err := host.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := h.ReadDir(rulesDir)
		if err != nil {
			t.Fatal(err)
		}
		m, err := readRulesDir(h, entries)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Text(); got != string(want) {
			t.Errorf("case %d %q:\ngolive:\n%s\naugenrules:\n%s", i, cases[i], got, want)
			continue
		}
		agree++
	}
	t.Logf("differential: %d cases, %d agree", len(cases), agree)
}

// hostAuditState is a fingerprint of the host's /etc/audit: names, sizes
// and modification times.
func hostAuditState(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	_ = filepath.Walk("/etc/audit", func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			fmt.Fprintf(&b, "%s %d %d;", p, fi.Size(), fi.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}
