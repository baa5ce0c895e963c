package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/fleet/fleettest"
	"github.com/golive-sh/golive/internal/report/reporttest"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
	"github.com/golive-sh/golive/internal/testenv"
)

// fleetLab is a local "fleet": sshd servers on loopback, a client key they
// accept, a known_hosts file, and profiles whose verdict is known whatever
// this machine looks like (the remote check runs here).
type fleetLab struct {
	dir        string
	key        sshdtest.Key
	knownHosts string
}

func newFleetLab(t *testing.T) *fleetLab {
	t.Helper()
	sshdtest.Need(t)
	dir := t.TempDir()
	l := &fleetLab{dir: dir, key: sshdtest.NewKey(t, dir, "id_ed25519"), knownHosts: filepath.Join(dir, "known_hosts")}
	// The service's file extends a file in another directory: fleet must
	// copy both and point the copy's extends at the copy.
	write(t, dir, "base/base.yaml", "extends: none\nos:\n  kernel: \">= 1\"\n")
	write(t, dir, "ready.yaml", "extends: base/base.yaml\n")
	write(t, dir, "notready.yaml", "extends: base/base.yaml\nos:\n  kernel: \">= 999\"\n")
	write(t, dir, "known_hosts", "")
	return l
}

// server starts an sshd that accepts the lab's key and, when trusted, adds
// its key to known_hosts.
func (l *fleetLab) server(t *testing.T, trusted bool) *sshdtest.Server {
	t.Helper()
	s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}})
	if trusted {
		l.trust(t, s.KnownHostsLine())
	}
	return s
}

