package clock

import (
	"fmt"

	"github.com/golive-sh/golive/internal/profile"
)

// daemonFact is the time daemon the distro ships enabled: what the fix
// installs and enables when no daemon is.
var daemonFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "time_daemon", Family: kind, Doc: "the time daemon the distro ships enabled: chronyd, systemd-timesyncd or ntpd",
	Check: func(v string) error {
		if _, ok := daemonByName(v); !ok && v != "" {
			return fmt.Errorf("facts.time_daemon: %q is not chronyd, systemd-timesyncd or ntpd", v)
		}
		return nil
	},
})
