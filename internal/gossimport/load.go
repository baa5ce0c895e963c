// Package gossimport turns a gossfile (goss's YAML or JSON resource
// description, with its gossfile: includes and Go templates) into the
// equivalent golive.yaml sections, with a comment on every resource or
// attribute golive cannot express and why. It reads files only; it never
// runs what a gossfile names.
package gossimport

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// Limits on outside input.
const (
	maxFile     = 4 << 20
	maxIncludes = 64
	maxDepth    = 16
)

// Resources are a gossfile's resources by type, then by key, each a
// mapping of attribute to value, with the file each came from.
type Resources struct {
	ByType map[string]map[string]Resource
}

// Resource is one resource of a gossfile.
type Resource struct {
	Attrs map[string]any
	From  string // file:line
}

// Options are how a gossfile is read.
type Options struct {
	// Vars are the template variables (goss --vars): .Vars in templates.
	Vars map[string]any
	// Env is the environment templates see as .Env.
	Env map[string]string
}

// loadBytes is Load for contents already read (fuzzing).
func loadBytes(path string, data []byte, o Options) (*Resources, error) {
	r := &Resources{ByType: map[string]map[string]Resource{}}
	l := &loader{o: o, seen: map[string]bool{}}
	if err := l.loadData(r, path, data, 0); err != nil {
		return nil, err
	}
	return r, nil
}

// Load reads path and its includes.
func Load(path string, o Options) (*Resources, error) {
	r := &Resources{ByType: map[string]map[string]Resource{}}
	l := &loader{o: o, seen: map[string]bool{}}
	if err := l.load(r, path, 0); err != nil {
		return nil, err
	}
	return r, nil
}

type loader struct {
	o     Options
	seen  map[string]bool
	files int
}

func (l *loader) load(r *Resources, path string, depth int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if depth > maxDepth {
		return fmt.Errorf("%s: gossfile includes nested deeper than %d", path, maxDepth)
	}
	if l.seen[abs] {
		return fmt.Errorf("%s: included twice (a gossfile include cycle?)", path)
	}
	l.seen[abs] = true
	if l.files++; l.files > maxIncludes {
		return fmt.Errorf("%s: more than %d gossfiles", path, maxIncludes)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	data, err := readLimited(f, maxFile)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return l.loadData(r, path, data, depth)
}

// loadData reads one gossfile's contents (path names it, and anchors its
// relative includes).
func (l *loader) loadData(r *Resources, path string, data []byte, depth int) error {
	var err error
	if bytes.Contains(data, []byte("{{")) {
		if data, err = l.render(path, data); err != nil {
			return err
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return nil // an empty gossfile
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: a gossfile is a mapping of resource types", path, top.Line)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if v.Kind != yaml.MappingNode && !(v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
			return fmt.Errorf("%s:%d: %s: expected a mapping of resources", path, v.Line, k.Value)
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j], v.Content[j+1]
			if k.Value == "gossfile" {
				inc := rk.Value
				if !filepath.IsAbs(inc) {
					inc = filepath.Join(filepath.Dir(path), inc)
				}
				matches, err := filepath.Glob(inc)
				if err != nil {
					return fmt.Errorf("%s:%d: gossfile %q: %v", path, rk.Line, rk.Value, err)
				}
				if len(matches) == 0 {
					return fmt.Errorf("%s:%d: gossfile %q: no such file", path, rk.Line, rk.Value)
				}
				sort.Strings(matches)
				for _, m := range matches {
					if err := l.load(r, m, depth+1); err != nil {
						return err
					}
				}
				continue
			}
			var attrs map[string]any
			if rv.Kind == yaml.MappingNode {
				if err := rv.Decode(&attrs); err != nil {
					return fmt.Errorf("%s:%d: %s %q: %v", path, rv.Line, k.Value, rk.Value, err)
				}
			} else if !(rv.Kind == yaml.ScalarNode && rv.Tag == "!!null") {
				return fmt.Errorf("%s:%d: %s %q: expected a mapping of attributes", path, rv.Line, k.Value, rk.Value)
			}
			if r.ByType[k.Value] == nil {
				r.ByType[k.Value] = map[string]Resource{}
			}
			// A later file's resource replaces an earlier one's, as goss
			// merges gossfiles.
			r.ByType[k.Value][rk.Value] = Resource{Attrs: attrs, From: fmt.Sprintf("%s:%d", filepath.Base(path), rk.Line)}
		}
	}
	return nil
}

// render expands a gossfile as goss does: Go's text/template with .Vars
// and .Env. goss also offers sprig's and its own functions; golive does
// not, and says which function a template needs.
func (l *loader) render(path string, data []byte) ([]byte, error) {
	t, err := template.New(filepath.Base(path)).Option("missingkey=error").Parse(string(data))
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "function") && strings.Contains(msg, "not defined") {
			msg += " (golive renders gossfiles with Go's text/template, .Vars and .Env only: expand this template with goss render first)"
		}
		return nil, fmt.Errorf("%s: %s", path, msg)
	}
	var b bytes.Buffer
	env := l.o.Env
	if env == nil {
		env = map[string]string{}
	}
	if err := t.Execute(&b, map[string]any{"Vars": l.o.Vars, "Env": env}); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return b.Bytes(), nil
}

func readLimited(f *os.File, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
