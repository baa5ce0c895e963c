package profile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/profiles"
)

// Generic is the fallback profile used when no distro profile matches.
const Generic = "linux"

// Auto selects the built-in profile whose match rules fit the host.
const Auto = "auto"

// maxChain bounds an extends chain.
const maxChain = 16

// Request says which profile to resolve.
type Request struct {
	// Profile is "auto" (or empty), a built-in name, or a path to a file.
	// It is also what `extends: auto` in the config file stands for.
	Profile string
	// Config is the service's own file (golive.yaml); empty for none.
	Config string
	// OS is the host's os-release, for auto.
	OS host.OSRelease
}

// Builtins lists the built-in profile names, sorted.
func Builtins() []string {
	entries, _ := fs.ReadDir(profiles.FS, ".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Resolve loads, chains and merges the requested profile.
func Resolve(req Request) (*Profile, error) {
	r := &resolver{req: req, pos: positions{}}
	var docs []*document
	var err error
	if req.Config != "" {
		docs, err = r.chain(req.Config, "", 0, true)
	} else {
		ref := r.req.Profile
		if ref == "" || ref == Auto {
			ref = r.base(false)
		} else {
			r.matchedBy = "chosen with --profile"
		}
		docs, err = r.chain(ref, "", 0, false)
	}
	if err != nil {
		return nil, err
	}
	return r.build(docs)
}

type resolver struct {
	req       Request
	pos       positions
	seen      []string
	fallback  bool
	matchedBy string
}

// base is what "auto" stands for: the --profile choice in the service's
// file, the detected distro everywhere else.
func (r *resolver) base(inConfig bool) string {
	if inConfig && r.req.Profile != "" && r.req.Profile != Auto {
		r.matchedBy = "chosen with --profile"
		return r.req.Profile
	}
	name, why, ok := Detect(r.req.OS)
	if !ok {
		r.fallback = true
		r.matchedBy = why
		return Generic
	}
	r.matchedBy = why
	return name
}

// chain loads ref and, recursively, what it extends; base first.
func (r *resolver) chain(ref, fromDir string, depth int, isConfig bool) ([]*document, error) {
	if depth > maxChain {
		return nil, &Error{File: ref, Msg: fmt.Sprintf("extends chain longer than %d", maxChain)}
	}
	doc, key, err := r.load(ref, fromDir)
	if err != nil {
		return nil, err
	}
	for _, s := range r.seen {
		if s == key {
			return nil, &Error{File: doc.file, Line: lineOf(doc.extendsNode), Msg: fmt.Sprintf("extends cycle: %s", strings.Join(append(r.seen, key), " -> "))}
		}
	}
	r.seen = append(r.seen, key)
	parent := doc.extends
	if parent == "" && isConfig {
		parent = Auto // a service's file layers on the detected distro by default
	}
	var docs []*document
	switch parent {
	case "", "none":
	case Auto:
		docs, err = r.chain(r.base(isConfig), "", depth+1, false)
	default:
		docs, err = r.chain(parent, dirOf(doc), depth+1, false)
	}
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) {
			err = &Error{File: doc.file, Line: lineOf(doc.extendsNode), Msg: err.Error()}
		}
		return nil, err
	}
	return append(docs, doc), nil
}

// load reads a built-in profile by name, or a file by path. key identifies
// it for cycle detection.
func (r *resolver) load(ref, fromDir string) (*document, string, error) {
	if isPath(ref) {
		p := ref
		if !filepath.IsAbs(p) && fromDir != "" {
			p = filepath.Join(fromDir, p)
		}
		data, err := readLimited(p)
		if err != nil {
			return nil, "", &Error{File: ref, Msg: err.Error()}
		}
		abs, _ := filepath.Abs(p)
		doc, err := parseDocument(p, filepath.Base(p), data, r.pos)
		return doc, abs, err
	}
	if !slices.Contains(Builtins(), ref) {
		return nil, "", &Error{File: ref, Msg: fmt.Sprintf("no built-in profile %q (built-in: %s)", ref, strings.Join(Builtins(), ", "))}
	}
	doc, err := builtinDocument(ref, r.pos, false)
	if err == nil && doc.name == "" {
		doc.name = ref
	}
	return doc, ref, err
}

