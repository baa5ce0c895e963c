package fleet

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/golive-sh/golive/docs"
)

func parseProm(t testing.TB, text string) map[string]map[string]float64 {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not a valid textfile: %v\n%s", err, text)
	}
	out := map[string]map[string]float64{}
	for name, fam := range fams {
		out[name] = map[string]float64{}
		for _, m := range fam.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[name][strings.Join(labels, ",")] = m.GetGauge().GetValue()
		}
	}
	return out
}

func TestProm(t *testing.T) {
	f := fleetOf(t, FailOnFail)
	f.Hosts = append(f.Hosts, Host{Host: "we\"ird\\host\nname", Verdict: VerdictUnchecked, State: StateUnchecked, ErrorKind: KindAuth, Error: "x"})
	f.Summary.Hosts++
	f.Summary.Unchecked++
	var buf bytes.Buffer
	if err := Prom(&buf, f); err != nil {
		t.Fatal(err)
	}
	m := parseProm(t, buf.String())
	checks := map[string]float64{
		"golive_fleet_hosts/state=ready":                                       2,
		"golive_fleet_hosts/state=not_ready":                                   1,
		"golive_fleet_hosts/state=unchecked":                                   1,
		"golive_fleet_check_hosts/id=sysctl/x,status=fail":                     1,
		"golive_fleet_check_hosts/id=sysctl/x,status=pass":                     1,
		"golive_fleet_check_hosts/id=dns/y,status=error":                       1,
		"golive_fleet_host_verdict/host=b,verdict=fail":                        1,
		"golive_fleet_host_verdict/host=b,verdict=pass":                        0,
		"golive_fleet_host_verdict/host=we\"ird\\host\nname,verdict=unchecked": 1,
	}
	for key, want := range checks {
		name, labels, _ := strings.Cut(key, "/")
		got, ok := m[name][labels]
		if !ok || got != want {
			t.Errorf("%s{%s} = %v (present %v), want %v", name, labels, got, ok, want)
		}
	}
	// One-hot: each host has exactly one verdict at 1.
	perHost := map[string]float64{}
	for labels, v := range m["golive_fleet_host_verdict"] {
		host, _, _ := strings.Cut(labels, ",verdict=")
		perHost[host] += v
	}
	for h, sum := range perHost {
		if sum != 1 {
			t.Errorf("host %q has %v verdicts set", h, sum)
		}
	}
}

func TestMarkdownKeepsTheTableShape(t *testing.T) {
	f := fleetOf(t, FailOnFail)
	f.Hosts[0].Host = "a|b<script>`x`"
	f.Hosts[0].Distro = "line\nbreak"
	var buf bytes.Buffer
	if err := Markdown(&buf, f); err != nil {
		t.Fatal(err)
	}
	// The host table runs from its header to the first blank line.
	text := buf.String()
	text = text[strings.Index(text, "| host |"):]
	text = text[:strings.Index(text, "\n\n")]
	for _, line := range strings.Split(text, "\n") {
		cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
		if cells != 9 {
			t.Errorf("host row has %d cells, want 9: %s", cells, line)
		}
	}
	if strings.Contains(buf.String(), "<script>") {
		t.Error("markup from a host name reached the markdown")
	}
}

func TestTable(t *testing.T) {
	f := Merge([]Entry{
		entry(t, "a.json", hostReport(t, "a", id(1), t0, "", "a/1=fail", "a/2=fail", "a/3=error", "a/4=fail", "a/5=pass")),
		{Host: "db9:2222", Kind: KindTimeout, Err: "host timeout 5m0s reached"},
	}, MergeOptions{FailOn: FailOnFail})
	var buf bytes.Buffer
	if err := Table(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"HOST", "FIRST FAILURES", "a/1, a/2, a/3, +1 more", "FAIL (not ready)", "Rocky Linux 9.3", "rocky-9",
		"TIMEOUT", "db9:2222 (timeout): host timeout 5m0s reached",
		"CHECK", "FAILING ON",
		"2 hosts: 0 ready, 1 not ready, 1 not checked (--fail-on fail) — fleet NOT READY",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "a/5") {
		t.Error("a passing check is listed among failures")
	}
}

