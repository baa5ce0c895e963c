package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/schematest"
)

const (
	schemaFile    = "../../docs/profile.schema.json"
	referenceFile = "../../docs/profile-reference.md"
)

// The committed schema and reference are what the definitions give today
// (make docs regenerates them).
func TestProfileDocsAreGenerated(t *testing.T) {
	schema, ref, err := render()
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]byte{schemaFile: schema, referenceFile: ref} {
		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) == string(want) {
			continue
		}
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(g) || i < len(w); i++ {
			if i >= len(g) || i >= len(w) || g[i] != w[i] {
				t.Errorf("%s is stale (run make docs); first difference at line %d", file, i+1)
				break
			}
		}
	}
}

// toJSON converts a YAML document to JSON the way an editor's YAML
// language server sees it: plain scalars by their resolved type.
func toJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var conv func(n *yaml.Node) any
	conv = func(n *yaml.Node) any {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return map[string]any{}
			}
			return conv(n.Content[0])
		case yaml.MappingNode:
			m := map[string]any{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				m[n.Content[i].Value] = conv(n.Content[i+1])
			}
			return m
		case yaml.SequenceNode:
			l := []any{}
			for _, c := range n.Content {
				l = append(l, conv(c))
			}
			return l
		}
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			b, _ := strconv.ParseBool(n.Value)
			return b
		case "!!int", "!!float":
			return json.Number(n.Value)
		}
		return n.Value
	}
	out, err := json.Marshal(conv(&doc))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var schema = func() *schematest.Schema {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		panic(err)
	}
	return schematest.New("docs/profile.schema.json", profile.SchemaID, data)
}()

// Every profile golive ships or tests with validates against the schema.
func TestSchemaAcceptsShippedProfiles(t *testing.T) {
	files, _ := filepath.Glob("../../profiles/*.yaml")
	more, _ := filepath.Glob("../../testdata/*.yaml")
	files = append(files, more...)
	_ = filepath.WalkDir("../../docs/examples", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Base(p) == "golive.yaml" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 5 {
		t.Fatalf("only %d profiles found: the test checks nothing", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(toJSON(t, data)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// The schema and the parser agree: what one rejects, so does the other.
func TestSchemaAndParserAgree(t *testing.T) {
	good := []string{
		"extends: auto\nsysctl:\n  net.core.somaxconn: \">= 65535\"\n  vm.swappiness: {expect: \"<= 10\", level: warn, why: latency}\n",
		"extends: none\nservice: {unit: a.service, user: app, binaries: [/opt/a/bin/a]}\nrlimits:\n  unit: {nofile: \">= 1048576\"}\n",
		"extends: none\noptions: {timeout: 30s, parallel: 4, fail_on: warn, format: json}\n",
		"extends: none\nwaivers:\n  - {check: os/eol, reason: r, ticket: T-1, expires: 2027-01-31}\n",
		"extends: none\netcd:\n  endpoints: [https://10.0.0.11:2379]\n  members: 3\n",
		"extends: none\ndns:\n  names: [db1.example.com, {name: db2.example.com, types: [A]}]\n",
		"extends: auto\nsysctl:\n  vm.swappiness: null\n",
	}
	bad := map[string]string{
		"unknown top-level key":   "extends: none\ndescripton: x\n",
		"unknown key in section":  "extends: none\nsystemd: {enabeld: true}\n",
		"value outside its enum":  "extends: none\noptions: {fail_on: sometimes}\n",
		"negative duration":       "extends: none\noptions: {timeout: -5s}\n",
		"integer out of range":    "extends: none\noptions: {parallel: 20000}\n",
		"text where a number is":  "extends: none\noptions: {parallel: fifty}\n",
		"waiver without a ticket": "extends: none\nwaivers:\n  - {check: os/eol, reason: r, expires: 2027-01-31}\n",
		"rule level":              "extends: none\nsysctl:\n  vm.swappiness: {expect: \"<= 10\", level: maybe}\n",
		"rule without expect":     "extends: none\nsysctl:\n  vm.swappiness: {level: warn}\n",
		"too many etcd endpoints": "extends: none\netcd:\n  endpoints: [" + strings.Repeat("https://10.0.0.1:2379, ", 64) + "https://10.0.0.2:2379]\n",
		"etcd members":            "extends: none\netcd:\n  endpoints: [https://10.0.0.11:2379]\n  members: 10\n",
	}
	parse := func(content string) error {
		f := filepath.Join(t.TempDir(), "golive.yaml")
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := profile.Resolve(profile.Request{Config: f, Profile: "rocky-9"})
		if err == nil {
			_, err = buildChecks(p)
		}
		return err
	}
	for _, g := range good {
		if err := schema.Validate(toJSON(t, []byte(g))); err != nil {
			t.Errorf("schema rejects a good profile %q: %v", g, err)
		}
		if err := parse(g); err != nil {
			t.Errorf("parser rejects a good profile %q: %v", g, err)
		}
	}
	for name, b := range bad {
		if err := schema.Validate(toJSON(t, []byte(b))); err == nil {
			t.Errorf("%s: the schema accepts %q", name, b)
		}
		if err := parse(b); err == nil {
			t.Errorf("%s: the parser accepts %q", name, b)
		}
	}
}

// buildChecks builds the families' checks of p, which is where a section's
// own rules are parsed.
func buildChecks(p *profile.Profile) (int, error) {
	checks, err := engine.Build(p)
	return len(checks), err
}
