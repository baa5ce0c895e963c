package profile

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the compiled built-in profiles
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/profiles"
)

// The built-in profiles are YAML, and yaml.v3 spends about 300 instructions
// per byte scanning them: parsing the chain of a run (a distro profile and
// linux.yaml, 18 KB) was two thirds of what `golive check` costs beyond
// starting up. builtins.bin holds the same node trees, parsed and validated
// when golive is built (`make generate`), in a form that decodes without
// copying a string.
//
// It is a cache, never a second source of truth: each entry carries the
// SHA-256 of the YAML it was compiled from, and a built-in whose embedded
// YAML does not match (an edited profile before `make generate`) is parsed
// from the YAML as before. TestCompiledBuiltinsAreCurrent fails when the
// committed file is stale.
//
//go:embed builtins.bin
var compiledBuiltins string

const compiledMagic = "golive compiled built-in profiles v1\n"

// compiledEntry is one built-in in builtins.bin: the SHA-256 of its YAML,
// and the encoded trees of its match: block and of its whole body.
type compiledEntry struct {
	sum         string
	match, body string
}

var compiledIndex = sync.OnceValue(func() map[string]compiledEntry {
	idx, err := readCompiledIndex(compiledBuiltins)
	if err != nil {
		return nil // every built-in is parsed from its YAML
	}
	return idx
})

// useCompiled is switched off by tests that compare both paths.
var useCompiled = true

// compiledTree returns the body (or, with matchOnly, the match: block) of
// the built-in name as compiled, provided the compiled entry was made from
// YAML whose SHA-256 is sum. ok is false when it was not, and the YAML
// must be parsed.
func compiledTree(name string, sum [sha256.Size]byte, matchOnly bool) (n *yaml.Node, ok bool) {
	if !useCompiled {
		return nil, false
	}
	e, found := compiledIndex()[name]
	if !found {
		return nil, false
	}
	if string(sum[:]) != e.sum {
		return nil, false
	}
	enc := e.body
	if matchOnly {
		enc = e.match
	}
	n, err := decodeTree(enc)
	return n, err == nil
}

// builtinSums memoises builtinSum: detection hashes every built-in, and
// the resolver hashes the chain's again.
var builtinSums sync.Map // name -> [sha256.Size]byte

// builtinSum is the SHA-256 of the embedded YAML of the built-in name,
// streamed through a small buffer: reading every built-in whole to check
// the compiled entries (fs.ReadFile copies the embedded bytes) was ~80 KB
// of fresh heap, and page faults, in every run.
func builtinSum(name string) ([sha256.Size]byte, error) {
	if s, ok := builtinSums.Load(name); ok {
		return s.([sha256.Size]byte), nil
	}
	var sum [sha256.Size]byte
	f, err := profiles.FS.Open(name + ".yaml")
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	var buf [4096]byte
	if _, err := io.CopyBuffer(struct{ io.Writer }{h}, struct{ io.Reader }{f}, buf[:]); err != nil {
		return sum, err
	}
	h.Sum(sum[:0])
	builtinSums.Store(name, sum)
	return sum, nil
}

// CompileBuiltins parses and validates every built-in profile and returns
// the contents of builtins.bin (tools/genbuiltins writes it).
func CompileBuiltins() ([]byte, error) {
	var out bytes.Buffer
	out.WriteString(compiledMagic)
	names := Builtins()
	out.Write(binary.AppendUvarint(nil, uint64(len(names))))
	for _, n := range names {
		data, err := fs.ReadFile(profiles.FS, n+".yaml")
		if err != nil {
			return nil, err
		}
		doc, err := parseDocument("builtin:"+n+".yaml", n, data, positions{})
		if err != nil {
			return nil, err
		}
		// Detection decodes only this: the match: key and its value, or an
		// empty mapping for linux.yaml, which has none.
		matchOnly := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: doc.body.Line, Column: doc.body.Column}
		for i := 0; i+1 < len(doc.body.Content); i += 2 {
			if doc.body.Content[i].Value == "match" {
				matchOnly.Content = doc.body.Content[i : i+2]
			}
		}
		match := encodeTree(matchOnly)
		sum := sha256.Sum256(data)
		for _, s := range [][]byte{[]byte(n), sum[:], match, encodeTree(doc.body)} {
			out.Write(binary.AppendUvarint(nil, uint64(len(s))))
			out.Write(s)
		}
	}
	return out.Bytes(), nil
}

