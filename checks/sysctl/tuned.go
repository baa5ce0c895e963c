package sysctl

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

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

// tunedSysctl is one sysctl a tuned profile sets.
type tunedSysctl struct {
	key, value string
	file       string
	line       int
	profile    string // the profile whose tuned.conf holds the line
}

// tuned is the tuned configuration a boot applies.
type tuned struct {
	active  []string // active_profile (and post_loaded_profile) names
	enabled bool     // tuned.service is enabled, so it runs at boot
	reapply bool     // reapply_sysctl
	sysctl  map[string]tunedSysctl
	// problems are profiles that could not be loaded; tuned refuses to
	// apply a profile it cannot load, so nothing from it is counted.
	problems []string
}

// tunedUnit is one [section] of a tuned.conf.
type tunedUnit struct {
	name    string
	options []tunedOption
}

// tunedOption is one "name = value" line.
type tunedOption struct {
	name, value string
	line        int
}

// parseTunedConf parses a tuned.conf as tuned's ConfigParser does
// (delimiter "=", names kept as written, "#" and ";" start a comment line,
// " #" starts an inline comment, indented lines continue the previous
// value, later duplicates win). A line outside any section is an error, as
// it is for tuned, which then does not load the profile.
func parseTunedConf(data []byte) ([]tunedUnit, error) {
	var units []tunedUnit
	var cur *tunedUnit
	last := -1
	for i, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimRight(raw, "\r")
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if raw[0] == ' ' || raw[0] == '\t' {
			if cur != nil && last >= 0 {
				cur.options[last].value = strings.TrimSpace(cur.options[last].value + "\n" + stripInlineComment(line))
				continue
			}
		}
		if line[0] == '[' && strings.LastIndexByte(line, ']') > 1 {
			// configparser's SECTCRE \[(?P<header>.+)\]: greedy, to the last "]"
			name := line[1:strings.LastIndexByte(line, ']')]
			units = append(units, tunedUnit{name: name})
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
		cur.options = append(cur.options, tunedOption{name: k, value: strings.TrimSpace(stripInlineComment(v)), line: i + 1})
		last = len(cur.options) - 1
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

// tunedMergedUnit is a unit after include= merging. options keep the
// order of an OrderedDict update: a key keeps its first position and takes
// the latest value.
type tunedMergedUnit struct {
	typ     string
	enabled bool
	options []tunedSysctl // Key holds the option name as written
}

func (u *tunedMergedUnit) set(o tunedSysctl) {
	for i := range u.options {
		if u.options[i].key == o.key {
			u.options[i] = o
			return
		}
	}
	u.options = append(u.options, o)
}

// loadTuned reads the tuned profile a boot applies. A root without tuned
// (no active_profile, or an empty one) returns nil.
func loadTuned(h *host.Host) (*tuned, error) {
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
	t := &tuned{active: names, reapply: true}
	if fi, err := h.Lstat(tunedServiceWants); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		t.enabled = true
	}
	dirs := tunedDefaultDirs
	if main, err := h.ReadFileLimit(tunedMainConf, maxConfFile); err == nil {
		cfg := parseTunedMain(main)
		if v, ok := cfg["reapply_sysctl"]; ok {
			if b, ok := parseTunedBool(v); ok {
				t.reapply = b
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
	sysctl, err := tunedSysctls(h, dirs, names)
	if err != nil {
		t.problems = append(t.problems, err.Error())
	}
	t.sysctl = sysctl
	return t, nil
}

// tunedSysctls loads profiles as tuned 2.20's Loader does (tuned/profiles/
// loader.py, locator.py, merger.py, variables.py) and returns the sysctl
// values its sysctl plugin writes, by dotted key. A profile that fails to
// load yields an error and no values: tuned applies nothing then.
func tunedSysctls(h *host.Host, dirs, names []string) (map[string]tunedSysctl, error) {
	l := tunedLoader{h: h, dirs: dirs, units: map[string]*tunedMergedUnit{}}
	var valid []string
	for _, n := range names {
		if safeTunedName(n) {
			valid = append(valid, n)
		}
	}
	if len(valid) == 0 {
		return map[string]tunedSysctl{}, fmt.Errorf("tuned: no valid profile name in %q", strings.Join(names, " "))
	}
	if err := l.load(valid, 0); err != nil {
		return map[string]tunedSysctl{}, err
	}
	vars := l.variables()
	out := map[string]tunedSysctl{}
	for _, name := range l.order {
		u := l.units[name]
		if name == "variables" || u.typ != "sysctl" || !u.enabled {
			continue
		}
		for _, o := range u.options {
			o.value = expandTunedStatic(unquoteTuned(o.value), vars)
			if strings.Contains(o.value, "${") {
				continue // a function (${f:...}) golive does not evaluate: value unknown
			}
			o.key = normalize(o.key)
			if o.key == "" {
				continue
			}
			out[o.key] = o
		}
	}
	return out, nil
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
	loaded int
}

// find is tuned's Locator.get_config: the last directory holding
// <name>/tuned.conf that was not loaded already. A name starting with "-"
// is optional; a profile whose every file was loaded already is skipped
// ("" and no error), which also ends include loops.
func (l *tunedLoader) find(name string) (file string, skip bool) {
	optional := strings.HasPrefix(name, "-")
	name = strings.TrimPrefix(name, "-")
	for i := len(l.dirs) - 1; i >= 0; i-- {
		p := path.Clean(path.Join(l.dirs[i], path.Base(name), "tuned.conf"))
		seen := false
		for _, s := range l.seen {
			seen = seen || s == p
		}
		if seen {
			skip = true
			continue
		}
		if fi, err := l.h.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, false
		}
	}
	return "", skip || optional
}

// Regexps are compiled on first use: most runs read no tuned profile, and
// compiling at package init costs every golive process.
var tunedIncludeSplit = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s*[,;]\s*`) })

func (l *tunedLoader) load(names []string, depth int) error {
	for _, name := range names {
		if depth > 32 || l.loaded > 256 {
			return fmt.Errorf("tuned profile %s: too many profiles", name)
		}
		file, skip := l.find(name)
		if skip {
			continue
		}
		if file == "" {
			return fmt.Errorf("tuned profile %q not found in %s", name, strings.Join(l.dirs, ", "))
		}
		l.seen = append(l.seen, file)
		l.loaded++
		data, err := l.h.ReadFileLimit(file, maxConfFile)
		if err != nil {
			return err
		}
		units, err := parseTunedConf(data)
		if err != nil {
			return fmt.Errorf("%s: %v", file, err)
		}
		dir := path.Dir(file)
		for i := range units {
			for j := range units[i].options {
				units[i].options[j].value = expandProfileDir(units[i].options[j].value, dir)
			}
		}
		// The main section's include= is loaded (and merged) before the
		// profile itself; variables are not known yet at that point.
		for _, u := range units {
			if u.name != "main" {
				continue
			}
			for _, o := range u.options {
				if o.name == "include" {
					if err := l.load(tunedIncludeSplit().Split(o.value, -1), depth+1); err != nil {
						return err
					}
				}
			}
		}
		l.mergeProfile(name, file, units)
	}
	return nil
}

// mergeProfile applies tuned/profiles/merger.py _merge_two for one profile:
// its sections are first collected into units (a section repeated in one
// file updates the earlier one), then merged into the units so far.
func (l *tunedLoader) mergeProfile(profile, file string, units []tunedUnit) {
	type pending struct {
		unit    tunedMergedUnit
		replace bool
		drop    []string
		hasDrop bool
	}
	var order []string
	own := map[string]*pending{}
	for _, u := range units {
		if u.name == "main" {
			continue
		}
		p, ok := own[u.name]
		if !ok {
			p = &pending{unit: tunedMergedUnit{typ: u.name, enabled: true}}
			own[u.name] = p
			order = append(order, u.name)
		}
		for _, o := range u.options {
			switch o.name {
			case "type":
				p.unit.typ = o.value
			case "enabled":
				p.unit.enabled = tunedTrue(o.value)
			case "replace":
				p.replace = tunedTrue(o.value)
			case "drop":
				p.drop, p.hasDrop = tunedDropSplit(o.value), true
			default:
				if tunedUnitReserved[o.name] {
					continue
				}
				p.unit.set(tunedSysctl{key: o.name, value: o.value, file: file, line: o.line, profile: profile})
			}
		}
	}
	for _, name := range order {
		p := own[name]
		m, ok := l.units[name]
		if !ok || p.replace {
			if !ok {
				l.order = append(l.order, name)
			}
			u := p.unit
			l.units[name] = &u
			continue
		}
		m.typ, m.enabled = p.unit.typ, p.unit.enabled
		if p.hasDrop {
			kept := m.options[:0]
			for _, o := range m.options {
				dropped := false
				for _, d := range p.drop {
					dropped = dropped || d == o.key
				}
				if !dropped {
					kept = append(kept, o)
				}
			}
			m.options = kept
		}
		for _, o := range p.unit.options {
			m.set(o)
		}
	}
}

// tunedTrue is tuned's unit flag test: value in [True, "True", "true", 1, "1"].
func tunedTrue(v string) bool { return v == "True" || v == "true" || v == "1" }

// tunedDropSplit splits drop= as re.split(r"\b\s*[,;]\s*", ...).
func tunedDropSplit(v string) []string {
	return tunedListSplit().Split(v, -1)
}

func expandProfileDir(v, dir string) string {
	var b strings.Builder
	const tok = "${i:PROFILE_DIR}"
	for {
		i := strings.Index(v, tok)
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		if i > 0 && v[i-1] == '\\' {
			b.WriteString(v[:i+len(tok)])
		} else {
			b.WriteString(v[:i] + dir)
		}
		v = v[i+len(tok):]
	}
}

var tunedListSplit = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b\s*[,;]\s*`) })

var tunedVarName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\w+$`) })

// variables builds the [variables] of the merged profile in order, each
// value expanded with the ones before it (profiles/variables.py
// add_variable); include= (a variables file) is not read.
func (l *tunedLoader) variables() map[string]string {
	vars := map[string]string{}
	u, ok := l.units["variables"]
	if !ok {
		return vars
	}
	for _, o := range u.options {
		if o.key == "include" || !tunedVarName().MatchString(o.key) {
			continue
		}
		vars[o.key] = expandTunedStatic(o.value, vars)
	}
	return vars
}

// expandTunedStatic replaces ${name} (not preceded by a backslash) with
// known variables, then turns \${name} into ${name}.
func expandTunedStatic(s string, vars map[string]string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' && (i == 0 || s[i-1] != '\\') {
			if end := strings.IndexByte(s[i:], '}'); end > 0 {
				if v, ok := vars[s[i+2:i+end]]; ok {
					b.WriteString(v)
					i += end
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return tunedEscapedVar().ReplaceAllString(b.String(), "$1")
}

var tunedEscapedVar = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\\(\$\{\w+\})`) })

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
