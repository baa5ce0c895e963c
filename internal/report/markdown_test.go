package report_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
)

func renderMarkdown(t testing.TB, r *report.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Markdown(&buf, r); err != nil {
		t.Fatalf("Markdown: %v", err)
	}
	return buf.String()
}

// mdAllowedHTML is the only raw HTML the renderer writes: the folds and
// <code> around a value a code span cannot carry.
var mdAllowedHTML = []string{"<details>", "</details>", "<summary>", "</summary>", "<code>", "</code>"}

// assertMarkdownSafe reads md the way a GitHub-flavoured Markdown parser
// splits blocks (fenced code, headings, tables, lists) and fails when
// anything in it is structure golive did not write: a heading or list
// started by a value, a table row with the wrong number of cells, raw
// HTML, an entity, or a code block left open.
func assertMarkdownSafe(t testing.TB, r *report.Report, md string) {
	t.Helper()
	if !utf8.ValidString(md) {
		t.Fatalf("output is not UTF-8")
	}
	findings, waived := 0, 0
	for _, c := range r.Checks {
		switch c.Status {
		case engine.Pass, engine.Skip:
		case engine.Waived:
			waived++
		default:
			findings++
		}
	}
	fence, cols := "", 0
	headings, rows := 0, map[int]int{}
	for i, line := range strings.Split(md, "\n") {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("line %d %q: "+format, append([]any{i + 1, line}, args...)...)
		}
		if fence != "" {
			if strings.HasPrefix(line, fence) && strings.Trim(line, "`") == "" {
				fence = ""
			}
			continue
		}
		switch {
		case line == "":
			cols = 0
		case opensFence(line):
			fence = line[:len(line)-len(strings.TrimLeft(line, "`"))]
		case strings.HasPrefix(line, "|"):
			cells := gfmCells(line)
			if cols == 0 {
				cols = len(cells)
				if cols != 5 && cols != 4 {
					fail("a table of %d columns", cols)
				}
			} else if len(cells) != cols {
				fail("%d cells in a table of %d columns", len(cells), cols)
			}
			rows[cols]++
			for _, c := range cells {
				checkInline(fail, strings.ReplaceAll(c, `\|`, "|"))
			}
			continue
		case cols != 0:
			fail("a line right after a table row continues the table")
		case strings.HasPrefix(line, "#"):
			if !(i == 0 && strings.HasPrefix(line, "## golive: ")) && !strings.HasPrefix(line, "### ") {
				fail("a heading golive did not write")
			}
			headings++
		}
		body := line
		for _, marker := range []string{"- ", "> "} {
			body = strings.TrimPrefix(body, marker)
		}
		if n := leadingDigits(body); n > 0 && strings.HasPrefix(body[n:], ". ") {
			body = body[n+2:]
		}
		if body != line && startsBlock(body) {
			fail("a list item or quote whose text starts another block")
		}
		checkInline(fail, line)
	}
	if fence != "" {
		t.Errorf("code block opened with %s is never closed", fence)
	}
	if headings != 1+findings {
		t.Errorf("%d headings, want the title and one per finding (%d)", headings, findings)
	}
	wantRows := map[int]int{}
	if findings > 0 {
		wantRows[5] = findings + 2 // header and delimiter rows
	}
	if waived > 0 {
		wantRows[4] = waived + 2
	}
	if rows[5] != wantRows[5] || rows[4] != wantRows[4] {
		t.Errorf("table rows %v, want %v", rows, wantRows)
	}
}

// gfmCells splits a table row as GFM does: at every pipe that a backslash
// does not escape, code spans notwithstanding; the outer pipes bound the
// row.
func gfmCells(row string) []string {
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			cur.WriteString(row[i : i+2])
			i++
		case row[i] == '|':
			cells = append(cells, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(row[i])
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		cells = append(cells, cur.String())
	}
	return cells[1:] // before the leading pipe
}

// checkInline fails on raw HTML or an entity outside code spans and
// backslash escapes.
func checkInline(fail func(string, ...any), s string) {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", s[i+1]) >= 0:
			i += 2
		case c == '`':
			n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
			end := closingRun(s, i+n, n)
			if end < 0 {
				i += n // a lone run is literal backticks
			} else {
				i = end + n
			}
		case c == '<':
			allowed := false
			for _, tag := range mdAllowedHTML {
				allowed = allowed || strings.HasPrefix(s[i:], tag)
			}
			if !allowed {
				fail("raw < outside code: %q", s[i:])
			}
			i++
		case c == '&':
			fail("raw & outside code: %q", s[i:])
			i++
		default:
			i++
		}
	}
}

