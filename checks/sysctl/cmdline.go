package sysctl

import (
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// cmdlineParam is one parameter of a kernel command line.
type cmdlineParam struct {
	name, value string
	hasValue    bool
}

// parseCmdline splits a kernel command line as the kernel does (kernel/
// params.c next_arg): parameters are separated by blanks outside double
// quotes; a value may be quoted ("a b") and the quotes are dropped; "--"
// ends the kernel's parameters (the rest is init's).
func parseCmdline(s string) []cmdlineParam {
	var out []cmdlineParam
	for {
		s = strings.TrimLeft(s, " \t\n\r\v\f")
		if s == "" {
			return out
		}
		quoted := s[0] == '"'
		if quoted {
			s = s[1:]
		}
		inQuote, equals, i := quoted, -1, 0
		for ; i < len(s); i++ {
			c := s[i]
			if isSpace(c) && !inQuote {
				break
			}
			if equals < 0 && c == '=' {
				equals = i
			}
			if c == '"' {
				inQuote = !inQuote
			}
		}
		arg := s[:i]
		s = s[i:]
		p := cmdlineParam{name: arg}
		if equals >= 0 {
			p.name, p.value, p.hasValue = arg[:equals], arg[equals+1:], true
			if strings.HasPrefix(p.value, `"`) {
				p.value = strings.TrimSuffix(p.value[1:], `"`)
			} else if quoted {
				p.value = strings.TrimSuffix(p.value, `"`)
			}
		} else if quoted {
			p.name = strings.TrimSuffix(p.name, `"`)
		}
		if !p.hasValue && p.name == "--" {
			return out
		}
		out = append(out, p)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// cmdlineSysctl is a sysctl.<key>=<value> parameter, which Linux 5.8 and
// later writes to /proc/sys at boot (fs/proc/proc_sysctl.c
// process_sysctl_arg): the part after "sysctl." or "sysctl/" is a path in
// which every "." becomes "/".
type cmdlineSysctl struct {
	key, value string
	from       string // where the command line came from
}

// cmdlineSysctls picks the sysctl parameters of a command line; the last
// one for a key wins, as the kernel applies them in order.
func cmdlineSysctls(params []cmdlineParam, from string) map[string]cmdlineSysctl {
	out := map[string]cmdlineSysctl{}
	for _, p := range params {
		rest, ok := strings.CutPrefix(p.name, "sysctl")
		if !ok || rest == "" || (rest[0] != '.' && rest[0] != '/') || !p.hasValue {
			continue
		}
		key := strings.Trim(strings.ReplaceAll(rest[1:], "/", "."), ".")
		if key == "" {
			continue
		}
		out[key] = cmdlineSysctl{key: key, value: p.value, from: from}
	}
	return out
}

// cmdline is the kernel command line the next boot uses, and where it was
// read.
type cmdline struct {
	params []cmdlineParam
	from   string // "/proc/cmdline", "/boot/loader/entries/x.conf", "/etc/default/grub"
	// ambiguous is set when boot entries disagree and none could be chosen.
	ambiguous string
}

// init returns the init= parameter, if any.
func (c cmdline) init() string {
	v := ""
	for _, p := range c.params {
		if p.name == "init" && p.hasValue {
			v = p.value
		}
	}
	return v
}

const maxBootFile = 64 << 10

// loadCmdline reads the kernel command line: /proc/cmdline on the running
// system (the line this boot used); under --root the bootloader's
// configuration: Boot Loader Specification entries (RHEL 8+, Fedora), with
// $kernelopts from /boot/grub2/grubenv, else /etc/default/grub's
// GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT (what grub-mkconfig puts
// on a normal boot entry).
func loadCmdline(h *host.Host, release string) (cmdline, error) {
	if h.Live() {
		data, err := h.ReadFileLimit("/proc/cmdline", maxBootFile)
		if err != nil {
			return cmdline{}, err
		}
		return cmdline{params: parseCmdline(string(data)), from: "/proc/cmdline"}, nil
	}
	env := map[string]string{}
	for _, p := range []string{"/boot/grub2/grubenv", "/boot/grub/grubenv", "/boot/efi/EFI/redhat/grubenv"} {
		if data, err := facts.BootFile(h, p, maxBootFile); err == nil {
			for k, v := range parseGrubenv(data) {
				env[k] = v
			}
		}
	}
	if c, ok, err := blsCmdline(h, release, env); ok || err != nil {
		return c, err
	}
	if data, err := facts.BootFile(h, "/etc/default/grub", maxBootFile); err == nil {
		vars := parseShellAssignments(data)
		line := strings.TrimSpace(vars["GRUB_CMDLINE_LINUX"] + " " + vars["GRUB_CMDLINE_LINUX_DEFAULT"])
		return cmdline{params: parseCmdline(line), from: "/etc/default/grub"}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cmdline{}, err
	}
	return cmdline{}, nil
}

// blsCmdline reads /boot/loader/entries. The entry booted by default is
// grubenv's saved_entry, else the one for the running kernel, else — when
// every entry has the same options — any of them.
func blsCmdline(h *host.Host, release string, env map[string]string) (cmdline, bool, error) {
	const dir = "/boot/loader/entries"
	entries, err := h.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return cmdline{}, false, nil
		}
		return cmdline{}, false, err
	}
	type entry struct {
		id, file string
		e        blsEntry
	}
	var all []entry
	for _, de := range entries {
		if !strings.HasSuffix(de.Name(), ".conf") {
			continue
		}
		p := path.Join(dir, de.Name())
		data, err := facts.BootFile(h, p, maxBootFile)
		if err != nil {
			continue
		}
		all = append(all, entry{strings.TrimSuffix(de.Name(), ".conf"), p, parseBLSEntry(data)})
	}
	if len(all) == 0 {
		return cmdline{}, false, nil
	}
	pick := func(en entry) (cmdline, bool, error) {
		line := expandGrubVars(en.e.options, env)
		return cmdline{params: parseCmdline(line), from: en.file}, true, nil
	}
	if saved := env["saved_entry"]; saved != "" {
		for _, en := range all {
			if en.id == saved {
				return pick(en)
			}
		}
	}
	if release != "" {
		for _, en := range all {
			if en.e.version == release || strings.HasSuffix(en.e.linux, "vmlinuz-"+release) {
				return pick(en)
			}
		}
	}
	first := expandGrubVars(all[0].e.options, env)
	for _, en := range all[1:] {
		if expandGrubVars(en.e.options, env) != first {
			names := make([]string, 0, len(all))
			for _, en := range all {
				names = append(names, en.file)
			}
			sort.Strings(names)
			return cmdline{from: dir, ambiguous: "boot entries with different options and no default: " + strings.Join(names, ", ")}, true, nil
		}
	}
	return pick(all[0])
}

// blsEntry is the part of a Boot Loader Specification entry golive needs.
type blsEntry struct {
	version, linux, options string
}

// parseBLSEntry parses "key value" lines; several options lines are joined.
func parseBLSEntry(data []byte) blsEntry {
	var e blsEntry
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
		v = strings.TrimSpace(v)
		switch k {
		case "version":
			e.version = v
		case "linux":
			e.linux = v
		case "options":
			opts = append(opts, v)
		}
	}
	e.options = strings.Join(opts, " ")
	return e
}

