package profile

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/profiles"
)

// TestCompiledBuiltinsAreCurrent fails when builtins.bin was not
// regenerated after a built-in profile (or the parser) changed: golive
// would still be right, parsing the YAML, but slower.
func TestCompiledBuiltinsAreCurrent(t *testing.T) {
	want, err := CompileBuiltins()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, []byte(compiledBuiltins)) {
		t.Fatal("internal/profile/builtins.bin is stale: run `make generate`")
	}
}

// Each compiled tree is exactly the tree yaml.v3 parses from the YAML, node
// for node, comments and positions included.
func TestCompiledTreesEqualParsedTrees(t *testing.T) {
	for _, n := range Builtins() {
		data, err := fs.ReadFile(profiles.FS, n+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parseDocument("builtin:"+n+".yaml", n, data, positions{})
		if err != nil {
			t.Fatal(err)
		}
		compiled, ok := compiledTree(n, sha256.Sum256(data), false)
		if !ok {
			t.Fatalf("%s: no compiled tree", n)
		}
		if !reflect.DeepEqual(parsed.body, compiled) {
			t.Errorf("%s: the compiled tree differs from the parsed one", n)
		}
		part, ok := compiledTree(n, sha256.Sum256(data), true)
		if !ok {
			t.Fatalf("%s: no compiled match tree", n)
		}
		doc, err := newDocument("builtin:"+n+".yaml", n, part, positions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(doc.match, parsed.match) {
			t.Errorf("%s: compiled match rules %+v, parsed %+v", n, doc.match, parsed.match)
		}
	}
}

// Resolving any built-in, alone or under a service's file, gives the same
// profile from the compiled trees as from the YAML.
func TestResolveSameWithAndWithoutCompiled(t *testing.T) {
	resolve := func(compiled bool, req Request) ([]byte, *Profile) {
		t.Helper()
		useCompiled = compiled
		defer func() { useCompiled = true }()
		p, err := Resolve(req)
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.YAML()
		if err != nil {
			t.Fatal(err)
		}
		return out, p
	}
	var reqs []Request
	for _, n := range Builtins() {
		reqs = append(reqs, Request{Profile: n})
	}
	reqs = append(reqs,
		Request{Profile: Auto, OS: host.OSRelease{ID: "rocky", VersionID: "9.4", IDLike: []string{"rhel", "centos", "fedora"}}},
		Request{Profile: Auto, OS: host.OSRelease{ID: "almalinux", VersionID: "9.4", IDLike: []string{"rhel", "centos", "fedora"}}},
		Request{Profile: Auto, OS: host.OSRelease{ID: "nothing", VersionID: "1"}},
		Request{Profile: Auto, Config: "testdata/compiled-service.yaml", OS: host.OSRelease{ID: "ubuntu", VersionID: "22.04"}},
	)
	for _, req := range reqs {
		a, pa := resolve(true, req)
		b, pb := resolve(false, req)
		if !bytes.Equal(a, b) {
			t.Errorf("%+v: compiled and parsed profiles differ:\n%s\n---\n%s", req, a, b)
		}
		if pa.Name != pb.Name || pa.MatchedBy != pb.MatchedBy || pa.Fallback != pb.Fallback || !reflect.DeepEqual(pa.Chain, pb.Chain) {
			t.Errorf("%+v: compiled %s (%s), parsed %s (%s)", req, pa.Name, pa.MatchedBy, pb.Name, pb.MatchedBy)
		}
	}
}

// An entry compiled from other bytes than the embedded YAML is not used.
func TestStaleCompiledEntryIsNotUsed(t *testing.T) {
	data, err := fs.ReadFile(profiles.FS, "rocky-9.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := compiledTree("rocky-9", sha256.Sum256(data), false); !ok {
		t.Fatal("rocky-9 should be compiled")
	}
	edited := append(bytes.Clone(data), "\n# edited\n"...)
	if _, ok := compiledTree("rocky-9", sha256.Sum256(edited), false); ok {
		t.Fatal("a compiled tree was used for YAML it was not compiled from")
	}
	edited = bytes.Replace(edited, []byte("\nextends: linux "), []byte("\nextends: none  "), 1)
	doc, err := builtinYAML("rocky-9", edited, positions{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if doc.extends != "none" {
		t.Errorf("the edited YAML was not parsed: extends %q", doc.extends)
	}
}

func TestCompiledEntriesCarryTheirSum(t *testing.T) {
	for _, n := range Builtins() {
		data, _ := fs.ReadFile(profiles.FS, n+".yaml")
		sum := sha256.Sum256(data)
		if compiledIndex()[n].sum != string(sum[:]) {
			t.Errorf("%s: wrong sum", n)
		}
	}
}

// FuzzDecodeTree: a malformed compiled tree is an error, never a panic or
// an allocation its length does not justify; a decoded one round-trips.
func FuzzDecodeTree(f *testing.F) {
	for _, e := range compiledIndex() {
		f.Add([]byte(e.match))
		f.Add([]byte(e.body[:min(len(e.body), 4096)]))
	}
	small := encodeTree(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "a", Line: 1, Column: 1},
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: "1", LineComment: "# one", Line: 1, Column: 4},
	}})
	f.Add(small)
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := decodeTree(string(data))
		if err != nil {
			return
		}
		// Varints have more than one spelling, so compare trees, not bytes.
		back, err := decodeTree(string(encodeTree(n)))
		if err != nil || !reflect.DeepEqual(back, n) {
			t.Fatalf("a decoded tree does not round-trip: %v", err)
		}
	})
}

// builtinSum streams the embedded YAML: it must be the SHA-256 of the
// whole file, or every compiled entry would be taken as stale (or, worse,
// a stale one as current).
func TestBuiltinSumIsTheFilesSum(t *testing.T) {
	for _, n := range Builtins() {
		data, err := fs.ReadFile(profiles.FS, n+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second answer is the memo's
			got, err := builtinSum(n)
			if err != nil || got != sha256.Sum256(data) {
				t.Fatalf("%s: builtinSum %x %v, want %x", n, got, err, sha256.Sum256(data))
			}
		}
	}
	if _, err := builtinSum("no-such-profile"); err == nil {
		t.Error("a missing built-in has a sum")
	}
}
