// Package profile loads golive profiles: YAML files that say what a ready
// host looks like. Built-in distro profiles are embedded; a service's own
// file (golive.yaml) usually `extends: auto` and layers its requirements on
// top. Parsing is strict: an unknown key, a wrong type or a bad expectation
// is an *Error naming file and line.
package profile

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Facts are what checks and remediation need to know about a distro.
type Facts struct {
	// Distro is the human name of what the profile describes.
	Distro string `yaml:"distro"`
	// Family is rhel or debian; it picks remediation commands.
	Family string `yaml:"family"`
	// PackageManager is yum, dnf or apt.
	PackageManager string `yaml:"package_manager"`
	// CABundle is the system CA bundle file; CAAnchorDir where local CAs
	// are dropped; CAUpdateCommand rebuilds the bundle from the anchors.
	CABundle        string   `yaml:"ca_bundle"`
	CAAnchorDir     string   `yaml:"ca_anchor_dir"`
	CAUpdateCommand []string `yaml:"ca_update_command"`
	// Glibc is the distro's glibc version.
	Glibc string `yaml:"glibc"`
	// Cgroup is the cgroup mode the distro boots with: v1, v2 or hybrid
	// (v1 controllers plus systemd's own cgroup2, Ubuntu 20.04's default).
	Cgroup string `yaml:"cgroup"`
	// MAC is the mandatory access control system: selinux, apparmor or none.
	MAC string `yaml:"mac"`
	// EOL is the end of the distro's (standard) support, YYYY-MM-DD.
	EOL string `yaml:"eol"`
	// EOLNote says which support phase EOL refers to.
	EOLNote string `yaml:"eol_note"`
	// EOLExtended is the end of the extended support the vendor sells after
	// EOL (Ubuntu Pro ESM, RHEL ELS, Debian LTS/ELTS), YYYY-MM-DD;
	// EOLExtendedNote names that support.
	EOLExtended     string `yaml:"eol_extended"`
	EOLExtendedNote string `yaml:"eol_extended_note"`
	// ExtendedSupport says this host is entitled to the extended support
	// (a subscription the profile cannot know of): the service's own
	// profile sets it, and os/eol then judges against EOLExtended.
	ExtendedSupport bool `yaml:"extended_support"`
	// SysctlDefaults are values a key has after boot when no sysctl.d file
	// sets it (the distro kernel's default, or what systemd sets at boot).
	// They let golive tell "not persisted, but this is the default anyway"
	// from "reverts on reboot".
	SysctlDefaults map[string]string `yaml:"sysctl_defaults"`
	// SystemdBumpsNrOpen is false where the distro builds systemd with
	// -Dbump-proc-sys-fs-nr-open=false, so PID 1 (>= 240) raises
	// fs.file-max but leaves fs.nr_open at the kernel's default: Debian's
	// systemd from 240-2 to 256 (Debian 10 to 12), undone in 256~rc3-3
	// (Debian 13). Unset means upstream's behaviour (it raises both).
	SystemdBumpsNrOpen *bool `yaml:"systemd_bumps_nr_open"`
}

// Service describes the service being readied; several families read it.
type Service struct {
	Name     string   `yaml:"name"`
	Unit     string   `yaml:"unit"`
	User     string   `yaml:"user"`
	Binaries []string `yaml:"binaries"`
	// Artifacts are binaries named on the command line (--binary): files of
	// the machine golive runs on, checked against the root.
	Artifacts []string `yaml:"-"`
}

// Options are defaults for `golive check` flags, kept in the config file.
// Flags and GOLIVE_* environment variables override them.
type Options struct {
	Format       string   `yaml:"format"`
	FailOn       string   `yaml:"fail_on"`
	Timeout      string   `yaml:"timeout"`
	CheckTimeout string   `yaml:"check_timeout"`
	Parallel     int      `yaml:"parallel"`
	Offline      bool     `yaml:"offline"`
	Only         []string `yaml:"only"`
	Skip         []string `yaml:"skip"`
}

// MatchRule matches os-release fields with shell globs; every field given
// must match. A profile matches when any of its rules does.
type MatchRule struct {
	ID        string `yaml:"id"`
	IDLike    string `yaml:"id_like"`
	VersionID string `yaml:"version_id"`
}

// Section is one check family's part of a profile.
type Section struct {
	Kind string
	Key  *yaml.Node // where the section is named, for errors
	Node *yaml.Node
}

// Profile is a resolved, merged profile.
type Profile struct {
	// Name is the most specific base profile (a built-in such as rocky-9,
	// or the name of a profile file given with --profile).
	Name string
	// Chain lists every file merged, base first: linux, rocky-9, golive.yaml.
	Chain []string
	// Description of the base profile.
	Description string
	// Fallback is set when no distro profile matched the host and the
	// generic one was used.
	Fallback bool
	// MatchedBy says why the base profile was chosen.
	MatchedBy string

	Facts    Facts
	Service  Service
	Options  Options
	Waivers  []Waiver
	Sections []Section

	merged *yaml.Node
	pos    positions
}

// Section returns the section of kind, or nil.
func (p *Profile) Section(kind string) *yaml.Node {
	for _, s := range p.Sections {
		if s.Kind == kind {
			return s.Node
		}
	}
	return nil
}

// Errorf returns an *Error placed at n: families use it to report a bad
// value in their section with the file and line the user wrote.
func (p *Profile) Errorf(n *yaml.Node, format string, args ...any) error {
	return p.pos.errorf(n, format, args...)
}

// Where returns "file:line" for a node, for details and explain output.
func (p *Profile) Where(n *yaml.Node) string {
	return fmt.Sprintf("%s:%d", p.pos[n], n.Line)
}

// DecodeStrict decodes a node of this profile into v, rejecting unknown keys
// with their file and line.
func (p *Profile) DecodeStrict(n *yaml.Node, v any) error {
	return p.pos.decodeStrict(n, v)
}

// YAML renders the merged profile, as `golive profiles show` prints it.
func (p *Profile) YAML() ([]byte, error) {
	return yaml.Marshal(p.merged)
}
