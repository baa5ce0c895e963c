// Package unit finds and reads systemd unit files under a host's root the
// way systemd itself does: the unit search path in priority order, `.d/*.conf`
// drop-ins from every directory merged by file name, masking by a symlink to
// /dev/null, and templates for instances. Files are parsed with
// github.com/coreos/go-systemd/v22/unit; values keep systemd's list semantics
// (an empty assignment resets what came before).
//
// It is shared by the families that care about a service's unit: cabundle
// (the service's SSL_CERT_FILE), and later rlimit and systemd.
package unit

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"

	sdunit "github.com/coreos/go-systemd/v22/unit"

	"github.com/golive-sh/golive/internal/host"
)

// SearchPath is systemd's system unit search path, highest priority first
// (systemd.unit(5), "Unit File Load Path"; generator directories are left
// out: they exist only on a running system and hold generated units).
// /lib/systemd/system is the same directory as /usr/lib/systemd/system on a
// merged-/usr root; reading it twice changes nothing, as the first file of a
// name wins.
var SearchPath = []string{
	"/etc/systemd/system.control",
	"/run/systemd/system.control",
	"/run/systemd/transient",
	"/etc/systemd/system",
	"/run/systemd/system",
	"/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system",
	"/lib/systemd/system",
}

// Bounds on what a hostile root can make us read.
const (
	// MaxFileSize bounds one unit file or drop-in.
	MaxFileSize = 1 << 20
	// MaxDropIns bounds the drop-ins merged into one unit.
	MaxDropIns = 256
	maxNameLen = 256
)

// ErrNotFound is returned when no directory of the search path holds the
// unit (nor, for an instance, its template). It wraps fs.ErrNotExist.
var ErrNotFound = fmt.Errorf("unit not found: %w", fs.ErrNotExist)

// unitTypes are the suffixes systemd accepts (systemd.unit(5)).
var unitTypes = []string{"service", "socket", "device", "mount", "automount", "swap", "target", "path", "timer", "slice", "scope"}

// Option is one assignment, with the file it was written in.
type Option struct {
	Section string
	Name    string
	Value   string
	File    string
}

// File is a unit as systemd would load it: the fragment and its drop-ins.
type File struct {
	// Name is the unit name asked for, e.g. myapp.service.
	Name string
	// Path is the fragment that was loaded (a template's file for an
	// instance); for a masked unit, the path of the /dev/null link.
	Path string
	// Masked is set when the unit is linked to /dev/null: systemd refuses
	// to start it, and nothing else was read.
	Masked bool
	// DropIns are the drop-ins applied, in the order they apply.
	DropIns []string
	// MaskedDropIns are drop-ins linked to /dev/null (not applied).
	MaskedDropIns []string
	// Options in the order they apply: the fragment's, then each drop-in's.
	Options []Option
	// Problems are drop-ins that could not be read or parsed; systemd
	// skips what it cannot parse too, so the rest is still meaningful.
	Problems []string
}

// Paths lists every file the unit was read from, fragment first.
func (f *File) Paths() []string {
	return append([]string{f.Path}, f.DropIns...)
}

// Values returns the values of key in section, in order, with systemd's
// list semantics: an empty assignment (`Environment=`) resets the list.
func (f *File) Values(section, key string) []string {
	var out []string
	for _, o := range f.entries(section, key) {
		out = append(out, o.Value)
	}
	return out
}

// Last returns the value that wins for a single-valued key (the last
// assignment). ok is false when the key is unset or reset to empty.
func (f *File) Last(section, key string) (value string, ok bool) {
	es := f.entries(section, key)
	if len(es) == 0 {
		return "", false
	}
	return es[len(es)-1].Value, true
}

// entries are the options of key in section after resets.
func (f *File) entries(section, key string) []Option {
	var out []Option
	for _, o := range f.Options {
		if o.Section != section || o.Name != key {
			continue
		}
		if strings.TrimSpace(o.Value) == "" {
			out = out[:0]
			continue
		}
		out = append(out, o)
	}
	return out
}

// Load finds the unit called name under h's root and reads it with its
// drop-ins. A masked unit is returned with Masked set and no error. The
// error is ErrNotFound (wrapped) when no file of that name exists, or says
// why the fragment could not be read or parsed.
func Load(h *host.Host, name string) (*File, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	f := &File{Name: name}
	frag, masked, err := findFragment(h, name)
	if err != nil {
		return nil, err
	}
	f.Path = frag
	if masked {
		f.Masked = true
		return f, nil
	}
	opts, err := parseFile(h, frag)
	if err != nil {
		return nil, err
	}
	f.Options = opts
	f.loadDropIns(h)
	return f, nil
}

