package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Settings are the directives of one logrotate entry (or, at the top level
// of a file, the defaults later entries copy), as logrotate 3.21 keeps them
// (logrotate(8)).
type Settings struct {
	// Rotate is the number of rotated files kept ("rotate N"); 0 keeps
	// none, -1 keeps every one (only maxage removes them).
	Rotate int
	// Criterion is what triggers a rotation: hourly, daily, weekly,
	// monthly, yearly, or size (Size bytes; logrotate's default is size
	// 1 MiB when a file names no interval).
	Criterion string
	Size      int64
	// MinSize and MaxSize are "minsize" and "maxsize" in bytes (0: unset).
	MinSize, MaxSize int64
	// MaxAge is "maxage" in days (0: unset).
	MaxAge int
	// CopyTruncate copies the log and truncates it in place, so a writer
	// keeps its file descriptor; Copy copies without truncating.
	CopyTruncate, Copy bool
	MissingOK          bool
	IfEmpty            bool
	SharedScripts      bool
	// PostRotate is the postrotate script (HasPostRotate even when empty).
	PostRotate    string
	HasPostRotate bool
	OldDir        string
	Mail          string
}

// defaultSettings are logrotate's compiled-in defaults (config.c,
// readAllConfigPaths): rotate 0, size 1 MiB, ifempty.
func defaultSettings() Settings {
	return Settings{Criterion: "size", Size: 1 << 20, IfEmpty: true}
}

// Limits on what a configuration may make golive keep.
const (
	maxConfigFile    = 1 << 20 // bytes read of one configuration file
	maxConfigFiles   = 512     // configuration files read in all
	maxIncludeDepth  = 16      // logrotate's MAX_NESTING
	maxBlocks        = 4096
	maxFilesPerBlock = 4096
	maxProblems      = 50
)

// fileParser reads one configuration file the way logrotate 3.21's
// readConfigFile does: a character state machine in which a keyword is a
// run of letters, an entry starts with "/" or a quote and runs to "{", and
// an error inside an entry drops the entry while an error outside one
// stops the file.
type fileParser struct {
	l    *loader
	name string
	data []byte
	pos  int

	blk        *Block // the open entry, nil at the top level
	failed     bool   // an error that makes logrotate say "found error in file"
	scriptDest *string
	scriptHas  *bool
	scriptFrom int
}

type parseState int

const (
	stDefault parseState = 1 << iota
	stSkipLine
	stDefinitionEnd
	stSkipConfig
	stLoadScript
	stError
)

// parse runs the file; it reports whether logrotate would count the file
// as having an error (and so restore the defaults it had before it).
func (p *fileParser) parse() (failed bool) {
	state := stDefault
	d := p.data
	for ; p.pos < len(d); p.pos++ {
		c := d[p.pos]
		switch state {
		case stDefault:
			switch {
			case isBlank(c) || c == '\n':
			case c == '#':
				state = stSkipLine
			case isAlpha(c):
				if p.keyword(&state) {
					return true
				}
			case c == '/' || c == '"' || c == '\'':
				if p.blk != nil {
					p.problem("unexpected log filename")
					state = stError
					continue
				}
				if !p.entry() {
					return true
				}
			case c == '}':
				if p.blk == nil {
					p.problem("unexpected }")
					return true
				}
				if !p.closeEntry() {
					return true
				}
				state = stDefinitionEnd
			default:
				// logrotate 3.21 stops the file here (3.8 skipped the line).
				p.problem("lines must begin with a keyword or a filename (possibly in double quotes)")
				return true
			}
		case stSkipLine, stSkipLine | stSkipConfig:
			if c == '\n' {
				state &= stSkipConfig
				if state == 0 {
					state = stDefault
				}
			}
		case stSkipLine | stLoadScript:
			if c == '\n' {
				state = stLoadScript
			}
		case stSkipLine | stLoadScript | stSkipConfig:
			if c == '\n' {
				state = stLoadScript | stSkipConfig
			}
		case stDefinitionEnd, stDefinitionEnd | stSkipConfig:
			if isBlank(c) {
				continue
			}
			skip := state & stSkipConfig
			if c != '\n' {
				p.problem("unexpected text after }")
				state = stSkipLine | skip
			} else if skip != 0 {
				state = stSkipConfig
			} else {
				state = stDefault
			}
		case stError:
			p.failed = true
			state = stSkipConfig
		case stLoadScript, stLoadScript | stSkipConfig:
			word := p.word()
			skip := state & stSkipConfig
			if word == "endscript" {
				if skip == 0 && p.scriptDest != nil {
					end := p.pos - len("endscript")
					for end > 0 && d[end-1] != '\n' {
						end--
					}
					if end < p.scriptFrom {
						end = p.scriptFrom
					}
					*p.scriptDest = string(d[p.scriptFrom:end])
					*p.scriptHas = true
				}
				p.scriptDest, p.scriptHas = nil, nil
				if skip != 0 {
					state = stSkipConfig
				} else {
					state = stDefault
				}
				continue
			}
			if p.pos < len(d) && d[p.pos] == '\n' {
				state = stLoadScript | skip
			} else {
				state = stSkipLine | stLoadScript | skip
			}
		case stSkipConfig:
			if c == '}' {
				p.dropEntry()
				state = stDefault
				continue
			}
			word := p.word()
			switch {
			case isScriptKeyword(word):
				state = stLoadScript | stSkipConfig
			case p.pos < len(d) && d[p.pos] == '\n':
				// A line of one word: the next line is read again.
			default:
				state = stSkipLine | stSkipConfig
			}
		}
	}
	if state&stLoadScript != 0 {
		p.problem("prerotate or postrotate without endscript")
		return true
	}
	return p.failed
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isScriptKeyword(w string) bool {
	switch w {
	case "postrotate", "prerotate", "firstaction", "lastaction", "preremove":
		return true
	}
	return false
}

// word skips blanks and reads a run of letters, leaving pos after it (as
// logrotate's isolateWord does).
func (p *fileParser) word() string {
	d := p.data
	for p.pos < len(d) && isBlank(d[p.pos]) {
		p.pos++
	}
	start := p.pos
	for p.pos < len(d) && isAlpha(d[p.pos]) {
		p.pos++
	}
	return string(d[start:p.pos])
}

// value reads a directive's argument as isolateValue does: blanks, an
// optional "=", blanks, then the rest of the line without trailing
// white space. It leaves pos on the last byte before the newline. ok is
// false when the line ends first ("argument expected").
func (p *fileParser) value() (string, bool) {
	d := p.data
	i := p.pos
	for i < len(d) && isBlank(d[i]) {
		i++
	}
	if i < len(d) && d[i] == '=' {
		i++
		for i < len(d) && isBlank(d[i]) {
			i++
		}
	}
	if i >= len(d) || d[i] == '\n' {
		return "", false
	}
	return p.restOfLine(i), true
}

// restOfLine returns the text from i to the end of the line, trimmed at
// the end, and leaves pos on the byte before the newline.
func (p *fileParser) restOfLine(i int) string {
	d := p.data
	end := i
	for end < len(d) && d[end] != '\n' {
		end++
	}
	p.pos = end - 1
	return strings.TrimRightFunc(string(d[i:end]), func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
}

// target is where directives go: the open entry, or the defaults.
func (p *fileParser) target() *Settings {
	if p.blk != nil {
		return &p.blk.Settings
	}
	return &p.l.defaults
}

// keyword handles one directive. stop reports an error outside an entry,
// which ends the file.
func (p *fileParser) keyword(state *parseState) (stop bool) {
	key := p.word()
	s := p.target()
	// fail is a bad argument: inside an entry the entry is dropped,
	// outside one the file stops.
	fail := func(format string, args ...any) bool {
		p.problem(fmt.Sprintf(format, args...))
		if p.blk != nil {
			*state = stError
			return false
		}
		return true
	}
	switch key {
	case "copytruncate":
		s.CopyTruncate = true
	case "nocopytruncate":
		s.CopyTruncate = false
	case "copy":
		s.Copy = true
	case "nocopy":
		s.Copy = false
	case "missingok":
		s.MissingOK = true
	case "nomissingok":
		s.MissingOK = false
	case "ifempty":
		s.IfEmpty = true
	case "notifempty":
		s.IfEmpty = false
	case "sharedscripts":
		s.SharedScripts = true
	case "nosharedscripts":
		s.SharedScripts = false
	case "hourly", "daily", "weekly", "monthly", "yearly":
		s.Criterion = key
	case "noolddir":
		s.OldDir = ""
	case "nomail":
		s.Mail = ""
	case "rotate", "maxage", "start", "shredcycles", "minage":
		v, ok := p.value()
		if !ok {
			p.problem("argument expected after " + key)
			return false
		}
		n, err := parseCount(v)
		if err != nil || n < -1 && key == "rotate" || n < 0 && key != "rotate" {
			return fail("bad %s count '%s'", key, v)
		}
		switch key {
		case "rotate":
			s.Rotate = int(n)
		case "maxage":
			s.MaxAge = int(n)
		}
	case "size", "minsize", "maxsize":
		v, ok := p.value()
		if !ok {
			p.problem("argument expected after " + key)
			return false
		}
		n, err := parseSize(v)
		if err != nil {
			return fail("%v", err)
		}
		switch key {
		case "size":
			s.Criterion, s.Size = "size", n
		case "minsize":
			s.MinSize = n
		case "maxsize":
			s.MaxSize = n
		}
	case "olddir":
		v, ok := p.value()
		if !ok || strings.ContainsAny(v, " \t") {
			return fail("bad olddir path %s", v)
		}
		s.OldDir = v
	case "mail":
		v, ok := p.value()
		if !ok || strings.ContainsAny(v, " \t") {
			return fail("bad mail address %s", v)
		}
		s.Mail = v
	case "postrotate", "prerotate", "firstaction", "lastaction", "preremove":
		var dest string
		var has bool
		p.scriptFrom = p.pos
		if key == "postrotate" {
			s.PostRotate, s.HasPostRotate = "", false
			p.scriptDest, p.scriptHas = &s.PostRotate, &s.HasPostRotate
		} else {
			p.scriptDest, p.scriptHas = &dest, &has
		}
		*state = stLoadScript
	case "tabooext", "taboopat":
		if p.blk != nil {
			p.problem(key + " may not appear inside of log file definition")
			*state = stError
			return false
		}
		v, ok := p.value()
		if !ok {
			p.problem("argument expected after " + key)
			return false
		}
		p.l.setTaboo(v, key == "tabooext")
	case "include":
		if p.blk != nil {
			p.problem("include may not appear inside of log file definition")
			*state = stError
			return false
		}
		v, ok := p.value()
		if !ok {
			p.problem("argument expected after include")
			return false
		}
		p.l.include(v)
	case "compress", "nocompress", "delaycompress", "nodelaycompress", "shred", "noshred",
		"dateext", "nodateext", "dateyesterday", "mailfirst", "maillast", "nocreate", "createolddir",
		"nocreateolddir", "renamecopy", "norenamecopy", "allowhardlink", "noallowhardlink", "addextension",
		"errors", "nocompresscmd":
		// Directives that change how a rotation is done, not whether the
		// log is rotated, bounded or reopened.
	case "create", "su", "dateformat":
		p.restOfLine(p.pos)
	case "extension", "compresscmd", "uncompresscmd", "compressext", "compressoptions":
		if _, ok := p.value(); !ok {
			p.problem("argument expected after " + key)
		}
	default:
		p.problem(fmt.Sprintf("unknown option '%s' -- ignoring line", key))
		if p.pos < len(p.data) && p.data[p.pos] != '\n' {
			*state = stSkipLine
		}
		return false
	}
	return false
}

// parseCount reads an integer as strtoul(s, &end, 0) does, accepting
// decimal, 0x hex and 0 octal, and a leading "-" (rotate -1).
func parseCount(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "-"), 0, 64)
	if err != nil || n > 1<<31 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	if neg {
		n = -n
	}
	return n, nil
}

// parseSize reads "100", "100k"/"100K", "10M" or "1G" as logrotate 3.21
// does (k, K, M and G; a lower-case m or g is an unknown unit).
func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		mult = 1 << 10
	case 'M':
		mult = 1 << 20
	case 'G':
		mult = 1 << 30
	default:
		if s[len(s)-1] < '0' || s[len(s)-1] > '9' {
			return 0, fmt.Errorf("unknown unit '%c'", s[len(s)-1])
		}
	}
	num := s
	if mult != 1 {
		num = s[:len(s)-1]
	}
	n, err := strconv.ParseUint(num, 0, 63)
	if err != nil || n > 1<<50 {
		return 0, fmt.Errorf("bad size '%s'", s)
	}
	return int64(n) * mult, nil
}

