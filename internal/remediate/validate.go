package remediate

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Why an action cannot be applied by a script. The renderers turn such an
// action into a manual step that says so, rather than write a file that
// would mean something else.
var (
	errUnknownKind = errors.New("unknown action type")
	errPath        = errors.New("the path is not a clean absolute file path")
	errKey         = errors.New("the key cannot be matched in a config line")
	errLineText    = errors.New("a newline or control character cannot be part of one config line")
	errLineKey     = errors.New("the line does not set the key, so a second run would add it again")
	errNUL         = errors.New("a NUL byte cannot be written by a script")
	errArgv        = errors.New("the command is empty")
	errUTF8        = errors.New("the text is not valid UTF-8, which YAML cannot carry")
	errFileMode    = errors.New("a file mode is three or four octal digits and an owner or group a number")
)

// checkAction returns why a cannot be applied automatically, or nil.
// utf8Only is set for the playbook: YAML holds only valid UTF-8.
func checkAction(a Action, utf8Only bool) error {
	var texts []string
	switch a.Kind {
	case SysctlSet:
		if !matchableKey(a.Key) || strings.HasPrefix(a.Key, "/") {
			return errKey
		}
		if !oneLine(a.Value) {
			return errLineText
		}
		texts = []string{a.Key, a.Value}
	case FileLine:
		if !validPath(a.Path) {
			return errPath
		}
		if !matchableKey(a.Key) {
			return errKey
		}
		if !oneLine(a.Line) {
			return errLineText
		}
		if !SetsKey(a.Line, a.Key) {
			return errLineKey
		}
		texts = []string{a.Path, a.Key, a.Line}
	case DropIn:
		if !validPath(a.Path) {
			return errPath
		}
		if strings.ContainsRune(a.Content, 0) {
			return errNUL
		}
		texts = []string{a.Path, a.Content}
	case Command:
		if len(a.Argv) == 0 || a.Argv[0] == "" {
			return errArgv
		}
		for _, arg := range a.Argv {
			if strings.ContainsRune(arg, 0) {
				return errNUL
			}
		}
		texts = a.Argv
	case FileMode:
		if !validPath(a.Path) {
			return errPath
		}
		if a.Mode == "" && a.Owner == "" && a.Group == "" {
			return errFileMode
		}
		if a.Mode != "" && !octalMode(a.Mode) {
			return errFileMode
		}
		for _, id := range []string{a.Owner, a.Group} {
			if id != "" && !numericID(id) {
				return errFileMode
			}
		}
		texts = []string{a.Path}
	case Package:
		if err := checkPackage(a); err != nil {
			return err
		}
		texts = []string{a.Package, a.Version}
	case Manual:
		return nil
	default:
		return fmt.Errorf("%w %q", errUnknownKind, a.Kind)
	}
	if utf8Only {
		for _, t := range texts {
			if !utf8.ValidString(t) {
				return errUTF8
			}
		}
	}
	return nil
}

// octalMode is chmod's octal form: three or four octal digits.
func octalMode(m string) bool {
	return len(m) >= 3 && len(m) <= 4 && strings.Trim(m, "01234567") == ""
}

// numericID is a uid or gid as chown takes it without a lookup.
func numericID(s string) bool {
	v, err := strconv.ParseUint(s, 10, 32)
	return err == nil && v < 1<<32-1 && strconv.FormatUint(v, 10) == s
}

// validPath accepts an absolute path with nothing to clean away: no "..",
// so that ROOT + path stays under ROOT, and no control characters.
func validPath(p string) bool {
	return strings.HasPrefix(p, "/") && p != "/" && path.Clean(p) == p && oneLine(p)
}

// oneLine reports whether s fits in one config line: tabs are blanks, other
// control characters (newline, CR, NUL, escape) are not text.
func oneLine(s string) bool {
	for _, r := range s {
		if (r < ' ' && r != '\t') || r == 0x7f {
			return false
		}
	}
	return true
}

// describe says what an action would have done, for the manual step that
// replaces it.
func describe(a Action) string {
	switch a.Kind {
	case SysctlSet:
		return fmt.Sprintf("set sysctl %s = %s (runtime and %s)", a.Key, a.Value, SysctlDropIn)
	case FileLine:
		return fmt.Sprintf("in %s, set %s with the line %q", a.Path, a.Key, a.Line)
	case DropIn:
		return fmt.Sprintf("write %s with the content %q", a.Path, a.Content)
	case Command:
		return fmt.Sprintf("run %q", a.Argv)
	case FileMode:
		return fmt.Sprintf("give %s mode %q, owner %q, group %q", a.Path, a.Mode, a.Owner, a.Group)
	case Package:
		return fmt.Sprintf("with %q, make package %q %q (version %q)", a.Manager, a.Package, a.State, a.Version)
	}
	return fmt.Sprintf("%+v", a)
}

// manualText is what a person must do for a: its text for a manual action,
// else why it cannot be automatic and what it would have done.
func manualText(a Action, err error) string {
	if err == nil {
		return a.Text
	}
	return "cannot apply automatically (" + err.Error() + "): " + describe(a)
}
