package sysctl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// dirs are the sysctl.d directories in systemd-sysctl's order of
// precedence: for two files with the same name, the earlier directory wins.
// /lib/sysctl.d is read by builds for a split /usr; where /lib links to
// /usr/lib it names the same files, which the earlier directory already won.
var dirs = []string{"/etc/sysctl.d", runDir, "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"}

// runDir is on tmpfs: what it holds now is applied by `sysctl --system`
// but gone at the next boot, so the boot value is resolved without it and
// its assignments are kept apart as Transient.
const runDir = "/run/sysctl.d"

// sysctlConf is read by systemd-sysctl only through a symlink to it in a
// sysctl.d directory (RHEL and Ubuntu ship /etc/sysctl.d/99-sysctl.conf ->
// ../sysctl.conf), in the place of the link's name. Without such a link a
// boot never reads it; only procps `sysctl --system` does.
const sysctlConf = "/etc/sysctl.conf"

const maxConfFile = 1 << 20

// maxLine is systemd's LONG_LINE_MAX: read_line gives up on a line this
// long, and systemd-sysctl stops reading the file there.
const maxLine = 1 << 20

// maxLinks bounds a chain of symlinks, as the kernel does.
const maxLinks = 40

// assignment is one line of a sysctl.d file.
type assignment struct {
	Key     string // canonical dotted form; may hold glob characters
	Value   string
	Exclude bool // "-key" with no "=": drops key (or the glob) and keeps globs off it
	File    string
	Line    int
	// Via is the sysctl.d entry File was read through, when that is a
	// symlink with another name (/etc/sysctl.d/99-sysctl.conf for
	// /etc/sysctl.conf); its name, not File's, places File in the order.
	Via string
}

// config is the persisted sysctl configuration of a root: every assignment
// in the order systemd-sysctl applies them.
type config struct {
	files       []string     // files read, in order
	assignments []assignment //
	// problems are files that could not be read. systemd-sysctl skips them
	// at boot too, so the resolved values are still what a boot applies.
	problems []string
	// masked are files masked by a symlink to /dev/null.
	masked []string
	// transient are the assignments in /run/sysctl.d.
	transient []assignment
	// unread are the assignments of /etc/sysctl.conf when no sysctl.d file
	// links to it: procps `sysctl --system` applies them, a boot does not.
	unread []assignment

	// The table is built by readConfig; a config assembled by hand gets it
	// on its first Resolve, which must then not run concurrently.
	options map[string]*option // by key in path form, as systemd keys them
	globs   []*option          // the glob options, in systemd's order
}

// option is one entry of systemd-sysctl's ordered table of settings.
type option struct {
	key string // path form
	seq int    // place in the table
	a   assignment
}

// persisted is where a key's boot value comes from.
type persisted struct {
	value string
	file  string
	line  int
	glob  string // the pattern, when a glob line set it
	via   string // the sysctl.d symlink File was read through, if any
}

// readConfig reads the sysctl.d directories, /run/sysctl.d apart, under the
// host's root. It fails only when nothing at all could be listed; single
// unreadable files are Problems.
func readConfig(h *host.Host) (*config, error) {
	c := loadConfig(h, false)
	c.readTransient(h)
	return c, nil
}

// loadConfig reads the configuration systemd-sysctl applies: at boot
// (withRun false, /run is empty then) or when run now.
func loadConfig(h *host.Host, withRun bool) *config {
	c := &config{}
	chosen := map[string]string{} // file name -> path, earlier dir wins
	for _, dir := range dirs {
		if dir == runDir && !withRun {
			continue
		}
		entries, err := h.ReadDir(dir)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				c.problems = append(c.problems, err.Error())
			}
			continue
		}
		for _, e := range entries {
			if !confName(e.Name()) {
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
		end := follow(h, p)
		if end == "/dev/null" {
			c.masked = append(c.masked, p)
			continue
		}
		// 99-sysctl.conf -> ../sysctl.conf (or -> /etc/sysctl.conf, which
		// means the root's file): name the real file, so messages and
		// remediation point at /etc/sysctl.conf, not at the symlink.
		if end != p && (end == sysctlConf || sameFile(h, p, sysctlConf)) {
			sawConf = true
			c.read(h, sysctlConf, p)
			continue
		}
		c.read(h, p, "")
	}
	if !sawConf {
		if data, err := h.ReadFileLimit(sysctlConf, maxConfFile); err == nil {
			c.unread = ParseFile(sysctlConf, data)
		}
	}
	c.index()
	return c
}

// confName reports a file name systemd-sysctl reads: *.conf, not hidden.
func confName(name string) bool {
	return strings.HasSuffix(name, ".conf") && !strings.HasPrefix(name, ".")
}

