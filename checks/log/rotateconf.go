package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/fnmatch"
	"github.com/golive-sh/golive/internal/host"
)

// logrotateConf is the configuration logrotate's cron job and systemd
// timer name on every distro golive knows (logrotate.service runs
// "logrotate /etc/logrotate.conf"; /etc/cron.daily/logrotate the same).
const logrotateConf = "/etc/logrotate.conf"

// Block is one logrotate entry: the file names before "{" and the
// directives that apply to them.
type Block struct {
	File     string   // the configuration file it is written in
	Line     int      // the line of its first file name
	Patterns []string // as written (quotes removed)
	// Files are the logs the entry rotates: each pattern globbed when the
	// configuration is read (glob(3) with GLOB_NOCHECK: a pattern that
	// matches nothing stands for itself), directories left out, and a log
	// an earlier entry already has refused ("duplicate log entry"), which
	// also ends the entry's list.
	Files []string
	// Cut is set when a duplicate ended the list; CutAt is the pattern's
	// index.
	Cut   bool
	CutAt int
	Settings
}

// Where is "file:line".
func (b *Block) Where() string { return fmt.Sprintf("%s:%d", b.File, b.Line) }

// Config is what logrotate makes of /etc/logrotate.conf and everything
// it includes: the entries in the order it handles them.
type Config struct {
	Blocks []*Block
	// Dropped are entries an error inside them removed.
	Dropped []*Block
	// Read are the configuration files parsed; Ignored those logrotate
	// skips (taboo names, group- or world-writable, not regular, empty),
	// with why.
	Read     []string
	Ignored  []string
	Problems []string
	// Missing is set when /etc/logrotate.conf does not exist.
	Missing bool
	// Golive are the files read that golive wrote (they start with
	// goliveMark): its fix may rewrite them.
	Golive map[string]bool
	// Denied are the reads refused (a directory or file golive may not
	// read as non-root): what they hold is unknown.
	Denied []error
}

// defaultTaboo are logrotate 3.21's default taboo patterns: files of an
// included directory whose names match are skipped (logrotate(8),
// "tabooext"; the list as logrotate 3.21 prints it with --debug).
var defaultTaboo = []string{"*,v", "*.bak", "*.cfsaved", "*.disabled", "*.dpkg-bak", "*.dpkg-del", "*.dpkg-dist",
	"*.dpkg-new", "*.dpkg-old", "*.dpkg-tmp", "*.rhn-cfg-tmp-*", "*.rpmnew", "*.rpmorig", "*.rpmsave", "*.swp",
	"*.ucf-dist", "*.ucf-new", "*.ucf-old", "*~"}

type loader struct {
	h        *host.Host
	cfg      *Config
	defaults Settings
	taboo    []string
	depth    int
	claimed  map[string]bool
	files    int
	// owners applies logrotate's rule that a configuration file must be
	// owned by root: on the running system only (an image unpacked by
	// another user still belongs to root on the host it becomes).
	owners bool
}

// loadLogrotate reads the configuration as logrotate would at its next run.
func loadLogrotate(h *host.Host) *Config {
	l := &loader{h: h, cfg: &Config{}, defaults: defaultSettings(), taboo: slices.Clone(defaultTaboo),
		claimed: map[string]bool{}, owners: h.Live()}
	if _, err := h.Stat(logrotateConf); errors.Is(err, fs.ErrNotExist) {
		l.cfg.Missing = true
		return l.cfg
	}
	l.readPath(logrotateConf)
	return l.cfg
}

// deny keeps a read refused for want of privilege.
func (l *loader) deny(err error) {
	if l.h.NeedsRoot(err) {
		l.cfg.Denied = append(l.cfg.Denied, err)
	}
}

func (l *loader) problem(s string) {
	if len(l.cfg.Problems) < maxProblems {
		l.cfg.Problems = append(l.cfg.Problems, s)
	}
}

// include follows an "include": a file, or every file of a directory
// whose name is not taboo, in name order.
func (l *loader) include(p string) {
	if l.depth >= maxIncludeDepth {
		l.problem("include nesting too deep: " + p)
		return
	}
	l.depth++
	defer func() { l.depth-- }()
	l.readPath(p)
}

