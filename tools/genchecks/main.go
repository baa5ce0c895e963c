// Command genchecks writes docs/checks.md, the check reference, from the
// registered families: head.md, then each family's Doc (its doc.md) with
// the Meta of every check, as `golive explain` gives it, under the check's
// heading. The text a check prints is written once, in Go, and the prose
// around it lives next to the family's code.
//
//	go run ./tools/genchecks -out docs/checks.md    (make docs)
package main

import (
	"bytes"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"strings"

	_ "github.com/golive-sh/golive/checks/all"
	"github.com/golive-sh/golive/internal/engine"
)

// head is the reference's title and what holds for every check.
//
//go:embed head.md
var head string

func main() {
	out := flag.String("out", "", "file to write the check reference to (docs/checks.md)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genchecks -out docs/checks.md")
		os.Exit(2)
	}
	doc, err := render(head, engine.Families(), engine.Explain)
	if err == nil {
		err = os.WriteFile(*out, doc, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genchecks:", err)
		os.Exit(1)
	}
}

// render joins head and the families' sections. It fails when a family's
// Doc and its Checks disagree: a check heading with no metadata, metadata
// for a heading Doc lacks, or an example the family cannot explain.
func render(head string, fams []engine.Family, explain engine.Explainer) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(strings.TrimRight(head, "\n") + "\n")
	for _, f := range fams {
		if f.Doc == "" {
			return nil, fmt.Errorf("family %s has no Doc", f.Name)
		}
		if !strings.HasPrefix(f.Doc, "## ") {
			return nil, fmt.Errorf("family %s: its Doc must start with a \"## \" heading", f.Name)
		}
		byHeading := map[string]engine.CheckDoc{}
		for _, c := range f.Checks {
			byHeading[c.Heading] = c
		}
		b.WriteString("\n")
		afterMeta := false
		for line := range strings.SplitSeq(strings.TrimRight(f.Doc, "\n"), "\n") {
			// The metadata is a list of its own: a blank line ends it.
			if afterMeta && line != "" {
				b.WriteString("\n")
			}
			afterMeta = false
			b.WriteString(line + "\n")
			heading, ok := strings.CutPrefix(line, "### ")
			if !ok {
				continue
			}
			c, ok := byHeading[heading]
			if !ok {
				if isCheckHeading(heading) {
					return nil, fmt.Errorf("family %s: heading %q names a check but Checks has no entry for it", f.Name, heading)
				}
				continue
			}
			delete(byHeading, heading)
			m, ok := explain(c.Example)
			if !ok || m.ID != c.Example {
				return nil, fmt.Errorf("family %s: the example %q of %q is not an ID explain knows", f.Name, c.Example, heading)
			}
			writeMeta(&b, m)
			afterMeta = true
		}
		for h := range byHeading {
			return nil, fmt.Errorf("family %s: Checks has %q, which is no heading of its Doc", f.Name, h)
		}
	}
	return b.Bytes(), nil
}

// isCheckHeading reports whether a heading is an ID pattern in backquotes
// ("`sysctl/<key>`"), the headings that must carry a check's metadata.
func isCheckHeading(h string) bool {
	return len(h) > 2 && h[0] == '`' && h[len(h)-1] == '`' && strings.Contains(h, "/")
}

// writeMeta prints what `golive explain` says of a check before the
// profile's expectations: title, severity, level, reads, why and fix. It is
// a quote, so that it stays apart from a list the prose starts with.
func writeMeta(b *bytes.Buffer, m engine.Meta) {
	fmt.Fprintf(b, "\n> From `golive explain %s`: **%s**\n>\n", m.ID, escape(m.Title))
	facts := "Severity `" + m.Severity + "`"
	if m.Level != "" {
		facts += "; a miss gives `" + m.Level + "`"
	}
	if m.Network {
		facts += "; a network check (`--offline` skips it)"
	}
	fmt.Fprintf(b, "> - %s.\n", facts)
	if len(m.Reads) > 0 {
		reads := make([]string, len(m.Reads))
		for i, r := range m.Reads {
			reads[i] = escape(r)
		}
		fmt.Fprintf(b, "> - Reads: %s.\n", strings.Join(reads, "; "))
	}
	fmt.Fprintf(b, "> - Why it matters: %s.\n", escape(strings.TrimSuffix(m.Why, ".")))
	fmt.Fprintf(b, "> - How it is fixed: %s.\n", escape(strings.TrimSuffix(m.Fix, ".")))
}

// escape keeps Markdown from reading a check's plain text as markup:
// "<unit>" as HTML, "*" as emphasis, "`" and "[" as code and links.
var escape = strings.NewReplacer(`\`, `\\`, "*", `\*`, "<", "&lt;", "`", "\\`", "[", `\[`).Replace
