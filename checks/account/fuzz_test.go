package account

import (
	"strings"
	"testing"
)

// FuzzSections: any user and group sections are accepted or refused with
// a file:line error, never a panic; accepted ones build explainable,
// distinct IDs.
func FuzzSections(f *testing.F) {
	f.Add("user:\n  app: {uid: 1001, gid: app, home: /opt/app, shell: /sbin/nologin, groups: [app, wheel]}\n  telnet: {exists: false}\n")
	f.Add("group:\n  app: {gid: 1001, members: [deploy]}\n  docker: {members: []}\n")
	f.Add("user:\n  \"a b\": {}\n")
	f.Add("user: [a]\ngroup: 5\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		if len(yaml) > 4000 {
			return
		}
		checks, err := buildBoth(t, yaml)
		if err != nil {
			if strings.HasPrefix(yaml, "user:") && !strings.Contains(err.Error(), "p.yaml") {
				t.Fatalf("error without the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range checks {
			if seen[c.ID()] {
				t.Fatalf("ID %s twice", c.ID())
			}
			seen[c.ID()] = true
			_, okU := explainUser(c.ID())
			_, okG := explainGroup(c.ID())
			if !okU && !okG {
				t.Fatalf("%s does not explain", c.ID())
			}
		}
	})
}
