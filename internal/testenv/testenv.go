// Package testenv is what tests need from the machine they run on. A
// command from a system package that is missing skips the test, naming the
// package, on a developer's machine; in CI (CI=true) nothing may skip, so
// it fails there. scripts/test-packages.txt lists the packages, and
// `make test` installs them as root.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI, where a missing dependency is
// a failure rather than a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// NeedCommand returns the path of command, or skips (fails in CI) naming
// the Debian package that provides it.
func NeedCommand(t testing.TB, command, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(command)
	if err == nil {
		return p
	}
	Missing(t, command+" not found: install the Debian package "+pkg+" (make test does it as root)")
	return ""
}

// Missing skips the test with msg, or fails it in CI.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatal(msg)
		return
	}
	t.Skip(msg)
}
