package fleet

import (
	"bytes"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/report/reporttest"
)

var testStale = Stale{RunStartedAt: "2026-11-22T08:00:00Z", ErrorKind: KindUnreachable, Error: "connect 10.0.0.5:22: connection refused"}

// members decodes a JSON object's top level.
func members(t testing.TB, doc []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return m
}

// Marking a report stale adds fleet_stale and changes nothing else; doing
// it again (the host failed again) replaces the marking, never doubles it;
// the result is still a golive/report/v1 report, and one fleet report
// decodes with the marking.
func TestWithFleetStale(t *testing.T) {
	orig := WithFleetTarget(hostReport(t, "db1", id(1), t0, "", "sysctl/x=fail"), "db1:2222")
	once, err := WithFleetStale(orig, testStale)
	if err != nil {
		t.Fatal(err)
	}
	again := testStale
	again.RunStartedAt, again.ErrorKind, again.Error = "2026-11-23T08:00:00Z", KindTimeout, "host timeout 5m0s reached"
	twice, err := WithFleetStale(once, again)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string][]byte{"once": once, "twice": twice} {
		if err := reporttest.Validate(doc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if n := bytes.Count(doc, []byte(`"fleet_stale"`)); n != 1 {
			t.Errorf("%s: fleet_stale %d times", name, n)
		}
		got, want := members(t, doc), members(t, orig)
		delete(got, "fleet_stale")
		if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
			t.Errorf("%s: members other than fleet_stale changed", name)
		}
	}
	rep, err := DecodeReport(twice)
	if err != nil {
		t.Fatal(err)
	}
	if rep.FleetStale == nil || *rep.FleetStale != again || rep.FleetTarget != "db1:2222" {
		t.Errorf("decoded %+v target %q, want the second marking", rep.FleetStale, rep.FleetTarget)
	}
}

// withoutMember, on generated objects: members named key anywhere in the
// object (first, last, several, the only one) go, the others stay byte for
// byte, and the result is valid JSON.
func TestWithoutMemberGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 100))
	values := []string{`1`, `"x"`, `{"fleet_stale":1}`, `[1,{"a":"}"}]`, `null`, `"a,b}"`}
	keys := []string{"fleet_stale", "schema", "a", "fleet_stalex", "b"}
	space := []string{"", " ", "\n  ", "\t"}
	for n := range 2000 {
		var b strings.Builder
		want := map[string]string{}
		b.WriteString("{")
		count := rng.IntN(6)
		for i := range count {
			if i > 0 {
				b.WriteString(space[rng.IntN(len(space))] + ",")
			}
			k := keys[rng.IntN(len(keys))]
			if k != "fleet_stale" {
				k += strings.Repeat("_", i) // unique, as a report's are
			}
			v := values[rng.IntN(len(values))]
			b.WriteString(space[rng.IntN(len(space))] + `"` + k + `"` + space[rng.IntN(len(space))] + ":" + space[rng.IntN(len(space))] + v)
			if k != "fleet_stale" {
				want[k] = v
			}
		}
		b.WriteString(space[rng.IntN(len(space))] + "}")
		doc := []byte(b.String())
		out, err := withoutMember(doc, "fleet_stale")
		if err != nil {
			t.Fatalf("case %d %s: %v", n, doc, err)
		}
		if !json.Valid(out) {
			t.Fatalf("case %d: %s became invalid JSON %s", n, doc, out)
		}
		got := members(t, out)
		if len(got) != len(want) {
			t.Fatalf("case %d: %s became %s", n, doc, out)
		}
		for k, v := range want {
			if string(got[k]) != v {
				t.Fatalf("case %d: %s: member %s became %s in %s", n, doc, k, got[k], out)
			}
		}
	}
}

// A stale report is an unchecked host: never ready, its checks not
// counted, the reason naming both runs, what it last knew kept; a marking
// that says something unknown makes the file an invalid report.
func TestMergeStaleReport(t *testing.T) {
	stale, err := WithFleetStale(WithFleetTarget(hostReport(t, "db1", id(1), t0, "", "sysctl/x=pass"), "db1"), testStale)
	if err != nil {
		t.Fatal(err)
	}
	fresh := hostReport(t, "db2", id(2), t0, "", "sysctl/x=fail")
	e := entry(t, "db1.json", stale)
	e.Host = "db1"
	f := Merge([]Entry{e, entry(t, "db2.json", fresh)}, MergeOptions{FailOn: FailOnFail})
	h := f.Hosts[0]
	if h.State != StateUnchecked || !h.Stale || h.ErrorKind != KindUnreachable || h.Verdict != VerdictUnchecked || h.Summary != nil {
		t.Errorf("stale host %+v: want unchecked, stale, unreachable, no counts", h)
	}
	for _, want := range []string{"connection refused", testStale.RunStartedAt, t0, "stale"} {
		if !strings.Contains(h.Error, want) {
			t.Errorf("reason %q does not say %q", h.Error, want)
		}
	}
	if h.Hostname != "db1" || h.StartedAt != t0 {
		t.Errorf("stale host %+v: keep what the report says of it", h)
	}
	if f.Summary.Unchecked != 1 || f.Ready() {
		t.Errorf("summary %+v: a stale host is not checked", f.Summary)
	}
	if len(f.Checks) != 1 || f.Checks[0].HostsPassing != 0 || f.Checks[0].HostsFailing != 1 {
		t.Errorf("checks %+v: the stale report's checks must not be counted", f.Checks)
	}
	validateJSON(t, f)
	var table bytes.Buffer
	Table(&table, f)
	if !strings.Contains(table.String(), "db1 (unreachable): connect 10.0.0.5:22: connection refused") {
		t.Errorf("table:\n%s", table.String())
	}

	for _, bad := range []Stale{
		{RunStartedAt: testStale.RunStartedAt, ErrorKind: "ok", Error: "x"},
		{RunStartedAt: testStale.RunStartedAt, ErrorKind: KindInvalidReport, Error: "x"},
		{RunStartedAt: "yesterday", ErrorKind: KindAuth, Error: "x"},
	} {
		doc, _ := WithFleetStale(fresh, bad)
		if _, err := DecodeReport(doc); err == nil || !strings.Contains(err.Error(), "fleet_stale") {
			t.Errorf("%+v: %v, want the report refused", bad, err)
		}
	}
}

// FuzzWithFleetStale: whatever a report file holds, marking it never
// panics, and what it returns is valid JSON with exactly one fleet_stale.
func FuzzWithFleetStale(f *testing.F) {
	f.Add(WithFleetTarget(hostReport(f, "a", id(1), t0, "", "x/y=pass"), "a"))
	f.Add([]byte(`{"fleet_stale":1,"fleet_stale":{},"a":[1,2]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"a":"}","fleet_stale" : null }`))
	f.Add([]byte(`[1]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := WithFleetStale(data, testStale)
		if err != nil || !json.Valid(data) {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("%q became invalid JSON %q", data, out)
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(out, &m) != nil {
			t.Fatalf("%q: not an object %q", data, out)
		}
		var st Stale
		if err := json.Unmarshal(m["fleet_stale"], &st); err != nil || st != testStale {
			t.Fatalf("%q: fleet_stale %s", data, m["fleet_stale"])
		}
	})
}
