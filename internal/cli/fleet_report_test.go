package cli_test

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/golive-sh/golive/internal/report/reporttest"
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

// Issue 18: a re-run into the same --out-dir replaces the report of each
// host it checked, and keeps the report of a host it could not check,
// marked stale (fleet_stale: when and why the later run failed), so fleet
// report of the directory shows that host unchecked — never ready on old
// data — with what was last known. A later run that checks it replaces
// the file. The two hosts' file names collide (db:PORT and db_PORT): each
// keeps its own file whichever of them failed.
func TestFleetReRunKeepsAnUncheckedHostsReportStale(t *testing.T) {
	l := newFleetLab(t)
	a, b := l.server(t, false), l.server(t, false)
	trustBoth := a.KnownHostsLine() + "\n" + b.KnownHostsLine() + "\n"
	write(t, l.dir, "known_hosts", trustBoth)
	cfg := l.sshConfig(t, "Host db db_*\n  HostName 127.0.0.1\n  IdentityFile %d/id_ed25519\n"+
		"Host db_"+port(a)+"\n  Port "+port(b)+"\n")
	hostA, hostB := "db:"+port(a), "db_"+port(a)
	out := filepath.Join(l.dir, "out")
	fileA, fileB := filepath.Join(out, "db_"+port(a)+".json"), filepath.Join(out, "db_"+port(a)+"-2.json")
	run := func(want int) fleetView {
		t.Helper()
		r := l.runNoIdentity(t, "--ssh-config", cfg, "--out-dir", out, hostA, hostB)
		if r.code != want {
			t.Fatalf("exit %d, want %d\n%s\n%s", r.code, want, r.stdout, r.stderr)
		}
		return decodeFleet(t, []byte(r.stdout))
	}
	type saved struct {
		FleetTarget string `json:"fleet_target"`
		StartedAt   string `json:"started_at"`
		FleetStale  *struct {
			RunStartedAt string `json:"run_started_at"`
			ErrorKind    string `json:"error_kind"`
			Error        string `json:"error"`
		} `json:"fleet_stale"`
	}
	read := func(file string) saved {
		t.Helper()
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := reporttest.Validate(data); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var s saved
		json.Unmarshal(data, &s)
		return s
	}

	run(0)
	first := map[string]saved{fileA: read(fileA), fileB: read(fileB)}
	if first[fileA].FleetTarget != hostA || first[fileB].FleetTarget != hostB {
		t.Fatalf("files %+v: want %s in %s, %s in %s", first, hostA, fileA, hostB, fileB)
	}

	// a's key is no longer known: a cannot be checked, b can.
	write(t, l.dir, "known_hosts", b.KnownHostsLine()+"\n")
	time.Sleep(1100 * time.Millisecond) // started_at, run_started_at: seconds apart
	v := run(1)
	if st, kind, _ := v.host(t, hostA); st != "unchecked" || kind != "hostkey" {
		t.Errorf("%s: %s %s, want unchecked hostkey", hostA, st, kind)
	}
	if !strings.Contains(strings.Join(v.Raw.Notices, "\n"), hostA+": not checked; its report of the run started "+first[fileA].StartedAt) {
		t.Errorf("notices %q: the kept report must be named", v.Raw.Notices)
	}
	staleA, freshB := read(fileA), read(fileB)
	if staleA.FleetTarget != hostA || staleA.StartedAt != first[fileA].StartedAt || staleA.FleetStale == nil ||
		staleA.FleetStale.ErrorKind != "hostkey" || !strings.Contains(staleA.FleetStale.Error, "is not in") {
		t.Errorf("%s after the failed run: %+v %+v, want the first run's report marked stale", fileA, staleA, staleA.FleetStale)
	}
	if freshB.FleetTarget != hostB || freshB.StartedAt == first[fileB].StartedAt || freshB.FleetStale != nil {
		t.Errorf("%s after the re-run: %+v, want %s's new report", fileB, freshB, hostB)
	}
	rep := exe(t, golive, l.dir, nil, "fleet", "report", "--format", "json", out)
	if rep.code != 1 {
		t.Errorf("fleet report over a stale host: exit %d, want 1\n%s", rep.code, rep.stdout)
	}
	rv := decodeFleet(t, []byte(rep.stdout))
	st, kind, msg := rv.host(t, hostA)
	if st != "unchecked" || kind != "hostkey" || !strings.Contains(msg, "stale") || !strings.Contains(msg, first[fileA].StartedAt) {
		t.Errorf("fleet report: %s %s %q, want unchecked hostkey, the report kept named stale", st, kind, msg)
	}
	if st, _, _ := rv.host(t, hostB); st != "ready" {
		t.Errorf("fleet report: %s %s, want ready", hostB, st)
	}
	if s := rv.Raw.Summary; s.Hosts != 2 || s.Ready != 1 || s.Unchecked != 1 {
		t.Errorf("fleet report summary %+v", s)
	}

	// Trusted again: a's file is its new report, the marking gone.
	write(t, l.dir, "known_hosts", trustBoth)
	run(0)
	if again := read(fileA); again.FleetStale != nil || again.StartedAt == first[fileA].StartedAt {
		t.Errorf("%s after a's re-run: %+v, want a's new report", fileA, again)
	}
	if rep := exe(t, golive, l.dir, nil, "fleet", "report", out); rep.code != 0 {
		t.Errorf("fleet report after both were checked: exit %d\n%s", rep.code, rep.stdout)
	}
	if files, _ := filepath.Glob(filepath.Join(out, "*.json")); len(files) != 3 {
		t.Errorf("out-dir holds %v, want the two reports and fleet.json", files)
	}
}
