package fleet

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/golive-sh/golive/internal/sshclient"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// remoteLab is one real sshd and options that trust it. The "golive" it
// copies is a shell script standing in for the binary, so each test says
// exactly what the remote side does — including misbehave.
type remoteLab struct {
	dir    string
	server *sshdtest.Server
	opts   Options
}

func newRemoteLab(t *testing.T) *remoteLab {
	t.Helper()
	return newRemoteLabWith(t, sshdtest.Options{})
}

// newRemoteLabWith is newRemoteLab with the server shaped by so (its
// authorized key is added).
func newRemoteLabWith(t *testing.T, so sshdtest.Options) *remoteLab {
	t.Helper()
	sshdtest.Need(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	key := sshdtest.NewKey(t, dir, "id")
	so.AuthorizedKeys = append(so.AuthorizedKeys, key.Public)
	s := sshdtest.Start(t, so)
	kh := filepath.Join(dir, "known_hosts")
	os.WriteFile(kh, []byte(knownhosts.Line([]string{s.Addr}, s.HostKey.Public)+"\n"), 0o600)
	opts := testOptions(t)
	opts.Auth, _ = sshclient.NewAuth([]string{key.File}, "", "")
	opts.HostKeys, _ = sshclient.NewHostKeys(kh, false)
	return &remoteLab{dir: dir, server: s, opts: opts}
}

// fake installs script as the golive to copy.
func (l *remoteLab) fake(t *testing.T, script string) {
	t.Helper()
	p := filepath.Join(l.dir, "fake-golive")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	l.opts.Binaries = map[string]string{runtime.GOARCH: p}
}

func (l *remoteLab) run(t *testing.T) HostResult {
	t.Helper()
	glob := filepath.Join(l.server.Tmp, "golive.????????")
	before, _ := filepath.Glob(glob)
	res, err := Run(context.Background(), []Target{target(t, l.server.Addr)}, l.opts)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := filepath.Glob(glob)
	for _, d := range after {
		if !strings.Contains(strings.Join(before, " "), d) {
			t.Errorf("%s left on the host", d)
		}
	}
	return res[0]
}

// The remote command line carries hostile arguments intact, runs in the
// temp dir with the profile files beside it, and the report comes back.
func TestRemoteRunArgumentsAndReport(t *testing.T) {
	l := newRemoteLab(t)
	rep := filepath.Join(l.dir, "report.json")
	os.WriteFile(rep, hostReport(t, "h", id(1), t0, "", "sysctl/x=pass"), 0o644)
	record := filepath.Join(l.dir, "record")
	l.fake(t, `printf '%s\0' "$PWD" "$@" > `+sshclient.Quote(record)+` && ls profiles/0 >> `+sshclient.Quote(record)+` && cat `+sshclient.Quote(rep)+"\n")
	l.opts.Bundle = &Bundle{Files: []ProfileFile{{Remote: "profiles/0/golive.yaml", Data: []byte("sysctl: {}\n")}}, Profile: "auto", Config: "profiles/0/golive.yaml"}
	l.opts.CheckArgs = append([]string{"--config", "profiles/0/golive.yaml"}, "--only", "it's $(touch /tmp/pwned) `id` ;|&")
	res := l.run(t)
	if res.Kind != KindOK || res.Verdict != "pass" || res.Arch == "" {
		t.Fatalf("%s %q verdict %q arch %q", res.Kind, res.Err, res.Verdict, res.Arch)
	}
	data, _ := os.ReadFile(record)
	got := strings.Split(string(data), "\x00")
	want := []string{"check", "--format", "json", "--fail-on", "none", "--config", "profiles/0/golive.yaml", "--only", "it's $(touch /tmp/pwned) `id` ;|&", "golive.yaml\n"}
	if !strings.HasPrefix(got[0], l.server.Tmp+"/golive.") || strings.Join(got[1:], "\x00") != strings.Join(want, "\x00") {
		t.Errorf("remote saw %q, want cwd $TMPDIR/golive.* and %q", got, want)
	}
}

func TestRemoteFailuresAreClassified(t *testing.T) {
	l := newRemoteLab(t)
	partial := filepath.Join(l.dir, "partial.json")
	os.WriteFile(partial, hostReport(t, "h", id(1), t0, "aborted", "sysctl/x=pass"), 0o644)
	cases := []struct {
		name, script string
		maxReport    int64
		kind         Kind
		want         string
	}{
		{"exit 2 shows stderr", "echo 'golive: --only \"x\": matches no check' >&2; exit 2\n", 0, KindRemote, `exit 2): golive: --only "x": matches no check`},
		{"garbage report", "echo 'hello'\n", 0, KindRemote, "not a JSON report"},
		{"report too large", "head -c 5000 /dev/zero\n", 1000, KindRemote, "larger than 1000 bytes"},
		{"unknown exit code", "exit 9\n", 0, KindRemote, "exited 9"},
		{"aborted run is a report", "cat " + sshclient.Quote(partial) + "; exit 3\n", 0, KindOK, ""},
		{"control characters in stderr", "printf 'bad\\033[31m\\nline' >&2; exit 2\n", 0, KindRemote, "bad\ufffd[31m line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l.fake(t, c.script)
			l.opts.MaxReport = c.maxReport
			res := l.run(t)
			if res.Kind != c.kind || !strings.Contains(res.Err, c.want) {
				t.Errorf("%s %q; want %s with %q", res.Kind, res.Err, c.kind, c.want)
			}
		})
	}
}