func (l *fleetLab) trust(t *testing.T, line string) {
	t.Helper()
	f, err := os.OpenFile(l.knownHosts, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// run is `golive fleet check` with the lab's key and known_hosts, no agent.
func (l *fleetLab) run(t *testing.T, args ...string) run {
	t.Helper()
	base := []string{"fleet", "check", "--identity", l.key.File, "--known-hosts", l.knownHosts,
		"--offline", "--only", "os/kernel", "--host-timeout", "2m", "--timeout", "60s"}
	return exe(t, golive, l.dir, []string{"SSH_AUTH_SOCK=", "HOME=" + l.dir}, append(base, args...)...)
}

func (l *fleetLab) fleetJSON(t *testing.T, path string) fleetView {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeFleet(t, data)
}

type fleetView struct {
	Raw struct {
		Summary struct {
			Hosts     int `json:"hosts"`
			Ready     int `json:"ready"`
			NotReady  int `json:"not_ready"`
			Unchecked int `json:"unchecked"`
		} `json:"summary"`
		Hosts []struct {
			Host      string   `json:"host"`
			File      string   `json:"file"`
			Verdict   string   `json:"verdict"`
			State     string   `json:"state"`
			Failing   []string `json:"failing"`
			ErrorKind string   `json:"error_kind"`
			Error     string   `json:"error"`
		} `json:"hosts"`
		Checks []struct {
			ID           string   `json:"id"`
			HostsFailing int      `json:"hosts_failing"`
			FailingHosts []string `json:"failing_hosts"`
		} `json:"checks"`
		Notices []string `json:"notices"`
	}
}

func decodeFleet(t *testing.T, data []byte) fleetView {
	t.Helper()
	if err := fleettest.Validate(data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	var v fleetView
	if err := json.Unmarshal(data, &v.Raw); err != nil {
		t.Fatal(err)
	}
	return v
}

// hostState finds a host's entry in a fleet view.
func (v fleetView) host(t *testing.T, name string) (state, kind, msg string) {
	t.Helper()
	for _, h := range v.Raw.Hosts {
		if h.Host == name {
			return h.State, h.ErrorKind, h.Error
		}
	}
	t.Fatalf("host %s not in the fleet view", name)
	return "", "", ""
}

// assertCleanedUp fails when the fan-out left a temp dir on one of the
// hosts: each test sshd gives its sessions their own $TMPDIR, so what is
// there is this test's alone.
func assertCleanedUp(t *testing.T, servers ...*sshdtest.Server) {
	t.Helper()
	for _, s := range servers {
		left, err := filepath.Glob(filepath.Join(s.Tmp, "golive.*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range left {
			t.Errorf("fan-out left %s on %s", d, s.Addr)
		}
	}
}

func TestFleetCheckThreeHosts(t *testing.T) {
	l := newFleetLab(t)
	servers := []*sshdtest.Server{l.server(t, true), l.server(t, true), l.server(t, true)}
	out := filepath.Join(l.dir, "out")
	r := l.run(t, "--config", "ready.yaml", "--out-dir", out, servers[0].Addr, servers[1].Addr, servers[2].Addr)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range servers {
		name := "127.0.0.1_" + strings.TrimPrefix(s.Addr, "127.0.0.1:") + ".json"
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("report of %s: %v", s.Addr, err)
		}
		if err := reporttest.Validate(data); err != nil {
			t.Fatalf("report of %s: %v", s.Addr, err)
		}
		var rep jsonReport
		json.Unmarshal(data, &rep)
		// Proves the extends chain was copied and rewritten: the chain
		// names both files.
		if got := strings.Join(rep.Profile.Chain, ","); got != "base.yaml,ready.yaml" {
			t.Errorf("%s: profile chain %q, want base.yaml,ready.yaml", s.Addr, got)
		}
		if !strings.Contains(r.stdout, s.Addr) {
			t.Errorf("fleet table misses %s:\n%s", s.Addr, r.stdout)
		}
	}
	v := l.fleetJSON(t, filepath.Join(out, "fleet.json"))
	if s := v.Raw.Summary; s.Hosts != 3 || s.Ready != 3 {
		t.Errorf("fleet summary %+v, want 3 hosts ready", s)
	}
	for _, h := range []string{"HOST", "DISTRO", "PROFILE", "VERDICT", "FIRST FAILURES", "3 hosts: 3 ready"} {
		if !strings.Contains(r.stdout, h) {
			t.Errorf("fleet table lacks %q:\n%s", h, r.stdout)
		}
	}
	assertCleanedUp(t, servers...)
}

// The acceptance case: one of three hosts presents a key other than the
// one known_hosts records. That host is refused, the others are checked,
// and the exit code is 1.
func TestFleetCheckRefusesChangedHostKey(t *testing.T) {
	l := newFleetLab(t)
	good1, changed, good2 := l.server(t, true), l.server(t, false), l.server(t, true)
	impostor := sshdtest.NewKey(t, l.dir, "recorded_host_key")
	l.trust(t, "# a comment line\n"+strings.Replace(changed.KnownHostsLine(),
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(changed.HostKey.Public))),
		strings.TrimSpace(string(ssh.MarshalAuthorizedKey(impostor.Public))), 1))
	out := filepath.Join(l.dir, "out")
	r := l.run(t, "--config", "ready.yaml", "--out-dir", out, good1.Addr, changed.Addr, good2.Addr)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	v := l.fleetJSON(t, filepath.Join(out, "fleet.json"))
	state, kind, msg := v.host(t, changed.Addr)
	// known_hosts: good1 and good2 on lines 1 and 2, the comment on 3, the
	// wrong key on 4.
	for _, want := range []string{"CHANGED", l.knownHosts + ":4", ssh.FingerprintSHA256(changed.HostKey.Public), ssh.FingerprintSHA256(impostor.Public)} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal %q does not name %q", msg, want)
		}
	}
	if state != "unchecked" || kind != "hostkey" {
		t.Errorf("changed host: state %s kind %s, want unchecked hostkey", state, kind)
	}
	for _, s := range []*sshdtest.Server{good1, good2} {
		if st, _, _ := v.host(t, s.Addr); st != "ready" {
			t.Errorf("%s: %s; the refusal must not stop the other hosts", s.Addr, st)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "127.0.0.1_"+strings.TrimPrefix(changed.Addr, "127.0.0.1:")+".json")); err == nil {
		t.Error("a report was written for the refused host")
	}
	if !strings.Contains(r.stdout, "HOSTKEY") || !strings.Contains(r.stdout, "not checked") {
		t.Errorf("fleet table does not show the refusal:\n%s", r.stdout)
	}
}

