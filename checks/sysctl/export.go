package sysctl

import (
	"fmt"

	"github.com/golive-sh/golive/internal/host"
)

// Persisted is the value systemd-sysctl gives key (dotted) at the next
// boot, and the file:line that sets it; ok is false when no sysctl.d file
// does. It shares the run's one read of the sysctl.d directories with the
// sysctl checks, for families that judge a key's boot value (harden reads
// kernel.core_pattern).
func Persisted(h *host.Host, key string) (value, where string, ok bool) {
	cfg, err := sharedConfig(h)
	if err != nil || cfg == nil {
		return "", "", false
	}
	p, ok := cfg.resolve(normalize(key))
	if !ok {
		return "", "", false
	}
	return p.value, fmt.Sprintf("%s:%d", p.file, p.line), true
}
