package ansible_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/golive-sh/golive/internal/fleet"
	"github.com/golive-sh/golive/internal/report/reporttest"
	"github.com/golive-sh/golive/internal/sshclient"
	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
	"github.com/golive-sh/golive/internal/testenv"
)

// roleLab is two real sshd servers on loopback (each its own HOME,
// $TMPDIR and $XDG_CACHE_HOME) and an inventory that reaches them over
// ssh with the lab's key, verifying their host keys.
type roleLab struct {
	dir       string
	servers   []*sshdtest.Server
	inventory string
	sum       string // golive's SHA-256
	key       string // the client's private key file
	known     string // known_hosts trusting the servers
}

func newRoleLab(t *testing.T) *roleLab {
	t.Helper()
	sshdtest.Need(t)
	testenv.NeedCommand(t, "ssh", "openssh-client")
	// Ansible's modules run on the "host" (this machine) with this python;
	// the sessions' PATH is sshd's default, so name it.
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "python3 not found: install the Debian package python3")
	}
	if out, err := exec.Command(python, "-c", "import sys; print(sys.executable)").Output(); err == nil {
		python = strings.TrimSpace(string(out)) // through a pyenv shim, the real one
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	key := sshdtest.NewKey(t, dir, "id_ed25519")
	l := &roleLab{dir: dir}
	l.servers = sshdtest.StartMany(t, 2, func(int) sshdtest.Options {
		return sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{key.Public}}
	})
	var kh, inv strings.Builder
	inv.WriteString("[fleet]\n")
	for i, s := range l.servers {
		kh.WriteString(s.KnownHostsLine() + "\n")
		fmt.Fprintf(&inv, "host%d ansible_host=127.0.0.1 ansible_port=%d\n", i+1, s.Port)
	}
	knownHosts := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(kh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&inv, "\n[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file=%s\n", key.File)
	fmt.Fprintf(&inv, "ansible_ssh_common_args=-F none -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes\n", knownHosts)
	fmt.Fprintf(&inv, "ansible_python_interpreter=%s\n", python)
	l.key, l.known = key.File, knownHosts
	l.inventory = filepath.Join(dir, "inventory")
	if err := os.WriteFile(l.inventory, []byte(inv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(golive)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	l.sum = hex.EncodeToString(sum[:])
	return l
}

// cached is where a host keeps golive: the path fleet check uses too.
func (l *roleLab) cached(s *sshdtest.Server) string {
	return filepath.Join(s.Cache, "golive", "golive-"+l.sum)
}

// rolePlay is one run of golive-role.yml and, from Ansible's JSON
// callback, whether each task changed each host.
type rolePlay struct {
	code    int
	output  string
	reports string
	changed map[string]map[string]bool // task name -> host -> changed
	failed  map[string]map[string]bool
}

func (l *roleLab) play(t *testing.T, args ...string) rolePlay {
	t.Helper()
	bin := testenv.NeedCommand(t, "ansible-playbook", "ansible")
	dir := t.TempDir()
	for _, d := range []string{"home", "local-tmp", "remote-tmp", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	p := rolePlay{reports: filepath.Join(dir, "reports"), changed: map[string]map[string]bool{}, failed: map[string]map[string]bool{}}
	vars, err := json.Marshal(map[string]any{
		"golive_binary":      golive,
		"golive_args":        args,
		"golive_reports_dir": p.reports,
		"golive_become":      false,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-i", l.inventory, "golive-role.yml", "-e", string(vars))
	cmd.Env = append(ansibleEnv(dir),
		"ANSIBLE_STDOUT_CALLBACK=ansible.posix.json",
		// One connection per host for the play, as Ansible does, but kept
		// only 2 s past it: the master ssh holds the output pipes open
		// until it exits. Its socket path must fit in 108 bytes.
		"ANSIBLE_SSH_ARGS=-o ControlMaster=auto -o ControlPersist=2s",
		"ANSIBLE_SSH_CONTROL_PATH_DIR="+filepath.Join(dir, "cp"),
		"ANSIBLE_HOST_KEY_CHECKING=True",
	)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	p.output = stdout.String() + stderr.String()
	if ee, ok := err.(*exec.ExitError); ok {
		p.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var result struct {
		Plays []struct {
			Tasks []struct {
				Task struct {
					Name string `json:"name"`
				} `json:"task"`
				Hosts map[string]struct {
					Changed bool `json:"changed"`
					Failed  bool `json:"failed"`
				} `json:"hosts"`
			} `json:"tasks"`
		} `json:"plays"`
	}
	if err := json.Unmarshal([]byte(stdout.String()), &result); err != nil {
		t.Fatalf("ansible-playbook's JSON output: %v\n%s", err, p.output)
	}
	for _, pl := range result.Plays {
		for _, task := range pl.Tasks {
			name := strings.TrimPrefix(task.Task.Name, "golive : ") // the role's tasks
			p.changed[name], p.failed[name] = map[string]bool{}, map[string]bool{}
			for h, r := range task.Hosts {
				p.changed[name][h] = r.Changed
				p.failed[name][h] = r.Failed
			}
		}
	}
	return p
}

// The role's tasks the tests look at.
const (
	copyTask   = "Copy golive into the host's cache, unless it is already there"
	verifyTask = "Verify the cached binary's SHA-256"
	runTask    = "Run golive check"
)

// Issue 18: the role keeps golive in each host's cache, the same file
// fleet check uses (~/.cache/golive/golive-<sha256>, dir 0700), run with a
// real ansible-playbook over ssh against real sshd servers. The second
// run copies nothing to a host that has it (the copy task is not
// changed, the file is the same inode, untouched), and a cached file
// whose content is wrong is replaced and verified before it runs.
func TestRoleCachesTheBinary(t *testing.T) {
	l := newRoleLab(t)
	args := []string{"--profile", "linux", "--only", "os/kernel", "--offline"}
	first := l.play(t, args...)
	if first.code != 0 {
		t.Fatalf("first run: ansible-playbook exited %d\n%s", first.code, first.output)
	}
	for i, s := range l.servers {
		host := fmt.Sprintf("host%d", i+1)
		if !first.changed[copyTask][host] {
			t.Errorf("first run, %s: the copy task did not change the host: %v", host, first.changed[copyTask])
		}
		fi, err := os.Stat(l.cached(s))
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: cached binary %v (%v), want mode 0700", host, fi, err)
		}
		if di, err := os.Stat(filepath.Dir(l.cached(s))); err != nil || di.Mode().Perm() != 0o700 {
			t.Errorf("%s: cache dir %v (%v), want mode 0700", host, di, err)
		}
		l.checkReport(t, first, host)
		if left, _ := filepath.Glob(filepath.Join(s.Tmp, "golive.*")); len(left) > 0 {
			t.Errorf("%s: temp dirs left: %v", host, left)
		}
	}

	// host1 keeps its cached file; host2's is cut short under the right
	// name (a disk that filled, a tampered file).
	keep := l.cached(l.servers[0])
	before, _ := os.Stat(keep)
	if err := os.Truncate(l.cached(l.servers[1]), 4096); err != nil {
		t.Fatal(err)
	}
	second := l.play(t, args...)
	if second.code != 0 {
		t.Fatalf("second run: ansible-playbook exited %d\n%s", second.code, second.output)
	}
	if second.changed[copyTask]["host1"] {
		t.Errorf("second run, host1: the copy task changed the host: the binary was sent again")
	}
	after, _ := os.Stat(keep)
	if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) || after.Sys().(*syscall.Stat_t).Ctim != before.Sys().(*syscall.Stat_t).Ctim {
		t.Errorf("second run, host1: the cached file was rewritten")
	}
	if !second.changed[copyTask]["host2"] {
		t.Errorf("second run, host2: a wrong cached file was kept")
	}
	if fi, err := os.Stat(l.cached(l.servers[1])); err != nil || fi.Size() != int64(len(mustRead(t, golive))) {
		t.Errorf("second run, host2: cached file %v (%v), want the binary", fi, err)
	}
	for _, host := range []string{"host1", "host2"} {
		l.checkReport(t, second, host)
	}

	// The cache is fleet check's own: its fan-out finds the binary there
	// and sends it to neither host.
	auth, err := sshclient.NewAuth([]string{l.key}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sshclient.NewHostKeys(l.known, false)
	if err != nil {
		t.Fatal(err)
	}
	var targets []fleet.Target
	for _, s := range l.servers {
		targets = append(targets, fleet.Target{Dest: sshclient.Dest{Host: "127.0.0.1", Port: s.Port}})
	}
	results, err := fleet.Run(context.Background(), targets, fleet.Options{
		User: "root", Auth: auth, HostKeys: keys, Binaries: map[string]string{runtime.GOARCH: golive},
		CheckArgs: []string{"--profile", "linux", "--only", "os/kernel", "--offline"}, Parallel: 2, HostTimeout: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Kind != fleet.KindOK || r.Cache != fleet.CacheHit {
			t.Errorf("fleet check of %s after the role: %s %q, cache %q; want ok from the role's cache", r.Target.Name(), r.Kind, r.Err, r.Cache)
		}
	}
}

// A cache entry under the binary's name that is not the binary (here a
// directory: copy, given a directory, writes into it and reports
// success) is never run: the SHA-256 verification fails that host before
// golive check, and the other host is checked.
func TestRoleRefusesAWrongCachedBinary(t *testing.T) {
	l := newRoleLab(t)
	if err := os.MkdirAll(l.cached(l.servers[0]), 0o700); err != nil {
		t.Fatal(err)
	}
	p := l.play(t, "--offline", "--only", "os/kernel")
	if p.code == 0 {
		t.Fatalf("the play passed with a cache entry that is not the binary\n%s", p.output)
	}
	if !p.failed[verifyTask]["host1"] || p.failed[verifyTask]["host2"] {
		t.Errorf("verify task failed on %v, want host1 only\n%s", p.failed[verifyTask], p.output)
	}
	if _, ran := p.failed[runTask]["host1"]; ran {
		t.Errorf("golive check ran on host1 from a cache entry that is not the binary")
	}
	if _, err := os.Stat(filepath.Join(p.reports, "host1.json")); !os.IsNotExist(err) {
		t.Errorf("a report was fetched from host1")
	}
	l.checkReport(t, p, "host2")
}

func (l *roleLab) checkReport(t *testing.T, p rolePlay, host string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(p.reports, host+".json"))
	if err != nil {
		t.Fatalf("%s: no report fetched: %v\n%s", host, err, p.output)
	}
	if err := reporttest.Validate(data); err != nil {
		t.Fatalf("%s: %v", host, err)
	}
	var r report
	json.Unmarshal(data, &r)
	if r.Verdict != "pass" || len(r.Checks) != 1 || r.Checks[0].ID != "os/kernel" {
		t.Errorf("%s: verdict %q, checks %v", host, r.Verdict, r.Checks)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