// follow returns where the chain of symlinks at p ends (only p's last
// element is followed; a target is taken inside the root).
func follow(h *host.Host, p string) string {
	for range maxLinks {
		t, err := h.Readlink(p)
		if err != nil {
			return p
		}
		if path.IsAbs(t) {
			p = path.Clean(t)
		} else {
			p = path.Join(path.Dir(p), t)
		}
	}
	return p
}

func sameFile(h *host.Host, a, b string) bool {
	fa, err := h.Stat(a)
	if err != nil {
		return false
	}
	fb, err := h.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

func (c *config) readTransient(h *host.Host) {
	entries, err := h.ReadDir(runDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := path.Join(runDir, e.Name())
		if !confName(e.Name()) || follow(h, p) == "/dev/null" {
			continue
		}
		if data, err := h.ReadFileLimit(p, maxConfFile); err == nil {
			c.transient = append(c.transient, ParseFile(p, data)...)
		}
	}
}

// transientSet returns the last /run/sysctl.d assignment of key.
func (c *config) transientSet(key string) (assignment, bool) {
	for i := len(c.transient) - 1; i >= 0; i-- {
		if a := c.transient[i]; a.Key == key && !a.Exclude {
			return a, true
		}
	}
	return assignment{}, false
}

func (c *config) read(h *host.Host, p, via string) {
	data, err := h.ReadFileLimit(p, maxConfFile)
	if err != nil {
		c.problems = append(c.problems, fmt.Sprintf("%v (skipped, as systemd-sysctl skips it at boot)", err))
		return
	}
	c.files = append(c.files, p)
	as := ParseFile(p, data)
	for i := range as {
		as[i].Via = via
	}
	c.assignments = append(c.assignments, as...)
}

// ParseFile parses one sysctl.d file as systemd-sysctl reads it. A line
// ends at LF, CR, CRLF or LFCR, or a NUL byte; blanks around it are space,
// tab, CR and LF only. Blank lines and lines starting with # or ; are
// comments. On a line with "=", the key is what comes before the first "="
// (a leading "-" means "ignore a failure to write") and the value what
// follows it; a line without "=" is "-key" (drop the key or glob) or is
// ignored, as systemd-sysctl ignores it with a warning. Keys are normalised
// (Normalize); an empty key is dropped.
func ParseFile(file string, data []byte) []assignment {
	var out []assignment
	n := 0
	for len(data) > 0 {
		line, rest := cutLine(data)
		data = rest
		n++
		if len(line) >= maxLine {
			break
		}
		p := trimBlank(string(line))
		if p == "" || p[0] == '#' || p[0] == ';' {
			continue
		}
		a := assignment{File: file, Line: n}
		k, v, hasValue := strings.Cut(p, "=")
		switch {
		case hasValue:
			k = strings.TrimPrefix(k, "-")
			a.Value = trimBlank(v)
		case p[0] == '-':
			k = p[1:]
			a.Exclude = true
		default:
			continue // not an assignment
		}
		if a.Key = normalize(trimBlank(k)); a.Key == "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// cutLine splits off the first line as systemd's read_line does: the line
// ends at the first end-of-line byte, and the terminator runs on over
// further LF, CR and NUL bytes as long as none repeats and no NUL was seen.
func cutLine(data []byte) (line, rest []byte) {
	i := 0
	for i < len(data) && eol(data[i]) == 0 {
		i++
	}
	line = data[:i]
	seen := 0
	for i < len(data) {
		m := eol(data[i])
		if m == 0 || seen&m != 0 || seen&eolNUL != 0 {
			break
		}
		seen |= m
		i++
	}
	return line, data[i:]
}

const (
	eolNUL = 1 << iota
	eolLF
	eolCR
)

func eol(c byte) int {
	switch c {
	case 0:
		return eolNUL
	case '\n':
		return eolLF
	case '\r':
		return eolCR
	}
	return 0
}

// trimBlank strips what systemd's strstrip strips: space, tab, CR, LF.
func trimBlank(s string) string {
	return strings.Trim(s, " \t\r\n")
}

// normalize returns a key in golive's dotted form, spelled as systemd
// normalises it. sysctl.d allows "/" or "." as the separator: if the first
// separator is ".", the two are swapped, so the path form of
// net.ipv4.conf.eth0/100.rp_filter is net/ipv4/conf/eth0.100/rp_filter;
// then the path is simplified (repeated separators, "." components and a
// trailing separator go; ".." stays). The dotted form is the path form with
// the separators swapped back. "" means no key.
func normalize(key string) string {
	p := pathForm(key)
	if p == "" || p == "/" {
		return ""
	}
	return swapSeparators(p)
}

// pathForm is systemd's sysctl_normalize: the key as a path below
// /proc/sys.
func pathForm(key string) string {
	if i := strings.IndexAny(key, "./"); i >= 0 && key[i] == '.' {
		key = key[:i] + swapSeparators(key[i:])
	}
	key = simplifyPath(key)
	if len(key) > 1 && key[0] == '/' {
		key = key[1:]
	}
	return key
}

// nameMax is the longest path component systemd's path_simplify accepts;
// it copies the rest of a path from a longer one on unchanged.
const nameMax = 255

// simplifyPath drops repeated "/", "." components and a trailing "/", as
// systemd's path_simplify does; an absolute path keeps its leading "/".
func simplifyPath(p string) string {
	if p == "" {
		return p
	}
	var b strings.Builder
	rest := p
	if p[0] == '/' {
		b.WriteByte('/')
		rest = p[1:]
	}
	slash := false
	for {
		comp, next, n := firstComponent(rest)
		if n == 0 {
			break
		}
		if slash {
			b.WriteByte('/')
		}
		if n < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(comp)
		rest = next
		slash = true
	}
	if b.Len() == 0 {
		return "."
	}
	return b.String()
}

// firstComponent returns the first component of p that is not "." and
// what follows it (past separators and "." components). n is its length,
// 0 when there is none, -1 when it is longer than nameMax.
func firstComponent(p string) (comp, next string, n int) {
	first := skipSlashOrDot(p)
	if first == "" || first == "." {
		return "", "", 0
	}
	end := strings.IndexByte(first, '/')
	if end < 0 {
		end = len(first)
	}
	if end > nameMax {
		return "", p, -1
	}
	next = skipSlashOrDot(first[end:])
	if next == "." {
		next = ""
	}
	return first[:end], next, end
}

func skipSlashOrDot(p string) string {
	for p != "" {
		switch {
		case p[0] == '/':
			p = p[1:]
		case strings.HasPrefix(p, "./"):
			p = p[2:]
		default:
			return p
		}
	}
	return p
}

// procPath is the file under /proc/sys holding a dotted key.
func procPath(key string) string {
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

// isGlob is systemd's string_is_glob.
func isGlob(key string) bool {
	return strings.ContainsAny(key, "*?[")
}

// index builds systemd-sysctl's table of settings from the assignments in
// order. A key (or glob) assigned again with another value, or dropped by
// "-key", leaves its place and takes the last one; assigned again with the
// same value, it keeps its place.
func (c *config) index() {
	c.options = map[string]*option{}
	seq := 0
	for _, a := range c.assignments {
		k := swapSeparators(a.Key) // the path form, as Normalize made it
		if o, ok := c.options[k]; ok && o.a.Exclude == a.Exclude && o.a.Value == a.Value {
			o.a = a // same setting: the place stays, the latest line is named
			continue
		}
		c.options[k] = &option{key: k, seq: seq, a: a}
		seq++
	}
	for _, o := range c.options {
		if isGlob(o.key) {
			c.globs = append(c.globs, o)
		}
	}
	sort.Slice(c.globs, func(i, j int) bool { return c.globs[i].seq < c.globs[j].seq })
}

// resolve returns the value a boot applies to key (dotted, as Normalize
// returns it), or ok=false when nothing sets it. As systemd-sysctl does: a
// setting of the key itself wins over every glob; "-key" as the key's last
// setting drops it, so neither a line nor a glob sets it; else every glob
// matching it is applied in table order and the last one wins.
func (c *config) resolve(key string) (persisted, bool) {
	if c.options == nil {
		c.index()
	}
	k := swapSeparators(key)
	if o, ok := c.options[k]; ok {
		if o.a.Exclude {
			return persisted{}, false
		}
		return persisted{value: o.a.Value, file: o.a.File, line: o.a.Line, via: o.a.Via}, true
	}
	for i := len(c.globs) - 1; i >= 0; i-- {
		o := c.globs[i]
		if !o.a.Exclude && globMatch(o.key, k) {
			return persisted{value: o.a.Value, file: o.a.File, line: o.a.Line, glob: o.a.Key, via: o.a.Via}, true
		}
	}
	return persisted{}, false
}

// dropped returns the "-key" line that drops key at boot: a key with no
// value, off every glob.
func (c *config) dropped(key string) (assignment, bool) {
	if c.options == nil {
		c.index()
	}
	o, ok := c.options[swapSeparators(key)]
	if !ok || !o.a.Exclude {
		return assignment{}, false
	}
	return o.a, true
}

// globMatch matches a glob against a key, both in path form, as glob(3)
// finds files below /proc/sys: component by component, so no wildcard
// crosses a "/", and a wildcard never matches a leading "." of a name.
func globMatch(pattern, key string) bool {
	pc := strings.Split(pattern, "/")
	kc := strings.Split(key, "/")
	if len(pc) != len(kc) {
		return false
	}
	for i := range pc {
		if !fnmatch(pc[i], kc[i]) {
			return false
		}
	}
	return true
}
