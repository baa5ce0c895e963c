package unit

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/golive-sh/golive/internal/host"
)

// MaxEnvFileSize bounds one EnvironmentFile=.
const MaxEnvFileSize = 1 << 20

// Var is one environment variable of a unit and where it was set: the unit
// file for Environment=, the environment file for EnvironmentFile=.
type Var struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// EnvFile is one EnvironmentFile= entry.
type EnvFile struct {
	Path     string `json:"path"`     // as written, specifiers expanded, without "-"
	Optional bool   `json:"optional"` // written with a leading "-"
	Missing  bool   `json:"missing"`  // no file matched
	Unit     string `json:"unit"`     // the unit file that names it
}

// Environment is what systemd puts in the service's environment from the
// unit (systemd.exec(5)): Environment= assignments, overridden by
// EnvironmentFile= files in the order listed, then UnsetEnvironment=.
// The manager's own environment (DefaultEnvironment=, PassEnvironment=)
// is not included.
type Environment struct {
	Vars  map[string]Var
	Files []EnvFile
	// Problems are assignments systemd would ignore and files it could not
	// read, one line each. A missing file without "-" is here too: systemd
	// refuses to start the unit then.
	Problems []string
}

// Lookup returns the variable called name.
func (e *Environment) Lookup(name string) (Var, bool) {
	v, ok := e.Vars[name]
	return v, ok
}

// Sorted returns the variables sorted by name.
func (e *Environment) Sorted() []Var {
	out := make([]Var, 0, len(e.Vars))
	for _, v := range e.Vars {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Environment computes the unit's [Service] environment, reading its
// environment files under h's root. It never fails: what cannot be read or
// parsed is named in Problems.
func (f *File) Environment(h *host.Host) *Environment {
	env := &Environment{Vars: map[string]Var{}}
	for _, o := range f.entries("Service", "Environment") {
		words, err := SplitWords(f.expand(o.Value))
		if err != nil {
			env.problem("%s: Environment=%s: %v", o.File, o.Value, err)
			continue
		}
		for _, w := range words {
			name, value, ok := strings.Cut(w, "=")
			if !ok || !ValidEnvName(name) {
				env.problem("%s: Environment=: %q is not a NAME=VALUE assignment; systemd ignores it", o.File, w)
				continue
			}
			env.Vars[name] = Var{Name: name, Value: value, Source: o.File}
		}
	}
	for _, o := range f.entries("Service", "EnvironmentFile") {
		env.loadFile(h, o.File, f.expand(o.Value))
	}
	for _, o := range f.entries("Service", "UnsetEnvironment") {
		words, err := SplitWords(f.expand(o.Value))
		if err != nil {
			env.problem("%s: UnsetEnvironment=%s: %v", o.File, o.Value, err)
			continue
		}
		for _, w := range words {
			name, value, assignment := strings.Cut(w, "=")
			if v, ok := env.Vars[name]; ok && (!assignment || v.Value == value) {
				delete(env.Vars, name)
			}
		}
	}
	return env
}

func (e *Environment) problem(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf(format, args...))
}

// loadFile reads one EnvironmentFile= value: an absolute path, optionally
// prefixed with "-" (ignore when missing), whose last element may be a
// glob (files then apply in name order).
func (e *Environment) loadFile(h *host.Host, unitFile, spec string) {
	ef := EnvFile{Unit: unitFile}
	spec = strings.TrimSpace(spec)
	if p, ok := strings.CutPrefix(spec, "-"); ok {
		ef.Optional, spec = true, p
	}
	ef.Path = spec
	if !path.IsAbs(spec) {
		e.problem("%s: EnvironmentFile=%s: not an absolute path; systemd ignores it", unitFile, spec)
		return
	}
	paths, err := globFiles(h, spec)
	if err != nil {
		e.problem("%s: EnvironmentFile=%s: %v", unitFile, spec, err)
	}
	if len(paths) == 0 {
		ef.Missing = true
		if !ef.Optional {
			e.problem("%s: EnvironmentFile=%s does not exist: systemd refuses to start the unit (prefix it with \"-\" to make it optional)", unitFile, spec)
		}
	}
	e.Files = append(e.Files, ef)
	for _, p := range paths {
		data, err := h.ReadFileLimit(p, MaxEnvFileSize)
		if err != nil {
			e.problem("EnvironmentFile %v", err)
			continue
		}
		for _, kv := range ParseEnvFile(data) {
			if !ValidEnvName(kv[0]) || !utf8.ValidString(kv[0]) || !utf8.ValidString(kv[1]) {
				e.problem("%s: %q is not a valid assignment; systemd ignores it", p, kv[0])
				continue
			}
			e.Vars[kv[0]] = Var{Name: kv[0], Value: kv[1], Source: p}
		}
	}
}

// globFiles expands a glob in the last element of an absolute path; a path
// without glob characters is returned when it exists.
func globFiles(h *host.Host, p string) ([]string, error) {
	dir, pattern := path.Split(p)
	if !strings.ContainsAny(pattern, "*?[") {
		if _, err := h.Stat(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil
			}
			return nil, err
		}
		return []string{p}, nil
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("bad glob %q", pattern)
	}
	entries, err := h.ReadDir(path.Clean(dir))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, en := range entries {
		if ok, _ := path.Match(pattern, en.Name()); ok {
			out = append(out, path.Join(dir, en.Name()))
		}
	}
	return out, nil
}

// expand replaces the unit-name specifiers systemd expands in these
// settings (systemd.unit(5), "Specifiers"): %n, %N, %p, %i, %%. Others are
// host facts golive does not know here and are left as written.
func (f *File) expand(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	t, _ := unitType(f.Name)
	full := strings.TrimSuffix(f.Name, "."+t)
	prefix, instance := full, ""
	if at := strings.IndexByte(full, '@'); at >= 0 {
		prefix, instance = full[:at], full[at+1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteString(f.Name)
		case 'N':
			b.WriteString(full)
		case 'p':
			b.WriteString(prefix)
		case 'i':
			b.WriteString(instance)
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
