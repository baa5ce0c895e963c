package report_test

import "testing"

func FuzzMarkdown(f *testing.F) {
	for i, s := range hostileSeeds {
		f.Add(s, hostileSeeds[(i+11)%len(hostileSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := hostileReport(a, b)
		assertMarkdownSafe(t, r, renderMarkdown(t, r))
	})
}
