package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/checks/rlimit"
	"github.com/golive-sh/golive/checks/sysctl"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/remediate/remediatetest"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/unit"
)

// TestRemediationReparsesAsIntended renders every action kind with hostile
// but valid values (and a few invalid ones), applies the script to a copy
// of a fixture root, and reads the written files back with the parsers
// golive itself reads them with: exactly the intended assignments, limits
// lines and unit options are there, nothing else, and no other file
// changed.
func TestRemediationReparsesAsIntended(t *testing.T) {
	root := copyRoot(t, "rocky-9")
	base := runWithInput(t, nil, "check", "--root", root, "--offline", "--format", "json", "--only", "os")
	var rep report.Report
	if err := json.Unmarshal([]byte(base.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	writeFile := func(name, content string) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFile("etc/sysctl.d/60-app.conf", "# the app's own\n; also a comment\nvm.swappiness = 60\n-net.core.rmem_max = 1\n")

	const user = "svc.user-1_x" // every character a portable user name may have
	const unitName = `my-app\x2dblue@inst:1.service`
	hostileValue := `|/bin/x # not a comment ; 'q' "d" $HOME ` + "`id`" + ` \ %p`
	limits := "# golive: login limits for " + user + " # * hard nofile 1\n" +
		user + " soft nofile 1048576\n" + user + " hard nofile 1048576\n"
	unitDropIn := "# golive: restart\n[Service]\nRestart=on-failure\nEnvironment=\"A=b c\" 'X=$HOME # not a comment'\nExecStartPre=-/bin/true ; x\n"
	dropInPath := "/etc/systemd/system/" + unitName + ".d/90-golive-restart.conf"
	fixes := []struct {
		id      string
		actions []remediate.Action
	}{
		{"sysctl/kernel.core_pattern", []remediate.Action{remediate.SetSysctl("kernel.core_pattern", hostileValue)}},
		{"sysctl/net.ipv4.tcp_rmem", []remediate.Action{remediate.SetSysctl("net.ipv4.tcp_rmem", "4096\t87380  6291456")}},
		{"sysctl/net.ipv4.conf.eth0/100.rp_filter", []remediate.Action{remediate.SetSysctl("net/ipv4/conf/eth0.100/rp_filter", "1")}},
		{"sysctl/bad.newline", []remediate.Action{remediate.SetSysctl("kernel.panic", "1\nkernel.sysrq = 1")}},
		{"sysctl/vm.swappiness", []remediate.Action{{Kind: remediate.FileLine, Path: "/etc/sysctl.d/60-app.conf", Key: "vm.swappiness", Line: "vm.swappiness = 10"}}},
		{"rlimit/login:" + user + "/nofile", []remediate.Action{{Kind: remediate.DropIn, Path: "/etc/security/limits.d/90-golive.conf", Content: limits}}},
		{"systemd/restart:" + unitName, []remediate.Action{
			{Kind: remediate.DropIn, Path: dropInPath, Content: unitDropIn},
			remediate.Run("make systemd load the new drop-in", "systemctl", "daemon-reload")}},
	}
	rep.Checks = nil
	for _, f := range fixes {
		cat, _, _ := strings.Cut(f.id, "/")
		rep.Checks = append(rep.Checks, report.Check{ID: f.id, Category: cat, Status: "fail", Severity: "medium",
			Details: map[string]any{}, Remediation: &remediate.Plan{Summary: "fix " + f.id, Actions: f.actions}})
	}
	rep.Summary = report.Count(rep.Checks)
	data, _ := json.Marshal(&rep)
	work := t.TempDir()
	reportPath, script := filepath.Join(work, "report.json"), filepath.Join(work, "fix.sh")
	if err := os.WriteFile(reportPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runWithInput(t, nil, "remediate", "--from", reportPath, "-q", "-o", script); r.code != 0 {
		t.Fatalf("remediate --from: exit %d %s", r.code, r.stderr)
	}
	lintScript(t, script)
	before := remediatetest.Tree(t, root)
	if a := applyScript(t, script, root); a.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", a.code, a.stdout, a.stderr)
	}

	// Only the intended files changed (and the backup of the edited one).
	diff := remediatetest.TreeDiff(before, remediatetest.Tree(t, root))
	want := []string{"etc/security/limits.d/90-golive.conf", "etc/sysctl.d/60-app.conf", "etc/sysctl.d/60-app.conf.golive.bak",
		"etc/sysctl.d/90-golive.conf", strings.TrimPrefix(filepath.Dir(dropInPath), "/")}
	for _, d := range diff {
		if !slices.ContainsFunc(want, func(w string) bool { return strings.Contains(d, w) }) {
			t.Errorf("unexpected change: %s", d)
		}
	}

	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// sysctl.d, read as systemd-sysctl reads it (sysctl.ParseFile).
	var got []string
	for _, a := range sysctl.ParseFile("90-golive.conf", read("etc/sysctl.d/90-golive.conf")) {
		got = append(got, a.Key+"="+a.Value)
	}
	wantSysctl := []string{"kernel.core_pattern=" + hostileValue, "net.ipv4.tcp_rmem=4096\t87380  6291456", "net.ipv4.conf.eth0/100.rp_filter=1"}
	if !slices.Equal(got, wantSysctl) {
		t.Errorf("90-golive.conf assignments:\n got %q\nwant %q", got, wantSysctl)
	}
	got = nil
	for _, a := range sysctl.ParseFile("60-app.conf", read("etc/sysctl.d/60-app.conf")) {
		got = append(got, a.Key+"="+a.Value)
	}
	if want := []string{"vm.swappiness=10", "net.core.rmem_max=1"}; !slices.Equal(got, want) {
		t.Errorf("60-app.conf assignments %q, want %q", got, want)
	}
	// limits.d, read as pam_limits reads it (rlimit.ParseLimits).
	entries, problems := rlimit.ParseLimits("90-golive.conf", read("etc/security/limits.d/90-golive.conf"))
	got = nil
	for _, e := range entries {
		got = append(got, strings.Join([]string{e.Domain, e.Type, e.Item, e.Value}, " "))
	}
	if want := []string{user + " soft nofile 1048576", user + " hard nofile 1048576"}; !slices.Equal(got, want) || len(problems) > 0 {
		t.Errorf("limits.d entries %q (problems %q), want %q: no line for any other domain", got, problems, want)
	}
	// The unit drop-in, read as golive reads units (internal/unit).
	opts, err := unit.Parse(read(strings.TrimPrefix(dropInPath, "/")))
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, o := range opts {
		got = append(got, o.Section+"."+o.Name+"="+o.Value)
	}
	if want := []string{"Service.Restart=on-failure", `Service.Environment="A=b c" 'X=$HOME # not a comment'`, "Service.ExecStartPre=-/bin/true ; x"}; !slices.Equal(got, want) {
		t.Errorf("drop-in options %q, want %q", got, want)
	}
}
