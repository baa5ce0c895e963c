package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/profiles"
)

// MaxProfileSize bounds a profile file: a profile is outside input.
const MaxProfileSize = 1 << 20

// maxDepth bounds how deep a profile's values nest.
const maxDepth = 64

// Error is a profile problem at a place in a file. `golive check` exits 2
// on it before running anything.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Builtin reports whether the error is placed in a built-in profile.
func (e *Error) Builtin() bool { return strings.HasPrefix(e.File, "builtin:") }

// document is one parsed profile file.
type document struct {
	file        string // as shown in errors: a path, or "builtin:rocky-9.yaml"
	chainName   string // as shown in the report's chain
	name        string
	description string
	extends     string
	extendsNode *yaml.Node
	match       []MatchRule
	body        *yaml.Node // the top-level mapping
}

// yamlLine pulls the line number out of yaml.v3's syntax errors, which are
// plain errors of the form "yaml: line N: message" (the library has no typed
// error for them).
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// parseDocument parses and checks the shape of one profile file.
func parseDocument(file, chainName string, data []byte, pos positions) (*document, error) {
	if len(data) > MaxProfileSize {
		return nil, &Error{File: file, Msg: fmt.Sprintf("profile larger than %d bytes", MaxProfileSize)}
	}
	// A decoder, not yaml.Unmarshal: Unmarshal reads the first document and
	// silently ignores the rest, syntax errors included.
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&root)
	if err == nil {
		var extra yaml.Node
		if err = dec.Decode(&extra); err == nil {
			return nil, &Error{File: file, Line: extra.Line, Msg: "expected one YAML document"}
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		msg := err.Error()
		if m := yamlLine().FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			line, msg := syntaxHint(data, line, m[2])
			return nil, &Error{File: file, Line: line, Msg: msg}
		}
		return nil, &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	if root.Kind == 0 { // empty file
		return &document{file: file, chainName: chainName, body: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}}, nil
	}
	if len(root.Content) != 1 {
		return nil, &Error{File: file, Msg: "expected one YAML document"}
	}
	return newDocument(file, chainName, root.Content[0], pos, strings.Split(string(data), "\n"))
}

// builtinDocument is parseDocument for the built-in profile name: from
// builtins.bin when that was compiled from its embedded YAML, else from the
// YAML. With matchOnly, the document holds only what detection reads.
func builtinDocument(name string, pos positions, matchOnly bool) (*document, error) {
	sum, err := builtinSum(name)
	if err != nil {
		return nil, err
	}
	if body, ok := compiledTree(name, sum, matchOnly); ok {
		// Compiled trees passed parseDocument at build time: no source
		// lines are needed for hints.
		return newDocument("builtin:"+name+".yaml", name, body, pos, nil)
	}
	data, err := fs.ReadFile(profiles.FS, name+".yaml")
	if err != nil {
		return nil, err
	}
	return builtinYAML(name, data, pos, matchOnly)
}

// builtinYAML parses the YAML of the built-in name (all of it, or only
// its match: block).
func builtinYAML(name string, data []byte, pos positions, matchOnly bool) (*document, error) {
	file := "builtin:" + name + ".yaml"
	if matchOnly {
		data = matchBlock(data)
	}
	return parseDocument(file, name, data, pos)
}

// newDocument checks the shape of one profile file's top-level mapping;
// lines are the file's, for hints in errors.
func newDocument(file, chainName string, body *yaml.Node, pos positions, lines []string) (*document, error) {
	doc := &document{file: file, chainName: chainName}
	if err := checkNodes(file, lines, body, 0); err != nil {
		return nil, err
	}
	if body.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: body.Line, Msg: "a profile is a mapping of keys to values"}
	}
	if err := checkTokens(file, body); err != nil {
		return nil, err
	}
	pos.record(file, body)
	doc.body = body
	for i := 0; i < len(body.Content); i += 2 {
		k, v := body.Content[i], body.Content[i+1]
		switch k.Value {
		case "name":
			if err := scalarString(file, v, &doc.name); err != nil {
				return nil, err
			}
		case "description":
			if err := scalarString(file, v, &doc.description); err != nil {
				return nil, err
			}
		case "extends":
			if err := scalarString(file, v, &doc.extends); err != nil {
				return nil, err
			}
			doc.extendsNode = v
		case "match":
			if err := pos.decodeStrict(v, &doc.match); err != nil {
				return nil, err
			}
		}
	}
	return doc, nil
}

// checkNodes rejects what a strict profile must not contain: anchors and
// aliases (they can expand without bound and hide where a value came from),
// merge keys, duplicate keys and non-scalar keys.
func checkNodes(file string, lines []string, n *yaml.Node, depth int) error {
	if depth > maxDepth {
		return &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("nested deeper than %d levels", maxDepth)}
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return &Error{File: file, Line: n.Line, Msg: "YAML anchors and aliases are not allowed in profiles"}
	}
	if n.Kind == yaml.ScalarNode {
		if h := tagHint(lines, n); h != "" {
			return &Error{File: file, Line: n.Line, Msg: h}
		}
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return &Error{File: file, Line: k.Line, Msg: "mapping keys must be plain strings"}
			}
			if k.Tag == "!!merge" || k.Value == "<<" {
				return &Error{File: file, Line: k.Line, Msg: "YAML merge keys (<<) are not allowed in profiles"}
			}
			if prev, dup := seen[k.Value]; dup {
				return &Error{File: file, Line: k.Line, Msg: fmt.Sprintf("key %q already defined at line %d", k.Value, prev)}
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := checkNodes(file, lines, c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func scalarString(file string, n *yaml.Node, out *string) error {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return &Error{File: file, Line: n.Line, Msg: "expected a string"}
	}
	*out = n.Value
	return nil
}

// positions remembers which file every node came from, so errors about a
// merged profile still name the file and line the user wrote.
type positions map[*yaml.Node]string

func (p positions) record(file string, n *yaml.Node) {
	p[n] = file
	for _, c := range n.Content {
		p.record(file, c)
	}
}

func (p positions) errorf(n *yaml.Node, format string, args ...any) error {
	file := p[n]
	if file == "" {
		file = "profile"
	}
	return &Error{File: file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
}
