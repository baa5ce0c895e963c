package process

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const serviceConfig = `extends: auto
process:
  goservice: {user: goservice, min: 1, max: 1}
  chronyd: {}
  telnetd: {running: false}
`

// A fixture root is a file tree: no /proc/1, so no processes, and every
// check skips saying so.
func TestFixtureRootsHaveNoProcesses(t *testing.T) {
	for _, root := range []string{"centos-7", "ubuntu-22.04", "rocky-9", "broken"} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			out := engine.Run(context.Background(), h, mustBuild(t, profiletest.Detected(t, h, serviceConfig)), engine.RunOptions{})
			if len(out.Results) != 5 {
				t.Errorf("%d results", len(out.Results))
			}
			for _, r := range out.Results {
				if r.Status != engine.Skip || !strings.Contains(r.Message, "no process table (no /proc/1)") {
					t.Errorf("%s: %s %q", r.ID, r.Status, r.Message)
				}
			}
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}

// procRoot is a root with a procfs-like table: pid -> comm, state, ruid,
// euid and arguments.
func procRoot(t testing.TB, procs map[int][]string) *host.Host {
	files := map[string]string{
		"etc/os-release": "ID=golive-test\n",
		"etc/passwd":     "root:x:0:0::/root:/bin/sh\nchrony:x:997:994::/:/sbin/nologin\ngoservice:x:996:993::/:/sbin/nologin\n",
	}
	for pid, p := range procs {
		d := fmt.Sprintf("proc/%d/", pid)
		files[d+"stat"] = fmt.Sprintf("%d (%s) %s 1 %d %d 0 -1 4194560\n", pid, p[0], p[1], pid, pid)
		files[d+"status"] = fmt.Sprintf("Name:\t%s\nUid:\t%s\t%s\t%s\t%s\nGid:\t0\t0\t0\t0\n", p[0], p[2], p[3], p[3], p[3])
		var cmd string
		for _, a := range p[4:] {
			cmd += a + "\x00"
		}
		files[d+"cmdline"] = cmd
	}
	return hosttest.Root(t, files)
}

// Verdicts on a root with its own process table: names, command lines,
// kernel threads, counts and effective users; a stat that cannot be read
// is named and the rest still counts.
func TestProcessTableVerdicts(t *testing.T) {
	h := procRoot(t, map[int][]string{
		1:   {"systemd", "S", "0", "0", "/usr/lib/systemd/systemd", "--switched-root"},
		2:   {"kthreadd", "S", "0", "0"},
		702: {"chronyd", "S", "997", "997", "/usr/sbin/chronyd", "-F", "2"},
		812: {"goservice", "S", "996", "996", "/opt/goservice/bin/goservice", "--config", "/etc/goservice/config.yaml"},
		813: {"goservice", "S", "996", "0", "/opt/goservice/bin/goservice", "--role=migrate"},
		900: {"my (odd) name", "R", "1000", "1000", "./odd"},
	})
	p := profiletest.Detected(t, h, `extends: none
process:
  goservice: {user: goservice, min: 1, max: 1}
  chronyd: {user: "997"}
  telnetd: {running: false}
  migrate: {cmdline: "--role=migrate$", max: 0}
  kthreads: {cmdline: "^kthreadd$"}
  odd: {comm: "my (odd) name"}
  systemd: {running: false, level: warn}
`)
	want := map[string]struct {
		status engine.Status
		words  string
	}{
		"process/running:goservice": {engine.Pass, "2 processes named \"goservice\" run (pid 812, 813)"},
		"process/count:goservice":   {engine.Fail, "2 processes named \"goservice\" run, wanted == 1"},
		"process/user:goservice":    {engine.Fail, "pid 813 as root (0)"},
		"process/user:chronyd":      {engine.Pass, "1 process named \"chronyd\" runs as chrony (997)"},
		"process/running:telnetd":   {engine.Pass, "no processes named \"telnetd\" run"},
		"process/count:migrate":     {engine.Fail, "1 process whose command line matches /--role=migrate$/ runs, wanted <= 0"},
		"process/running:kthreads":  {engine.Pass, "pid 2"},
		"process/running:odd":       {engine.Pass, "pid 900"},
		"process/running:systemd":   {engine.Warn, "and none may"},
	}
	out := engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{})
	for _, r := range out.Results {
		w, ok := want[r.ID]
		if !ok {
			continue
		}
		delete(want, r.ID)
		if r.Status != w.status || !strings.Contains(r.Message, w.words) {
			t.Errorf("%s: %s %q, want %s with %q", r.ID, r.Status, r.Message, w.status, w.words)
		}
		if r.Status != engine.Pass && (r.Remediation == nil || r.Remediation.Actions[0].Text == "") {
			t.Errorf("%s: no manual fix", r.ID)
		}
	}
	for id := range want {
		t.Errorf("%s: not run", id)
	}
}

func TestSectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"process:\n  a b: {}\n", `p.yaml:3: process: "a b" is not a name`},
		{"process:\n  averyveryverylongname: {}\n", `p.yaml:3: process.averyveryverylongname.comm: "averyveryverylongname" is longer than 15 bytes`},
		{"process:\n  x: {cmdline: \"(\"}\n", "p.yaml:3: process.x.cmdline: error parsing regexp"},
		{"process:\n  x: {min: 3, max: 2}\n", "p.yaml:3: process.x.min: 3 is more than max 2"},
		{"process:\n  x: {running: false, user: root}\n", "p.yaml:3: process.x.running"},
		{"process:\n  x: {usr: root}\n", `p.yaml:3: unknown key "usr"`},
		{"process:\n  x: {min: -1}\n", "p.yaml:3:"},
		{"process:\n  x: etcd\n", "p.yaml:3: process.x: expected a mapping"},
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+c.yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
		}
	}
}

func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(profiletest.Resolve(t, "extends: none\nprocess:\n  etcd: {user: etcd, min: 1}\n"))
	if err != nil || len(checks) != 3 || checks[0].ID() != "process/running:etcd" || checks[1].ID() != "process/count:etcd" || checks[2].ID() != "process/user:etcd" {
		t.Fatalf("%v %v", checks, err)
	}
	for _, id := range []string{"process/running:etcd", "process/count:etcd", "process/user:etcd"} {
		if m, ok := engine.Explain(id); !ok || m.ID != id || m.Why == "" {
			t.Errorf("explain %s: %+v", id, m)
		}
	}
	for _, id := range []string{"process/running:", "process/pid:etcd", "process/user:a/b"} {
		if _, ok := engine.Explain(id); ok {
			t.Errorf("explain %s: known", id)
		}
	}
}

func mustBuild(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}
