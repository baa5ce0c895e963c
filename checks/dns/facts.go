package dns

import "github.com/golive-sh/golive/internal/profile"

// glibcFact is the distro's glibc version: it says which resolv.conf
// dialect the stub resolver reads.
var glibcFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "glibc", Family: kind, Doc: "the distro's glibc version",
})
