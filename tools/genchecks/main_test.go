package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/golive-sh/golive/internal/engine"
)

const checksMD = "../../docs/checks.md"

// The committed reference is what the families say today: a Meta text or a
// doc.md changed without `make docs` fails here.
func TestChecksMDIsGenerated(t *testing.T) {
	want, err := render(head, engine.Families(), engine.Explain)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(checksMD)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) == string(want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("docs/checks.md is stale (run make docs); first difference at line %d:\ncommitted: %q\ngenerated: %q", i+1, gl, wl)
		}
	}
}

// Every link into docs/checks.md, from the other docs and from itself,
// names a heading it has.
func TestLinksIntoChecksMDResolve(t *testing.T) {
	doc, err := os.ReadFile(checksMD)
	if err != nil {
		t.Fatal(err)
	}
	anchors := headingAnchors(string(doc))
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	external := regexp.MustCompile(`checks\.md#([^)\s"]+)`)
	internal := regexp.MustCompile(`\]\(#([^)\s]+)\)`)
	links := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		re := external
		if filepath.Base(f) == "checks.md" {
			re = internal
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			links++
			if !anchors[m[1]] {
				t.Errorf("%s links to checks.md#%s, which is no heading of docs/checks.md", f, m[1])
			}
		}
	}
	if links == 0 {
		t.Error("found no links into docs/checks.md: the scan is broken")
	}
}

// headingAnchors are the fragment names GitHub gives a document's headings:
// lower case, punctuation dropped, spaces as hyphens, -1, -2 for repeats.
func headingAnchors(doc string) map[string]bool {
	out := map[string]bool{}
	fence := false
	for line := range strings.SplitSeq(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimLeft(line, "#")
		if !strings.HasPrefix(text, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		a := b.String()
		for n := 1; out[a]; n++ {
			a = b.String() + "-" + string(rune('0'+n))
		}
		out[a] = true
	}
	return out
}

func TestRenderRejectsDocsAndChecksThatDisagree(t *testing.T) {
	explain := func(id string) (engine.Meta, bool) {
		if id == "fam/known" {
			return engine.Meta{ID: id, Title: "known", Severity: "low", Why: "w", Fix: "f"}, true
		}
		return engine.Meta{}, false
	}
	doc := "## fam\n\n### `fam/<x>`\nprose\n"
	checks := []engine.CheckDoc{{Heading: "`fam/<x>`", Example: "fam/known"}}
	cases := map[string]engine.Family{
		"no doc":                 {Name: "fam", Checks: checks},
		"no section heading":     {Name: "fam", Doc: "### `fam/<x>`\n", Checks: checks},
		"check heading, no meta": {Name: "fam", Doc: doc},
		"meta, no heading":       {Name: "fam", Doc: "## fam\n", Checks: checks},
		"unknown example":        {Name: "fam", Doc: doc, Checks: []engine.CheckDoc{{Heading: "`fam/<x>`", Example: "fam/unknown"}}},
	}
	for name, f := range cases {
		if _, err := render("# head\n", []engine.Family{f}, explain); err == nil {
			t.Errorf("%s: render accepted it", name)
		}
	}
	out, err := render("# head\n", []engine.Family{{Name: "fam", Doc: doc, Checks: checks}}, explain)
	if err != nil {
		t.Fatal(err)
	}
	want := "# head\n\n## fam\n\n### `fam/<x>`\n\n> From `golive explain fam/known`: **known**\n>\n> - Severity `low`.\n> - Why it matters: w.\n> - How it is fixed: f.\n\nprose\n"
	if string(out) != want {
		t.Errorf("render =\n%s\nwant\n%s", out, want)
	}
}
