package sysctl

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// tuned (the RHEL family's tuning daemon, enabled by default there) applies
// the [sysctl] unit of its active profile at every boot, after
// systemd-sysctl. With reapply_sysctl (tuned-main.conf, default on) it then
// writes the explicit assignments of /etc/sysctl.d and /run/sysctl.d (for
// one file name /run wins, as in its SYSCTL_CONFIG_DIRS order) and
// /etc/sysctl.conf again, so those files beat the profile; /usr/lib/sysctl.d
// does not (tuned/plugins/plugin_sysctl.py _apply_system_sysctl).

const (
	tunedDir          = "/etc/tuned"
	tunedActive       = "/etc/tuned/active_profile"
	tunedPostLoaded   = "/etc/tuned/post_loaded_profile"
	tunedMainConf     = "/etc/tuned/tuned-main.conf"
	tunedServiceWants = "/etc/systemd/system/multi-user.target.wants/tuned.service"
)

// tunedDefaultDirs are tuned's profile directories (consts.py
// CFG_DEF_PROFILE_DIRS); a later directory wins for one profile name.
var tunedDefaultDirs = []string{"/usr/lib/tuned", "/etc/tuned"}

// TunedSysctl is one sysctl a tuned profile sets.
type TunedSysctl struct {
	Key, Value string
	File       string
	Line       int
	Profile    string // the profile whose tuned.conf holds the line
}

// Tuned is the tuned configuration a boot applies.
type Tuned struct {
	Active  []string // active_profile (and post_loaded_profile) names
	Enabled bool     // tuned.service is enabled, so it runs at boot
	Reapply bool     // reapply_sysctl
	Sysctl  map[string]TunedSysctl
	// Problems are profiles that could not be loaded; tuned refuses to
	// apply a profile it cannot load, so nothing from it is counted.
	Problems []string
}

// TunedUnit is one [section] of a tuned.conf.
type TunedUnit struct {
	Name    string
	Options []TunedOption
}

// TunedOption is one "name = value" line.
type TunedOption struct {
	Name, Value string
	Line        int
}

// ParseTunedConf parses a tuned.conf as tuned's ConfigParser does
// (delimiter "=", names kept as written, "#" and ";" start a comment line,
// " #" starts an inline comment, indented lines continue the previous
// value, later duplicates win). A line outside any section is an error, as
// it is for tuned, which then does not load the profile.
func ParseTunedConf(data []byte) ([]TunedUnit, error) {
	var units []TunedUnit
	var cur *TunedUnit
	last := -1
	for i, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimRight(raw, "\r")
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if cur != nil && last >= 0 {
				cur.Options[last].Value = strings.TrimSpace(cur.Options[last].Value + "\n" + stripInlineComment(line))
				continue
			}
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: bad section header", i+1)
			}
			name := line[1:end]
			units = append(units, TunedUnit{Name: name})
			cur, last = &units[len(units)-1], -1
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: option outside a section", i+1)
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("line %d: not name = value", i+1)
		}
		cur.Options = append(cur.Options, TunedOption{Name: k, Value: strings.TrimSpace(stripInlineComment(v)), Line: i + 1})
		last = len(cur.Options) - 1
	}
	return units, nil
}

