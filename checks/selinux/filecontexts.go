package selinux

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/golive-sh/golive/internal/host"
)

// Limits on a policy's file contexts. Rocky 9's targeted policy has about
// 6,500 entries in 550 KB; CentOS 7's about 5,000.
const (
	maxFileContexts = 8 << 20
	maxSpecs        = 100_000
	maxRegex        = 4096
)

// fileType is a file_contexts file type filter, written as the file does:
// "--" regular file, "-d" directory, "-l" symlink, "-c", "-b", "-p", "-s";
// anyFile ("") when the entry has none.
type fileType string

// The file types of file_contexts(5).
const (
	anyFile     fileType = ""
	regularFile fileType = "--"
	directory   fileType = "-d"
	symlink     fileType = "-l"
	charDevice  fileType = "-c"
	blockDevice fileType = "-b"
	fifo        fileType = "-p"
	socket      fileType = "-s"
)

func parseFileType(s string) (fileType, bool) {
	switch t := fileType(s); t {
	case regularFile, directory, symlink, charDevice, blockDevice, fifo, socket:
		return t, true
	}
	return "", false
}

// fileTypeOf is the file_contexts type of a file mode (from lstat).
func fileTypeOf(m fs.FileMode) fileType {
	switch {
	case m.IsRegular():
		return regularFile
	case m.IsDir():
		return directory
	case m&fs.ModeSymlink != 0:
		return symlink
	case m&fs.ModeCharDevice != 0:
		return charDevice
	case m&fs.ModeDevice != 0:
		return blockDevice
	case m&fs.ModeNamedPipe != 0:
		return fifo
	case m&fs.ModeSocket != 0:
		return socket
	}
	return anyFile
}

// name says what a file type filter selects, for messages.
func (t fileType) name() string {
	switch t {
	case regularFile:
		return "regular file"
	case directory:
		return "directory"
	case symlink:
		return "symlink"
	case charDevice:
		return "character device"
	case blockDevice:
		return "block device"
	case fifo:
		return "FIFO"
	case socket:
		return "socket"
	}
	return "any file"
}

// spec is one file_contexts entry.
type spec struct {
	regex   string
	Type    fileType
	context string // "<<none>>" or user:role:type[:level]
	file    string
	line    int

	exact   bool   // no regex metacharacter: libselinux tries these last-first before all regexes
	literal string // an exact entry's path, when it needs no regex to match
	stem    string // the entry's fixed first path element ("/usr"), or ""

	prefixOnce sync.Once
	prefix     string // text every path the entry matches starts with

	once  sync.Once
	re    *regexp.Regexp
	reErr error
}

// where is "file:line".
func (s *spec) where() string { return fmt.Sprintf("%s:%d", s.file, s.line) }

// metaChars are the characters libselinux treats as regular expression
// syntax when it tells exact paths from patterns and finds stems.
const metaChars = ".^$?*+|[({"

var isMeta = func() (t [256]bool) {
	for i := 0; i < len(metaChars); i++ {
		t[metaChars[i]] = true
	}
	return t
}()

// parseFileContexts parses one file_contexts file as libselinux's
// read_spec_entries and process_line do: blank lines and lines whose first
// non-blank character is '#' are skipped; an entry is "regex [type]
// context" separated by blanks; a field after the third is ignored; a line
// ends at a NUL byte. libselinux refuses the whole file (restorecon cannot
// start) for a line with a single field, an unknown type, or a non-ASCII
// byte in a field: so does parseFileContexts, naming the line.
func parseFileContexts(file string, data []byte) ([]*spec, error) {
	text := string(data) // one copy; every field is a substring of it
	var specs []*spec
	var block []spec // entries are allocated in blocks, not one by one
	for n, start := 1, 0; start < len(text); n++ {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		line := text[start:end]
		start = end + 1
		if j := strings.IndexByte(line, 0); j >= 0 {
			line = line[:j]
		}
		var fields [3]string
		nf := 0
		for i := 0; i < len(line) && nf < 3; {
			for i < len(line) && isSpaceByte(line[i]) {
				i++
			}
			j := i
			for j < len(line) && !isSpaceByte(line[j]) {
				j++
			}
			if j > i {
				fields[nf] = line[i:j]
				nf++
			}
			i = j
		}
		if nf == 0 || fields[0][0] == '#' {
			continue
		}
		for _, f := range fields[:nf] {
			for k := 0; k < len(f); k++ {
				if f[k] >= 0x80 {
					return nil, fmt.Errorf("%s:%d: non-ASCII byte in %s (libselinux refuses the file)", file, n, shown(f))
				}
			}
		}
		if len(block) == cap(block) {
			block = make([]spec, 0, 256)
		}
		block = append(block, spec{regex: fields[0], file: file, line: n})
		s := &block[len(block)-1]
		switch nf {
		case 1:
			return nil, fmt.Errorf("%s:%d: %s has no context (libselinux refuses the file)", file, n, shown(fields[0]))
		case 2:
			s.context = fields[1]
		case 3:
			t, ok := parseFileType(fields[1])
			if !ok {
				return nil, fmt.Errorf("%s:%d: unknown file type %s (libselinux refuses the file)", file, n, shown(fields[1]))
			}
			s.Type, s.context = t, fields[2]
		}
		s.exact, s.literal = classify(s.regex)
		s.stem = specStem(s.regex)
		specs = append(specs, s)
		if len(specs) > maxSpecs {
			return nil, fmt.Errorf("%s: more than %d entries", file, maxSpecs)
		}
	}
	return specs, nil
}

