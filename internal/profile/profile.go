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

// Facts are what every family and remediation need to know about a
// distro. A fact only one family reads is declared by that family
// (DeclareFact) and read through its Fact.
type Facts struct {
	// Distro is the human name of what the profile describes.
	Distro string `yaml:"distro" doc:"The human name of the distro the profile describes." example:"Rocky Linux 9"`
	// Family is rhel or debian; it picks remediation commands.
	Family string `yaml:"family" doc:"The distro family; it picks remediation commands." enum:"rhel,debian"`
	// PackageManager is yum, dnf or apt.
	PackageManager string `yaml:"package_manager" doc:"The package manager remediation names." enum:"yum,dnf,apt"`
}

// Service describes the service being readied; several families read it.
type Service struct {
	Name     string   `yaml:"name" doc:"The service's name, for reports." example:"payments"`
	Unit     string   `yaml:"unit" doc:"The service's systemd unit: rlimits.unit, cgroup.unit and systemd checks read it." example:"payments.service"`
	User     string   `yaml:"user" doc:"The account the service runs as: rlimits.login and systemd user checks read it." example:"payments"`
	Binaries []string `yaml:"binaries" doc:"The service's executables on the host (absolute paths): the libc checks read their ELF headers." example:"[/opt/payments/bin/payments]"`
	Ports    []Port   `yaml:"ports" doc:"The ports the service listens on: the port checks read them (free before go-live, or listening after it)." maxItems:"256"`
	// Artifacts are binaries named on the command line (--binary): files of
	// the machine golive runs on, checked against the root.
	Artifacts []string `yaml:"-"`
}

// Port is one port the service listens on (service.ports).
type Port struct {
	Port    int    `yaml:"port" doc:"The port number." example:"8080" min:"1" max:"65535"`
	Proto   string `yaml:"proto" doc:"The transport." default:"tcp" enum:"tcp,udp"`
	Address string `yaml:"address" doc:"Where the service must listen: an IP address, 0.0.0.0 (every IPv4 address) or :: (every IPv6 address). Unset: anywhere, but loopback alone warns (unreachable from other hosts)." example:"0.0.0.0"`
	Expect  string `yaml:"expect" doc:"free: nothing but the service's own unit holds the port (before go-live); listening: the service's unit listens there (after go-live)." default:"free" enum:"free,listening"`
}

// Options are defaults for `golive check` flags, kept in the config file.
// Flags and GOLIVE_* environment variables override them.
type Options struct {
	Format       string   `yaml:"format" doc:"Report format (--format)." default:"table" enum:"table,json,junit,markdown,prom"`
	FailOn       string   `yaml:"fail_on" doc:"What makes the exit code 1 (--fail-on): fail (fail or error), warn (also warn), none (report only)." default:"fail" enum:"fail,warn,none"`
	Timeout      string   `yaml:"timeout" doc:"Deadline for the whole run (--timeout)." default:"60s" format:"duration"`
	CheckTimeout string   `yaml:"check_timeout" doc:"Deadline for one check (--check-timeout)." default:"5s" format:"duration"`
	Parallel     int      `yaml:"parallel" doc:"Checks run at once (--parallel); 0 picks the default bounds." default:"0" min:"0" max:"10000"`
	Offline      bool     `yaml:"offline" doc:"Skip every check that talks to the network (--offline)." default:"false"`
	Only         []string `yaml:"only" doc:"Run only these checks (--only): IDs, globs (sysctl/*) or categories." example:"[sysctl, rlimit]"`
	Skip         []string `yaml:"skip" doc:"Do not run these checks (--skip): IDs, globs or categories." example:"[dns/*]"`
	Probe        []string `yaml:"probe" doc:"Run these probes, checks that write to the host (--probe): fsync (disk/fsync writes and removes a temp file of at most a few MiB in each probed directory)." example:"[fsync]"`
}

// MatchRule matches os-release fields with shell globs; every field given
// must match. A profile matches when any of its rules does.
type MatchRule struct {
	ID        string `yaml:"id" doc:"A shell glob on os-release ID." example:"rocky"`
	IDLike    string `yaml:"id_like" doc:"A shell glob on one word of os-release ID_LIKE." example:"rhel"`
	VersionID string `yaml:"version_id" doc:"A shell glob on os-release VERSION_ID." example:"9*"`
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
	// Probes are the checks that write, asked for with --probe (or the
	// config file's options: probe): disk/fsync. None runs without it.
	Probes []string

	merged *yaml.Node
	pos    positions
	facts  map[string]any // declared facts by key, decoded
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
