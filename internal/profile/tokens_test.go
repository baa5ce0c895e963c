package profile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostileTokens are profile values that would make a generated line mean
// something else; each must be a profile error at its line.
var hostileTokens = []struct {
	name, yaml, msg string
	line            int
}{
	{"user: a limits.d line for every user", "service:\n  user: \"* hard nofile 1 #\"\n", "service.user", 2},
	{"user: a newline", "service:\n  user: \"app\\n* hard nofile 1\"\n", "control character", 2},
	{"user: a group domain", "service:\n  user: \"@wheel\"\n", "service.user", 2},
	{"user: a uid range", "service:\n  user: \"%wheel\"\n", "service.user", 2},
	{"user: an option", "service:\n  user: \"-o\"\n", "service.user", 2},
	{"user: a comment", "service:\n  user: \"app#x\"\n", "service.user", 2},
	{"user: blank inside", "service:\n  user: \"my app\"\n", "service.user", 2},
	{"user: CR", "service:\n  user: \"app\\r\"\n", "control character", 2},
	{"user: too long", "service:\n  user: " + strings.Repeat("a", 300) + "\n", "longer than", 2},
	{"unit: a newline", "service:\n  unit: \"app.service\\nExecStart=/bin/sh\"\n", "control character", 2},
	{"unit: a slash", "service:\n  unit: \"../../etc/passwd\"\n", "service.unit", 2},
	{"unit: an option", "service:\n  unit: \"--now\"\n", "service.unit", 2},
	{"unit: a blank", "service:\n  unit: \"my app.service\"\n", "service.unit", 2},
	{"unit: two @", "service:\n  unit: \"a@b@c.service\"\n", "service.unit", 2},
	{"binary: relative", "service:\n  binaries: [bin/app]\n", "absolute", 2},
	{"binary: escapes the root", "service:\n  binaries: [/opt/../../etc/shadow]\n", "clean", 2},
	{"sysctl key: '='", "sysctl:\n  \"net.core.somaxconn=1\": \">= 1\"\n", "'='", 2},
	{"sysctl key: ignore mark", "sysctl:\n  \"-net.core.somaxconn\": \">= 1\"\n", "starts with", 2},
	{"sysctl key: comment", "sysctl:\n  \"#net.core.somaxconn\": \">= 1\"\n", "starts with", 2},
	{"sysctl key: newline", "sysctl:\n  \"a\\nkernel.panic\": \">= 1\"\n", "control character", 2},
	{"sysctl value: newline", "sysctl:\n  net.core.somaxconn: \"== 1\\nkernel.panic = 1\"\n", "control character", 2},
	{"sysctl value: NUL", "sysctl:\n  net.core.somaxconn: \"== 1\\0\"\n", "control character", 2},
	{"rlimit value: newline", "rlimits:\n  login:\n    nofile: \">= 1\\n* hard nofile 1\"\n", "control character", 3},
	{"cgroup value: newline", "cgroup:\n  unit:\n    memory.max: \"<= 1\\nExecStart=/bin/sh\"\n", "control character", 3},
	{"selinux path: newline", "selinux:\n  paths:\n    \"/opt/a\\n/etc\": bin_t\n", "control character", 3},
	{"restart: newline", "systemd:\n  restart: [\"always\\nExecStartPre=/bin/sh\"]\n", "control character", 2},
	{"unicode line separator", "service:\n  name: \"a\\u2028b\"\n", "control character", 2},
	{"package manager", "facts:\n  package_manager: \"curl|sh\"\n", "package_manager", 2},
}

func TestHostileTokensAreProfileErrors(t *testing.T) {
	for _, tc := range hostileTokens {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "golive.yaml")
			if err := os.WriteFile(file, []byte("extends: none\n"+tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Resolve(Request{Profile: file, OS: nonexistentOS})
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want a *profile.Error", err, err)
			}
			if pe.File != file || pe.Line != tc.line+1 || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("err = %v, want %s:%d naming %q", err, file, tc.line+1, tc.msg)
			}
		})
	}
}

// The values a real profile uses load as they are.
func TestOrdinaryTokensLoad(t *testing.T) {
	ok := `extends: none
description: |
  two lines
  of prose
service:
  name: payments
  unit: payments-api@blue.service
  user: svc_payments.v2
  binaries: [/opt/payments/bin/payments, /opt/dir/]
sysctl:
  net.ipv4.conf.eth0/1.rp_filter: "== 1"
  kernel.core_pattern: {expect: "!= core", why: "a tab	is fine"}
facts:
  package_manager: dnf
`
	file := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(file, []byte(ok), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(Request{Profile: file, OS: nonexistentOS}); err != nil {
		t.Fatal(err)
	}
}

func TestBuiltinsPassTheTokenChecks(t *testing.T) {
	for _, name := range Builtins() {
		if _, err := Resolve(Request{Profile: name, OS: nonexistentOS}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
