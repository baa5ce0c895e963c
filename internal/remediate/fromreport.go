package remediate

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// A report read back with `golive remediate --from` is code: its command
// argv and drop-in paths become a script run as root. A report is outside
// input, so every action must be one the family of its check can produce:
// a program that family runs, a file in a directory golive writes. The
// tables below mirror what the families emit (TestEveryFamilysActionsPassVet
// in internal/cli runs every fixture root's report through them, so a
// family that starts emitting something new fails there until it is added).

// reportRule is what the checks of one category may ask for.
type reportRule struct {
	// Programs are the argv[0] values (bare names: a path could be
	// anything) and, for some, the first arguments they may take.
	Programs map[string][]string
	// Files are path.Match patterns of the files file-line may edit and
	// drop-in may write.
	Files []string
	// Sysctl allows sysctl-set actions.
	Sysctl bool
	// FileModes allows file-mode actions on any path: the file family's
	// paths are the profile's, not golive's own files.
	FileModes bool
	// Packages allows package actions (install or remove a package).
	Packages bool
}

// Where golive writes, by kind of file.
var (
	sysctlFiles = []string{"/etc/sysctl.conf", "/etc/sysctl.d/*.conf", "/run/sysctl.d/*.conf",
		"/usr/local/lib/sysctl.d/*.conf", "/usr/lib/sysctl.d/*.conf", "/lib/sysctl.d/*.conf"}
	unitFiles         = []string{"/etc/systemd/system/*", "/etc/systemd/system/*.d/*.conf"}
	goliveUnitDropIns = []string{"/etc/systemd/system/*.d/90-golive.conf", "/etc/systemd/system/*.d/90-golive-*.conf"}
	grubDefault       = "/etc/default/grub"
	// anyArgs allows a program whatever its arguments.
	anyArgs []string
)

var systemctl = []string{"daemon-reload", "enable", "start", "unmask", "set-property"}

// reportRules are keyed by check category.
var reportRules = map[string]reportRule{
	"sysctl": {Sysctl: true, Files: sysctlFiles, Programs: map[string][]string{"sysctl": {"-w", "-p"}}},
	"memory": {Sysctl: true, Programs: map[string][]string{"swapoff": {"-a"}}},
	"rlimit": {Files: append([]string{"/etc/security/limits.d/90-golive.conf"}, goliveUnitDropIns...),
		Programs: map[string][]string{"systemctl": systemctl}},
	"systemd": {Files: goliveUnitDropIns, Programs: map[string][]string{"systemctl": systemctl, "useradd": {"--system"}}},
	"cgroup": {Files: append(append([]string{grubDefault}, unitFiles...), goliveUnitDropIns...),
		Programs: map[string][]string{"systemctl": systemctl, "grubby": {"--update-kernel=ALL"}, "update-grub": anyArgs}},
	"apparmor": {Files: []string{grubDefault}, Programs: map[string][]string{"systemctl": systemctl, "update-grub": anyArgs}},
	"selinux": {Files: []string{"/etc/selinux/config", "/.autorelabel"},
		Programs: map[string][]string{"setenforce": {"0", "1"}, "semanage": {"fcontext"}, "restorecon": {"-Rv", "-RFv"},
			"yum": {"install"}, "dnf": {"install"}}},
	"log": {Files: []string{"/etc/systemd/journald.conf.d/golive.conf", "/etc/logrotate.d/*"},
		Programs: map[string][]string{"systemctl": {"restart", "enable"}}},
	"harden": {Files: append([]string{"/etc/audit/rules.d/golive-*.rules", "/etc/systemd/coredump.conf.d/90-golive.conf"}, goliveUnitDropIns...),
		Programs: map[string][]string{"systemctl": systemctl, "augenrules": {"--load"}}},
	// The firewall family opens a port the way the host's firewall is
	// managed; nftables files are never edited (a manual step).
	"firewall": {Programs: map[string][]string{"firewall-cmd": {"--permanent", "--reload"}, "ufw": {"allow", "reload"}, "nft": {"insert"}}},
	// The kmod family writes its own modules-load.d drop-in and loads the
	// module now.
	"kmod":     {Files: []string{"/etc/modules-load.d/golive-*.conf"}, Programs: map[string][]string{"modprobe": anyArgs}},
	"cabundle": cabundleRule,
	"tls":      cabundleRule,
	// The file family changes modes and owners of the paths a profile
	// names, whatever they are (file-mode actions); the account families
	// create and modify accounts (never delete them: a manual step).
	"file":  {FileModes: true, Programs: map[string][]string{"semanage": {"fcontext"}, "restorecon": {"-v"}}},
	"user":  {Programs: map[string][]string{"useradd": anyArgs, "usermod": anyArgs}},
	"group": {Programs: map[string][]string{"groupadd": anyArgs, "groupmod": {"--gid"}, "gpasswd": {"--members"}}},
	// The package family installs or removes the packages a profile names.
	"package": {Packages: true},
}

var cabundleRule = reportRule{Programs: map[string][]string{
	"update-ca-trust": anyArgs, "update-ca-certificates": anyArgs,
	"yum": {"install", "reinstall", "update"}, "dnf": {"install", "reinstall", "upgrade"}, "apt-get": {"install", "update"},
	"openssl": {"x509"}, "install": {"-m"}, "mv": anyArgs,
}}

// VetReportAction says why a, read from a report for the check id of
// category, is not an action that check can produce, or nil.
func VetReportAction(id, category string, a Action) error {
	if a.Kind == Manual {
		return nil // text for a person; the script only prints it
	}
	if prefix, _, _ := strings.Cut(id, "/"); prefix != category {
		return fmt.Errorf("category %q does not match the check ID", category)
	}
	rule, ok := reportRules[category]
	if !ok {
		return fmt.Errorf("a %s check has no %s actions: only manual steps", category, a.Kind)
	}
	switch a.Kind {
	case SysctlSet:
		if !rule.Sysctl {
			return fmt.Errorf("a %s check sets no sysctl", category)
		}
	case FileLine, DropIn:
		if !matchesAny(a.Path, rule.Files) {
			return fmt.Errorf("%s %q: a %s check writes only %s", a.Kind, a.Path, category, strings.Join(rule.Files, ", "))
		}
	case FileMode:
		if !rule.FileModes {
			return fmt.Errorf("a %s check changes no file modes or owners", category)
		}
		if err := checkAction(a, false); err != nil {
			return fmt.Errorf("file-mode: %w", err)
		}
	case Package:
		if !rule.Packages {
			return fmt.Errorf("a %s check installs or removes no package", category)
		}
		if err := checkAction(a, false); err != nil {
			return fmt.Errorf("package: %w", err)
		}
	case Command:
		if len(a.Argv) == 0 {
			return fmt.Errorf("an empty command")
		}
		firsts, ok := rule.Programs[a.Argv[0]]
		if !ok {
			return fmt.Errorf("command %q: a %s check runs only %s", a.Argv[0], category, strings.Join(programNames(rule), ", "))
		}
		if firsts != nil && (len(a.Argv) < 2 || !slices.Contains(firsts, a.Argv[1])) {
			return fmt.Errorf("command %q: golive runs %s only as %s", strings.Join(a.Argv, " "), a.Argv[0], strings.Join(firsts, ", "))
		}
	default:
		return fmt.Errorf("unknown action type %q", a.Kind)
	}
	return nil
}

func matchesAny(p string, patterns []string) bool {
	if !validPath(p) {
		return false
	}
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

func programNames(r reportRule) []string {
	var out []string
	for p := range r.Programs {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
