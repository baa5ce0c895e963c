package remediate

import "time"

// Input is what a remediation script is rendered from: where the checks
// ran, what the script may run on, and the fixes.
type Input struct {
	// Tool is the generating golive ("golive v0.1.0").
	Tool string
	// Host and Distro describe the checked machine (hostname, PRETTY_NAME);
	// Root is the root it was checked under ("/" or an image's mount).
	Host, Distro, Root string
	// Profile is the resolved profile's name (rocky-9).
	Profile string
	// Hosts is the Ansible play's hosts: pattern, the inventory hosts the
	// playbook may change (the checked host's name, or --hosts); it must
	// be set for Ansible, which refuses to write a play for every host.
	Hosts string
	// CheckedAt is when the checks ran; GeneratedAt when this is rendered.
	CheckedAt, GeneratedAt time.Time
	// Guard says which os-release the script or playbook may change.
	Guard Guard
	// Fixes are the checks to fix, in report order.
	Fixes []Fix
}

// Fix is one check's remediation.
type Fix struct {
	CheckID string
	Status  string // fail or warn
	Plan    Plan
}

// Guard names the systems a script may change: the os-release of the
// target (the running host, or ROOT's) must match one of the rules.
type Guard struct {
	// Distro is the human name shown when the guard refuses.
	Distro string
	Rules  []GuardRule
}

// GuardRule matches os-release fields with shell globs (path.Match
// syntax), as a profile's match rules do: VersionID, when set, must match
// VERSION_ID; then ID is matched when set, else one word of ID_LIKE must
// match IDLike. A rule with neither ID nor IDLike matches nothing.
type GuardRule struct {
	ID, IDLike, VersionID string
}
