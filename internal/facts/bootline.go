package facts

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// Where the next boot's kernel command line is configured.
const (
	GrubDefault = "/etc/default/grub"
	grubDropIns = "/etc/default/grub.d"
	blsEntries  = "/boot/loader/entries"
	// ProcCmdline is the running kernel's command line.
	ProcCmdline = "/proc/cmdline"
)

// grubEnvFiles are GRUB's environment blocks, read in this order (a later
// one wins): BIOS grub2, Debian's grub, RHEL's EFI partition.
var grubEnvFiles = []string{"/boot/grub2/grubenv", "/boot/grub/grubenv", "/boot/efi/EFI/redhat/grubenv"}

// BootLine is the kernel command line the next boot is configured with,
// as the bootloader's files say, unparsed: the kernel (sysctl.*=) and
// systemd (systemd.unified_cgroup_hierarchy=) each split it their own way,
// and the family that predicts one of them parses it as that program does.
//
// The line comes from, in order:
//  1. the default Boot Loader Specification entry (RHEL 8+, Fedora, where
//     grubby edits them): grubenv's saved_entry when it names an entry,
//     else the newest, as GRUB's blscfg sorts them; $name and ${name} in
//     its options are grubenv variables ($kernelopts on RHEL 8);
//  2. /etc/default/grub and /etc/default/grub.d/*.cfg, sourced in that
//     order as grub-mkconfig sources them: GRUB_CMDLINE_LINUX, then
//     GRUB_CMDLINE_LINUX_DEFAULT (the normal boot entry's arguments);
//  3. on the running system with neither, /proc/cmdline: a machine without
//     a configurable bootloader (a VM handed its kernel by the hypervisor,
//     a container) gets that line again, and nothing else says otherwise.
type BootLine struct {
	Line string
	// Source is the file the line comes from; "" when nothing configures
	// it (an image without bootloader files).
	Source string
	// Grub are the variables of /etc/default/grub and grub.d/*.cfg, for
	// remediation that edits them.
	Grub     map[string]string
	Problems []string
}

type bootLineKey struct{}

// NextBoot is the next boot's command line, read once per run.
func NextBoot(h *host.Host) *BootLine {
	return Memo(h, bootLineKey{}, readBootLine)
}

func readBootLine(h *host.Host) *BootLine {
	bl := &BootLine{}
	bl.Grub, bl.Problems = readGrubDefaults(h)
	env := readGrubEnv(h)
	if line, src, err := blsDefault(h, env); err != nil {
		bl.Problems = append(bl.Problems, err.Error())
	} else if src != "" {
		bl.Line, bl.Source = line, src
		return bl
	}
	line, lok := bl.Grub["GRUB_CMDLINE_LINUX"]
	def, dok := bl.Grub["GRUB_CMDLINE_LINUX_DEFAULT"]
	if lok || dok {
		bl.Line, bl.Source = strings.TrimSpace(line+" "+def), GrubDefault
		return bl
	}
	if h.Live() {
		data, err := h.ReadFileLimit(ProcCmdline, maxBootFile)
		if err != nil {
			bl.Problems = append(bl.Problems, err.Error())
			return bl
		}
		bl.Line, bl.Source = strings.TrimRight(string(data), "\n"), ProcCmdline
	}
	return bl
}

// blsDefault returns the options of the entry GRUB boots by default, with
// grubenv variables expanded, and the entry's path ("" without entries).
func blsDefault(h *host.Host, env map[string]string) (line, source string, err error) {
	entries, err := h.ReadDir(blsEntries)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", nil
		}
		return "", "", fmt.Errorf("read %s: %w", blsEntries, err)
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".conf"); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "", "", nil
	}
	chosen := ""
	if s := env["saved_entry"]; s != "" {
		for _, id := range ids {
			if id == s {
				chosen = id
			}
		}
	}
	if chosen == "" {
		chosen = ids[0]
		for _, id := range ids[1:] {
			if compareBLSEntries(id, chosen) > 0 {
				chosen = id
			}
		}
	}
	p := path.Join(blsEntries, chosen+".conf")
	data, err := BootFile(h, p, maxBootFile)
	if err != nil {
		return "", "", fmt.Errorf("read %s: %w", p, err)
	}
	return expandGrubVars(blsOptions(data), env), p, nil
}

// blsOptions joins the options lines of an entry ("key value" lines; GRUB
// concatenates repeated options keys).
func blsOptions(data []byte) string {
	var opts []string
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(k, '\t'); i >= 0 {
			k, v = line[:i], line[i+1:]
		}
		if k == "options" {
			opts = append(opts, strings.TrimSpace(v))
		}
	}
	return strings.Join(opts, " ")
}

// compareBLSEntries orders entry IDs as GRUB's blscfg does in GRUB 2.06
// as Fedora and RHEL 9 ship it (grub-core/commands/blscfg.c, bls_cmp and
// split_cmp): an ID ("<machine-id>-5.14.0-427.13.1.el9_4.x86_64") is split
// at its last two dashes into an RPM name, version and release, compared
// in that order with rpmvercmp; the greatest is the first menu entry,
// which GRUB boots when grubenv has no saved_entry.
// TestRPMVercmpAgreesWithRPM holds rpmvercmp to rpm's own.
func compareBLSEntries(a, b string) int {
	an, av, ar := splitNVR(a)
	bn, bv, br := splitNVR(b)
	if c := rpmvercmp(an, bn); c != 0 {
		return c
	}
	if c := rpmvercmp(av, bv); c != 0 {
		return c
	}
	return rpmvercmp(ar, br)
}