// closingRun is the index of the next run of exactly n backticks from i.
func closingRun(s string, i, n int) int {
	for i < len(s) {
		if s[i] != '`' {
			i++
			continue
		}
		m := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// startsBlock is text that, at the start of a list item or a quote,
// would open a heading, a list, a quote, a thematic break, a code block or
// an HTML block (CommonMark's block starts).
func startsBlock(s string) bool {
	spaceOrEnd := func(rest string) bool { return rest == "" || rest[0] == ' ' || rest[0] == '\t' }
	if n := leadingDigits(s); n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')') && spaceOrEnd(s[n+1:]) {
		return true
	}
	hashes := len(s) - len(strings.TrimLeft(s, "#"))
	switch {
	case s == "":
		return false
	case hashes >= 1 && hashes <= 6 && spaceOrEnd(s[hashes:]):
		return true
	case strings.IndexByte("-+*", s[0]) >= 0 && spaceOrEnd(s[1:]):
		return true
	case strings.IndexByte("-*_", s[0]) >= 0 && len(strings.ReplaceAll(s, " ", "")) >= 3 &&
		strings.Trim(s, " "+s[:1]) == "":
		return true
	}
	return s[0] == '>' || s[0] == '<' || opensFence(s) || strings.HasPrefix(s, "~~~") || strings.HasPrefix(s, "    ")
}

// opensFence is a line that opens a backtick code block: three or more
// backticks and no backtick after them (otherwise it is a code span).
func opensFence(s string) bool {
	rest := strings.TrimLeft(s, "`")
	return len(s)-len(rest) >= 3 && !strings.Contains(rest, "`")
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func TestMarkdownStructure(t *testing.T) {
	r := sampleReport()
	md := renderMarkdown(t, r)
	assertMarkdownSafe(t, r, md)
	for _, want := range []string{
		"## golive: db1 — NOT READY (fail)\n\nRocky Linux 9.3 (Blue Onyx) · kernel `5.14.0-362.8.1.el9_3.x86_64` · profile `rocky-9` (linux → rocky-9 → golive.yaml) · golive `v0.1.0` · started 2026-11-21T10:00:00Z, took 41.7 ms\n\n",
		"**8 checks:** 2 fail, 1 error, 1 warn, 1 waived, 2 pass, 1 skip\n",
		"| Status | Severity | Check | Observed | Expected |\n| --- | --- | --- | --- | --- |\n" +
			"| **FAIL** | high | `sysctl/net.core.somaxconn` | `4096` | `>= 65535` |\n" +
			"| **FAIL** | high | `selinux/label:/opt/myapp/bin` | `default_t⏎+14 files�[31m` | `bin_t` |\n" +
			"| **ERROR** | critical | `dns/resolve:db1.internal.example.com` | — | `resolves` |\n" +
			"| **WARN** | medium | `rlimit/unit:myapp.service/nofile` | `524288` | `>= 1048576` |\n\n",
		"**Waived:**\n\n| Check | Reason | Ticket | Expires |\n| --- | --- | --- | --- |\n| `sysctl/net.ipv4.tcp_rmem` | waived until 2027-01-31 (OPS-1234): tuned manages buffers on this fleet | — | — |\n",
		"### FAIL `sysctl/net.core.somaxconn` — listen backlog limit\n\n- **Severity:** high\n- **Expected:** `>= 65535`\n- **Observed:** `4096`\n- **What was found:** the listen backlog caps bursts of new connections; the kernel drops SYNs beyond it\n" +
			"- **Why it matters:** a Go service's net.Listen backlog is capped at somaxconn: under a burst of connections the kernel drops SYNs and clients retry after a second\n\n",
		"**Fix:** set net.core.somaxconn to 65535 now and at boot\n\n1. set kernel parameter `net.core.somaxconn` to `65535` now and at boot (persisted in `/etc/sysctl.d/90-golive.conf`)\n\n```sh\nsysctl -w net.core.somaxconn=65535\n```\n",
		"<details><summary>Details</summary>\n\n```json\n{\n  \"files\": [\n",
		"**Fix:** relabel /opt/myapp/bin (takes effect after a reboot)\n",
		"2. apply the label\n\n```sh\nrestorecon -Rv /opt/myapp/bin\n```\n",
		"1. write `/etc/systemd/system/myapp.service.d/90-golive.conf` with this content\n\n```\n[Service]\nLimitNOFILE=1048576\n```\n",
		"### ERROR `dns/resolve:db1.internal.example.com` — resolve db1.internal.example.com\n",
		"- **What went wrong:** timed out after 5s (--check-timeout)\n",
		"<details><summary>2 passed</summary>\n\n- `sysctl/vm.swappiness` — `1`\n- `os/eol` — `2032-05-31`\n\n</details>\n",
		"<details><summary>1 skipped</summary>\n\n- `cgroup/version` — needs a running system; --root checks an image\n\n</details>\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks:\n%s\n--- in:\n%s", want, md)
		}
	}
	// Findings are in the order of the table: failures and errors first.
	if i, j := strings.Index(md, "### ERROR"), strings.Index(md, "### WARN"); i < 0 || j < i {
		t.Error("the warning's section comes before the error's")
	}
	if !strings.HasSuffix(md, "</details>\n") {
		t.Errorf("want one trailing newline after the last fold, got %q", md[len(md)-20:])
	}
}

