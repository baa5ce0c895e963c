package cli_test

import (
	"io/fs"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/profiles"
)

// TestProfilesListsAndShowsEveryBuiltin: `golive profiles` has a row for
// every built-in profile, with its description and what it extends, and
// `golive profiles show NAME` prints each one with the source comments of
// its own file (every comment on a value line, and every line of a comment
// block above a key, outside name, description, extends and match:, which
// show does not print as written).
func TestProfilesListsAndShowsEveryBuiltin(t *testing.T) {
	names := profile.Builtins()
	if len(names) < 4 {
		t.Fatalf("only %d built-in profiles: %v", len(names), names)
	}
	code, list, errb := runInProcess(t, "profiles")
	if code != 0 {
		t.Fatalf("profiles: exit %d %s", code, errb)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = line
		}
	}
	comments := 0
	for _, name := range names {
		p, err := profile.Resolve(profile.Request{Profile: name})
		if err != nil {
			t.Fatal(err)
		}
		row, ok := rows[name]
		if !ok {
			t.Errorf("profiles has no row for %s:\n%s", name, list)
		} else if !strings.Contains(row, p.Description) {
			t.Errorf("profiles row of %s %q lacks its description %q", name, row, p.Description)
		}

		code, show, errb := runInProcess(t, "profiles", "show", name)
		if code != 0 || !strings.HasPrefix(show, "# golive profile "+name) || !strings.Contains(show, "\nname: "+name+"\n") {
			t.Errorf("profiles show %s: exit %d %s\n%s", name, code, errb, show)
			continue
		}
		own := sourceComments(t, name)
		if len(own) == 0 {
			t.Errorf("%s.yaml has no source comment to show", name)
		}
		for _, c := range own {
			comments++
			if !strings.Contains(show, c) {
				t.Errorf("profiles show %s does not print the source comment %q", name, c)
			}
		}
	}
	t.Logf("%d built-in profiles listed and shown, %d source comments found in show", len(names), comments)
}

// sourceComments returns the comments of a built-in profile's own file, as
// yaml.v3 reads them: on a value's line ("# source") and each line of the
// comment block above a key.
func sourceComments(t *testing.T, name string) []string {
	t.Helper()
	data, err := fs.ReadFile(profiles.FS, name+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.LineComment != "" {
			out = append(out, n.LineComment)
		}
		for _, line := range strings.Split(n.HeadComment, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out = append(out, line)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "name", "description", "extends", "match":
			continue
		}
		walk(top.Content[i])
		walk(top.Content[i+1])
	}
	return out
}
