package file

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile/profiletest"
)

// BenchmarkHundredChecks runs 100 file checks (25 paths of the rocky-9
// fixture root, four aspects each: exists, mode, owner, contains) on a
// fresh host each iteration, so the account files are read every time.
func BenchmarkHundredChecks(b *testing.B) {
	root := filepath.Join("..", "..", "testdata", "roots", "rocky-9")
	paths := []string{"/etc/passwd", "/etc/group", "/etc/os-release", "/etc/nsswitch.conf", "/etc/resolv.conf",
		"/etc/selinux/config", "/etc/sysctl.conf", "/etc/chrony.conf", "/etc/hosts", "/etc/hostname",
		"/etc/ld.so.conf", "/etc/systemd/system.conf", "/etc/tuned/tuned-main.conf", "/etc/tuned/active_profile",
		"/etc/tuned/profile_mode", "/etc/sysconfig/goservice", "/etc/goservice/tls/server.pem",
		"/etc/goservice/tls/server-key.pem", "/etc/systemd/system.conf.d/50-limits.conf",
		"/etc/systemd/system/goservice.service.d/50-tls.conf", "/etc/systemd/system/goservice.service.d/60-resources.conf",
		"/etc/selinux/targeted/contexts/customizable_types", "/etc/selinux/targeted/contexts/files/file_contexts.local",
		"/etc/pki/ca-trust/source/anchors/acme-platform-root-2026.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"}
	var yaml strings.Builder
	yaml.WriteString("file:\n")
	for _, p := range paths {
		fmt.Fprintf(&yaml, "  %s: {mode: \"<= 0644\", owner: \"0\", contains: [\"/^[a-z]/\"]}\n", p)
	}
	p := profiletest.ResolveNamed(b, "p.yaml", yaml.String())
	checks, err := build(p.Section(kind), p)
	if err != nil {
		b.Fatal(err)
	}
	if len(checks) != 100 {
		b.Fatalf("%d checks", len(checks))
	}
	b.ResetTimer()
	for range b.N {
		h, err := host.New(root)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range checks {
			c.Run(context.Background(), h)
		}
	}
}
