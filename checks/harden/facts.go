package harden

import (
	"fmt"

	"github.com/golive-sh/golive/internal/profile"
)

// coreLimitFact is the soft RLIMIT_CORE a system service gets when neither
// its unit's LimitCORE= nor system.conf's DefaultLimitCORE= sets one: what
// PID 1 passes on. Upstream systemd since v229 raises it to infinity (commit 15a900327ab)
// (src/core/main.c, initialize_coredump: "so that coredump handlers such as
// systemd-coredump (which honour the limit) will process core dumps for
// system services by default"); older systemd and builds that revert that
// pass on the kernel's 0. Unset: not judged.
var coreLimitFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "service_core_limit", Family: kind,
	Doc: "the soft RLIMIT_CORE systemd gives a service when no LimitCORE= or DefaultLimitCORE= sets one: 0 or infinity",
	Check: func(v string) error {
		if v != "" && v != "0" && v != "infinity" {
			return fmt.Errorf("facts.service_core_limit: %q is not 0 or infinity", v)
		}
		return nil
	},
})