func isPath(ref string) bool {
	return strings.ContainsRune(ref, '/') || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
}

func dirOf(d *document) string {
	if strings.HasPrefix(d.file, "builtin:") {
		return ""
	}
	return filepath.Dir(d.file)
}

func lineOf(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	return n.Line
}

func readLimited(p string) ([]byte, error) {
	// O_NONBLOCK: a FIFO named as a profile must not block golive before
	// the regular-file check below refuses it.
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxProfileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxProfileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxProfileSize)
	}
	return data, nil
}

// build merges the chain and decodes the shared parts.
func (r *resolver) build(docs []*document) (*Profile, error) {
	p := &Profile{pos: r.pos, Fallback: r.fallback, MatchedBy: r.matchedBy}
	var merged *yaml.Node
	for i, d := range docs {
		p.Chain = append(p.Chain, d.chainName)
		merged = mergeNodes(merged, stripReserved(d.body, r.pos), r.pos)
		// Waivers add up along the chain rather than merge as a list.
		var err error
		if p.Waivers, err = r.layerWaivers(p.Waivers, valueOf(d.body, "waivers")); err != nil {
			return nil, err
		}
		// The service's file layers on a profile; it names the profile only
		// when it stands alone.
		if r.req.Config != "" && i == len(docs)-1 && i > 0 {
			continue
		}
		p.Name = d.name
		if p.Name == "" {
			p.Name = strings.TrimSuffix(d.chainName, filepath.Ext(d.chainName))
		}
		if d.description != "" {
			p.Description = d.description
		}
	}
	for i := 0; i+1 < len(merged.Content); i += 2 {
		k, v := merged.Content[i], merged.Content[i+1]
		var err error
		switch k.Value {
		case "facts":
			err = r.decodeFacts(v, p)
		case "service":
			err = r.pos.decodeStrict(v, &p.Service)
		case "options":
			err = r.pos.decodeStrict(v, &p.Options)
		case "waivers":
			// Layered file by file above.
		default:
			if v.Tag == "!!null" {
				continue // an empty section checks nothing
			}
			p.Sections = append(p.Sections, Section{Kind: k.Value, Key: k, Node: v})
		}
		if err != nil {
			return nil, err
		}
	}
	p.merged = r.showNode(p, merged)
	return p, nil
}

// stripReserved drops the per-file keys (name, extends, match, description)
// that describe a file rather than the host.
func stripReserved(body *yaml.Node, pos positions) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: body.Line, Column: body.Column}
	pos[out] = pos[body]
	for i := 0; i+1 < len(body.Content); i += 2 {
		switch body.Content[i].Value {
		case "name", "extends", "match", "description":
			continue
		}
		out.Content = append(out.Content, body.Content[i], body.Content[i+1])
	}
	return out
}

// mergeNodes layers over onto base: mappings merge key by key (a null value
// removes the key), anything else is replaced. Nodes are shared, not copied,
// so their file and line stay known.
func mergeNodes(base, over *yaml.Node, pos positions) *yaml.Node {
	if base == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: over.Line, Column: over.Column}
	pos[out] = pos[over]
	index := make(map[string]int, len(over.Content)/2)
	for i := 0; i+1 < len(over.Content); i += 2 {
		index[over.Content[i].Value] = i
	}
	for i := 0; i+1 < len(base.Content); i += 2 {
		k, v := base.Content[i], base.Content[i+1]
		j, ok := index[k.Value]
		if !ok {
			out.Content = append(out.Content, k, v)
			continue
		}
		ov := over.Content[j+1]
		switch {
		case isRemoval(ov):
			continue
		case isEmpty(ov):
			out.Content = append(out.Content, k, v) // "sysctl:" with nothing under it adds nothing
			continue
		}
		out.Content = append(out.Content, over.Content[j], mergeNodes(v, ov, pos))
	}
	baseKeys := make(map[string]bool, len(base.Content)/2)
	for i := 0; i+1 < len(base.Content); i += 2 {
		baseKeys[base.Content[i].Value] = true
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		if !baseKeys[over.Content[i].Value] && over.Content[i+1].Tag != "!!null" { // removal or empty: nothing to add
			out.Content = append(out.Content, over.Content[i], over.Content[i+1])
		}
	}
	return out
}

