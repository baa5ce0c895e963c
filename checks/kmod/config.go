package kmod

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/fnmatch"
	"github.com/golive-sh/golive/internal/kerneltext"
)

// Normalize is a module name as the kernel and kmod know it: modprobe,
// modules-load.d and /proc/modules treat "-" and "_" as the same, and the
// kernel names every module with "_".
func Normalize(name string) string { return strings.ReplaceAll(name, "-", "_") }

// maxModuleName is the kernel's MODULE_NAME_LEN (64) less the unsigned
// long before the name in struct module, less the NUL.
const maxModuleName = 55

// validName accepts what a module name can be: letters, digits, "_" and
// "-", at most 55 bytes.
func validName(s string) bool {
	if s == "" || len(s) > maxModuleName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ProcModule is one line of /proc/modules: "name size refs deps state
// offset" (state Live, Loading or Unloading).
type ProcModule struct {
	Name, State string
	Line        int
}

// ParseProcModules reads /proc/modules into the modules by name (as the
// kernel writes them, with "_"); lines it cannot read are counted in bad.
func ParseProcModules(data []byte) (mods map[string]ProcModule, bad int) {
	mods = map[string]ProcModule{}
	forEachLine(data, func(n int, line string) {
		f := strings.Fields(line)
		if len(f) == 0 {
			return
		}
		if len(f) < 5 || !validName(f[0]) {
			bad++
			return
		}
		mods[Normalize(f[0])] = ProcModule{Name: f[0], State: f[4], Line: n}
	})
	return mods, bad
}

// ParseBuiltin reads modules.builtin: one path a line
// ("kernel/net/bridge/br_netfilter.ko"), the module named by the file.
func ParseBuiltin(data []byte) map[string]bool {
	out := map[string]bool{}
	forEachLine(data, func(_ int, line string) {
		line = strings.TrimSpace(line)
		if i := strings.LastIndexByte(line, '/'); i >= 0 {
			line = line[i+1:]
		}
		name, ok := strings.CutSuffix(line, ".ko")
		if ok && validName(name) {
			out[Normalize(name)] = true
		}
	})
	return out
}

// ParseModulesDep reads the module names of modules.dep: one line per
// module, "kernel/net/bridge/br_netfilter.ko[.xz|.zst|.gz]: deps...".
func ParseModulesDep(data []byte) map[string]bool {
	out := map[string]bool{}
	forEachLine(data, func(_ int, line string) {
		p, _, ok := strings.Cut(line, ":")
		if !ok {
			return
		}
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			p = p[i+1:]
		}
		for _, ext := range []string{".xz", ".zst", ".gz"} {
			p = strings.TrimSuffix(p, ext)
		}
		if name, ok := strings.CutSuffix(p, ".ko"); ok && validName(name) {
			out[Normalize(name)] = true
		}
	})
	return out
}

// ParseModulesAlias reads the alias patterns of modules.alias ("alias
// PATTERN MODULE"), with "-" made "_" outside brackets as kmod does.
func ParseModulesAlias(data []byte) []string {
	var out []string
	forEachLine(data, func(_ int, line string) {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "alias" {
			return
		}
		if pat, ok := underscores(f[1]); ok {
			out = append(out, pat)
		}
	})
	return out
}

// LoadEntry is one module a modules-load.d file names.
type LoadEntry struct {
	Name string // as written
	File string
	Line int
}

// ParseModulesLoad reads one modules-load.d(5) file as
// systemd-modules-load does: each line stripped of blanks is a module
// name; empty lines and lines starting with # or ; are comments.
func ParseModulesLoad(file string, data []byte) []LoadEntry {
	var out []LoadEntry
	forEachLine(data, func(n int, line string) {
		line = strings.Trim(line, " \t\r\n") // systemd's WHITESPACE
		if line == "" || line[0] == '#' || line[0] == ';' {
			return
		}
		out = append(out, LoadEntry{Name: line, File: file, Line: n})
	})
	return out
}

// Directive is one blacklist or install line of modprobe.d.
type Directive struct {
	// Module is the module name (blacklist) or the fnmatch pattern
	// (install), with "-" made "_" outside brackets as kmod does.
	Module  string
	Command string // install: the command, as written
	File    string
	Line    int // the line the directive starts on
}

// Where is the directive's file:line.
func (d Directive) Where() string { return fmt.Sprintf("%s:%d", d.File, d.Line) }

// ModprobeConfig is what of modprobe.d decides whether an explicit load
// happens: blacklist (applied by systemd-modules-load, which probes with
// KMOD_PROBE_APPLY_BLACKLIST) and install commands (run instead of
// loading), in the order kmod reads them.
type ModprobeConfig struct {
	Blacklist []Directive
	Install   []Directive
	// Softdep are softdep lines naming at least one pre: or post:
	// module: kmod ignores the install command of a module that has one.
	Softdep []Directive
	// Alias are alias lines: the name (a pattern) kmod resolves to a module.
	Alias []Directive
	// Problems are lines kmod ignores as bad ("ignoring bad line").
	Problems []string
}

