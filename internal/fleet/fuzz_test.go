package fleet

import (
	"bytes"
	"testing"

	"github.com/golive-sh/golive/internal/fleet/fleettest"
)

// FuzzDecodeAndMerge feeds arbitrary bytes to the decoder and whatever it
// accepts to the merge and every renderer: nothing may panic, and the
// fleet JSON must still match its schema.
func FuzzDecodeAndMerge(f *testing.F) {
	good := hostReport(f, "a", id(1), t0, "", "sysctl/x=fail", "dns/y=pass")
	f.Add(good)
	hostile := hostReport(f, "b\"|<x>\n", id(1), t0, "aborted", "a/b=error", "a/b=pass")
	f.Add(bytes.Replace(hostile, []byte(t0), []byte("not a time"), 1))
	f.Add(hostReport(f, "", "", t0, ""))
	f.Add([]byte(`{"schema":"golive/report/v1","verdict":"pass","checks":[{"id":"x","status":"waived"}]}`))
	f.Add([]byte(`{"schema":"golive/report/v1","verdict":"pass","checks":null,"host":{"hostname":"\u202e\u0000"}}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte(`{"schema":"golive/fleet/v1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := entry(t, "fuzz.json", data)
		fl := Merge([]Entry{e, entry(t, "good.json", good), e}, MergeOptions{FailOn: FailOnWarn})
		if fl.Summary.Hosts != fl.Summary.Ready+fl.Summary.NotReady+fl.Summary.Unchecked {
			t.Fatalf("summary does not add up: %+v", fl.Summary)
		}
		for name, render := range Formats {
			var buf bytes.Buffer
			if err := render(&buf, fl); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "json" {
				if err := fleettest.Validate(buf.Bytes()); err != nil {
					t.Fatalf("%v\n%s", err, buf.Bytes())
				}
			}
			if name == "prom" {
				parseProm(t, buf.String())
			}
		}
	})
}
