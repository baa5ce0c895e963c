package report_test

import "testing"

func FuzzProm(f *testing.F) {
	for i, s := range hostileSeeds {
		f.Add(s, hostileSeeds[(i+5)%len(hostileSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := hostileReport(a, b)
		assertPromAgrees(t, r, parseProm(t, renderProm(t, r)))
	})
}