// entry reads the file names up to "{" and opens an entry with a copy of
// the defaults. It reports false when logrotate stops the file.
func (p *fileParser) entry() bool {
	d := p.data
	start := p.pos
	end := start
	for end < len(d) && d[end] != '{' && d[end] != 0 {
		end++
	}
	words, err := splitArgs(string(d[start:end]))
	if err != nil {
		p.problem("error parsing filename")
		return false
	}
	if len(words) == 0 {
		p.problem("{ expected after log file name(s)")
		return false
	}
	if len(p.l.cfg.Blocks) >= maxBlocks {
		p.problem(fmt.Sprintf("more than %d entries; the rest are not read", maxBlocks))
		return false
	}
	b := &Block{File: p.name, Line: lineAt(d, start), Patterns: words, Settings: p.l.defaults}
	p.l.cfg.Blocks = append(p.l.cfg.Blocks, b)
	p.blk = b
	p.pos = end
	for _, w := range words {
		if !p.l.addFiles(b, w, p) {
			p.failed = true
		}
	}
	return true
}

// closeEntry ends the open entry. With an olddir, logrotate checks that
// each log's directory and the olddir exist and share a device; when not,
// it removes the entry and stops the file.
func (p *fileParser) closeEntry() bool {
	b := p.blk
	if b.OldDir != "" {
		for _, f := range b.Files {
			if err := p.checkOldDir(f, b.OldDir); err != nil {
				if b.MissingOK && errors.Is(err, fs.ErrNotExist) && !strings.Contains(err.Error(), "olddir") {
					continue // "log is probably missing, but missingok is set"
				}
				p.problem(err.Error())
				p.dropEntry()
				return false
			}
		}
	}
	p.blk = nil
	return true
}

