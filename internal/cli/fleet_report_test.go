package cli_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// TestFleetReportMergesADirectory merges real reports written by
// `golive check` with a malformed file and a foreign JSON document among
// them: both are listed as not checked, never dropped, and the exit code
// says the fleet is not ready.
func TestFleetReportMergesADirectory(t *testing.T) {
	dir := workdir(t)
	reports := filepath.Join(dir, "reports")
	os.Mkdir(reports, 0o755)
	// A second machine: the same files, another machine-id.
	if err := os.CopyFS(filepath.Join(dir, "root2"), os.DirFS(filepath.Join(dir, "root"))); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "root2/etc/machine-id", "fedcba9876543210fedcba9876543210\n")
	// old/db1 and reports/db1 are two runs of one host (one name); the
	// later run is kept.
	os.Mkdir(filepath.Join(dir, "old"), 0o755)
	for _, c := range []struct{ name, root, config string }{
		{"old/db1.json", "root", "fail.yaml"}, {"reports/db1.json", "root", "pass.yaml"}, {"reports/db2.json", "root2", "fail.yaml"},
	} {
		r := exe(t, golive, dir, nil, "check", "--root", c.root, "--config", c.config, "--only", "sysctl", "--format", "json", "--output", filepath.Join(dir, c.name))
		if r.code > 1 {
			t.Fatalf("check: %d %s", r.code, r.stderr)
		}
	}
	write(t, reports, "truncated.json", `{"schema": "golive/report/v1", "host": {`)
	write(t, reports, "package.json", `{"name": "not-a-report"}`)
	write(t, reports, "notes.txt", "not json, not *.json: ignored")

	r := exe(t, golive, dir, nil, "fleet", "report", "--format", "json", "old", "reports")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v := decodeFleet(t, []byte(r.stdout))
	if s := v.Raw.Summary; s.Hosts != 4 || s.Ready != 1 || s.NotReady != 1 || s.Unchecked != 2 {
		t.Errorf("summary %+v, want 4 hosts: db1 ready, db2 not ready, 2 unreadable files", s)
	}
	if len(v.Raw.Notices) != 1 || !strings.Contains(v.Raw.Notices[0], "old/db1.json") {
		t.Errorf("notices %q: the dropped older report of db1 must be named", v.Raw.Notices)
	}
	for _, f := range []string{"reports/truncated.json", "reports/package.json"} {
		found := false
		for _, h := range v.Raw.Hosts {
			if h.File == f && h.State == "unchecked" && h.ErrorKind == "invalid_report" && h.Error != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s is not listed as an invalid report: %+v", f, v.Raw.Hosts)
		}
	}

	r = exe(t, golive, dir, nil, "fleet", "report", "--format", "prom", "reports")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(r.stdout))
	if err != nil {
		t.Fatalf("prom output does not parse: %v\n%s", err, r.stdout)
	}
	for _, name := range []string{"golive_fleet_hosts", "golive_fleet_check_hosts", "golive_fleet_host_verdict"} {
		if fams[name] == nil {
			t.Errorf("prom output lacks %s", name)
		}
	}
	r = exe(t, golive, dir, nil, "fleet", "report", "--format", "markdown", "--output", "fleet.md", "reports/db1.json")
	if data, _ := os.ReadFile(filepath.Join(dir, "fleet.md")); r.code != 0 || !strings.Contains(string(data), "| host |") {
		t.Errorf("markdown to a file: exit %d\n%s", r.code, data)
	}
	if r := exe(t, golive, dir, nil, "fleet", "report", "nosuchdir"); r.code != 2 {
		t.Errorf("a missing input: exit %d, want 2", r.code)
	}
}

// The fan-out's own --out-dir (reports plus fleet.json) merges again with
// fleet report: fleet.json is recognised and skipped, not an error.
func TestFleetReportOverAnOutDir(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, true)
	out := filepath.Join(l.dir, "out")
	if r := l.run(t, "--config", "ready.yaml", "--out-dir", out, s.Addr); r.code != 0 {
		t.Fatalf("fleet check: %d\n%s", r.code, r.stderr)
	}
	r := exe(t, golive, l.dir, nil, "fleet", "report", "--format", "json", "out")
	v := decodeFleet(t, []byte(r.stdout))
	if r.code != 0 || v.Raw.Summary.Hosts != 1 || len(v.Raw.Notices) != 1 || !strings.Contains(v.Raw.Notices[0], "fleet.json") {
		t.Errorf("exit %d, %+v", r.code, v.Raw)
	}
}

// ssh-agent alone (no --identity, no key in ~/.ssh) logs in.
func TestFleetCheckWithAgent(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, true)
	keyring := agent.NewKeyring()
	raw, _ := os.ReadFile(l.key.File)
	priv, err := ssh.ParseRawPrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { agent.ServeAgent(keyring, c); c.Close() }()
		}
	}()
	r := exe(t, golive, l.dir, []string{"SSH_AUTH_SOCK=" + sock, "HOME=" + l.dir},
		"fleet", "check", "--known-hosts", l.knownHosts, "--offline", "--only", "os/kernel", "--config", "ready.yaml", s.Addr)
	if r.code != 0 {
		t.Fatalf("agent auth: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
