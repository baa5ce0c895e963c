// Package propose writes a starting golive.yaml for a service from what is
// on the host (`golive init`), the way goss autoadd writes a gossfile: the
// unit and its drop-ins, the binaries it runs, the limits it sets, the
// SELinux types its paths carry now, and the MySQL, etcd, TLS and DNS
// endpoints its environment and arguments name. Every value it writes has
// a comment naming where it came from; a secret is never copied — a
// password or a DSN becomes a reference to the environment variable that
// holds it.
//
// It reads the host only through internal/host and internal/facts, so it
// works under --root like every check.
package propose

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/unit"
)

// Options says what to propose a profile for.
type Options struct {
	// Unit is the service's systemd unit (payments or payments.service);
	// empty with Binaries alone.
	Unit string
	// Binaries are programs to add to service.binaries (paths under the
	// root), besides the unit's ExecStart=.
	Binaries []string
	// Extends is what the file extends: "auto" when empty.
	Extends string
	// Base names the distro profile auto resolves to on this host and why,
	// for the comments.
	Base, BaseWhy string
	// SysctlKeys are the keys the base profile tunes: their current values
	// are listed, commented, for review.
	SysctlKeys []string
}

// Profile returns the proposed golive.yaml.
func Profile(h *host.Host, o Options) ([]byte, error) {
	if o.Unit == "" && len(o.Binaries) == 0 {
		return nil, errors.New("nothing to start from: give --unit NAME or --binary PATH")
	}
	s := &survey{h: h}
	if o.Unit != "" {
		if err := s.readUnit(unit.Normalize(o.Unit)); err != nil {
			return nil, err
		}
	}
	for _, b := range o.Binaries {
		if !path.IsAbs(b) {
			return nil, fmt.Errorf("--binary %s: give an absolute path (inside --root when it is set)", b)
		}
		if _, err := h.Stat(b); err != nil {
			return nil, fmt.Errorf("--binary %s: %v", b, err)
		}
		s.addBinary(path.Clean(b), "--binary")
	}
	s.readLabels()
	s.readSysctl(o.SysctlKeys)
	return s.render(o)
}

// noted is a value and where it came from (the comment written beside it).
type noted struct {
	value, from string
}

// survey is what was found, in the order it was found.
type survey struct {
	h         *host.Host
	unitName  string
	unitPaths []string // the fragment and drop-ins read, for comments
	name      noted
	user      noted
	binaries  []noted
	limits    []limitProposal
	paths     []noted // data paths the unit names (labels are read for these and the binaries)
	labels    []labelProposal
	noLabels  string // why no label was proposed, when none was
	found     endpoints
	sysctl    []noted
	notes     []string // things found but not proposed, said in the header
}

type limitProposal struct {
	key, expect, from string
}

type labelProposal struct {
	path, typ, from string
}

func (s *survey) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

func (s *survey) readUnit(name string) error {
	f, err := facts.Unit(s.h, name)
	if err != nil {
		return fmt.Errorf("--unit %s: %v", name, err)
	}
	if f.Masked {
		return fmt.Errorf("--unit %s: the unit is masked (%s links to /dev/null): systemd starts nothing", name, f.Path)
	}
	s.unitName, s.unitPaths = name, f.Paths()
	base := strings.TrimSuffix(name, path.Ext(name))
	if at := strings.IndexByte(base, '@'); at >= 0 {
		base = base[:at]
	}
	s.name = noted{base, "the unit's name"}
	where := func(o unit.Option) string { return o.Name + "= in " + o.File }
	if o, ok := lastOption(f, "Service", "User"); ok && o.Value != "" {
		if err := profile.CheckUserName(o.Value); err != nil {
			s.note("User= in %s is not a name a profile takes (%v): write service.user by hand", o.File, err)
		} else {
			s.user = noted{o.Value, where(o)}
		}
	} else if o, ok := lastOption(f, "Service", "DynamicUser"); ok && isYes(o.Value) {
		s.note("%s sets DynamicUser=: systemd picks the user at start, so service.user is left out", name)
	}
	for _, o := range f.Assignments("Service", "ExecStart") {
		words, err := unit.SplitWords(o.Value)
		if err != nil || len(words) == 0 {
			continue
		}
		// systemd.service(5): the prefixes @ - : + ! !! may precede the path.
		bin := strings.TrimLeft(words[0], "@-:+!")
		if path.IsAbs(bin) {
			s.addBinary(path.Clean(bin), where(o))
		} else {
			s.note("ExecStart= in %s runs %q, not an absolute path: add it with --binary", o.File, bin)
		}
		s.found.scanArgs(words[1:], where(o))
	}
	s.readLimits(f)
	for _, key := range []string{"WorkingDirectory", "ReadWritePaths"} {
		for _, o := range f.Assignments("Service", key) {
			words, _ := unit.SplitWords(o.Value)
			for _, w := range words {
				w = strings.TrimLeft(w, "-+~")
				if path.IsAbs(w) {
					s.paths = append(s.paths, noted{path.Clean(w), where(o)})
				}
			}
		}
	}
	for _, o := range f.Assignments("Service", "StateDirectory") {
		words, _ := unit.SplitWords(o.Value)
		for _, w := range words {
			if w != "" && !strings.Contains(w, "..") {
				dir, _, _ := strings.Cut(w, ":")
				s.paths = append(s.paths, noted{path.Join("/var/lib", dir), where(o)})
			}
		}
	}
	if env := facts.UnitEnvironment(s.h, name); env != nil {
		for _, v := range env.Sorted() {
			s.found.scanVar(v)
		}
	}
	return nil
}

func (s *survey) addBinary(p, from string) {
	for _, b := range s.binaries {
		if b.value == p {
			return
		}
	}
	s.binaries = append(s.binaries, noted{p, from})
}

// readSysctl lists the current value of each key the base profile tunes.
func (s *survey) readSysctl(keys []string) {
	for _, k := range keys {
		if strings.ContainsAny(k, "/*") {
			continue
		}
		data, err := facts.Sysctl(s.h, strings.ReplaceAll(k, ".", "/"), 4096)
		if err != nil {
			continue
		}
		v := strings.Join(strings.Fields(string(data)), " ")
		if v == "" || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			continue
		}
		s.sysctl = append(s.sysctl, noted{k, v})
	}
}

// lastOption is the winning assignment of a single-valued key.
func lastOption(f *unit.File, section, key string) (unit.Option, bool) {
	es := f.Assignments(section, key)
	if len(es) == 0 {
		return unit.Option{}, false
	}
	return es[len(es)-1], true
}

func isYes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "y", "true", "t", "on":
		return true
	}
	return false
}