func (l *loader) readPath(p string) {
	st, err := l.h.Stat(p)
	if err != nil {
		l.deny(err)
		l.problem(fmt.Sprintf("cannot stat %s: %v", p, err))
		return
	}
	if !st.IsDir() {
		l.readFileRestoring(p)
		return
	}
	entries, err := l.h.ReadDir(p)
	if err != nil {
		l.deny(err)
		l.problem(fmt.Sprintf("cannot open directory %s: %v", p, err))
		return
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if pat, taboo := l.isTaboo(n); taboo {
			l.cfg.Ignored = append(l.cfg.Ignored, fmt.Sprintf("%s/%s (taboo: %s)", p, n, pat))
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names) // strcoll in the C locale: byte order
	for _, n := range names {
		l.readFileRestoring(p + "/" + n)
	}
}

// readFileRestoring reads one file; after an error in it, logrotate puts
// back the defaults it had before the file ("found error in file").
func (l *loader) readFileRestoring(p string) {
	backup := l.defaults
	if l.readFile(p) {
		l.problem("found error in file " + p + ", skipping")
		l.defaults = backup
	}
}

// readFile parses one configuration file; it reports an error in it.
func (l *loader) readFile(p string) bool {
	if l.files >= maxConfigFiles {
		l.problem(fmt.Sprintf("more than %d configuration files; %s is not read", maxConfigFiles, p))
		return false
	}
	l.files++
	st, err := l.h.Stat(p)
	if err != nil {
		l.problem(fmt.Sprintf("failed to open config file %s: %v", p, err))
		return true
	}
	switch {
	case !st.Mode().IsRegular():
		l.cfg.Ignored = append(l.cfg.Ignored, p+" (not a regular file)")
		return false
	case st.Mode().Perm()&0o022 != 0:
		l.cfg.Ignored = append(l.cfg.Ignored, p+" (writable by group or others)")
		return false
	case l.owners && ownerOf(st) != 0:
		l.cfg.Ignored = append(l.cfg.Ignored, p+" (not owned by root)")
		return false
	case st.Size() == 0:
		l.cfg.Ignored = append(l.cfg.Ignored, p+" (empty)")
		return false
	}
	data, err := l.h.ReadFileLimit(p, maxConfigFile)
	if err != nil {
		l.deny(err)
		l.problem(fmt.Sprintf("failed to read %s: %v", p, err))
		return true
	}
	l.cfg.Read = append(l.cfg.Read, p)
	if strings.HasPrefix(string(data), goliveMark) {
		if l.cfg.Golive == nil {
			l.cfg.Golive = map[string]bool{}
		}
		l.cfg.Golive[p] = true
	}
	fp := &fileParser{l: l, name: p, data: data}
	return fp.parse()
}

func deviceOf(st fs.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Dev
	}
	return 0
}

func ownerOf(st fs.FileInfo) int {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(s.Uid)
	}
	return 0
}

// setTaboo applies "tabooext [+] list" or "taboopat [+] list": without
// "+" the list replaces the taboo patterns.
func (l *loader) setTaboo(v string, ext bool) {
	if strings.HasPrefix(v, "+") {
		v = strings.TrimLeft(v[1:], " \t")
	} else {
		l.taboo = nil
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if ext {
			w = "*" + w
		}
		l.taboo = append(l.taboo, w)
	}
}

func (l *loader) isTaboo(name string) (string, bool) {
	if name == "." || name == ".." {
		return name, true
	}
	for _, pat := range l.taboo {
		if fnmatch.Match(pat, name) {
			return pat, true
		}
	}
	return "", false
}