// isRemoval is an explicit null (`key: null` or `key: ~`): the key is
// removed from what the base profile says.
func isRemoval(n *yaml.Node) bool { return n.Tag == "!!null" && n.Value != "" }

// isEmpty is a key with no value at all, typically a section whose entries
// are all commented out. It must not delete the base's section: that would
// silently drop a distro's whole baseline.
func isEmpty(n *yaml.Node) bool { return n.Tag == "!!null" && n.Value == "" }

// showNode is the merged profile as `golive profiles show` prints it: the
// name and chain first, then everything the chain says about the host.
func (r *resolver) showNode(p *Profile, merged *yaml.Node) *yaml.Node {
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	chain := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
	for _, c := range p.Chain {
		chain.Content = append(chain.Content, str(c))
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	out.Content = append(out.Content, str("name"), str(p.Name))
	if p.Description != "" {
		out.Content = append(out.Content, str("description"), str(p.Description))
	}
	out.Content = append(out.Content, str("chain"), chain)
	out.Content = append(out.Content, merged.Content...)
	return out
}

type namedRules struct {
	name  string
	rules []MatchRule
}

// builtinMatches parses the built-in profiles' match rules once: they are
// embedded and cannot change while the process runs.
var builtinMatches = sync.OnceValue(func() []namedRules {
	var out []namedRules
	for _, n := range Builtins() {
		// Only the match: block is read: detection runs in every process
		// and looks at every built-in.
		doc, err := builtinDocument(n, positions{}, true)
		if err != nil {
			continue // a broken built-in fails its own tests and Resolve
		}
		out = append(out, namedRules{name: n, rules: doc.match})
	}
	return out
})

// matchBlock returns the top-level "match:" key of a built-in profile and
// its indented lines. Built-ins are ours and tested to give the same rules
// as a full parse (TestMatchBlockAgreesWithFullParse).
func matchBlock(data []byte) []byte {
	var out []byte
	in := false
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		top := len(line) > 0 && line[0] != ' ' && line[0] != '\t' && line[0] != '#' && line[0] != '\n'
		switch {
		case top && bytes.HasPrefix(line, []byte("match:")):
			in = true
		case top:
			in = false
		}
		if in {
			out = append(out, line...)
		}
	}
	return out
}

// Detect picks the built-in profile whose match rules fit os-release. An
// exact ID match wins over an ID_LIKE match. why says what matched, or why
// nothing did.
func Detect(rel host.OSRelease) (name, why string, ok bool) {
	var likeName, likeWhy string
	for _, b := range builtinMatches() {
		n := b.name
		for _, m := range b.rules {
			exact, like := m.matches(rel)
			if exact {
				return n, fmt.Sprintf("os-release ID=%s VERSION_ID=%s", rel.ID, rel.VersionID), true
			}
			if like && likeName == "" {
				likeName = n
				likeWhy = fmt.Sprintf("os-release ID_LIKE=%q VERSION_ID=%s (compatible with %s)", strings.Join(rel.IDLike, " "), rel.VersionID, n)
			}
		}
	}
	if likeName != "" {
		return likeName, likeWhy, true
	}
	if rel.Unread != nil {
		// Nothing matched because nothing was read: say that, not that
		// the distro is unknown.
		return Generic, fmt.Sprintf("os-release could not be read (%v); using the generic %q profile", rel.Unread, Generic), false
	}
	return Generic, fmt.Sprintf("no built-in profile matches os-release ID=%s VERSION_ID=%s; using the generic %q profile", rel.ID, rel.VersionID, Generic), false
}

// matches reports whether the rule fits rel, and whether by ID (exact) or
// only by ID_LIKE.
func (m MatchRule) matches(rel host.OSRelease) (exact, like bool) {
	if m.VersionID != "" && !glob(m.VersionID, rel.VersionID) {
		return false, false
	}
	if m.ID != "" {
		return glob(m.ID, rel.ID), false
	}
	if m.IDLike != "" {
		for _, l := range rel.IDLike {
			if glob(m.IDLike, l) {
				return false, true
			}
		}
	}
	return false, false
}

func glob(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}