// A host that runs past its timeout is cut off, reported as a timeout,
// and still cleaned up (on a new connection).
func TestRemoteTimeoutStillCleansUp(t *testing.T) {
	l := newRemoteLab(t)
	pidFile := filepath.Join(l.dir, "pid")
	l.fake(t, "echo $$ > "+sshclient.Quote(pidFile)+"; exec sleep 300\n")
	// The remote command must have started before the timeout for the
	// kill to be tested at all. On a loaded machine (-race, two cores,
	// every package's tests at once) dial, upload and start can take
	// longer than a short timeout; then the run is repeated with twice
	// the timeout rather than failing on the machine's speed.
	var data []byte
	for timeout := 4 * time.Second; ; timeout *= 2 {
		l.opts.HostTimeout = timeout
		res := l.run(t) // run fails the test if the temp dir is left behind
		if res.Kind != KindTimeout || !strings.Contains(res.Err, "host timeout "+timeout.String()) {
			t.Fatalf("%s %q, want timeout", res.Kind, res.Err)
		}
		var err error
		if data, err = os.ReadFile(pidFile); err == nil {
			break
		}
		if timeout >= 32*time.Second {
			t.Fatalf("the remote command never started within %s: %v", timeout, err)
		}
		t.Logf("the remote command had not started within %s; again with %s", timeout, 2*timeout)
	}
	// The remote command was stopped, not left running.
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	for range 100 { // the signal is asynchronous; give it up to 10 s
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("remote process %d still runs after the host timed out\n%s", pid, l.server.Log())
}

// A connection cut while mkdir ran leaves a temp dir whose path never
// came back; cleanup, on a new connection, removes it by the name golive
// chose for it.
func TestCleanupFindsADirWhosePathNeverCameBack(t *testing.T) {
	l := newRemoteLab(t)
	tgt := target(t, l.server.Addr)
	h := &hostRun{t: tgt, opts: &l.opts, dir: &sshclient.TempDir{Name: "golive.ABCD2345"}}
	made := filepath.Join(l.server.Tmp, h.dir.Name)
	if err := os.Mkdir(made, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(made, "golive"), []byte("x"), 0o700)
	other := filepath.Join(l.server.Tmp, "golive.ABCD2346") // another run's
	os.Mkdir(other, 0o700)
	c, err := dial(context.Background(), tgt, &l.opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.conn = c
	c.Close() // cut
	h.cleanup(context.Background(), time.Now(), false)
	h.conn.Close() // the new connection, as checkHost does
	if _, err := os.Stat(made); !os.IsNotExist(err) {
		t.Errorf("%s still there after cleanup (%v)\n%s", made, err, l.server.Log())
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("cleanup removed another run's dir: %v", err)
	}
}

func TestRemoteMissingArchitecture(t *testing.T) {
	l := newRemoteLab(t)
	l.opts.Binaries = map[string]string{"s390x": "/nonexistent"}
	res := l.run(t)
	if res.Kind != KindRemote || !strings.Contains(res.Err, "--binary-for") {
		t.Errorf("%s %q, want a remote error naming --binary-for", res.Kind, res.Err)
	}
}
