package sysctl

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// Dirs are the sysctl.d directories in systemd-sysctl's order of
// precedence: for two files with the same name, the earlier directory wins.
var Dirs = []string{"/etc/sysctl.d", RunDir, "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"}

// RunDir is on tmpfs: what it holds now is applied by `sysctl --system`
// but gone at the next boot, so the boot value is resolved without it and
// its assignments are kept apart as Transient.
const RunDir = "/run/sysctl.d"

// SysctlConf is read last, as procps `sysctl --system` does; systemd-sysctl
// reads it through the /etc/sysctl.d/99-sysctl.conf symlink that RHEL and
// Ubuntu ship, in which case it is not read a second time.
const SysctlConf = "/etc/sysctl.conf"

const maxConfFile = 1 << 20

// Assignment is one line of a sysctl.d file.
type Assignment struct {
	Key     string // canonical dotted form; may hold glob characters
	Value   string
	Exclude bool // "-key" with no value: exclude key from globs
	File    string
	Line    int
}

// Config is the persisted sysctl configuration of a root: every assignment
// in the order systemd-sysctl applies them.
type Config struct {
	Files       []string     // files read, in order
	Assignments []Assignment //
	// Problems are files that could not be read. systemd-sysctl skips them
	// at boot too, so the resolved values are still what a boot applies.
	Problems []string
	// Masked are files masked by a symlink to /dev/null.
	Masked []string
	// Transient are the assignments in /run/sysctl.d.
	Transient []Assignment
}

// Persisted is where a key's boot value comes from.
type Persisted struct {
	Value string
	File  string
	Line  int
	Glob  string // the pattern, when a glob line set it
}

// LoadConfig reads the sysctl.d directories and /etc/sysctl.conf under the
// host's root. It fails only when nothing at all could be listed; single
// unreadable files are Problems.
func LoadConfig(h *host.Host) (*Config, error) {
	c := &Config{}
	chosen := map[string]string{} // file name -> path, earlier dir wins
	for _, dir := range Dirs {
		if dir == RunDir {
			c.readTransient(h)
			continue
		}
		entries, err := h.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.Problems = append(c.Problems, err.Error())
			}
			continue
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".conf") {
				continue
			}
			if _, ok := chosen[e.Name()]; !ok {
				chosen[e.Name()] = path.Join(dir, e.Name())
			}
		}
	}
	names := make([]string, 0, len(chosen))
	for n := range chosen {
		names = append(names, n)
	}
	sort.Strings(names)
	sawConf := false
	for _, n := range names {
		p := chosen[n]
		if masked(h, p) {
			c.Masked = append(c.Masked, p)
			continue
		}
		// 99-sysctl.conf -> ../sysctl.conf: name the real file, so messages
		// and remediation point at /etc/sysctl.conf, not at the symlink.
		if target, err := h.Readlink(p); err == nil && path.Clean(path.Join(path.Dir(p), target)) == SysctlConf {
			sawConf = true
			p = SysctlConf
		}
		c.read(h, p)
	}
	if !sawConf {
		c.read(h, SysctlConf)
	}
	return c, nil
}

// masked reports a file symlinked to /dev/null, which systemd treats as
// "do not read the file of this name at all".
func masked(h *host.Host, p string) bool {
	t, err := h.Readlink(p)
	return err == nil && path.Clean(t) == "/dev/null"
}

func (c *Config) readTransient(h *host.Host) {
	entries, err := h.ReadDir(RunDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := path.Join(RunDir, e.Name())
		if !strings.HasSuffix(e.Name(), ".conf") || masked(h, p) {
			continue
		}
		if data, err := h.ReadFileLimit(p, maxConfFile); err == nil {
			c.Transient = append(c.Transient, ParseFile(p, data)...)
		}
	}
}

// TransientSet returns the last /run/sysctl.d assignment of key.
func (c *Config) TransientSet(key string) (Assignment, bool) {
	for i := len(c.Transient) - 1; i >= 0; i-- {
		if a := c.Transient[i]; a.Key == key && !a.Exclude {
			return a, true
		}
	}
	return Assignment{}, false
}

func (c *Config) read(h *host.Host, p string) {
	data, err := h.ReadFileLimit(p, maxConfFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && p == SysctlConf {
			return
		}
		c.Problems = append(c.Problems, fmt.Sprintf("%v (skipped, as systemd-sysctl skips it at boot)", err))
		return
	}
	c.Files = append(c.Files, p)
	c.Assignments = append(c.Assignments, ParseFile(p, data)...)
}

// ParseFile parses one sysctl.d file. Blank lines and lines starting with
// # or ; are comments; a leading "-" means "ignore failure" on an assignment
// and "exclude from globs" on a bare key. Lines that are neither are
// ignored, as systemd-sysctl ignores them (with a log message).
func ParseFile(file string, data []byte) []Assignment {
	var out []Assignment
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(strings.TrimSuffix(raw, "\r"))
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		dash := false
		if line[0] == '-' {
			dash = true
			line = strings.TrimSpace(line[1:])
		}
		k, v, hasValue := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		a := Assignment{Key: Normalize(k), File: file, Line: i + 1}
		if a.Key == "" { // "/" alone: no key once normalised
			continue
		}
		if !hasValue {
			if !dash {
				continue // not an assignment
			}
			a.Exclude = true
		} else {
			a.Value = strings.TrimSpace(v)
		}
		out = append(out, a)
	}
	return out
}

// Normalize returns a key in dotted form. sysctl.d allows "/" or "." as the
// separator: if the first separator is "/", the key is a path and dots in
// it are part of names (net/ipv4/conf/eth0.100/rp_filter); such keys are
// rewritten by swapping the two characters (net.ipv4.conf.eth0/100.rp_filter).
func Normalize(key string) string {
	key = strings.Trim(key, "/")
	i := strings.IndexAny(key, "./")
	if i < 0 || key[i] == '.' {
		return key
	}
	return swapSeparators(key)
}

// ProcPath is the file under /proc/sys holding a dotted key.
func ProcPath(key string) string {
	return "/proc/sys/" + swapSeparators(key)
}

func swapSeparators(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch c {
		case '.':
			b[i] = '/'
		case '/':
			b[i] = '.'
		}
	}
	return string(b)
}

// Resolve returns the value a boot applies to key, or ok=false when no file
// sets it. Later assignments override earlier ones; an explicit key beats
// any glob whatever the file order, and "-key" excludes the key from globs
// (sysctl.d(5)).
func (c *Config) Resolve(key string) (Persisted, bool) {
	var explicit, glob *Assignment
	excluded := false
	for i := range c.Assignments {
		a := &c.Assignments[i]
		switch {
		case a.Key == key && a.Exclude:
			excluded = true
		case a.Key == key:
			explicit = a
		case strings.ContainsAny(a.Key, "*?[") && !a.Exclude && globMatch(a.Key, key):
			glob = a
		}
	}
	if explicit != nil {
		return Persisted{Value: explicit.Value, File: explicit.File, Line: explicit.Line}, true
	}
	if glob != nil && !excluded {
		return Persisted{Value: glob.Value, File: glob.File, Line: glob.Line, Glob: glob.Key}, true
	}
	return Persisted{}, false
}

// globMatch matches sysctl globs, which systemd applies to the path form
// (so * does not cross a separator).
func globMatch(pattern, key string) bool {
	ok, err := path.Match(swapSeparators(pattern), swapSeparators(key))
	return err == nil && ok
}
