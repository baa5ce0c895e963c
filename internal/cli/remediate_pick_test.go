package cli_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var fixLine = regexp.MustCompile(`(?m)^golive_fix '([^']+)'`)

// fixedIDs are the checks a bash remediation script fixes.
func fixedIDs(script string) []string {
	var ids []string
	for _, m := range fixLine.FindAllStringSubmatch(script, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// remediate --level fail writes only the failures' fixes; --only and
// --skip pick fixes, of a run or of a finished report alike.
func TestRemediatePicksFixes(t *testing.T) {
	root := fixtureRoot("centos-7")
	check := runWithInput(t, nil, "check", "--root", root, "--offline", "--format", "json")
	if check.code != 1 {
		t.Fatalf("check: exit %d %s", check.code, check.stderr)
	}
	all := runWithInput(t, nil, "remediate", "--root", root, "--offline", "-q")
	ids := fixedIDs(all.stdout)
	if !slices.Contains(ids, "os/eol") || !slices.Contains(ids, "sysctl/net.core.rmem_max") {
		t.Fatalf("default: fixes %v, want fails and warns", ids)
	}
	failOnly := fixedIDs(runWithInput(t, nil, "remediate", "--root", root, "--offline", "-q", "--level", "fail").stdout)
	fromFail := fixedIDs(runWithInput(t, strings.NewReader(check.stdout), "remediate", "--from", "-", "-q", "--level", "fail").stdout)
	statuses := statusesOf(t, check.stdout)
	var wantFail []string
	for _, id := range ids {
		if statuses[id] == "fail" {
			wantFail = append(wantFail, id)
		}
	}
	if len(wantFail) == 0 || len(wantFail) == len(ids) {
		t.Fatalf("centos-7 should have both failed and warned fixes: %v", ids)
	}
	if !slices.Equal(failOnly, wantFail) || !slices.Equal(fromFail, wantFail) {
		t.Errorf("--level fail: run %v, --from %v; want %v", failOnly, fromFail, wantFail)
	}
	picked := fixedIDs(runWithInput(t, strings.NewReader(check.stdout), "remediate", "--from", "-", "-q",
		"--only", "sysctl", "--skip", "sysctl/net.core.rmem_max,sysctl/fs.*").stdout)
	want := []string{"sysctl/net.core.netdev_max_backlog", "sysctl/net.core.wmem_max", "sysctl/net.ipv4.tcp_rmem", "sysctl/net.ipv4.tcp_wmem"}
	if !slices.Equal(picked, want) {
		t.Errorf("--from --only sysctl --skip ...: %v, want %v", picked, want)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--level", "warning"}, `--level "warning": use warn or fail`},
		{[]string{"--only", "nosuch"}, `--only "nosuch" matches no check of the report`},
		{[]string{"--hosts", "db1"}, "--hosts is the Ansible play's hosts: pattern"},
		{[]string{"--format", "ansible", "--hosts", "{{ x }}"}, "--hosts: hosts pattern"},
	} {
		r := runWithInput(t, strings.NewReader(check.stdout), append([]string{"remediate", "--from", "-", "-q"}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q, want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// The playbook from one host's report targets that host, not hosts: all;
// --hosts names others; a report whose hostname cannot be a pattern needs
// --hosts.
func TestRemediatePlaybookTargetsTheCheckedHost(t *testing.T) {
	check := runWithInput(t, nil, "check", "--root", fixtureRoot("centos-7"), "--offline", "--format", "json")
	pb := runWithInput(t, strings.NewReader(check.stdout), "remediate", "--from", "-", "-q", "--format", "ansible")
	if pb.code != 0 || !strings.Contains(pb.stdout, "\n  hosts: \"c7-app01\"\n") || strings.Contains(pb.stdout, "hosts: all") {
		t.Errorf("playbook: exit %d %s\n%.600s", pb.code, pb.stderr, pb.stdout)
	}
	pb = runWithInput(t, strings.NewReader(check.stdout), "remediate", "--from", "-", "-q", "--format", "ansible", "--hosts", "db*:&prod")
	if pb.code != 0 || !strings.Contains(pb.stdout, "\n  hosts: \"db*:&prod\"\n") {
		t.Errorf("--hosts: exit %d %s", pb.code, pb.stderr)
	}
	odd := strings.Replace(check.stdout, `"hostname": "c7-app01"`, `"hostname": "{{ lookup('pipe','id') }}"`, 1)
	if odd == check.stdout {
		t.Fatal("the report has no hostname to replace")
	}
	pb = runWithInput(t, strings.NewReader(odd), "remediate", "--from", "-", "-q", "--format", "ansible")
	if pb.code != 2 || !strings.Contains(pb.stderr, "--hosts") || strings.Contains(pb.stdout, "lookup") {
		t.Errorf("a hostname Ansible would template: exit %d %q", pb.code, pb.stderr)
	}
	if pb = runWithInput(t, strings.NewReader(odd), "remediate", "--from", "-", "-q", "--format", "ansible", "--hosts", "db1"); pb.code != 0 {
		t.Errorf("--hosts with an odd hostname: exit %d %s", pb.code, pb.stderr)
	}
}

// statusesOf maps a JSON report's check IDs to their statuses.
func statusesOf(t *testing.T, data string) map[string]string {
	t.Helper()
	var doc struct {
		Checks []struct{ ID, Status string }
	}
	if err := json.Unmarshal([]byte(data), &doc); err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, c := range doc.Checks {
		m[c.ID] = c.Status
	}
	return m
}
