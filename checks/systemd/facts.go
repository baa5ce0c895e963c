package systemd

import "github.com/golive-sh/golive/internal/profile"

// glibcFact is the distro's glibc version: it says how glibc's files NSS
// module reads /etc/passwd (internal/facts.NSSRulesFor), so the user
// check judges the service's user as the host's getpwnam would.
var glibcFact = profile.DeclareFact(profile.FactSpec[string]{
	Key: "glibc", Family: kind, Doc: "the distro's glibc version",
})
