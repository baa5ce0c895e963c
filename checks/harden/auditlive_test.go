package harden

import (
	"encoding/binary"
	"os/exec"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// encodeRule builds a struct audit_rule_data as the kernel returns it
// (linux/audit.h): for decoding tests, since a test may not load audit
// rules into the kernel (the audit subsystem is the host's, in no
// namespace a test can make).
func encodeRule(list, action uint32, syscalls []int, fields []struct {
	f, op, v uint32
	s        string
}) []byte {
	ne := binary.NativeEndian
	b := make([]byte, ruleHeader)
	put := func(i int, v uint32) { ne.PutUint32(b[4*i:], v) }
	put(0, list)
	put(1, action)
	put(2, uint32(len(fields)))
	if syscalls == nil {
		for i := range auditBitmaskSize {
			put(3+i, 0xffffffff)
		}
	}
	for _, n := range syscalls {
		put(3+n/32, ne.Uint32(b[4*(3+n/32):])|1<<(n%32))
	}
	var buf []byte
	for i, f := range fields {
		put(3+auditBitmaskSize+i, f.f)
		v := f.v
		if f.s != "" {
			v = uint32(len(f.s))
			buf = append(buf, f.s...)
		}
		put(3+auditBitmaskSize+auditMaxFields+i, v)
		put(3+auditBitmaskSize+2*auditMaxFields+i, f.op)
	}
	put(3+auditBitmaskSize+3*auditMaxFields, uint32(len(buf)))
	return append(b, buf...)
}

const opEq = 0x40000000

func TestDecodeLoadedRule(t *testing.T) {
	type fl = struct {
		f, op, v uint32
		s        string
	}
	watch := encodeRule(4, 2, nil, []fl{{105, opEq, 0, "/usr/bin/payments"}, {106, opEq, 1, ""}, {210, opEq, 0, "golive"}})
	exec := encodeRule(4, 2, []int{59}, []fl{{11, opEq, 0xC000003E, ""}, {112, opEq, 0, "/usr/bin/payments"}, {210, opEq, 0, "k"}})
	never := encodeRule(4, 0, nil, []fl{{105, opEq, 0, "/usr/bin"}, {1, 0x30000000, 0, ""}})
	for _, c := range []struct {
		blob []byte
		text string
	}{
		{watch, "-w /usr/bin/payments -p x -k golive"},
		{exec, "-a always,exit -F arch=b64 -S execve -F exe=/usr/bin/payments -F key=k"},
		{never, "-a never,exit -S all -F path=/usr/bin -F uid!=0"},
	} {
		r, err := decodeLoadedRule(c.blob, 0)
		if err != nil || r.Line.Text != c.text {
			t.Errorf("decoded %q (%v), want %q", r.Line.Text, err, c.text)
		}
	}
	// The judge reads a decoded rule as the same line from a file.
	rules := []auditRule{}
	for _, b := range [][]byte{watch} {
		r, _ := decodeLoadedRule(b, 0)
		rules = append(rules, r)
	}
	if cov := cover(rules, "/usr/bin/payments"); cov.Perms != "x" {
		t.Errorf("coverage %+v", cov)
	}
	for _, bad := range [][]byte{nil, watch[:100], append(watch[:ruleHeader-4:ruleHeader-4], 0xff, 0xff, 0, 0)} {
		if _, err := decodeLoadedRule(bad, 3); err == nil {
			t.Errorf("no error for %d bytes", len(bad))
		}
	}
}

// The files and the loaded rules compared, on the running host with the
// loaded state given (as readLoadedAudit would memoize it).
func TestJudgeLoaded(t *testing.T) {
	type fl = struct {
		f, op, v uint32
		s        string
	}
	watch, _ := decodeLoadedRule(encodeRule(4, 2, nil, []fl{{105, opEq, 0, "/usr/bin/payments"}, {106, opEq, 1, ""}}), 0)
	for _, c := range []struct {
		name     string
		loaded   *loadedAudit
		fileMiss string
		status   engine.Status
		words    string
	}{
		{"both", &loadedAudit{Enabled: 1, Rules: []auditRule{watch}}, "", engine.Pass, "loaded too"},
		{"not loaded", &loadedAudit{Enabled: 1}, "", engine.Warn, "the loaded rules do not record \"x\""},
		{"auditing off", &loadedAudit{Enabled: 0, Rules: []auditRule{watch}}, "", engine.Warn, "auditing is off in the running kernel"},
		{"only loaded", &loadedAudit{Enabled: 1, Rules: []auditRule{watch}}, "x", engine.Warn, "lost at the next boot"},
	} {
		h, err := host.New("/")
		if err != nil {
			t.Fatal(err)
		}
		facts.Memo(h, loadedAuditKey{}, func(*host.Host) *loadedAudit { return c.loaded })
		res := engine.Result{Status: engine.Pass, Details: map[string]any{}}
		if c.fileMiss != "" {
			res.Status = engine.Warn
		}
		ch := &auditCheck{t: auditTarget{path: "/usr/bin/payments", perms: "x"}}
		ch.judgeLoaded(h, &res, "/usr/bin/payments", c.fileMiss, engine.Warn)
		if res.Status != c.status || !strings.Contains(res.Message, c.words) {
			t.Errorf("%s: %s %q, want %s with %q", c.name, res.Status, res.Message, c.status, c.words)
		}
	}
}

// On this machine, read-only: golive's reading of the loaded audit state
// agrees with auditctl -s and auditctl -l (whatever rules the host has;
// the test loads none).
func TestLoadedRulesAgreeWithAuditctl(t *testing.T) {
	testenv.NeedNamespaces(t) // root
	auditctl := testenv.NeedCommand(t, "auditctl", "auditd")
	h, _ := host.New("/")
	l := readLoadedAudit(h)
	if l.Err != nil {
		testenv.Missing(t, "the kernel's audit state cannot be read here: "+l.Err.Error())
	}
	status, err := exec.Command(auditctl, "-s").Output()
	if err != nil {
		t.Fatalf("auditctl -s: %v", err)
	}
	if !strings.Contains(string(status), "enabled "+string(rune('0'+l.Enabled))) {
		t.Errorf("golive reads enabled %d; auditctl -s says\n%s", l.Enabled, status)
	}
	list, err := exec.Command(auditctl, "-l").Output()
	if err != nil {
		t.Fatalf("auditctl -l: %v", err)
	}
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		if line != "No rules" && line != "" {
			want = append(want, line)
		}
	}
	if len(want) != len(l.Rules) {
		t.Fatalf("golive reads %d loaded rules, auditctl -l lists %d:\n%s", len(l.Rules), len(want), list)
	}
	for i, r := range l.Rules {
		// auditctl prints syscall names golive does not know; compare the
		// kind of rule and its path fields.
		if !strings.HasPrefix(want[i], r.Op) {
			t.Errorf("rule %d: golive %q, auditctl %q", i, r.Line.Text, want[i])
		}
	}
	t.Logf("%d loaded rules, enabled %d", len(l.Rules), l.Enabled)
}