func TestFleetCheckHostDownAndAuthFailure(t *testing.T) {
	l := newFleetLab(t)
	up := l.server(t, true)
	stranger := sshdtest.NewKey(t, l.dir, "other_user_key")
	noAuth := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{stranger.Public}})
	l.trust(t, noAuth.KnownHostsLine())
	down := sshdtest.ClosedPort(t)
	out := filepath.Join(l.dir, "out")
	// --fail-on none: a host that could not be checked still exits 1.
	r := l.run(t, "--config", "notready.yaml", "--fail-on", "none", "--out-dir", out, up.Addr, down, noAuth.Addr)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	v := l.fleetJSON(t, filepath.Join(out, "fleet.json"))
	if st, _, _ := v.host(t, up.Addr); st != "ready" {
		t.Errorf("%s: %s, want ready (with --fail-on none a failing check is report-only)", up.Addr, st)
	}
	if st, kind, msg := v.host(t, down); st != "unchecked" || kind != "unreachable" || !strings.Contains(msg, "refused") {
		t.Errorf("closed port: %s %s %q, want unchecked unreachable (connection refused)", st, kind, msg)
	}
	if st, kind, msg := v.host(t, noAuth.Addr); st != "unchecked" || kind != "auth" {
		t.Errorf("unauthorized key: %s %s %q, want unchecked auth", st, kind, msg)
	}
}

func TestFleetCheckNotReadyHost(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, true)
	r := l.run(t, "--config", "notready.yaml", "--format", "json", s.Addr)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstderr:\n%s", r.code, r.stderr)
	}
	v := decodeFleet(t, []byte(r.stdout))
	if st, _, _ := v.host(t, s.Addr); st != "not_ready" || len(v.Raw.Checks) == 0 || v.Raw.Checks[0].ID != "os/kernel" || v.Raw.Checks[0].HostsFailing != 1 {
		t.Errorf("fleet view %+v: want the host not ready with os/kernel failing on it", v.Raw)
	}
	// The config file's options: fail_on is the fleet's threshold too,
	// unless --fail-on is given.
	write(t, l.dir, "reportonly.yaml", "extends: notready.yaml\noptions:\n  fail_on: none\n")
	if r := l.run(t, "--config", "reportonly.yaml", s.Addr); r.code != 0 {
		t.Errorf("options: fail_on: none: exit %d, want 0\n%s", r.code, r.stdout)
	}
	if r := l.run(t, "--config", "reportonly.yaml", "--fail-on", "fail", s.Addr); r.code != 1 {
		t.Errorf("--fail-on fail over the config's none: exit %d, want 1", r.code)
	}
}

func TestFleetCheckUnknownHostKey(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, false)
	r := l.run(t, "--config", "ready.yaml", s.Addr)
	if r.code != 1 || !strings.Contains(r.stdout, "HOSTKEY") || !strings.Contains(r.stdout, "--accept-new-host-keys") {
		t.Fatalf("unknown host: exit %d, want 1 and a refusal that names --accept-new-host-keys\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(l.knownHosts); len(data) != 0 {
		t.Fatalf("known_hosts changed without --accept-new-host-keys: %q", data)
	}
	r = l.run(t, "--config", "ready.yaml", "--accept-new-host-keys", s.Addr)
	if r.code != 0 || !strings.Contains(r.stderr, "added the host key") {
		t.Fatalf("accept-new: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	data, _ := os.ReadFile(l.knownHosts)
	if string(data) != s.KnownHostsLine()+"\n" {
		t.Fatalf("known_hosts %q, want the line %q", data, s.KnownHostsLine())
	}
	// Recorded: the next run needs no flag.
	if r = l.run(t, "--config", "ready.yaml", s.Addr); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s", r.code, r.stdout)
	}
}

// --sudo with no sudo rule for the login user must fail cleanly on that
// host: sudo -n says a password is required, nothing hangs, and the temp
// dir is removed. The user and the empty sudoers exist only inside the
// test sshd's mount namespace.
func TestFleetCheckSudoWithoutRule(t *testing.T) {
	testenv.NeedCommand(t, "sudo", "sudo")
	l := newFleetLab(t)
	u := sshdtest.User{Name: "golivefleet", UID: 4242}
	empty := ""
	s := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}, Users: []sshdtest.User{u}, Sudoers: &empty})
	l.trust(t, s.KnownHostsLine())
	r := l.run(t, "--config", "ready.yaml", "--sudo", "--format", "json", u.Name+"@"+s.Addr)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v := decodeFleet(t, []byte(r.stdout))
	st, kind, msg := v.host(t, s.Addr)
	if st != "unchecked" || kind != "remote" || !strings.Contains(msg, "sudo -n failed") || !strings.Contains(msg, "password is required") {
		t.Errorf("sudo without a rule: %s %s %q, want unchecked remote naming sudo's refusal\nsshd log:\n%s", st, kind, msg, s.Log())
	}
	assertCleanedUp(t, s)
}

