// Package remediate holds remediation as data: a check that can be fixed
// attaches a Plan of typed actions, never a shell string. Rendering plans
// into bash or Ansible (with all quoting in one place) builds on these types.
package remediate

// Kind names an action type; the names are part of the JSON contract.
type Kind string

// The action kinds of DESIGN.md "Remediation is data".
const (
	// SysctlSet sets Key to Value at runtime (sysctl -w) and persists it in
	// /etc/sysctl.d/90-golive.conf.
	SysctlSet Kind = "sysctl-set"
	// FileLine replaces the line setting Key in Path with Line, or appends it.
	FileLine Kind = "file-line"
	// DropIn writes Content as the whole file Path, owned by golive.
	DropIn Kind = "drop-in"
	// Command runs Argv (no shell); Why says what it is for.
	Command Kind = "command"
	// Manual is work for a person, described by Text.
	Manual Kind = "manual"
	// FileMode gives the file at Path the Mode (four octal digits) and
	// the numeric Owner and Group that are set. Unlike a command it is
	// about a file, so under ROOT it applies to ROOT + Path (ids are
	// numbers, resolved by the check through the root's own accounts).
	FileMode Kind = "file-mode"
	// Package installs (State present) the package Package, at Version
	// when one is named, or removes it (State absent), with Manager: apt,
	// dnf or yum. It changes the running system, so under ROOT it is
	// listed for the booted system, like a command.
	Package Kind = "package"
)

// Kinds are the action types, as the JSON report names them.
var Kinds = []Kind{SysctlSet, FileLine, DropIn, Command, Manual, FileMode, Package}

// SysctlDropIn is the file sysctl-set actions persist to; 90 sorts after the
// distros' own files so golive's values win, and before 99-sysctl.conf so an
// operator's /etc/sysctl.conf still has the last word.
const SysctlDropIn = "/etc/sysctl.d/90-golive.conf"

// Plan is what fixes one check.
type Plan struct {
	Summary string   `json:"summary"`
	Actions []Action `json:"actions"`
	// Reboot is set when the fix takes effect only after a reboot.
	Reboot bool `json:"reboot,omitempty"`
}

// Action is one typed step. Only the fields of its Kind are set.
//
// A file-line action edits the lines of Path that set Key, as SetsKey
// defines it: after leading blanks and an optional "-" (sysctl.d's
// ignore-failure mark), the text before the first "=", without surrounding
// blanks, is Key (or, for a key with dots or slashes, its form with the two
// separators swapped, which sysctl.d(5) treats as the same key). Lines
// starting with # or ; are comments and never match. That covers what the
// producers emit: sysctl.d "key = value" and "key=value", SELinux's
// "SELINUX=enforcing", systemd's "Directive=value" and /etc/default/grub's
// "GRUB_CMDLINE_LINUX=\"...\"". Line must itself set Key, so that a second
// run finds it and changes nothing.
type Action struct {
	Kind    Kind     `json:"type"`
	Key     string   `json:"key,omitempty"`
	Value   string   `json:"value,omitempty"`
	Path    string   `json:"path,omitempty"`
	Line    string   `json:"line,omitempty"`
	Content string   `json:"content,omitempty"`
	Argv    []string `json:"argv,omitempty"`
	Why     string   `json:"why,omitempty"`
	Text    string   `json:"text,omitempty"`
	Mode    string   `json:"mode,omitempty"`
	Owner   string   `json:"owner,omitempty"`
	Group   string   `json:"group,omitempty"`
	Manager string   `json:"manager,omitempty"`
	Package string   `json:"package,omitempty"`
	Version string   `json:"version,omitempty"`
	State   string   `json:"state,omitempty"`
}

// SetSysctl is a sysctl-set action.
func SetSysctl(key, value string) Action { return Action{Kind: SysctlSet, Key: key, Value: value} }

// Run is a command action.
func Run(why string, argv ...string) Action { return Action{Kind: Command, Argv: argv, Why: why} }

// SetFileMode is a file-mode action; empty fields are left as they are.
func SetFileMode(path, mode, owner, group string) Action {
	return Action{Kind: FileMode, Path: path, Mode: mode, Owner: owner, Group: group}
}

// InstallPackage is a package action that installs name with manager
// (apt, dnf or yum), at version when it is not empty.
func InstallPackage(manager, name, version string) Action {
	return Action{Kind: Package, Manager: manager, Package: name, Version: version, State: "present"}
}

// RemovePackage is a package action that removes name with manager.
func RemovePackage(manager, name string) Action {
	return Action{Kind: Package, Manager: manager, Package: name, State: "absent"}
}

// Tell is a manual action.
func Tell(text string) Action { return Action{Kind: Manual, Text: text} }
