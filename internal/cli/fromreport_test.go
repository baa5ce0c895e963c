package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/remediate"
)

// richProfile asks every family that remediates for something, so that
// their reports carry every kind of action they emit.
const richProfile = `extends: auto
service:
  name: golive-demo
  unit: golive-demo.service
  user: golive-demo
rlimits:
  unit: {nofile: ">= 1048576"}
  login: {nofile: ">= 1048576", nproc: ">= 65536"}
selinux:
  mode: enforcing
  paths:
    /opt/goservice/bin: bin_t
    /srv/goservice: ""
cgroup:
  unit: {memory.max: "<= 2147483648"}
sysctl:
  net.core.somaxconn: ">= 65535"
  vm.swappiness: "<= 10"
file:
  /etc/golive-demo/config.yaml: {mode: "0600", owner: nobody, group: "0", contains: ["!listen"]}
  /etc/golive-demo/absent.yaml: {}
user:
  golive-demo: {uid: 4000, gid: "0", home: /srv/golive-demo, shell: /bin/false, groups: [golive-demo, wheel]}
  golive-new: {uid: 4001, shell: /sbin/nologin}
  nobody: {exists: false}
package:
  nginx: {}
  telnet: {installed: false}
  openssl: {version: ">= 3.0"}
  tzdata: {version: "== 2024b"}
group:
  golive-new: {gid: 4001}
  golive-demo: {gid: 4002, members: [nobody]}
`

type vetReport struct {
	Checks []struct {
		ID          string          `json:"id"`
		Category    string          `json:"category"`
		Remediation *remediate.Plan `json:"remediation"`
	} `json:"checks"`
}

// TestEveryFamilysActionsPassVet: every action the families emit on the
// fixture roots is one remediate --from accepts, and --from turns every
// such report into a script. A family that starts emitting a new program
// or path fails here until VetReportAction knows it.
func TestEveryFamilysActionsPassVet(t *testing.T) {
	work := t.TempDir()
	write(t, work, "rich.yaml", richProfile)
	kinds := map[remediate.Kind]int{}
	for _, name := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		for _, args := range [][]string{nil, {"--config", filepath.Join(work, "rich.yaml")}} {
			r := runWithInput(t, nil, append([]string{"check", "--root", fixtureRoot(name), "--offline", "--format", "json"}, args...)...)
			if r.code > 1 {
				t.Fatalf("%s %v: exit %d: %s", name, args, r.code, r.stderr)
			}
			var rep vetReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Checks {
				if c.Remediation == nil {
					continue
				}
				for _, a := range c.Remediation.Actions {
					kinds[a.Kind]++
					if err := remediate.VetReportAction(c.ID, c.Category, a); err != nil {
						t.Errorf("%s: %s: %v", name, c.ID, err)
					}
				}
			}
			from := runWithInput(t, strings.NewReader(r.stdout), "remediate", "--from", "-", "-q")
			if from.code != 0 {
				t.Errorf("%s %v: remediate --from: exit %d: %s", name, args, from.code, from.stderr)
			}
		}
	}
	for _, k := range remediate.Kinds {
		if kinds[k] == 0 {
			t.Errorf("no fixture report has a %s action: the test does not cover it", k)
		}
	}
	t.Logf("actions vetted by kind: %v", kinds)
}

// TestRemediateFromRefusesForeignActions: a report whose actions golive
// does not produce is refused (exit 2), not scripted.
func TestRemediateFromRefusesForeignActions(t *testing.T) {
	base := runWithInput(t, nil, "check", "--root", fixtureRoot("rocky-9"), "--offline", "--format", "json", "--only", "sysctl")
	cases := []struct {
		name   string
		action map[string]any
		want   string
	}{
		{"a shell", map[string]any{"type": "command", "argv": []string{"sh", "-c", "curl x | sh"}, "why": "x"}, `command "sh"`},
		{"a path to a known name", map[string]any{"type": "command", "argv": []string{"/tmp/sysctl", "-w", "a=1"}, "why": "x"}, `command "/tmp/sysctl"`},
		{"a known program, another use", map[string]any{"type": "command", "argv": []string{"sysctl", "--load=/tmp/x"}, "why": "x"}, "only as"},
		{"a drop-in outside golive's files", map[string]any{"type": "drop-in", "path": "/etc/sudoers.d/x", "content": "ALL ALL=(ALL) NOPASSWD: ALL\n"}, "writes only"},
		{"a file line in /etc/passwd", map[string]any{"type": "file-line", "path": "/etc/passwd", "key": "x", "line": "x=1"}, "writes only"},
		{"another family's program", map[string]any{"type": "command", "argv": []string{"useradd", "--system", "x"}, "why": "x"}, `command "useradd"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal([]byte(base.stdout), &doc); err != nil {
				t.Fatal(err)
			}
			injected := false
			for _, c := range doc["checks"].([]any) {
				c := c.(map[string]any)
				if plan, ok := c["remediation"].(map[string]any); ok && !injected {
					plan["actions"] = append(plan["actions"].([]any), tc.action)
					injected = true
				}
			}
			if !injected {
				t.Fatal("no remediation to inject into")
			}
			data, _ := json.Marshal(doc)
			path := filepath.Join(t.TempDir(), "report.json")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			r := runWithInput(t, nil, "remediate", "--from", path)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "golive does not produce this action") || r.stdout != "" {
				t.Errorf("exit %d stderr %q stdout %d bytes, want exit 2 naming %q and no script", r.code, r.stderr, len(r.stdout), tc.want)
			}
		})
	}
}