// parseGrubenv parses GRUB's environment block: "name=value" lines after a
// "# GRUB Environment Block" header, padded with '#'.
func parseGrubenv(data []byte) map[string]string {
	out := map[string]string{}
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && k != "" {
			out[k] = v
		}
	}
	return out
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
			for k < len(s) && (isAlnumByte(s[k]) || s[k] == '_') {
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

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parseShellAssignments reads NAME=value lines of a shell fragment such as
// /etc/default/grub, with single and double quotes and $NAME / ${NAME}
// references to names assigned earlier (in double quotes or bare). Anything
// else a shell could do (commands, conditionals) is not evaluated.
func parseShellAssignments(data []byte) map[string]string {
	vars := map[string]string{}
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		line = strings.TrimPrefix(line, "export ")
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, "=")
		if !ok || name == "" || !isShellName(name) {
			continue
		}
		vars[name] = shellValue(rest, vars)
	}
	return vars
}

func isShellName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnumByte(s[i]) && s[i] != '_' || i == 0 && s[i] >= '0' && s[i] <= '9' {
			return false
		}
	}
	return true
}

// shellValue evaluates one word: quotes, backslashes outside single quotes
// and variable references; it stops at an unquoted blank or #.
func shellValue(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				b.WriteString(s[i+1:])
				return b.String()
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			j := i + 1
			var seg strings.Builder
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) && strings.IndexByte("$`\"\\", s[j+1]) >= 0 {
					j++
				}
				seg.WriteByte(s[j])
			}
			b.WriteString(expandGrubVars(seg.String(), vars))
			i = j
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case isSpace(c) || c == '#' || c == ';':
			return b.String()
		case c == '$':
			k := i + 1
			if k < len(s) && s[k] == '{' {
				end := strings.IndexByte(s[k:], '}')
				if end < 0 {
					return b.String()
				}
				b.WriteString(vars[s[k+1:k+end]])
				i = k + end
				continue
			}
			for k < len(s) && (isAlnumByte(s[k]) || s[k] == '_') {
				k++
			}
			b.WriteString(vars[s[i+1:k]])
			i = k - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