func TestMarkdownWaiverAndAbort(t *testing.T) {
	md := renderMarkdown(t, newReport([]engine.Result{waivedResult()}))
	if !strings.Contains(md, "| `sysctl/vm.swappiness` | tuned manages swappiness on this fleet | OPS-1234 | 2027-01-31 |\n") {
		t.Errorf("waiver row missing:\n%s", md)
	}
	if !strings.Contains(md, "— READY (pass)") {
		t.Errorf("a waived-only run is ready:\n%s", md)
	}
	ab := abortedReport()
	md = renderMarkdown(t, ab)
	assertMarkdownSafe(t, ab, md)
	for _, want := range []string{
		"— ABORTED (partial report)\n",
		"root `/mnt/image`",
		"> **Aborted:** run deadline reached (--timeout). This is a partial report.\n",
		"> **Note:** no built-in profile matches rocky 9.3; using generic\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("aborted report lacks %q:\n%s", want, md)
		}
	}
}

// TestMarkdownHostileValues: values that are Markdown or HTML stay text.
func TestMarkdownHostileValues(t *testing.T) {
	r := newReport([]engine.Result{{
		ID: "x/a|b", Category: "x", Title: "# title <b>", Status: engine.Fail, Severity: "high",
		Expected: "`tick` | pipe", Observed: "line1\n# heading\n<script>alert(1)</script>\n| cell |",
		Message: "- item\n1. item\n> quote &amp; @team",
	}})
	md := renderMarkdown(t, r)
	assertMarkdownSafe(t, r, md)
	for _, want := range []string{
		"| **FAIL** | high | `x/a\\|b` | `line1⏎# heading⏎<script>alert(1)</script>⏎\\| cell \\|` | `` `tick` \\| pipe `` |\n",
		"### FAIL `x/a|b` — \\# title \\<b\\>\n",
		"- **What was found:** \\- item⏎1. item⏎\\> quote \\&amp; @team\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks:\n%s\n--- in:\n%s", want, md)
		}
	}
}

// TestMarkdownOracleCatchesBreakage keeps assertMarkdownSafe honest: each
// document here is broken in one way and must be reported.
func TestMarkdownOracleCatchesBreakage(t *testing.T) {
	r := newReport([]engine.Result{{ID: "x/y", Category: "x", Status: engine.Fail}})
	good := renderMarkdown(t, r)
	for name, bad := range map[string]string{
		"extra cell":     strings.Replace(good, "`x/y`", "x|y", 1),
		"raw html":       strings.Replace(good, "`x/y` |", "<img src=x> |", 1),
		"injected title": strings.Replace(good, "- **Severity:**", "# Severity", 1),
		"open fence":     good + "```\n",
		"nested heading": strings.Replace(good, "- **Severity:**", "- # Severity", 1),
	} {
		if bad == good {
			t.Fatalf("%s: the mutation changed nothing", name)
		}
		rec := &recorder{}
		assertMarkdownSafe(rec, r, bad)
		if !rec.failed {
			t.Errorf("the oracle accepts a document with %s:\n%s", name, bad)
		}
	}
}

// recorder is a testing.TB that notes failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func BenchmarkMarkdown(b *testing.B) {
	r := bigReport(60)
	b.ReportAllocs()
	for b.Loop() {
		if err := report.Markdown(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