func TestFleetCheckRemoteInvalidInvocation(t *testing.T) {
	l := newFleetLab(t)
	s := l.server(t, true)
	r := l.run(t, "--config", "ready.yaml", "--only", "nosuch/*", "--format", "json", s.Addr)
	v := decodeFleet(t, []byte(r.stdout))
	st, kind, msg := v.host(t, s.Addr)
	if r.code != 1 || st != "unchecked" || kind != "remote" || !strings.Contains(msg, "exit 2") || !strings.Contains(msg, "matches no check") {
		t.Errorf("remote exit 2: exit %d, %s %s %q; want the remote's stderr", r.code, st, kind, msg)
	}
	assertCleanedUp(t, s)
}

func TestFleetCheckHostTimeout(t *testing.T) {
	l := newFleetLab(t)
	silent := sshdtest.StartSilent(t)
	r := l.run(t, "--config", "ready.yaml", "--host-timeout", "2s", "--timeout", "1s", "--format", "json", silent.Addr)
	v := decodeFleet(t, []byte(r.stdout))
	if st, kind, msg := v.host(t, silent.Addr); r.code != 1 || st != "unchecked" || kind != "timeout" {
		t.Errorf("silent server: exit %d, %s %s %q; want exit 1, unchecked timeout", r.code, st, kind, msg)
	}
}

func TestFleetCheckInvalidInvocations(t *testing.T) {
	l := &fleetLab{dir: t.TempDir()}
	write(t, l.dir, "hosts", "db1\n  db2 # trailing comment\nbad host\n")
	write(t, l.dir, "key", "not a key")
	write(t, l.dir, "slow.yaml", "options:\n  timeout: 10m\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no hosts", []string{"fleet", "check"}, "no hosts"},
		{"bad hosts line", []string{"fleet", "check", "--hosts", "hosts"}, "hosts:3: one host per line"},
		{"bad target", []string{"fleet", "check", "db1:99999"}, "port"},
		{"unreadable identity", []string{"fleet", "check", "--identity", "key", "db1"}, "--identity key: not a private key"},
		{"host timeout below run timeout", []string{"fleet", "check", "--host-timeout", "10s", "--timeout", "1m", "db1"}, "--host-timeout"},
		{"binary for the wrong arch", []string{"fleet", "check", "--binary-for", "aarch64=" + golive, "db1"}, "not arm64"},
		{"bad format", []string{"fleet", "check", "--format", "xml", "db1"}, "--format"},
		{"config timeout above host timeout", []string{"fleet", "check", "--config", "slow.yaml", "db1"}, "must exceed --timeout 10m0s"},
		{"bad profile", []string{"fleet", "check", "--profile", "solaris-11", "db1"}, "no built-in profile"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := exe(t, golive, l.dir, []string{"SSH_AUTH_SOCK=", "HOME=" + l.dir}, c.args...)
			if r.code != 2 || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d stderr %q; want 2 with %q", r.code, r.stderr, c.want)
			}
		})
	}
}