func (p *fileParser) checkOldDir(file, oldDir string) error {
	dir := parentDir(file)
	ds, err := p.l.h.Stat(dir)
	if err != nil {
		return fmt.Errorf("error verifying log file path %s: %w", dir, err)
	}
	od := oldDir
	if !strings.HasPrefix(od, "/") {
		od = dir + "/" + od
	}
	os, err := p.l.h.Stat(od)
	if err != nil {
		return fmt.Errorf("error verifying olddir path %s: %v", od, err)
	}
	if deviceOf(ds) != deviceOf(os) {
		return fmt.Errorf("olddir %s and log file %s are on different devices", oldDir, file)
	}
	return nil
}

// dropEntry removes the open entry after an error inside it.
func (p *fileParser) dropEntry() {
	if p.blk == nil {
		return
	}
	bs := p.l.cfg.Blocks
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i] == p.blk {
			// logrotate removes the entry from its list, so its logs are
			// free for later entries.
			for _, f := range p.blk.Files {
				delete(p.l.claimed, f)
			}
			p.l.cfg.Dropped = append(p.l.cfg.Dropped, p.blk)
			p.l.cfg.Blocks = append(bs[:i], bs[i+1:]...)
			break
		}
	}
	p.blk = nil
}

func (p *fileParser) problem(msg string) {
	p.l.problem(fmt.Sprintf("%s:%d %s", p.name, lineAt(p.data, min(p.pos, len(p.data))), msg))
}

// lineAt is the 1-based line of offset i.
func lineAt(d []byte, i int) int {
	n := 1
	for _, c := range d[:i] {
		if c == '\n' {
			n++
		}
	}
	return n
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "/"
	}
	return p[:i]
}

// splitArgs splits an entry's file names as popt's poptParseArgvString
// does: white space separates, single and double quotes group, and a
// backslash escapes the next byte (inside quotes only the quote itself).
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	have := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			if c == '\\' {
				i++
				if i == len(s) {
					return nil, fmt.Errorf("trailing backslash")
				}
				if s[i] != quote {
					cur.WriteByte('\\')
				}
				c = s[i]
			}
			cur.WriteByte(c)
			have = true
		case isSpace(c):
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		case c == '"' || c == '\'':
			quote = c
			have = true
		case c == '\\':
			i++
			if i == len(s) {
				return nil, fmt.Errorf("trailing backslash")
			}
			cur.WriteByte(s[i])
			have = true
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if have && cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}