// addFiles globs one pattern into b. It reports false when a duplicate
// ended the entry's list.
func (l *loader) addFiles(b *Block, pattern string, p *fileParser) bool {
	matches := l.glob(pattern)
	if len(matches) == 0 {
		matches = []string{pattern}
	}
	for _, m := range matches {
		if st, err := l.h.Lstat(m); err == nil && st.IsDir() {
			continue
		}
		if l.claimed[m] {
			// logrotate 3.21 drops the rest of this pattern's matches and
			// goes on with the entry's next pattern.
			p.problem("duplicate log entry for " + m)
			if !b.Cut {
				b.Cut, b.CutAt = true, slices.Index(b.Patterns, pattern)
			}
			return false
		}
		if len(b.Files) >= maxFilesPerBlock {
			p.problem(fmt.Sprintf("more than %d logs in one entry", maxFilesPerBlock))
			return true
		}
		l.claimed[m] = true
		b.Files = append(b.Files, m)
	}
	return true
}

// hasMagic reports whether a glob component has wildcards.
func hasMagic(s string) bool { return strings.ContainsAny(s, "*?[\\") }

// glob expands an absolute pattern as glob(3) does without flags: one
// component at a time, wildcards matched with fnmatch (a leading dot only
// explicitly), sorted. Nothing matched is nil (the caller keeps the
// pattern, as GLOB_NOCHECK does).
func (l *loader) glob(pattern string) []string {
	if !strings.HasPrefix(pattern, "/") {
		return nil // relative to logrotate's working directory: not followed
	}
	if !hasMagic(pattern) {
		if _, err := l.h.Lstat(pattern); err == nil {
			return []string{pattern}
		}
		return nil
	}
	paths := []string{""}
	comps := strings.Split(strings.Trim(pattern, "/"), "/")
	for i, c := range comps {
		last := i == len(comps)-1
		var next []string
		for _, dir := range paths {
			if c == "" {
				next = append(next, dir)
				continue
			}
			if !hasMagic(c) {
				p := dir + "/" + c
				if _, err := l.h.Lstat(p); err == nil {
					next = append(next, p)
				}
				continue
			}
			d := dir
			if d == "" {
				d = "/"
			}
			entries, err := l.h.ReadDir(d)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if !fnmatch.Match(c, e.Name()) {
					continue
				}
				p := dir + "/" + e.Name()
				if !last {
					if st, err := l.h.Stat(p); err != nil || !st.IsDir() {
						continue
					}
				}
				next = append(next, p)
			}
		}
		paths = next
		if len(paths) == 0 || len(paths) > maxFilesPerBlock {
			return nil
		}
	}
	slices.Sort(paths)
	return paths
}

// matchesPattern reports whether path would be globbed by pattern if it
// existed: the same number of components, each matched by fnmatch.
func matchesPattern(pattern, path string) bool {
	if !strings.HasPrefix(pattern, "/") {
		return false
	}
	pc := strings.Split(strings.Trim(pattern, "/"), "/")
	fc := strings.Split(strings.Trim(path, "/"), "/")
	pc = slices.DeleteFunc(pc, func(s string) bool { return s == "" })
	if len(pc) != len(fc) {
		return false
	}
	for i := range pc {
		if hasMagic(pc[i]) {
			if !fnmatch.Match(pc[i], fc[i]) {
				return false
			}
		} else if pc[i] != fc[i] {
			return false
		}
	}
	return true
}

// Cover is the entry that rotates path, and whether the path exists now.
type Cover struct {
	Block *Block
	// Pending is set when the path does not exist yet: the entry is the
	// first whose pattern will match it once it does (logrotate globs at
	// every run).
	Pending bool
}

// covering finds the entry for path: the one that has it, or, for a path
// not there yet, the first entry whose patterns will match it.
func (c *Config) covering(h *host.Host, path string) (Cover, bool) {
	for _, b := range c.Blocks {
		if slices.Contains(b.Files, path) {
			return Cover{Block: b}, true
		}
	}
	if _, err := h.Lstat(path); err == nil {
		return Cover{}, false
	}
	for _, b := range c.Blocks {
		for i, pat := range b.Patterns {
			if b.Cut && i >= b.CutAt {
				break
			}
			if matchesPattern(pat, path) {
				return Cover{Block: b, Pending: true}, true
			}
		}
	}
	return Cover{}, false
}
