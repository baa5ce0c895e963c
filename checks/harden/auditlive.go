package harden

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// loadedAudit is the running kernel's audit state, read once per run.
type loadedAudit struct {
	Enabled uint32
	Rules   []auditRule
	Err     error
}

type loadedAuditKey struct{}

func readLoadedAudit(h *host.Host) *loadedAudit {
	return facts.Memo(h, loadedAuditKey{}, func(h *host.Host) *loadedAudit {
		l, err := h.AuditRules()
		out := &loadedAudit{Enabled: l.Enabled, Err: err}
		for i, b := range l.Rules {
			r, err := decodeLoadedRule(b, i)
			if err != nil {
				out.Err = err
				return out
			}
			out.Rules = append(out.Rules, r)
		}
		return out
	})
}

// The loaded audit rules (host.AuditRules) are struct audit_rule_data
// (linux/audit.h): flags (the list), action, field_count, a 64-word
// syscall mask, 64 fields, 64 values, 64 field operators, buflen and the
// strings of the string fields one after another. decodeLoadedRule turns
// one into the rule model the files give, so one judge reads both.

const (
	auditBitmaskSize = 64
	auditMaxFields   = 64
	ruleHeader       = 4 * (3 + auditBitmaskSize + 3*auditMaxFields + 1)
)

// Field numbers of linux/audit.h that the judge reads or prints.
var auditFieldNames = map[uint32]string{
	0: "pid", 1: "uid", 2: "euid", 3: "suid", 4: "fsuid", 5: "gid", 6: "egid", 7: "sgid", 8: "fsgid", 9: "auid",
	11: "arch", 12: "msgtype", 18: "ppid", 103: "exit", 104: "success", 105: "path", 106: "perm", 107: "dir",
	108: "filetype", 109: "obj_uid", 110: "obj_gid", 112: "exe", 210: "key",
}

// stringField: the fields whose value is a string in buf — the SELinux
// labels (AUDIT_SUBJ_USER 13 to SUBJ_CLR 17, OBJ_USER 19 to OBJ_LEV_HIGH
// 23), AUDIT_WATCH, AUDIT_DIR, AUDIT_EXE and AUDIT_FILTERKEY.
func stringField(f uint32) bool {
	return f >= 13 && f <= 17 || f >= 19 && f <= 23 || f == 105 || f == 107 || f == 112 || f == 210
}

var auditLists = map[uint32]string{0: "user", 1: "task", 2: "entry", 4: "exit", 5: "exclude", 6: "filesystem", 7: "io_uring"}
var auditActions = map[uint32]string{0: "never", 1: "possible", 2: "always"}

// The operators of fieldflags (AUDIT_OPERATORS).
var auditOps = map[uint32]string{
	0x40000000: "=", 0x30000000: "!=", 0x10000000: "<", 0x20000000: ">", 0x50000000: "<=", 0x60000000: ">=",
	0x08000000: "&", 0x48000000: "&=",
}

// execveNumbers are execve and execveat per audit arch, for -S.
var execveNumbers = map[string][2]int{
	"b64":     {59, 322},  // x86_64
	"b32":     {11, 358},  // i386
	"aarch64": {221, 281}, // arm64
}

