package osinfo

import "github.com/golive-sh/golive/internal/profile"

// The distro's support dates, which os/eol judges today against.
var (
	// eolFact is the end of the distro's (standard) support, YYYY-MM-DD;
	// eolNoteFact says which support phase it is.
	eolFact     = declare("eol", "the end of the distro's (standard) support, YYYY-MM-DD")
	eolNoteFact = declare("eol_note", "which support phase eol ends")
	// eolExtendedFact is the end of the extended support the vendor sells
	// after eol (Ubuntu Pro ESM, RHEL ELS, Debian LTS/ELTS);
	// eolExtendedNoteFact names that support.
	eolExtendedFact     = declare("eol_extended", "the end of the extended support the vendor sells after eol, YYYY-MM-DD")
	eolExtendedNoteFact = declare("eol_extended_note", "the name of that extended support")
	// extendedSupportFact says this host is entitled to the extended
	// support (a subscription the distro profile cannot know of): the
	// service's own profile sets it, and os/eol then judges against
	// eol_extended.
	extendedSupportFact = profile.DeclareFact(profile.FactSpec[bool]{
		Key: "extended_support", Family: kind, Doc: "the host is entitled to the extended support (eol_extended)",
	})
)

func declare(key, doc string) profile.Fact[string] {
	return profile.DeclareFact(profile.FactSpec[string]{Key: key, Family: kind, Doc: doc})
}
