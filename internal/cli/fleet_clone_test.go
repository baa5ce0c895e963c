package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

type fleetFindings struct {
	Findings []struct {
		ID    string   `json:"id"`
		Hosts []string `json:"hosts"`
	} `json:"findings"`
	Notices []string `json:"notices"`
	Hosts   []struct {
		Host    string   `json:"host"`
		File    string   `json:"file"`
		State   string   `json:"state"`
		Failing []string `json:"failing"`
	} `json:"hosts"`
}

func decodeFindings(t *testing.T, data []byte) fleetFindings {
	t.Helper()
	decodeFleet(t, data) // validates against docs/fleet.schema.json
	var f fleetFindings
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// Issue 18 §3: two hosts cloned from one image (the same machine-id) stay
// two hosts, in fleet check and in fleet report of its --out-dir, keyed
// by the names the run gave them, and are reported as a fleet/clone
// finding; a re-run of a host replaces its report.
func TestFleetClonedHostsAndReRuns(t *testing.T) {
	l := newFleetLab(t)
	const mid = "0123456789abcdef0123456789abcdef"
	clone := func() *sshdtest.Server {
		s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}, MachineID: mid})
		l.trust(t, s.KnownHostsLine())
		return s
	}
	a, b, c := clone(), clone(), l.server(t, true)
	out := filepath.Join(l.dir, "out")
	r := l.run(t, "--config", "ready.yaml", "--out-dir", out, a.Addr, b.Addr, c.Addr)
	if r.code != 1 || !strings.Contains(r.stdout, "fleet/clone:"+mid) || !strings.Contains(r.stdout, "share machine-id") {
		t.Fatalf("clones: exit %d, want 1 and the finding in the table\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// In host order: the command line's for fleet check, the files'
	// (127.0.0.1_<port>.json, sorted) for fleet report; compared sorted.
	want := []string{a.Addr, b.Addr}
	slices.Sort(want)
	check := func(name string, data []byte) fleetFindings {
		t.Helper()
		f := decodeFindings(t, data)
		if len(f.Hosts) != 3 {
			t.Fatalf("%s: %d hosts, want 3 (clones are never merged)", name, len(f.Hosts))
		}
		if len(f.Findings) != 1 || f.Findings[0].ID != "fleet/clone:"+mid || strings.Join(slices.Sorted(slices.Values(f.Findings[0].Hosts)), " ") != strings.Join(want, " ") {
			t.Errorf("%s: findings %+v, want fleet/clone:%s naming %v", name, f.Findings, mid, want)
		}
		for _, h := range f.Hosts {
			isClone := h.Host != c.Addr
			if isClone != (h.State == "not_ready") {
				t.Errorf("%s: %s is %s (failing %v)", name, h.Host, h.State, h.Failing)
			}
		}
		return f
	}
	fleetJSON, err := os.ReadFile(filepath.Join(out, "fleet.json"))
	if err != nil {
		t.Fatal(err)
	}
	check("fleet check", fleetJSON)
	rep := exe(t, golive, l.dir, nil, "fleet", "report", "--format", "json", out)
	f := check("fleet report", []byte(rep.stdout))
	for i, s := range []*sshdtest.Server{a, b, c} {
		if f.Hosts[i].Host != s.Addr {
			// Sorted by file name: 127.0.0.1_<port>.json, the same order
			// only by chance; look the name up instead.
			found := false
			for _, h := range f.Hosts {
				found = found || h.Host == s.Addr
			}
			if !found {
				t.Errorf("fleet report keys %+v, want the names fleet check used (%s)", f.Hosts, s.Addr)
			}
		}
	}

	// A re-run of c into the same directory replaces its file; merged with
	// a copy of the first run, the newer report of c wins.
	first := filepath.Join(l.dir, "first")
	if err := os.CopyFS(first, os.DirFS(out)); err != nil {
		t.Fatal(err)
	}
	before, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if r := l.run(t, "--config", "ready.yaml", "--out-dir", out, c.Addr); r.code != 0 {
		t.Fatalf("re-run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after, _ := filepath.Glob(filepath.Join(out, "*.json"))
	if len(after) != len(before) {
		t.Errorf("re-run: %d files, was %d: the host's report must be replaced, not added", len(after), len(before))
	}
	rep = exe(t, golive, l.dir, nil, "fleet", "report", "--format", "json", first, out)
	f = check("fleet report of both runs", []byte(rep.stdout))
	for _, h := range f.Hosts {
		if h.Host == c.Addr && !strings.HasPrefix(h.File, out) {
			t.Errorf("%s: kept %s, want the re-run's report in %s", c.Addr, h.File, out)
		}
	}
	if !strings.Contains(strings.Join(f.Notices, "\n"), c.Addr+": two reports") {
		t.Errorf("notices %q: the replaced report must be named", f.Notices)
	}
}
