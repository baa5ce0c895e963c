package logs

import (
	"fmt"

	"github.com/golive-sh/golive/internal/profile"
)

// storageFact is journald's compiled-in Storage= on the distro: auto in
// upstream systemd (journald.conf(5)); a distro could build another.
var storageFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "journald_storage", Family: kind, Doc: "journald's compiled-in Storage= default: auto (upstream systemd), persistent, volatile or none",
	Check: func(v string) error {
		switch v {
		case "", "auto", "persistent", "volatile", "none":
			return nil
		}
		return fmt.Errorf("facts.journald_storage: %q is not auto, persistent, volatile or none", v)
	},
})

// runnerFact is how the distro's logrotate package runs it: a systemd
// timer or a cron.daily job. golive looks for both; the fact says which
// the fix enables.
var runnerFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "logrotate_runner", Family: kind, Doc: "how the distro's logrotate package runs it: timer (logrotate.timer) or cron (/etc/cron.daily/logrotate)",
	Check: func(v string) error {
		switch v {
		case "", "timer", "cron":
			return nil
		}
		return fmt.Errorf("facts.logrotate_runner: %q is not timer or cron", v)
	},
})
