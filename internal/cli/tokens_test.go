package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileProfileTokensExit2: a user name that would make remediate
// write a limits.d line for every user is refused before anything runs,
// by check and by remediate, with file and line.
func TestHostileProfileTokensExit2(t *testing.T) {
	work := t.TempDir()
	for name, yaml := range map[string]string{
		"every-user.yaml": "extends: auto\nservice:\n  user: \"* hard nofile 1 #\"\nrlimits:\n  login: {nofile: \">= 1048576\"}\n",
		"newline.yaml":    "extends: auto\nservice:\n  user: \"app\\n* hard nofile 1\"\nrlimits:\n  login: {nofile: \">= 1048576\"}\n",
	} {
		write(t, work, name, yaml)
		for _, cmd := range []string{"check", "remediate"} {
			r := runWithInput(t, nil, cmd, "--root", fixtureRoot("rocky-9"), "--offline", "--config", filepath.Join(work, name))
			if r.code != 2 || !strings.Contains(r.stderr, name+":3:") || r.stdout != "" {
				t.Errorf("%s %s: exit %d stderr %q stdout %d bytes, want exit 2 at %s:3 and no output", cmd, name, r.code, r.stderr, len(r.stdout), name)
			}
		}
	}
}