// isSpaceByte is C's isspace.
func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isCSpace(r rune) bool { return r < 0x80 && isSpaceByte(byte(r)) }

// classify is libselinux's spec_hasMetaChars: a backslash hides the next
// character. An exact entry whose escapes all quote punctuation is a
// literal path; one with an escape such as \d stays a regular expression.
func classify(re string) (exact bool, literal string) {
	escapes := false
	for i := 0; i < len(re); i++ {
		switch c := re[i]; {
		case isMeta[c]:
			return false, ""
		case c == '\\':
			if i+1 >= len(re) || isAlnum(re[i+1]) {
				return true, ""
			}
			escapes = true
			i++
		}
	}
	if !escapes {
		return true, re
	}
	return true, unescape(re)
}

// unescape drops the backslashes of an exact entry's quoted punctuation.
func unescape(re string) string {
	b := make([]byte, 0, len(re))
	for i := 0; i < len(re); i++ {
		if re[i] == '\\' && i+1 < len(re) {
			i++
		}
		b = append(b, re[i])
	}
	return string(b)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// literalPrefix is the text at the start of every string the anchored
// regex matches: its literal characters up to the first metacharacter,
// less the last one when a quantifier makes it optional. A top-level |
// leaves nothing certain.
func literalPrefix(re string) string {
	depth, inClass := 0, false
	for i := 0; i < len(re); i++ {
		switch c := re[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			// A ']' first in a class (after an optional '^') is literal.
			inClass = true
			if i+1 < len(re) && re[i+1] == '^' {
				i++
			}
			if i+1 < len(re) && re[i+1] == ']' {
				i++
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth <= 0:
			return ""
		}
	}
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		if c == '\\' {
			if i+1 >= len(re) || isAlnum(re[i+1]) {
				break
			}
			if i+2 < len(re) && strings.IndexByte("?*{", re[i+2]) >= 0 {
				break
			}
			b.WriteByte(re[i+1])
			i++
			continue
		}
		if strings.IndexByte(metaChars, c) >= 0 {
			break
		}
		if i+1 < len(re) && strings.IndexByte("?*{", re[i+1]) >= 0 {
			break
		}
		b.WriteByte(c)
	}
	return b.String()
}

// specStem is libselinux's get_stem_from_spec: the text before the second
// '/', when it holds no metacharacter ("/usr" of "/usr/bin(/.*)?"; none for
// "/usr(/.*)?" or "/.*").
func specStem(re string) string {
	if len(re) < 2 {
		return ""
	}
	i := strings.IndexByte(re[1:], '/')
	if i < 0 {
		return ""
	}
	stem := re[:i+1]
	for k := 0; k < len(stem); k++ {
		if isMeta[stem[k]] {
			return ""
		}
	}
	return stem
}

// fileStem is libselinux's get_stem_from_file_name: "/usr" of "/usr/bin",
// none for "/usr".
func fileStem(p string) string {
	if len(p) < 2 {
		return ""
	}
	i := strings.IndexByte(p[1:], '/')
	if i < 0 {
		return ""
	}
	return p[:i+1]
}

// regexp compiles the entry as libselinux does: "^" + regex + "$", with no
// group around it (a top-level | is anchored on one side only, as in
// libselinux). Go's RE2 accepts the syntax file_contexts use; PCRE-only
// constructs (backreferences, lookaround) fail here.
func (s *spec) regexp() (*regexp.Regexp, error) {
	s.once.Do(func() {
		if len(s.regex) > maxRegex {
			s.reErr = fmt.Errorf("%s: regular expression longer than %d bytes", s.where(), maxRegex)
			return
		}
		s.re, s.reErr = regexp.Compile("^" + s.regex + "$")
		if s.reErr != nil {
			s.reErr = fmt.Errorf("%s: invalid regular expression %s (or a PCRE feature Go's RE2 lacks): %w", s.where(), shown(s.regex), s.reErr)
		}
	})
	return s.re, s.reErr
}

func (s *spec) matches(p string) (bool, error) {
	if s.exact && s.literal != "" {
		return p == s.literal, nil
	}
	s.prefixOnce.Do(func() { s.prefix = literalPrefix(s.regex) })
	if !strings.HasPrefix(p, s.prefix) {
		return false, nil // cannot match: not worth compiling
	}
	re, err := s.regexp()
	if err != nil {
		return false, err
	}
	return re.MatchString(p), nil
}

// sub is a path substitution of file_contexts.subs / .subs_dist: a path
// under From is looked up as the same path under To.
type sub struct {
	from, to string
	file     string
	line     int
}

// parseSubs parses a substitution file as selabel_subs_init does: two
// blank-separated fields per line, '#' comments. The list comes back in
// the order libselinux tries it: last line first. A substitution of "/"
// itself is dropped (it would rewrite every path).
func parseSubs(file string, data []byte) []sub {
	var out []sub
	for i, raw := range bytes.Split(data, []byte("\n")) {
		if j := bytes.IndexByte(raw, 0); j >= 0 {
			raw = raw[:j]
		}
		fields := strings.FieldsFunc(string(raw), isCSpace)
		if len(fields) < 2 || fields[0][0] == '#' || fields[0] == "/" {
			continue
		}
		out = append(out, sub{from: fields[0], to: fields[1], file: file, line: i + 1})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// substitute is libselinux's selabel_sub: the first substitution whose
// From is the path or a parent of it rewrites it.
func substitute(subs []sub, p string) (string, *sub) {
	for i := range subs {
		s := &subs[i]
		rest, ok := strings.CutPrefix(p, s.from)
		if !ok || (rest != "" && rest[0] != '/') {
			continue
		}
		if rest != "" && s.to == "/" {
			return rest, s
		}
		return s.to + rest, s
	}
	return p, nil
}

// fileContexts is a policy's file labelling rules as restorecon loads them.
type fileContexts struct {
	dir   string   // .../contexts/files
	files []string // the files read, in load order
	// specs is in libselinux's lookup order: entries with metacharacters in
	// load order, then exact paths in load order; lookups go last to first.
	specs    []*spec
	byStem   map[string][]int
	noStem   []int
	subs     []sub // file_contexts.subs (the administrator's)
	distSubs []sub // file_contexts.subs_dist (the policy's)
}

// fileContextsDir is where a policy keeps its file contexts.
func fileContextsDir(policy string) string {
	return path.Join(policyDir(policy), "contexts", "files")
}

// readFileContexts reads the file contexts of policy under the root as
// selabel_open(SELABEL_CTX_FILE) does: file_contexts, then
// file_contexts.homedirs and file_contexts.local when they exist, and the
// substitution files. The compiled .bin files are not read: they are built
// from the same text by sefcontext_compile.
func readFileContexts(h *host.Host, policy string) (*fileContexts, error) {
	return loadFileContexts(h, policy, (*host.Host).ReadFileLimit)
}

func loadFileContexts(h *host.Host, policy string, read reader) (*fileContexts, error) {
	dir := fileContextsDir(policy)
	fc := &fileContexts{dir: dir, byStem: map[string][]int{}}
	var all []*spec
	for _, name := range []string{"file_contexts", "file_contexts.homedirs", "file_contexts.local"} {
		p := path.Join(dir, name)
		data, err := read(h, p, maxFileContexts)
		if err != nil {
			if name != "file_contexts" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		specs, err := parseFileContexts(p, data)
		if err != nil {
			return nil, err
		}
		if len(all)+len(specs) > maxSpecs {
			return nil, fmt.Errorf("%s: more than %d entries in all", dir, maxSpecs)
		}
		all = append(all, specs...)
		fc.files = append(fc.files, p)
	}
	for _, s := range []struct {
		name string
		into *[]sub
	}{{"file_contexts.subs_dist", &fc.distSubs}, {"file_contexts.subs", &fc.subs}} {
		p := path.Join(dir, s.name)
		data, err := read(h, p, maxConfig)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		*s.into = parseSubs(p, data)
		fc.files = append(fc.files, p)
	}
	fc.setSpecs(all)
	return fc, nil
}

// newFileContexts builds a lookup table from parsed entries in load order
// and substitution lists in the order parseSubs returns them.
func newFileContexts(specs []*spec, subs, distSubs []sub) *fileContexts {
	fc := &fileContexts{byStem: map[string][]int{}, subs: subs, distSubs: distSubs}
	fc.setSpecs(specs)
	return fc
}

// setSpecs orders the entries as libselinux's sort_specs does (patterns
// first, exact paths last, each group in load order) and indexes stems.
func (fc *fileContexts) setSpecs(all []*spec) {
	fc.specs = make([]*spec, 0, len(all))
	for _, s := range all {
		if !s.exact {
			fc.specs = append(fc.specs, s)
		}
	}
	for _, s := range all {
		if s.exact {
			fc.specs = append(fc.specs, s)
		}
	}
	for i, s := range fc.specs {
		if s.stem == "" {
			fc.noStem = append(fc.noStem, i)
		} else {
			fc.byStem[s.stem] = append(fc.byStem[s.stem], i)
		}
	}
}

// size is the number of entries.
func (fc *fileContexts) size() int { return len(fc.specs) }

// match is the answer of a lookup.
type match struct {
	// key is the path looked up, after substitutions.
	key string
	// sub is the substitution applied, if any.
	sub *sub
	// spec is the entry that decides, nil when none matches (restorecon
	// then leaves the label alone).
	spec *spec
}

// lookup finds the entry restorecon applies to path p (an absolute path
// whose directories are resolved) of file type t (anyFile when unknown), as
// selabel_lookup does in libselinux 2.5 (CentOS 7) to 3.6 (Rocky 9):
// repeated slashes and a trailing slash are dropped; substitutions follow
// (the administrator's .subs, then the policy's .subs_dist on the result);
// then, from the last entry to the
// first in sort_specs order, the first entry whose stem is the path's (or
// that has none), whose type filter admits t, and whose regex matches the
// whole path. An entry whose regex cannot be compiled stops the lookup with
// an error, as in libselinux, where restorecon fails on that path.
func (fc *fileContexts) lookup(p string, t fileType) (match, error) {
	p = cleanKey(p)
	m := match{key: p}
	if key, sub := substitute(fc.subs, p); sub != nil {
		m.key, m.sub = key, sub
		if key2, sub2 := substitute(fc.distSubs, key); sub2 != nil {
			m.key, m.sub = key2, sub2
		}
	} else if key, sub := substitute(fc.distSubs, p); sub != nil {
		m.key, m.sub = key, sub
	}
	stemmed := fc.byStem[fileStem(m.key)]
	i, j := len(stemmed)-1, len(fc.noStem)-1
	for i >= 0 || j >= 0 {
		var k int
		if j < 0 || (i >= 0 && stemmed[i] > fc.noStem[j]) {
			k, i = stemmed[i], i-1
		} else {
			k, j = fc.noStem[j], j-1
		}
		s := fc.specs[k]
		if s.Type != anyFile && t != anyFile && s.Type != t {
			continue
		}
		ok, err := s.matches(m.key)
		if err != nil {
			return m, err
		}
		if ok {
			m.spec = s
			return m, nil
		}
	}
	return m, nil
}

// cleanKey is what libselinux does to a key before the substitutions:
// runs of slashes become one and a trailing slash goes
// ("/usr//lib/" is looked up as "/usr/lib"). Nothing else: "." and ".."
// stay, as the caller resolved them or not.
func cleanKey(p string) string {
	if !strings.Contains(p, "//") && (len(p) < 2 || p[len(p)-1] != '/') {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && len(b) > 0 && b[len(b)-1] == '/' {
			continue
		}
		b = append(b, p[i])
	}
	if len(b) > 1 && b[len(b)-1] == '/' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// find returns the entries whose regular expression is exactly re, for
// choosing between `semanage fcontext -a` and `-m`.
func (fc *fileContexts) find(re string) []*spec {
	var out []*spec
	for _, s := range fc.specs {
		if s.regex == re {
			out = append(out, s)
		}
	}
	return out
}
