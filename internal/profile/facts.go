package profile

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A family that needs a distro fact (glibc's version, the CA bundle's path)
// declares its key under facts: here, from its own package, so that adding
// a family touches no file of this package. Profile.Facts keeps only what
// every family and remediation share.

// FactSpec declares one key under facts: that a family reads.
type FactSpec[T any] struct {
	// Key is the key as written under facts:, e.g. "glibc".
	Key string
	// Family names the family that reads it, for DeclaredFacts.
	Family string
	// Doc says in one line what the value is.
	Doc string
	// Check, if set, vets the value each profile file writes, before files
	// are merged, so a bad value is reported at the file and line that
	// wrote it: "facts.<key> <error>". It sees every value of type T that
	// is not null.
	Check func(T) error
}

// Fact is a declared fact: Get reads its value from a resolved profile.
type Fact[T any] struct{ key string }

// Get returns the fact's value after every file of the chain is merged, or
// T's zero value when no file sets it.
func (f Fact[T]) Get(p *Profile) T {
	v, _ := p.facts[f.key].(T)
	return v
}

// FactInfo describes a declared fact.
type FactInfo struct {
	Key      string
	Families []string // every family that declared it, in declaration order
	Doc      string   // the first declaration's
}

type declaredFact struct {
	FactInfo
	typ    reflect.Type
	checks []func(n *yaml.Node) error
}

// declared holds every fact declared by the families linked in: they
// declare from package initialisation, before any profile is resolved, so
// the map is only read while profiles are.
var declared = map[string]*declaredFact{}

// DeclareFact makes key a valid key under facts: and returns its typed
// accessor. Call it from a package-level var or init. Several families may
// declare one key (dns and libc both read glibc) if they agree on its type;
// a key of Facts itself, an empty key or a second type panics: a
// programming error, found by any test of the family.
func DeclareFact[T any](spec FactSpec[T]) Fact[T] {
	typ := reflect.TypeFor[T]()
	if spec.Key == "" || spec.Family == "" {
		panic("profile.DeclareFact: a fact needs a key and a family")
	}
	if _, ok := generalFacts()[spec.Key]; ok {
		panic(fmt.Sprintf("profile.DeclareFact: facts.%s is a field of profile.Facts", spec.Key))
	}
	d := declared[spec.Key]
	switch {
	case d == nil:
		d = &declaredFact{FactInfo: FactInfo{Key: spec.Key, Doc: spec.Doc}, typ: typ}
		declared[spec.Key] = d
	case d.typ != typ:
		panic(fmt.Sprintf("profile.DeclareFact: %s declares facts.%s as %v, %s as %v", spec.Family, spec.Key, typ, strings.Join(d.Families, ", "), d.typ))
	}
	d.Families = append(d.Families, spec.Family)
	if spec.Check != nil {
		d.checks = append(d.checks, func(n *yaml.Node) error {
			var v T
			if n.Tag == "!!null" || n.Decode(&v) != nil {
				return nil // nothing written, or a type error the merge reports with its place
			}
			return spec.Check(v)
		})
	}
	return Fact[T]{key: spec.Key}
}

// DeclaredFacts lists the facts the linked families declared, by key.
func DeclaredFacts() []FactInfo {
	out := make([]FactInfo, 0, len(declared))
	for _, d := range declared {
		out = append(out, FactInfo{Key: d.Key, Families: append([]string(nil), d.Families...), Doc: d.Doc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// generalFacts maps the keys of Facts to their field types.
func generalFacts() map[string]reflect.Type {
	t := reflect.TypeFor[Facts]()
	out := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		out[name] = t.Field(i).Type
	}
	return out
}

// decodeFacts decodes the merged facts: mapping into p.Facts and p.facts.
// Keys are checked in the order written, as a struct's are, so the first
// error is the same whichever kind of key holds it.
func (r *resolver) decodeFacts(n *yaml.Node, p *Profile) error {
	if n.Kind != yaml.MappingNode {
		return r.pos.checkType(n, reflect.TypeFor[Facts]())
	}
	general := generalFacts()
	own := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	r.pos[own] = r.pos[n]
	p.facts = map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if t, ok := general[k.Value]; ok {
			if err := r.pos.checkFields(v, t); err != nil {
				return err
			}
			own.Content = append(own.Content, k, v)
			continue
		}
		d, ok := declared[k.Value]
		if !ok {
			if strings.HasPrefix(r.pos[k], "builtin:") {
				// A built-in profile holds the facts of every family, and
				// a binary may link only some (a family's own tests link
				// that family alone). golive links them all, and
				// TestBuiltinFactsAreDeclared (checks/all) holds every
				// built-in key to a declaration.
				continue
			}
			return r.pos.errorf(k, "unknown key %q (known: %s)", k.Value, strings.Join(knownFacts(general), ", "))
		}
		val := reflect.New(d.typ)
		if err := r.pos.decodeStrict(v, val.Interface()); err != nil {
			return err
		}
		p.facts[k.Value] = val.Elem().Interface()
	}
	return r.pos.decodeStrict(own, &p.Facts)
}

func knownFacts(general map[string]reflect.Type) []string {
	known := make([]string, 0, len(general)+len(declared))
	for k := range general {
		known = append(known, k)
	}
	for k := range declared {
		known = append(known, k)
	}
	sort.Strings(known)
	return known
}

// checkDeclaredFact runs the declared checks of one file's value.
func checkDeclaredFact(k, v *yaml.Node, bad badFunc) error {
	d := declared[k.Value]
	if d == nil {
		return nil
	}
	for _, check := range d.checks {
		if err := check(v); err != nil {
			return bad(v, "facts.%s %v", k.Value, err)
		}
	}
	return nil
}