// ParseModprobe adds one modprobe.d(5) file to c, as libkmod's
// kmod_config_parse reads it: a backslash before the newline continues
// the line; leading blanks are skipped; a line starting with # is a
// comment; words are separated by spaces and tabs; "blacklist NAME" and
// "install PATTERN COMMAND..." are kept, other commands ignored.
func (c *ModprobeConfig) ParseModprobe(file string, data []byte) {
	for _, l := range joinContinued(data) {
		line := strings.TrimLeft(l.text, " \t")
		if line == "" || line[0] == '#' {
			continue
		}
		cmd, rest := nextWord(line)
		bad := func() {
			if len(c.Problems) < 20 {
				c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: ignoring bad line starting with %q", file, l.line, kerneltext.Clip(cmd, 40)))
			}
		}
		switch cmd {
		case "blacklist":
			name, _ := nextWord(rest)
			mod, ok := underscores(name)
			if name == "" || !ok {
				bad()
				continue
			}
			c.Blacklist = append(c.Blacklist, Directive{Module: mod, File: file, Line: l.line})
		case "install":
			pat, rest := nextWord(rest)
			mod, ok := underscores(pat)
			if pat == "" || !ok || rest == "" {
				bad()
				continue
			}
			c.Install = append(c.Install, Directive{Module: mod, Command: rest, File: file, Line: l.line})
		case "alias":
			pat, rest := nextWord(rest)
			mod, _ := nextWord(rest)
			name, ok := underscores(pat)
			if pat == "" || mod == "" || !ok {
				bad()
				continue
			}
			c.Alias = append(c.Alias, Directive{Module: name, Command: mod, File: file, Line: l.line})
		case "softdep":
			pat, rest := nextWord(rest)
			mod, ok := underscores(pat)
			if pat == "" || !ok {
				bad()
				continue
			}
			if softdeps(rest) {
				c.Softdep = append(c.Softdep, Directive{Module: mod, Command: rest, File: file, Line: l.line})
			}
		}
	}
}

// Blacklisted is the first blacklist line naming the module (name
// normalized), if any: kmod compares names exactly, no patterns.
func (c *ModprobeConfig) Blacklisted(name string) (Directive, bool) {
	for _, d := range c.Blacklist {
		if d.Module == name {
			return d, true
		}
	}
	return Directive{}, false
}

// InstallFor is the install command kmod runs for the module instead of
// loading it: the first line whose pattern matches (fnmatch), unless the
// module has soft dependencies (kmod sets ignorecmd then).
func (c *ModprobeConfig) InstallFor(name string) (Directive, bool) {
	for _, d := range c.Softdep {
		if fnmatch.Match(d.Module, name) {
			return Directive{}, false
		}
	}
	for _, d := range c.Install {
		if fnmatch.Match(d.Module, name) {
			return d, true
		}
	}
	return Directive{}, false
}

// hasCommand reports whether an install line names the module exactly:
// kmod then knows the name without a module file (its lookup in the
// configuration compares names, while an install pattern only applies to
// a module found some other way).
func (c *ModprobeConfig) hasCommand(name string) bool {
	for _, d := range c.Install {
		if d.Module == name {
			return true
		}
	}
	return false
}

// softdeps reports whether the rest of a softdep line names a module
// before or after ("pre: a b post: c"): words other than the pre: and
// post: markers, after the first marker.
func softdeps(rest string) bool {
	marker := false
	for _, w := range strings.Fields(rest) {
		switch w {
		case "pre:", "post:":
			marker = true
		default:
			if marker {
				return true
			}
		}
	}
	return false
}

// Refuses reports whether an install command does not load anything:
// /bin/true or /bin/false (any path to true or false, or the bare word),
// the way CIS benchmarks and distros disable a module.
func Refuses(command string) bool {
	w, _ := nextWord(command)
	if i := strings.LastIndexByte(w, '/'); i >= 0 {
		w = w[i+1:]
	}
	return w == "true" || w == "false"
}

// underscores is kmod's: "-" becomes "_" except inside [...]; an
// unmatched "]" or "[" is an error.
func underscores(s string) (string, bool) {
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '-':
			b[i] = '_'
		case ']':
			return "", false
		case '[':
			j := bytes.IndexByte(b[i:], ']')
			if j < 0 {
				return "", false
			}
			i += j
		}
	}
	return string(b), true
}

// nextWord splits off the first word (separated by spaces and tabs, as
// strtok_r with " \t" does) and returns the rest after the one separator
// that ended it.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

type numbered struct {
	text string
	line int
}

// joinContinued splits data into lines, joining a line that ends in a
// backslash with the next (the backslash and newline removed), each
// numbered by the line it starts on.
func joinContinued(data []byte) []numbered {
	var out []numbered
	var cur strings.Builder
	start, n, open := 0, 0, false
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if !open {
			start = n
			cur.Reset()
		}
		if bytes.HasSuffix(line, []byte{'\\'}) {
			cur.Write(line[:len(line)-1])
			open = true
			continue
		}
		cur.Write(line)
		open = false
		out = append(out, numbered{cur.String(), start})
	}
	if open {
		out = append(out, numbered{cur.String(), start})
	}
	return out
}

// forEachLine calls fn for each line (1-based numbers, without the newline).
func forEachLine(data []byte, fn func(n int, line string)) {
	n := 0
	for len(data) > 0 {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		fn(n, string(line))
	}
}