// The schema is what consumers' authors read: every field says what it is.
func TestFleetSchemaDocumentsEveryField(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(docs.FleetSchema, &root); err != nil {
		t.Fatal(err)
	}
	defs := root["$defs"].(map[string]any)
	documented := func(s map[string]any) bool {
		if ref, ok := s["$ref"].(string); ok {
			s, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		return s != nil && s["title"] != nil && s["description"] != nil
	}
	walk := func(where string, s map[string]any) {
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			if !documented(p.(map[string]any)) {
				t.Errorf("%s/%s has no title or description", where, name)
			}
		}
	}
	walk("#", root)
	for name, d := range defs {
		if !documented(d.(map[string]any)) {
			t.Errorf("#/$defs/%s has no title or description", name)
		}
		walk("#/$defs/"+name, d.(map[string]any))
	}
}

// Every field Fleet writes is named by the schema (it allows unknown
// properties for forward compatibility, so validation alone would not
// notice a field the schema forgot).
func TestFleetSchemaNamesEveryField(t *testing.T) {
	var schema struct {
		Properties map[string]any            `json:"properties"`
		Defs       map[string]map[string]any `json:"$defs"`
	}
	json.Unmarshal(docs.FleetSchema, &schema)
	f := fleetOf(t, FailOnFail)
	f.Notices = []string{"n"}
	f.Hosts = append(f.Hosts, Host{Host: "x", File: "x.json", Verdict: VerdictUnchecked, State: StateUnchecked, ErrorKind: KindAuth, Error: "e"})
	var doc map[string]any
	json.Unmarshal(validateJSON(t, f), &doc)
	check := func(where string, obj map[string]any, props map[string]any) {
		for k := range obj {
			if _, ok := props[k]; !ok {
				t.Errorf("%s.%s is written but not in docs/fleet.schema.json", where, k)
			}
		}
	}
	check("fleet", doc, schema.Properties)
	for _, h := range doc["hosts"].([]any) {
		check("hosts[]", h.(map[string]any), schema.Defs["host"]["properties"].(map[string]any))
	}
	for _, c := range doc["checks"].([]any) {
		check("checks[]", c.(map[string]any), schema.Defs["check"]["properties"].(map[string]any))
	}
}

// Host names, errors and check IDs come from other machines' reports: the
// fleet Markdown escapes them as the check report does (textfmt), so no
// value ends a cell, starts a heading or list, or reaches the page as HTML,
// an entity, a link or a code span.
func TestMarkdownHostileValues(t *testing.T) {
	f := fleetOf(t, FailOnFail)
	f.Hosts[0].Host = "# a|b<i>&amp;`x`[l](u) ~~s~~ $m$ \\|"
	f.Hosts[0].Failing = []string{"x/a|b`c`"}
	f.Hosts = append(f.Hosts, Host{Host: "1. host\n- item", State: StateUnchecked, Verdict: VerdictUnchecked, ErrorKind: KindAuth, Error: "<script>alert(1)</script> | &lt;"})
	var buf bytes.Buffer
	if err := Markdown(&buf, f); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"| \\# a\\|b\\<i\\>\\&amp;\\`x\\`\\[l\\](u) \\~\\~s\\~\\~ \\$m\\$ \\\\\\| |",
		"| `` x/a\\|b`c` `` |",
		"| 1\\. host - item | | | **not checked: auth** | | | | | \\<script\\>alert(1)\\</script\\> \\| \\&lt; |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks:\n%s\n--- in:\n%s", want, md)
		}
	}
	table := md[strings.Index(md, "| host |"):]
	table = table[:strings.Index(table, "\n\n")]
	for _, line := range strings.Split(table, "\n") {
		if cells := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1; cells != 9 {
			t.Errorf("host row has %d cells, want 9: %s", cells, line)
		}
	}
	for _, bad := range []string{"<i>", "<script>", " &amp;", "[l](u)", "\n# ", "\n1. "} {
		if strings.Contains(md, bad) {
			t.Errorf("%q reached the markdown unescaped:\n%s", bad, md)
		}
	}
}
