package rlimit

import "github.com/golive-sh/golive/internal/profile"

// sysctlDefaultsFact are the values sysctl keys have after boot when no
// sysctl.d file sets them: fs.nr_open's caps every nofile limit. sysctl
// declares it too.
var sysctlDefaultsFact = profile.DeclareFact(profile.FactSpec[map[string]string]{
	Key: "sysctl_defaults", Family: kind, Doc: "values a sysctl key has after boot when no sysctl.d file sets it",
})
