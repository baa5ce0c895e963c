package profile

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes n into v and rejects keys that v's struct types do
// not declare. yaml.v3 offers KnownFields only on its Decoder, not on
// Node.Decode, and a profile's sections are decoded from nodes so that their
// line numbers survive merging; hence this walk.
func (p positions) decodeStrict(n *yaml.Node, v any) error {
	if err := p.checkFields(n, reflect.TypeOf(v)); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		return p.typeError(n, err)
	}
	return nil
}

func (p positions) checkFields(n *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType {
		return nil // kept as written; its owner checks it
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return p.checkType(n, t)
		}
		fields := map[string]reflect.StructField{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := yamlKey(f)
			if name == "" {
				continue
			}
			fields[name] = f
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				known := make([]string, 0, len(fields))
				for name := range fields {
					known = append(known, name)
				}
				sort.Strings(known)
				return p.errorf(k, "%s", UnknownKey("key", k.Value, known))
			}
			if err := p.checkFields(v, f.Type); err != nil {
				return err
			}
			if err := p.checkLimits(k.Value, v, tagsOf(f)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return p.checkType(n, t)
		}
		for _, c := range n.Content {
			if err := p.checkFields(c, t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return p.checkType(n, t)
		}
		for i := 1; i < len(n.Content); i += 2 {
			if err := p.checkFields(n.Content[i], t.Elem()); err != nil {
				return err
			}
		}
	default:
		return p.checkType(n, t)
	}
	return nil
}

var nodeType = reflect.TypeOf(yaml.Node{})

// yamlKey is the key a struct field is written as, "" for a field a
// profile cannot set.
func yamlKey(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name
}

// checkType decodes n on its own into a value of type t, so that a type
// error names the file n came from: after merging, the node decodeStrict
// was given holds values from several files, and yaml.v3 reports only a
// line.
func (p positions) checkType(n *yaml.Node, t reflect.Type) error {
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		if n.Kind == yaml.ScalarNode || n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
			return p.errorf(n, "%s", typeMismatch(n, t))
		}
		return p.typeError(n, err)
	}
	return nil
}

var typeErrLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line (\d+): (.*)$`) })

// typeError turns yaml.v3's "line N: cannot unmarshal ..." into a profile
// Error naming the file.
func (p positions) typeError(n *yaml.Node, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := typeErrLine().FindStringSubmatch(te.Errors[0]); m != nil {
			line, _ := strconv.Atoi(m[1])
			file := p[n]
			if file == "" {
				file = "profile"
			}
			return &Error{File: file, Line: line, Msg: plainYAML(m[2])}
		}
	}
	return p.errorf(n, "%s", plainYAML(fmt.Sprint(err)))
}
