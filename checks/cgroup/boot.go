package cgroup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
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

// Where the next boot's kernel command line is configured.
const (
	grubDefault = "/etc/default/grub"
	grubDropIns = "/etc/default/grub.d"
	blsEntries  = "/boot/loader/entries"
	grubEnv     = "/boot/grub2/grubenv"
	maxConfig   = 1 << 20
)

// bootConfig is the kernel command line the next boot is configured with,
// as far as files tell: the default Boot Loader Specification entry
// (RHEL 8+, where grubby edits them), else GRUB_CMDLINE_LINUX and
// GRUB_CMDLINE_LINUX_DEFAULT of /etc/default/grub (and grub.d/*.cfg, which
// grub-mkconfig sources after it).
type bootConfig struct {
	args   []string
	source string // "" when no configuration was found
	// grub holds the /etc/default/grub variables, for remediation.
	grub     map[string]string
	problems []string
}

// readBootConfig never fails: what cannot be read is named in Problems.
func readBootConfig(h *host.Host) bootConfig {
	var bc bootConfig
	bc.grub, bc.problems = readGrubDefaults(h)
	if args, src, err := blsDefault(h); err != nil {
		bc.problems = append(bc.problems, err.Error())
	} else if src != "" {
		bc.args, bc.source = args, src
		return bc
	}
	line, lok := bc.grub["GRUB_CMDLINE_LINUX"]
	def, dok := bc.grub["GRUB_CMDLINE_LINUX_DEFAULT"]
	if lok || dok {
		// grub-mkconfig puts LINUX before LINUX_DEFAULT on the normal entries.
		bc.args = append(splitCmdline(line), splitCmdline(def)...)
		bc.source = grubDefault
	}
	return bc
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

// blsDefault returns the options of the entry grub boots by default:
// saved_entry in grubenv when it names an entry, else the newest (grub's
// blscfg sorts entries by version, newest first). "$kernelopts" (RHEL 8)
// is replaced from grubenv.
func blsDefault(h *host.Host) (args []string, source string, err error) {
	entries, err := h.ReadDir(blsEntries)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", nil
		}
		return nil, "", fmt.Errorf("read %s: %w", blsEntries, err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".conf") {
			names = append(names, strings.TrimSuffix(e.Name(), ".conf"))
		}
	}
	if len(names) == 0 {
		return nil, "", nil
	}
	env := readGrubEnv(h)
	chosen := ""
	if s := env["saved_entry"]; s != "" {
		for _, n := range names {
			if n == s {
				chosen = n
			}
		}
	}
	if chosen == "" {
		sort.Slice(names, func(i, j int) bool {
			if c := compareVersion(entryVersion(names[i]), entryVersion(names[j])); c != 0 {
				return c < 0
			}
			return names[i] < names[j]
		})
		chosen = names[len(names)-1]
	}
	p := path.Join(blsEntries, chosen+".conf")
	data, err := facts.BootFile(h, p, maxConfig)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", p, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxConfig)
	for sc.Scan() {
		k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if k != "options" {
			continue
		}
		for _, a := range splitCmdline(v) {
			if a == "$kernelopts" {
				args = append(args, splitCmdline(env["kernelopts"])...)
				continue
			}
			args = append(args, a)
		}
	}
	return args, p, nil
}

// entryVersion is the kernel release in an entry name
// ("<machine-id>-5.14.0-427.13.1.el9_4.x86_64"), every numeric run
// of it: 5, 14, 0, 427, 13, 1, 9, 4, 86, 64.
func entryVersion(name string) []int {
	_, rel, ok := strings.Cut(name, "-")
	if !ok {
		rel = name
	}
	var out []int
	for _, f := range strings.FieldsFunc(rel, func(r rune) bool { return r < '0' || r > '9' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			n = int(^uint(0) >> 1)
		}
		out = append(out, n)
	}
	return out
}

func readGrubEnv(h *host.Host) map[string]string {
	env := map[string]string{}
	data, err := facts.BootFile(h, grubEnv, 64<<10)
	if err != nil {
		return env
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	return env
}

// readGrubDefaults reads the shell assignments of /etc/default/grub and
// then /etc/default/grub.d/*.cfg, as grub-mkconfig sources them.
func readGrubDefaults(h *host.Host) (map[string]string, []string) {
	vars := map[string]string{}
	var problems []string
	files := []string{grubDefault}
	if entries, err := h.ReadDir(grubDropIns); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".cfg") {
				files = append(files, path.Join(grubDropIns, e.Name()))
			}
		}
	}
	for _, f := range files {
		data, err := facts.BootFile(h, f, maxConfig)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, fmt.Sprintf("read %s: %v", f, err))
			}
			continue
		}
		parseShellAssignments(data, vars)
	}
	return vars, problems
}

// parseShellAssignments reads NAME=value lines the way sh would for the
// simple forms grub's defaults files use: 'single' and "double" quotes,
// backslash escapes, and $NAME / ${NAME} of variables set earlier. Lines
// that are anything else (commands, conditionals) are ignored.
func parseShellAssignments(data []byte, vars map[string]string) {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		line = strings.TrimPrefix(line, "export ")
		name, rest, ok := strings.Cut(line, "=")
		if !ok || !shellName(name) {
			continue
		}
		if v, ok := shellValue(rest, vars); ok {
			vars[name] = v
		}
	}
}

func shellName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func shellValue(s string, vars map[string]string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return "", false
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				switch {
				case s[j] == '\\' && j+1 < len(s) && strings.IndexByte("$`\"\\", s[j+1]) >= 0:
					j++
					b.WriteByte(s[j])
				case s[j] == '$':
					n := expandVar(s[j:], vars, &b)
					j += n - 1
				default:
					b.WriteByte(s[j])
				}
			}
			if j >= len(s) {
				return "", false
			}
			i = j
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '$':
			i += expandVar(s[i:], vars, &b) - 1
		case c == ' ' || c == '\t' || c == ';':
			rest := strings.TrimSpace(s[i:])
			// A comment or the end of the assignment; anything else
			// (NAME=x cmd) is a command with an environment, not ours.
			return b.String(), rest == "" || rest[0] == '#' || rest[0] == ';'
		case c == '#' && i == 0:
			return "", true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// expandVar writes the value of $NAME or ${NAME} at the start of s and
// returns how many bytes it consumed.
func expandVar(s string, vars map[string]string, b *strings.Builder) int {
	if len(s) > 1 && s[1] == '{' {
		if j := strings.IndexByte(s, '}'); j > 2 && shellName(s[2:j]) {
			b.WriteString(vars[s[2:j]])
			return j + 1
		}
	}
	j := 1
	for j < len(s) && shellName(s[1:j+1]) {
		j++
	}
	if j == 1 {
		b.WriteByte('$')
		return 1
	}
	b.WriteString(vars[s[1:j]])
	return j
}
