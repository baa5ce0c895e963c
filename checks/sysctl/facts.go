package sysctl

import "github.com/golive-sh/golive/internal/profile"

var (
	// defaultsFact are values a key has after boot when no sysctl.d file
	// sets it (the distro kernel's default, or what systemd sets at boot).
	// They let golive tell "not persisted, but this is the default anyway"
	// from "reverts on reboot". rlimit declares it too.
	defaultsFact = profile.DeclareFact(profile.FactSpec[map[string]string]{
		Key: "sysctl_defaults", Family: kind, Doc: "values a sysctl key has after boot when no sysctl.d file sets it",
	})
	// bumpsNrOpenFact is false where the distro builds systemd with
	// -Dbump-proc-sys-fs-nr-open=false, so PID 1 (>= 240) raises
	// fs.file-max but leaves fs.nr_open at the kernel's default: Debian's
	// systemd from 240-2 to 256 (Debian 10 to 12), undone in 256~rc3-3
	// (Debian 13). Unset (nil) means upstream's behaviour (it raises both).
	bumpsNrOpenFact = profile.DeclareFact(profile.FactSpec[*bool]{
		Key: "systemd_bumps_nr_open", Family: kind, Doc: "false where the distro's systemd leaves fs.nr_open at the kernel's default",
	})
)
