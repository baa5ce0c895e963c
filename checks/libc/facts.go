package libc

import "github.com/golive-sh/golive/internal/profile"

// glibcFact is the distro's glibc version: the one the service's binaries
// must not need more than, and what libc/targets judges them against.
var glibcFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "glibc", Family: kind, Doc: "the distro's glibc version",
})