// splitNVR splits at the last two dashes, name-version-release, as
// blscfg's split_package_string does (a part without its dash is empty).
func splitNVR(id string) (name, version, release string) {
	rest := id
	if i := strings.LastIndexByte(rest, '-'); i >= 0 {
		rest, release = rest[:i], rest[i+1:]
	}
	if j := strings.LastIndexByte(rest, '-'); j >= 0 {
		return rest[:j], rest[j+1:], release
	}
	return rest, "", release
}

// rpmvercmp is RPM's version comparison (lib/rpmvercmp.c): runs of digits
// compare as numbers and beat runs of letters, other characters separate,
// '~' sorts before anything (even the end) and '^' after the end but
// before anything else.
func rpmvercmp(a, b string) int {
	if a == b {
		return 0
	}
	isAlnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for len(a) > 0 || len(b) > 0 {
		for len(a) > 0 && !isAlnum(a[0]) && a[0] != '~' && a[0] != '^' {
			a = a[1:]
		}
		for len(b) > 0 && !isAlnum(b[0]) && b[0] != '~' && b[0] != '^' {
			b = b[1:]
		}
		if len(a) > 0 && a[0] == '~' || len(b) > 0 && b[0] == '~' {
			if len(a) == 0 || a[0] != '~' {
				return 1
			}
			if len(b) == 0 || b[0] != '~' {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if len(a) > 0 && a[0] == '^' || len(b) > 0 && b[0] == '^' {
			if len(a) == 0 {
				return -1
			}
			if len(b) == 0 {
				return 1
			}
			if a[0] != '^' {
				return 1
			}
			if b[0] != '^' {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if len(a) == 0 || len(b) == 0 {
			break
		}
		digits := isDigit(a[0])
		run := func(s string) (string, string) {
			i := 0
			for i < len(s) && (digits && isDigit(s[i]) || !digits && isAlnum(s[i]) && !isDigit(s[i])) {
				i++
			}
			return s[:i], s[i:]
		}
		var x, y string
		x, a = run(a)
		y, b = run(b)
		if y == "" {
			// Segments of different kinds: a number is newer.
			if digits {
				return 1
			}
			return -1
		}
		if digits {
			x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
			if len(x) != len(y) {
				if len(x) > len(y) {
					return 1
				}
				return -1
			}
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return -1
	}
	return 1
}

// readGrubEnv reads GRUB's environment blocks: "name=value" lines after a
// "# GRUB Environment Block" header, padded with '#'.
func readGrubEnv(h *host.Host) map[string]string {
	env := map[string]string{}
	for _, p := range grubEnvFiles {
		if data, err := BootFile(h, p, 64<<10); err == nil {
			parseGrubEnv(data, env)
		}
	}
	return env
}

func parseGrubEnv(data []byte, env map[string]string) {
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && k != "" {
			env[k] = v
		}
	}
}

// expandGrubVars replaces $name and ${name} with grubenv values, as GRUB
// does when it runs a BLS entry's options line.
func expandGrubVars(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j, name := i+1, ""
		if s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				b.WriteByte(s[i])
				continue
			}
			name, j = s[j+1:j+end], j+end+1
		} else {
			k := j
			for k < len(s) && (s[k] == '_' || s[k] >= 'a' && s[k] <= 'z' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= '0' && s[k] <= '9') {
				k++
			}
			name, j = s[j:k], k
		}
		if name == "" {
			b.WriteByte(s[i])
			continue
		}
		b.WriteString(env[name])
		i = j - 1
	}
	return b.String()
}

// readGrubDefaults reads the shell assignments of /etc/default/grub and
// then /etc/default/grub.d/*.cfg, as grub-mkconfig sources them.
func readGrubDefaults(h *host.Host) (map[string]string, []string) {
	vars := map[string]string{}
	var problems []string
	files := []string{GrubDefault}
	if entries, err := h.ReadDir(grubDropIns); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".cfg") {
				files = append(files, path.Join(grubDropIns, e.Name()))
			}
		}
	}
	for _, f := range files {
		data, err := BootFile(h, f, maxBootFile)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, fmt.Sprintf("read %s: %v", f, err))
			}
			continue
		}
		ParseShellAssignments(data, vars)
	}
	return vars, problems
}

// ParseShellAssignments reads NAME=value lines the way sh would for the
// simple forms grub's defaults files use: 'single' and "double" quotes,
// backslash escapes, and $NAME / ${NAME} of variables set earlier. Lines
// that are anything else (commands, conditionals) are ignored.
func ParseShellAssignments(data []byte, vars map[string]string) {
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		line, exported := strings.CutPrefix(line, "export ")
		name, rest, ok := strings.Cut(line, "=")
		if !ok || !shellName(name) {
			continue
		}
		if v, ok := shellValue(rest, vars, exported); ok {
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

// shellValue reads an assignment's value. Words after it make the line a
// command run with NAME in its environment, which leaves the shell's NAME
// alone (ok is false) — unless the line is an export, whose further words
// are only more names to export.
func shellValue(s string, vars map[string]string, exported bool) (string, bool) {
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
					n := expandShellVar(s[j:], vars, &b)
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
			i += expandShellVar(s[i:], vars, &b) - 1
		case c == ' ' || c == '\t' || c == ';':
			rest := strings.TrimSpace(s[i:])
			// A comment or the end of the assignment; anything else
			// (NAME=x cmd) is a command with an environment, not ours.
			return b.String(), exported || rest == "" || rest[0] == '#' || rest[0] == ';'
		case c == '#' && i == 0:
			return "", true
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// expandShellVar writes the value of $NAME or ${NAME} at the start of s
// and returns how many bytes it consumed.
func expandShellVar(s string, vars map[string]string, b *strings.Builder) int {
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
