package cli

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/profiles"
)

// reportGuard is what a report's fixes may run on. A built-in distro
// profile says it with its match rules (rocky-9: ID rocky or rhel,
// VERSION_ID 9*); any other profile (a file, the generic fallback) was
// judged on the checked host's own release, so the fixes are for that
// distro ID and major version.
func reportGuard(rep *report.Report) remediate.Guard {
	if g, ok := builtinGuard(rep.Profile); ok {
		return g
	}
	d := rep.Host.Distro
	id := d.ID
	if id == "" {
		id = "linux" // os-release(5)'s default
	}
	major, _, _ := strings.Cut(d.VersionID, ".")
	name := strings.TrimSpace(id + " " + major)
	g := remediate.Guard{Distro: name}
	if major == "" {
		g.Rules = []remediate.GuardRule{{ID: globLiteral(id)}}
		return g
	}
	g.Rules = []remediate.GuardRule{
		{ID: globLiteral(id), VersionID: globLiteral(major)},
		{ID: globLiteral(id), VersionID: globLiteral(major) + ".*"},
	}
	return g
}

// builtinGuard is the guard of a built-in profile the report was made
// with: its name is a built-in's and its chain names the built-in (a
// profile file is listed by path).
func builtinGuard(p report.Profile) (remediate.Guard, bool) {
	if !slices.Contains(profile.Builtins(), p.Name) || !slices.Contains(p.Chain, p.Name) {
		return remediate.Guard{}, false
	}
	data, err := fs.ReadFile(profiles.FS, p.Name+".yaml")
	if err != nil {
		return remediate.Guard{}, false
	}
	// Only the two keys the guard needs; the profile package has parsed
	// and validated the whole file when the report was made.
	var doc struct {
		Match []profile.MatchRule `yaml:"match"`
		Facts struct {
			Distro string `yaml:"distro"`
		} `yaml:"facts"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Match) == 0 {
		return remediate.Guard{}, false // the generic profile matches nothing
	}
	g := remediate.Guard{Distro: doc.Facts.Distro}
	if g.Distro == "" {
		g.Distro = fmt.Sprintf("the %s profile", p.Name)
	}
	for _, m := range doc.Match {
		g.Rules = append(g.Rules, remediate.GuardRule{ID: m.ID, IDLike: m.IDLike, VersionID: m.VersionID})
	}
	return g, true
}

// globLiteral escapes a report's value so that it matches only itself as
// a glob (path.Match and bash alike honour the backslash).
func globLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
