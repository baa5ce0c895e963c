package profile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzResolve writes arbitrary bytes as a profile and resolves it: a
// profile is outside input. Resolving never panics, every error is a
// *profile.Error (so the CLI can exit 2 with file:line), and a profile that
// resolves can be shown and its sections read as rules without panicking.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"",
		"# comment only\n",
		"name: t\nextends: none\nfacts:\n  distro: X\n  glibc: \"2.17\"\nsysctl:\n  net.core.somaxconn: \">= 65535\"\n  vm.swappiness: {expect: \"<= 10\", level: warn, why: latency}\n",
		"extends: base.yaml\nsysctl:\n  a: null\n  b: {level: warn}\n  c: \"in [x, y]\"\n",
		"extends: base.yaml\nfacts: {glibc: {v: 1}}\n",
		"extends: ./fuzz.yaml\n",
		"extends: auto\nservice: {unit: a.service, binaries: [/bin/a]}\n",
		"match:\n  - id: centos\n    version_id: \"7*\"\noptions: {parallel: 4, only: [sysctl]}\n",
		"a: &x 1\nb: *x\n",
		"a: 1\na: 2\n",
		"a: 1\n---\nb: 2\n",
		"- not a mapping\n",
		"sysctl: [\n",
		"? [a]\n: 1\n",
		"sysctl:\n  k: {expect: [1]}\n",
		"waivers:\n  - {check: \"sysctl/*\", reason: r, ticket: T-1, expires: 2027-01-31}\n",
		"waivers:\n  - {check: a, reason: r, ticket: T, expires: 2027-13-01}\n  - 7\n",
		"waivers: {check: a}\n",
		"service: {user: \"* hard nofile 1 #\", unit: \"a\\nb.service\"}\n",
		"service: {user: \"app\\n*\", unit: \"--now\"}\nsysctl: {\"-a.b=c\": \"== 1\\nx\"}\n",
		"service: {user: \"@wheel\", unit: \"a@b@c\", binaries: [\"/a/../..\"]}\n",
		"rlimits: {login: {nofile: \"== 1 #\"}}\nfacts: {package_manager: x, ca_update_command: [/bin/sh]}\n",
	} {
		f.Add([]byte(s))
	}
	for _, tc := range hostileTokens {
		f.Add([]byte(tc.yaml))
	}
	base := []byte("name: base\nextends: none\nfacts:\n  distro: Base\nsysctl:\n  a: \">= 1\"\n  b: {expect: \"<= 2\"}\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Stay inside the temp dir: extends may name any path, and a
		// device or FIFO elsewhere is not what this target is about.
		for _, outside := range []string{"/dev", "/proc", "/sys"} {
			if bytes.Contains(data, []byte(outside)) {
				t.Skip()
			}
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "base.yaml"), base, 0o644); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Resolve(Request{Profile: file, OS: nonexistentOS})
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Resolve error %v is a %T, want *profile.Error", err, err)
			}
			return
		}
		if _, err := p.YAML(); err != nil {
			t.Fatalf("YAML(): %v", err)
		}
		// What loads is safe to write as a token of a generated line.
		if u := strings.TrimSpace(p.Service.User); u != "" {
			if err := CheckUserName(u); err != nil {
				t.Fatalf("service.user %q loaded: %v", u, err)
			}
		}
		if u := strings.TrimSpace(p.Service.Unit); u != "" {
			if err := CheckUnitName(u); err != nil {
				t.Fatalf("service.unit %q loaded: %v", u, err)
			}
		}
		for _, b := range p.Service.Binaries {
			if err := CheckPath(b); err != nil {
				t.Fatalf("service.binaries %q loaded: %v", b, err)
			}
		}
		for _, s := range p.Sections {
			if _, err := p.Rules(s.Node); err != nil {
				var pe *Error
				if !errors.As(err, &pe) {
					t.Fatalf("Rules error %v is a %T, want *profile.Error", err, err)
				}
			}
		}
	})
}