// decodeLoadedRule reads one rule; index numbers it for messages.
func decodeLoadedRule(b []byte, index int) (auditRule, error) {
	ne := binary.NativeEndian
	if len(b) < ruleHeader {
		return auditRule{}, fmt.Errorf("loaded audit rule %d: %d bytes, shorter than its header", index, len(b))
	}
	u := func(i int) uint32 { return ne.Uint32(b[4*i:]) }
	flags, action, count := u(0), u(1), u(2)
	if count > auditMaxFields {
		return auditRule{}, fmt.Errorf("loaded audit rule %d: %d fields", index, count)
	}
	buflen := int(u(3 + auditBitmaskSize + 3*auditMaxFields))
	buf := b[ruleHeader:]
	if buflen > len(buf) {
		return auditRule{}, fmt.Errorf("loaded audit rule %d: its strings run past its end", index)
	}
	buf = buf[:buflen]
	r := auditRule{Op: "-a", List: auditLists[flags&0xff], Action: auditActions[action]}
	if r.List == "" || r.Action == "" {
		return auditRule{}, fmt.Errorf("loaded audit rule %d: list %d, action %d", index, flags, action)
	}
	arch := nativeAuditArch()
	var watch, key string
	var perm string
	other := false
	for i := 0; i < int(count); i++ {
		f := u(3 + auditBitmaskSize + i)
		v := u(3 + auditBitmaskSize + auditMaxFields + i)
		op := auditOps[u(3+auditBitmaskSize+2*auditMaxFields+i)]
		if op == "" {
			op = "="
		}
		name, known := auditFieldNames[f]
		if !known {
			name = "f" + strconv.Itoa(int(f))
		}
		value := strconv.FormatUint(uint64(v), 10)
		if stringField(f) {
			if int(v) > len(buf) {
				return auditRule{}, fmt.Errorf("loaded audit rule %d: field %s runs past its strings", index, name)
			}
			value, buf = string(buf[:v]), buf[v:]
		}
		switch f {
		case 11:
			arch = archName(v)
			value = arch
		case 106:
			value = permString(v)
			perm = value
		case 105:
			watch = value
		case 210:
			key = value
		}
		if f != 105 && f != 106 && f != 210 {
			other = true
		}
		r.Fields = append(r.Fields, ruleField{Name: name, Op: op, Value: value})
	}
	all := true
	for i := 0; i < auditBitmaskSize; i++ {
		if u(3+i) != 0xffffffff {
			all = false
		}
	}
	if all {
		r.Syscalls = []string{"all"}
	} else if nums, ok := execveNumbers[arch]; ok {
		for _, n := range nums {
			if n/32 < auditBitmaskSize && u(3+n/32)&(1<<(n%32)) != 0 {
				r.Syscalls = append(r.Syscalls, map[int]string{nums[0]: "execve", nums[1]: "execveat"}[n])
			}
		}
		if len(r.Syscalls) == 0 {
			r.Syscalls = []string{"(others)"}
		}
	}
	// auditctl -l prints a watch (-w PATH -p PERMS) for an always,exit
	// rule of all syscalls with nothing but the path, the permissions and
	// a key: the judge reads it as the file's -w line.
	if watch != "" && !other && all && r.List == "exit" && r.Action == "always" {
		r = auditRule{Op: "-w", Watch: watch, Perms: perm}
		if key != "" {
			r.Fields = []ruleField{{Name: "key", Op: "=", Value: key}}
		}
	}
	r.Line = ruleLine{File: "loaded rule", Line: index + 1, Text: ruleText(r)}
	return r, nil
}

func permString(v uint32) string {
	var b strings.Builder
	for _, p := range []struct {
		bit uint32
		c   byte
	}{{4, 'r'}, {2, 'w'}, {1, 'x'}, {8, 'a'}} {
		if v&p.bit != 0 {
			b.WriteByte(p.c)
		}
	}
	return b.String()
}

func archName(v uint32) string {
	switch v {
	case 0xC000003E:
		return "b64"
	case 0x40000003:
		return "b32"
	case 0xC00000B7:
		return "aarch64"
	}
	return fmt.Sprintf("0x%x", v)
}

func nativeAuditArch() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64"
	}
	return "b64"
}

// ruleText prints a rule the way auditctl -l does, for messages.
func ruleText(r auditRule) string {
	var w []string
	if r.Op == "-w" {
		w = append(w, "-w", r.Watch)
		if r.Perms != "" {
			w = append(w, "-p", r.Perms)
		}
		for _, f := range r.Fields {
			w = append(w, "-k", f.Value)
		}
		return strings.Join(w, " ")
	}
	w = append(w, "-a", r.Action+","+r.List)
	for _, f := range r.Fields {
		if f.Name == "arch" {
			w = append(w, "-F", "arch="+f.Value)
		}
	}
	if len(r.Syscalls) > 0 {
		w = append(w, "-S", strings.Join(r.Syscalls, ","))
	}
	for _, f := range r.Fields {
		if f.Name != "arch" {
			w = append(w, "-F", f.Name+f.Op+f.Value)
		}
	}
	return strings.Join(w, " ")
}
