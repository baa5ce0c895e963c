package selinux

import (
	"os"
	"strings"
	"testing"
)

func TestParseConfigFollowsLibselinux(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		mode       mode
		modeLine   int
		policy     string
		policyLine int
		problem    string // a word of some problem, "" for none
		policyErr  string
	}{
		{"shipped layout", "# comment\nSELINUX=enforcing\nSELINUXTYPE=targeted\n", enforcing, 2, "targeted", 3, "", ""},
		{"no file content: default policy", "", "", 0, defaultPolicy, 0, "", ""},
		{"value is case-insensitive", "SELINUX=Permissive\n", permissive, 1, defaultPolicy, 0, "", ""},
		{"value compared by prefix", "SELINUX=enforcing # set by kickstart\n", enforcing, 1, defaultPolicy, 0, "compares only the start", ""},
		{"first SELINUX= line wins", "SELINUX=permissive\nSELINUX=enforcing\n", permissive, 1, defaultPolicy, 0, "the first SELINUX= line (line 1) wins", ""},
		{"leading blank hides SELINUX=", " SELINUX=enforcing\n", "", 0, defaultPolicy, 0, "very start of a line", ""},
		{"lower-case key is not read", "selinux=enforcing\n", "", 0, defaultPolicy, 0, "in upper case", ""},
		{"blank before = is not read", "SELINUX = enforcing\n", "", 0, defaultPolicy, 0, "no blank before =", ""},
		{"unknown value", "SELINUX=enforce\n", "", 0, defaultPolicy, 0, "is not SELINUX=enforcing, permissive or disabled", ""},
		{"CRLF", "SELINUX=disabled\r\nSELINUXTYPE=mls\r\n", disabled, 1, "mls", 2, "", ""},
		{"type: last wins, key case-insensitive, blanks trimmed", "SELINUXTYPE=mls\n  selinuxtype=targeted  \n", "", 0, "targeted", 2, "", ""},
		{"type: blanks after = are skipped", "SELINUXTYPE=   minimum\n", "", 0, "minimum", 1, "", ""},
		{"type: a path is refused", "SELINUXTYPE=../../etc\n", "", 0, "", 1, "", "not a policy name"},
		{"type: empty", "SELINUXTYPE=\n", "", 0, "", 1, "", "is empty"},
		{"type: a trailing comment is part of the value", "SELINUXTYPE=targeted # default\n", "", 0, "", 1, "", "not a policy name"},
		{"junk line", "\x7fELF\x00\xff\n", "", 0, defaultPolicy, 0, "not a setting", ""},
		{"indented comment", "   # SELINUX=disabled\nSELINUX=enforcing\n", enforcing, 2, defaultPolicy, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseConfig([]byte(tt.in))
			if c.mode != tt.mode || c.modeLine != tt.modeLine || c.policy != tt.policy || c.policyLine != tt.policyLine {
				t.Errorf("ParseConfig = mode %q line %d, policy %q line %d; want %q %d, %q %d", c.mode, c.modeLine, c.policy, c.policyLine, tt.mode, tt.modeLine, tt.policy, tt.policyLine)
			}
			var probs []string
			for _, p := range c.problems {
				probs = append(probs, p.String())
			}
			all := strings.Join(probs, "\n")
			if (tt.problem == "") != (len(probs) == 0) || !strings.Contains(all, tt.problem) {
				t.Errorf("problems %q, want one mentioning %q", probs, tt.problem)
			}
			if !strings.Contains(c.policyProblem, tt.policyErr) || (tt.policyErr == "") != (c.policyProblem == "") {
				t.Errorf("policy problem %q, want %q", c.policyProblem, tt.policyErr)
			}
		})
	}
}

// The distro files as shipped (testdata/roots): CentOS 7's has a trailing
// blank after "targeted".
func TestParseConfigShippedFiles(t *testing.T) {
	for root, wantLine := range map[string]int{"centos-7": 7, "rocky-9": 22} {
		data, err := os.ReadFile("../../testdata/roots/" + root + "/etc/selinux/config")
		if err != nil {
			t.Fatal(err)
		}
		c := parseConfig(data)
		if c.mode != enforcing || c.modeLine != wantLine || c.policy != "targeted" || len(c.problems) != 0 {
			t.Errorf("%s: %+v", root, c)
		}
	}
}
