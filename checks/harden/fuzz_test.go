package harden

import (
	"strings"
	"testing"
)

// FuzzAuditRules: augenrules' merge and auditctl's rule reading take any
// bytes; the merged text keeps every rule line, and judging never panics.
func FuzzAuditRules(f *testing.F) {
	f.Add([]byte("-D\n-b 8192\n-f 1\n--backlog_wait_time 60000\n"), []byte("-w /opt/a -p x -k a\n-e 2"))
	f.Add([]byte("-a always,exit -F arch=b64 -S execve -F exe=/opt/a"), []byte("\r\n#x\n  -D  \n-A never,exit -F dir=/opt\n"))
	f.Add([]byte("-W /opt/a\n-a exit,always -F path=/opt/a -F perm=wa\n-F\n-S\n-p"), []byte{0, 0xff, '\n'})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		m := mergeRules([]rulesSource{{Name: "a.rules", Data: a}, {Name: "b.rules", Data: b}})
		text := m.Text()
		if !strings.HasPrefix(text, augenrulesHeader+"\n") {
			t.Fatalf("no header: %q", text)
		}
		var rules []auditRule
		for _, l := range m.Lines() {
			if !strings.Contains(text, l.Text+"\n") {
				t.Fatalf("line %q lost", l.Text)
			}
			rules = append(rules, parseRule(l))
		}
		c := cover(rules, "/opt/a")
		if strings.Trim(c.Perms, allPerms) != "" {
			t.Fatalf("perms %q", c.Perms)
		}
	})
}

// FuzzFilevercmp: ls -v's order is a total order: antisymmetric.
func FuzzFilevercmp(f *testing.F) {
	f.Add("10-a.rules", "9-b.rules")
	f.Add("a~1.rules", ".a")
	f.Fuzz(func(t *testing.T, a, b string) {
		x, y := filevercmp(a, b), filevercmp(b, a)
		if (x < 0) != (y > 0) || (x == 0) != (y == 0) {
			t.Fatalf("filevercmp(%q, %q) = %d, reversed %d", a, b, x, y)
		}
	})
}

// FuzzCoredumpConf: coredump.conf of any bytes is parsed or reported.
func FuzzCoredumpConf(f *testing.F) {
	f.Add([]byte("[Coredump]\nStorage=none\nProcessSizeMax=2G\nMaxUse=infinity\n"))
	f.Add([]byte("[Coredump]\nStorage=\nMaxUse=1.5 K\nProcessSizeMax=99999999999999999999E\n"))
	f.Add([]byte("Storage=external\n[Other]\nStorage=none\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := defaultCoredump()
		s.parse("/etc/systemd/coredump.conf", data)
		switch s.Storage {
		case "none", "external", "journal":
		default:
			t.Fatalf("Storage %q", s.Storage)
		}
		_ = coredumpPlace(s)
	})
}

// FuzzLockdownFile: the lockdown file and a kernel command line of any
// bytes give a known mode or none.
func FuzzLockdownFile(f *testing.F) {
	f.Add([]byte("[none] integrity confidentiality\n"), "ro lockdown=integrity")
	f.Add([]byte("none [integrity] [confidentiality]"), "lockdown= -- lockdown=none")
	f.Fuzz(func(t *testing.T, data []byte, line string) {
		if mode, _, ok := parseLockdownFile(data); ok && lockdownRank(mode) < 0 {
			t.Fatalf("mode %q", mode)
		}
		_ = lockdownParam(line)
		_ = auditOff(line)
	})
}

// FuzzDecodeLoadedRule: a loaded rule's bytes, as the audit netlink socket
// returns them, never panic the decoder.
func FuzzDecodeLoadedRule(f *testing.F) {
	f.Add(encodeRule(4, 2, nil, []struct {
		f, op, v uint32
		s        string
	}{{105, 0x40000000, 0, "/usr/bin/x"}, {106, 0x40000000, 1, ""}}))
	f.Add(make([]byte, ruleHeader+3))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeLoadedRule(b, 0); err == nil {
			cover([]auditRule{r}, "/usr/bin/x")
		}
	})
}
