package cgroup

import "github.com/golive-sh/golive/internal/profile"

// cgroupFact is the cgroup mode the distro boots with: v1, v2 or hybrid
// (v1 controllers plus systemd's own cgroup2, Ubuntu 20.04's default).
var cgroupFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "cgroup", Family: kind, Doc: "the cgroup mode the distro boots with: v1, v2 or hybrid",
})
