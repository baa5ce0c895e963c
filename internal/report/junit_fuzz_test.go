package report_test

import (
	"bytes"
	"encoding/xml"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report"
)

// hostileSeeds are values a broken or hostile host can put in a report:
// controls, quotes, line breaks, markup of every format, invalid UTF-8.
var hostileSeeds = []string{
	"", " ", "plain", "\x00\x01\x1b[31mred\x7f", "a|b", `a\|b`, `\`, "`", "``code``",
	"]]>", "<script>alert(1)</script>", "&amp; &#0; &lt;", "# heading", "## golive: evil",
	"```", "~~~", "- item", "1. item", "> quote", "line\nbreak", "cr\rlf\r\n", "\t\v\f",
	"\xff\xfe", "\xed\xa0\x80", "\uFFFE\uFFFF", "\u202eevil", "\u2028", "@team", "$$x$$",
	`"quoted" \"`, "{id=\"x\"}", "-->", "<details>", "=", "*emph* _u_ [l](http://x)",
}

// hostileReport puts a and b into every text field of a report: host,
// profile, notices, every check field, details keys and values, a waiver,
// and every field of every remediation action kind; one check gets a as
// its status.
func hostileReport(a, b string) *report.Report {
	plan := &remediate.Plan{
		Summary: a,
		Actions: []remediate.Action{
			remediate.SetSysctl(a, b),
			{Kind: remediate.FileLine, Path: a, Key: b, Line: a + b},
			{Kind: remediate.DropIn, Path: b, Content: a + "\n" + b},
			remediate.Run(a, b, a, ""),
			remediate.Tell(b),
			{Kind: remediate.Kind(a)},
		},
		Reboot: true,
	}
	details := map[string]any{a: b, "nested": map[string]any{b: []any{a, 1.5, nil}}, "waiver": map[string]any{"reason": a, "ticket": b, "expires": a}}
	var results []engine.Result
	for i, st := range append(append([]engine.Status{}, engine.Statuses...), engine.Status(a)) {
		results = append(results, engine.Result{
			ID: a + "/" + b + string(rune('0'+i)), Category: []string{a, b}[i%2], Title: a + b,
			Status: st, Severity: b, Expected: a, Observed: b, Message: b + a,
			Details: details, Remediation: plan, Duration: time.Duration(i) * time.Millisecond,
		})
	}
	results = append(results, engine.Result{ID: a, Category: a, Status: engine.Fail}) // no details, no plan
	r := report.New(report.Input{
		Version:  a,
		Identity: hostIdentity(a, b),
		Root:     b,
		Profile:  report.Profile{Name: a, Chain: []string{a, b}},
		Notices:  []string{a, b},
		Outcome:  engine.Outcome{Results: results, Started: testStart, Duration: time.Second, Aborted: len(a)%2 == 1, Reason: b},
	})
	r.Aborted = b
	return r
}

func FuzzJUnit(f *testing.F) {
	for i, s := range hostileSeeds {
		f.Add(s, hostileSeeds[(i+7)%len(hostileSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := hostileReport(a, b)
		var buf bytes.Buffer
		if err := report.JUnit(&buf, r); err != nil {
			t.Fatalf("JUnit: %v", err)
		}
		doc := decodeJUnit(t, buf.Bytes())
		assertJUnitAgrees(t, r, doc)
	})
}

// decodeJUnit parses a JUnit document strictly; encoding/xml rejects
// characters XML 1.0 forbids and anything not well-formed.
func decodeJUnit(t testing.TB, data []byte) junitDoc {
	t.Helper()
	var doc junitDoc
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("output is not well-formed XML: %v\n%s", err, data)
	}
	return doc
}

func hostIdentity(a, b string) host.Identity {
	return host.Identity{
		Hostname: a, MachineID: b, Kernel: a, Arch: b,
		OS: host.OSRelease{ID: a, IDLike: []string{b}, VersionID: b, PrettyName: a + b},
	}
}