func readCompiledIndex(s string) (map[string]compiledEntry, error) {
	r := &reader{s: s}
	if !r.literal(compiledMagic) {
		return nil, errors.New("not a compiled profile file of this version")
	}
	count := r.uvarint()
	if count > 1024 {
		return nil, errors.New("too many entries")
	}
	idx := make(map[string]compiledEntry, count)
	for range count {
		name, sum, match, body := r.str(), r.str(), r.str(), r.str()
		if r.err != nil {
			return nil, r.err
		}
		idx[name] = compiledEntry{sum: sum, match: match, body: body}
	}
	return idx, r.err
}

// encodeTree writes n and its descendants, depth first: the count of nodes
// and of child pointers first, so the decoder allocates each once.
func encodeTree(n *yaml.Node) []byte {
	var nodes, kids uint64
	var count func(*yaml.Node)
	count = func(n *yaml.Node) {
		nodes++
		kids += uint64(len(n.Content))
		for _, c := range n.Content {
			count(c)
		}
	}
	count(n)
	out := binary.AppendUvarint(nil, nodes)
	out = binary.AppendUvarint(out, kids)
	var enc func(*yaml.Node)
	enc = func(n *yaml.Node) {
		out = binary.AppendUvarint(out, uint64(n.Kind))
		out = binary.AppendUvarint(out, uint64(n.Style))
		for _, s := range []string{n.Tag, n.Value, n.HeadComment, n.LineComment, n.FootComment} {
			out = binary.AppendUvarint(out, uint64(len(s)))
			out = append(out, s...)
		}
		out = binary.AppendUvarint(out, uint64(n.Line))
		out = binary.AppendUvarint(out, uint64(n.Column))
		out = binary.AppendUvarint(out, uint64(len(n.Content)))
		for _, c := range n.Content {
			enc(c)
		}
	}
	enc(n)
	return out
}

// decodeTree is encodeTree's inverse. Strings are slices of the embedded
// data, nodes and child lists come from one allocation each. A malformed
// input is an error, never a panic.
func decodeTree(s string) (*yaml.Node, error) {
	r := &reader{s: s}
	nodes, kids := r.uvarint(), r.uvarint()
	// Each node takes at least 10 bytes, so the counts are bounded by the
	// input's length before anything is allocated; a tree has one child
	// pointer fewer than nodes.
	if r.err != nil || nodes == 0 || nodes > uint64(len(s))/10 || kids != nodes-1 {
		return nil, errors.New("compiled profile: bad header")
	}
	d := &treeDecoder{r: r, nodes: make([]yaml.Node, nodes), kids: make([]*yaml.Node, kids)}
	n := d.node(0)
	if r.err == nil && (len(d.nodes) != 0 || len(d.kids) != 0 || r.i != len(s)) {
		r.err = errors.New("compiled profile: counts do not match the tree")
	}
	if r.err != nil {
		return nil, r.err
	}
	return n, nil
}

type treeDecoder struct {
	r     *reader
	nodes []yaml.Node  // not yet handed out
	kids  []*yaml.Node // not yet handed out
}

func (d *treeDecoder) node(depth int) *yaml.Node {
	r := d.r
	if depth > 64 || len(d.nodes) == 0 {
		r.fail("compiled profile: tree deeper or larger than its header")
		return nil
	}
	n := &d.nodes[0]
	d.nodes = d.nodes[1:]
	n.Kind = yaml.Kind(r.uvarint())
	n.Style = yaml.Style(r.uvarint())
	n.Tag, n.Value = r.str(), r.str()
	n.HeadComment, n.LineComment, n.FootComment = r.str(), r.str(), r.str()
	n.Line, n.Column = int(r.uvarint()), int(r.uvarint())
	c := r.uvarint()
	if r.err != nil {
		return nil
	}
	if c > uint64(len(d.kids)) {
		r.fail("compiled profile: more children than its header")
		return nil
	}
	// Full slice expression: an append to Content copies rather than
	// writing into the next node's children.
	n.Content = d.kids[:c:c]
	if c == 0 {
		n.Content = nil
	}
	d.kids = d.kids[c:]
	for i := range n.Content {
		if n.Content[i] = d.node(depth + 1); r.err != nil {
			return nil
		}
	}
	return n
}

// reader reads uvarints and length-prefixed strings from a string; the
// first error sticks and later reads return zero values.
type reader struct {
	s   string
	i   int
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

func (r *reader) literal(lit string) bool {
	if len(r.s)-r.i < len(lit) || r.s[r.i:r.i+len(lit)] != lit {
		return false
	}
	r.i += len(lit)
	return true
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.i >= len(r.s) {
			r.fail("compiled profile: truncated")
			return 0
		}
		b := r.s[r.i]
		r.i++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	r.fail("compiled profile: varint too long")
	return 0
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.s)-r.i) {
		r.fail(fmt.Sprintf("compiled profile: string of %d bytes past the end", n))
		return ""
	}
	s := r.s[r.i : r.i+int(n)]
	r.i += int(n)
	return s
}
