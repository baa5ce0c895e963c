package apparmor

import "github.com/golive-sh/golive/internal/profile"

// macFact is the distro's mandatory access control system: selinux,
// apparmor or none. selinux declares it too.
var macFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "mac", Family: kind, Doc: "the mandatory access control system: selinux, apparmor or none",
})