// Normalize completes a name as systemctl does: one without a unit type
// suffix is a service ("myapp" and "my.app" are myapp.service and
// my.app.service).
func Normalize(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if _, ok := unitType(name); ok {
		return name
	}
	return name + ".service"
}

func validName(name string) error {
	if name == "" || len(name) > maxNameLen || strings.ContainsAny(name, "/\x00") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("unit name %q: not a unit name", name)
	}
	if _, ok := unitType(name); !ok {
		return fmt.Errorf("unit name %q: no unit type suffix (.service, .socket, ...)", name)
	}
	return nil
}

func unitType(name string) (string, bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", false
	}
	t := name[i+1:]
	for _, u := range unitTypes {
		if t == u {
			return t, true
		}
	}
	return "", false
}

// template returns "foo@.service" for the instance "foo@bar.service".
func template(name string) (string, bool) {
	at := strings.IndexByte(name, '@')
	dot := strings.LastIndexByte(name, '.')
	if at <= 0 || dot < at || at+1 == dot {
		return "", false
	}
	return name[:at+1] + name[dot:], true
}

// findFragment returns the first file called name (or, for an instance,
// its template) along the search path. A symlink to /dev/null masks.
func findFragment(h *host.Host, name string) (string, bool, error) {
	names := []string{name}
	if t, ok := template(name); ok {
		names = append(names, t)
	}
	for _, n := range names {
		for _, dir := range SearchPath {
			p := dir + "/" + n
			fi, err := h.Lstat(p)
			if err != nil {
				continue
			}
			if fi.Mode()&fs.ModeSymlink != 0 && isDevNull(h, p) {
				return p, true, nil
			}
			return p, false, nil
		}
	}
	return "", false, fmt.Errorf("%s: %w (searched %s)", name, ErrNotFound, strings.Join(SearchPath, ", "))
}

// isDevNull reports whether the symlink p points at /dev/null. Inside a
// root, /dev/null resolves to <root>/dev/null, which usually does not
// exist, so the link's text is what counts (as systemd compares it).
func isDevNull(h *host.Host, p string) bool {
	t, err := h.Readlink(p)
	return err == nil && path.Clean(t) == "/dev/null"
}

// dropInDirs are the directories whose *.conf files apply to name, most
// general first within each search directory (systemd.unit(5)): the
// unit-type directory (service.d), the dash-prefix directories
// (a-.service.d, a-b-.service.d for a-b-c.service), the template's, and
// the unit's own.
func dropInDirs(name string) []string {
	t, _ := unitType(name)
	dirs := []string{t + ".d"}
	base := strings.TrimSuffix(name, "."+t)
	for i := 0; i < len(base); i++ {
		if base[i] == '-' && i > 0 {
			dirs = append(dirs, base[:i+1]+"."+t+".d")
		}
	}
	if tp, ok := template(name); ok {
		dirs = append(dirs, tp+".d")
	}
	return append(dirs, name+".d")
}

// loadDropIns applies the drop-ins of every directory the unit's name
// selects (DropIns): for one name the higher-priority directory wins.
func (f *File) loadDropIns(h *host.Host) {
	var dirs []string
	for _, dir := range SearchPath {
		for _, sub := range dropInDirs(f.Name) {
			dirs = append(dirs, dir+"/"+sub)
		}
	}
	dropIns, problems := DropIns(h, dirs, MaxDropIns)
	f.Problems = append(f.Problems, problems...)
	for _, d := range dropIns {
		if d.Masked {
			f.MaskedDropIns = append(f.MaskedDropIns, d.Path)
			continue
		}
		opts, err := parseFile(h, d.Path)
		if err != nil {
			f.Problems = append(f.Problems, err.Error())
			continue
		}
		f.DropIns = append(f.DropIns, d.Path)
		f.Options = append(f.Options, opts...)
	}
}

func parseFile(h *host.Host, p string) ([]Option, error) {
	data, err := h.ReadFileLimit(p, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("read unit file: %w", err)
	}
	opts, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", p, err)
	}
	for i := range opts {
		opts[i].File = p
	}
	return opts, nil
}

// Parse parses one unit file's text. Continuation lines are joined as
// systemd joins them (the backslash and newline become one space).
func Parse(data []byte) ([]Option, error) {
	// go-systemd keeps a continuation's backslash and newline in the
	// value; systemd replaces them with a space.
	raw, err := sdunit.DeserializeOptions(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out := make([]Option, 0, len(raw))
	for _, o := range raw {
		v := strings.ReplaceAll(o.Value, "\\\n", " ")
		out = append(out, Option{Section: o.Section, Name: o.Name, Value: strings.TrimSpace(v)})
	}
	return out, nil
}
