package remediate

import (
	"bytes"
	"strings"
	"testing"
)

// The play targets the hosts it is given, never every host by default,
// and a hosts pattern that Ansible would template is refused.
func TestPlaybookTargetsItsHosts(t *testing.T) {
	in := testInput()
	in.Hosts = "db1.example.com"
	if pb := renderAnsible(t, in); !strings.Contains(pb, "\n  hosts: \"db1.example.com\"\n") || strings.Contains(pb, "hosts: all") {
		t.Errorf("play hosts:\n%s", pb)
	}
	for _, bad := range []string{"", "{{ lookup('pipe','id') }}", "db1 db2", "db1\n", "a%b", "x#y"} {
		in.Hosts = bad
		if err := Ansible(&bytes.Buffer{}, in); err == nil {
			t.Errorf("hosts %q accepted", bad)
		}
	}
	for _, good := range []string{"db1", "web*:&prod", "all", "10.0.0.1", "db[1:3]"} {
		if err := CheckHostPattern(good); err != nil {
			t.Errorf("hosts %q refused: %v", good, err)
		}
	}
}