func stripInlineComment(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && (s[i-1] == ' ' || s[i-1] == '\t') {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// tunedUnitReserved are unit options that configure the unit, not the
// plugin (tuned/profiles/unit.py).
var tunedUnitReserved = map[string]bool{
	"type": true, "enabled": true, "replace": true, "drop": true, "devices": true,
	"devices_udev_regex": true, "cpuinfo_regex": true, "uname_regex": true,
	"script_pre": true, "script_post": true, "priority": true,
}

// tunedMergedUnit is a unit after include= merging.
type tunedMergedUnit struct {
	typ     string
	enabled bool
	options []TunedSysctl // in order; later entries for a key win
}

var tunedVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// LoadTuned reads the tuned profile a boot applies. A root without tuned
// (no active_profile) returns nil.
func LoadTuned(h *host.Host) (*Tuned, error) {
	data, err := h.ReadFileLimit(tunedActive, 4096)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	names := strings.Fields(string(data))
	if post, err := h.ReadFileLimit(tunedPostLoaded, 4096); err == nil {
		names = append(names, strings.Fields(string(post))...)
	}
	if len(names) == 0 {
		return nil, nil
	}
	t := &Tuned{Active: names, Reapply: true, Sysctl: map[string]TunedSysctl{}}
	t.Enabled = h.Exists(tunedServiceWants)
	dirs := tunedDefaultDirs
	if main, err := h.ReadFileLimit(tunedMainConf, maxConfFile); err == nil {
		cfg := parseTunedMain(main)
		if v, ok := cfg["reapply_sysctl"]; ok {
			if b, ok := parseTunedBool(v); ok {
				t.Reapply = b
			}
		}
		if v := cfg["profile_dirs"]; v != "" {
			dirs = nil
			for _, d := range strings.Split(v, ",") {
				if d = strings.TrimSpace(d); d != "" {
					dirs = append(dirs, d)
				}
			}
		}
	}
	l := tunedLoader{h: h, dirs: dirs, units: map[string]*tunedMergedUnit{}, vars: map[string]string{}}
	for _, n := range names {
		if !safeTunedName(n) {
			continue
		}
		if err := l.load(n, 0); err != nil {
			t.Problems = append(t.Problems, err.Error())
			return t, nil // tuned applies nothing when the profile fails to load
		}
	}
	for _, name := range l.order {
		u := l.units[name]
		if u.typ != "sysctl" || !u.enabled {
			continue
		}
		for _, o := range u.options {
			if strings.Contains(o.Value, "${") {
				o.Value = l.expand(o.Value)
			}
			if strings.Contains(o.Value, "${") {
				continue // a function golive does not evaluate: value unknown
			}
			t.Sysctl[o.Key] = o
		}
	}
	return t, nil
}

func safeTunedName(n string) bool {
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !isAlnumByte(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return n != ""
}

type tunedLoader struct {
	h      *host.Host
	dirs   []string
	seen   []string // files loaded, as tuned's processed_files
	units  map[string]*tunedMergedUnit
	order  []string
	vars   map[string]string
	loaded int
}

// find returns the tuned.conf of a profile: the last directory that has it,
// skipping files already loaded (a profile in /etc/tuned may include the
// same-named one in /usr/lib/tuned; tuned/profiles/locator.py get_config).
func (l *tunedLoader) find(name string) string {
	for i := len(l.dirs) - 1; i >= 0; i-- {
		p := path.Join(l.dirs[i], path.Base(name), "tuned.conf")
		skip := false
		for _, s := range l.seen {
			skip = skip || s == p
		}
		if skip {
			continue
		}
		if fi, err := l.h.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func (l *tunedLoader) load(name string, depth int) error {
	if depth > 16 || l.loaded > 64 {
		return fmt.Errorf("tuned profile %s: include chain too deep", name)
	}
	file := l.find(name)
	if file == "" {
		return fmt.Errorf("tuned profile %q not found in %s", name, strings.Join(l.dirs, ", "))
	}
	l.seen = append(l.seen, file)
	l.loaded++
	data, err := l.h.ReadFileLimit(file, maxConfFile)
	if err != nil {
		return err
	}
	units, err := ParseTunedConf(data)
	if err != nil {
		return fmt.Errorf("%s: %v", file, err)
	}
	dir := path.Dir(file)
	for i := range units {
		for j := range units[i].Options {
			units[i].Options[j].Value = strings.ReplaceAll(units[i].Options[j].Value, "${i:PROFILE_DIR}", dir)
		}
	}
	// [variables] and main's include= are read before the profile's units
	// are merged, and includes are merged first (tuned/profiles/loader.py).
	for _, u := range units {
		if u.Name == "variables" {
			for _, o := range u.Options {
				l.vars[o.Name] = o.Value
			}
		}
	}
	for _, u := range units {
		if u.Name != "main" {
			continue
		}
		for _, o := range u.Options {
			if o.Name != "include" {
				continue
			}
			for _, inc := range regexp.MustCompile(`\s*[,;]\s*`).Split(l.expand(o.Value), -1) {
				if inc = strings.TrimSpace(inc); inc != "" {
					if err := l.load(inc, depth+1); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, u := range units {
		if u.Name == "main" || u.Name == "variables" {
			continue
		}
		l.merge(name, file, u)
	}
	return nil
}

// merge applies tuned/profiles/merger.py: a unit of a later profile
// updates the same-named unit's options, or replaces it with replace=true;
// drop= removes options.
func (l *tunedLoader) merge(profile, file string, u TunedUnit) {
	typ, enabled, replace := u.Name, true, false
	var drop []string
	for _, o := range u.Options {
		switch o.Name {
		case "type":
			typ = o.Value
		case "enabled":
			if b, ok := parseTunedBool(o.Value); ok {
				enabled = b
			}
		case "replace":
			replace, _ = parseTunedBool(o.Value)
		case "drop":
			drop = strings.FieldsFunc(o.Value, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
		}
	}
	m, ok := l.units[u.Name]
	if !ok || replace {
		if !ok {
			l.order = append(l.order, u.Name)
		}
		m = &tunedMergedUnit{}
		l.units[u.Name] = m
	}
	m.typ, m.enabled = typ, enabled
	for _, d := range drop {
		kept := m.options[:0]
		for _, o := range m.options {
			if o.Key != Normalize(d) {
				kept = append(kept, o)
			}
		}
		m.options = kept
	}
	for _, o := range u.Options {
		if tunedUnitReserved[o.Name] {
			continue
		}
		m.options = append(m.options, TunedSysctl{Key: Normalize(o.Name), Value: unquoteTuned(o.Value), File: file, Line: o.Line, Profile: profile})
	}
}

// expand substitutes [variables] (${name}); functions (${f:...}) stay.
func (l *tunedLoader) expand(s string) string {
	for i := 0; i < 8 && strings.Contains(s, "${"); i++ {
		next := tunedVar.ReplaceAllStringFunc(s, func(m string) string {
			name := m[2 : len(m)-1]
			if v, ok := l.vars[name]; ok {
				return v
			}
			return m
		})
		if next == s {
			break
		}
		s = next
	}
	return s
}

func unquoteTuned(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

// parseTunedMain reads tuned-main.conf: headerless "name = value" lines.
func parseTunedMain(data []byte) map[string]string {
	out := map[string]string{}
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(stripInlineComment(v))
		}
	}
	return out
}

func parseTunedBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "true", "on", "y":
		return true, true
	case "0", "no", "false", "off", "n":
		return false, true
	}
	return false, false
}

// tunedApply is what tuned's sysctl plugin writes for a value given the
// current one: a leading ">" or "<" sets it only when larger or smaller
// (plugins/base.py _process_assignment_modifiers). sets is false when tuned
// leaves the key alone; known is false when that depends on a current value
// golive cannot tell.
func tunedApply(value, current string, currentKnown bool) (v string, sets, known bool) {
	if len(value) <= 1 || (value[0] != '>' && value[0] != '<') {
		return value, true, true
	}
	op, v := value[0], value[1:]
	if !currentKnown {
		return "", false, false
	}
	nv, err1 := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	cv, err2 := strconv.ParseInt(strings.TrimSpace(current), 10, 64)
	if err1 != nil || err2 != nil {
		return "", false, true // tuned logs the ValueError and sets nothing
	}
	if (op == '>' && nv > cv) || (op == '<' && nv < cv) {
		return v, true, true
	}
	return "", false, true
}
