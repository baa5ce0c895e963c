package cgroup

import (
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// Kernel arguments that choose the hierarchy (systemd(1), "Kernel Command
// Line"; src/basic/cgroup-util.c cg_is_unified_wanted / cg_is_hybrid_wanted).
const (
	argUnified = "systemd.unified_cgroup_hierarchy"
	argLegacy  = "systemd.legacy_systemd_cgroup_controller"
	argNoV1    = "cgroup_no_v1"
)

// grubDefault is where remediation edits the next boot's arguments on the
// Debian family.
const grubDefault = facts.GrubDefault

// bootConfig is the kernel command line the next boot is configured with
// (facts.BootLine says from where).
type bootConfig struct {
	args   []string
	source string // "" when no configuration was found
	// grub holds the /etc/default/grub variables, for remediation.
	grub     map[string]string
	problems []string
}

// readBootConfig never fails: what cannot be read is named in problems.
// The line is facts.NextBoot's, split as systemd splits /proc/cmdline.
func readBootConfig(h *host.Host) bootConfig {
	bl := facts.NextBoot(h)
	return bootConfig{args: splitCmdline(bl.Line), source: bl.Source, grub: bl.Grub, problems: bl.Problems}
}

// bootMode is the hierarchy systemd will set up with these arguments, or
// the distro's default (facts.cgroup) when they say nothing. "" means
// unknown.
func bootMode(args []string, distroDefault mode) (mode, string) {
	m, why, _ := bootModeArgs(args, distroDefault)
	return m, why
}

// bootModeArgs is bootMode; explicit is set when an argument decides it
// rather than the distro's default.
func bootModeArgs(args []string, distroDefault mode) (mode mode, why string, explicit bool) {
	mode, why = bootModeOf(args, distroDefault)
	_, u := argBool(args, argUnified)
	v, n := argValue(args, argNoV1)
	return mode, why, u || n && v == "all"
}

func bootModeOf(args []string, distroDefault mode) (mode, string) {
	unified, uok := argBool(args, argUnified)
	if uok && unified {
		return v2, argUnified + "=1"
	}
	if uok {
		// With unified off, systemd mounts hybrid unless told to keep the
		// legacy controller, or unless its build default is legacy.
		legacy, lok := argBool(args, argLegacy)
		switch {
		case lok && legacy:
			return v1, argUnified + "=0 " + argLegacy + "=1"
		case lok:
			return hybrid, argUnified + "=0 " + argLegacy + "=0"
		case distroDefault == v1:
			return v1, argUnified + "=0"
		}
		return hybrid, argUnified + "=0 (systemd then mounts the hybrid layout)"
	}
	if v, ok := argValue(args, argNoV1); ok && v == "all" {
		return v2, argNoV1 + "=all"
	}
	if distroDefault != "" {
		return distroDefault, "no kernel argument: the distro's default"
	}
	return "", "no kernel argument, and the profile knows no distro default (facts.cgroup)"
}

// argValue returns the value of the last occurrence of key (the kernel and
// systemd let a later argument override an earlier one).
func argValue(args []string, key string) (string, bool) {
	val, found := "", false
	for _, a := range args {
		k, v, hasEq := strings.Cut(a, "=")
		if k != key {
			continue
		}
		found = true
		val = v
		if !hasEq {
			val = ""
		}
	}
	return val, found
}

// argBool reads a boolean argument as systemd's parse_boolean: a bare key
// is true.
func argBool(args []string, key string) (value, ok bool) {
	v, found := argValue(args, key)
	if !found {
		return false, false
	}
	switch strings.ToLower(v) {
	case "", "1", "yes", "y", "true", "t", "on":
		return true, true
	case "0", "no", "n", "false", "f", "off":
		return false, true
	}
	return false, false // systemd ignores an unparsable value
}

// splitCmdline splits a kernel command line: spaces separate arguments
// except inside double quotes (param="a b"), and the quotes go.
func splitCmdline(s string) []string { return splitArgs(s, false) }

// splitArgs splits as splitCmdline; keepQuotes keeps each argument as
// written, for writing the line back.
func splitArgs(s string, keepQuotes bool) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
			if keepQuotes {
				b.WriteByte(c)
			}
		case !quoted && (c == ' ' || c == '\t' || c == '\n'):
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
