package process

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

const diffProbeEnv = "GOLIVE_PROCESS_DIFF_CASES"

// diffProc is one process the probe starts: a renamed copy of sleep, its
// argv[0], and its real and effective uid (different ones through setpriv).
type diffProc struct {
	Bin        string
	Argv0      string
	Args       []string
	RUID, EUID uint32
}

// diffSpec is one generated rule.
type diffSpec struct {
	Comm, Cmdline string
	Min, Max      int
	User          string
}

type diffCases struct {
	Procs []diffProc
	Specs []diffSpec
}

// diffOut is what golive and pgrep said of one spec.
type diffOut struct {
	Mine, Ref         []int // matching pids
	MineUser, RefUser []int // of those, the ones running as the user
	Statuses          []engine.Status
	Err               string
}

// runDiffProbe runs as PID 1 of the namespace: it starts the processes,
// waits until each has become its program, then judges every spec with
// golive's checks and asks pgrep the same.
func runDiffProbe(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var c diffCases
	if err := json.Unmarshal(data, &c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, p := range c.Procs {
		var cmd *exec.Cmd
		if p.RUID != p.EUID {
			cmd = exec.Command("setpriv", append([]string{"--ruid=" + strconv.Itoa(int(p.RUID)), "--euid=" + strconv.Itoa(int(p.EUID)), "--", p.Bin}, p.Args...)...)
		} else {
			cmd = exec.Command(p.Bin, p.Args...)
			cmd.Args[0] = p.Argv0
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: p.RUID, Gid: p.RUID}}
		}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		want := filepath.Base(p.Bin)
		if len(want) > maxComm {
			want = want[:maxComm]
		}
		if !becomes(cmd.Process.Pid, want) {
			fmt.Fprintf(os.Stderr, "pid %d never became %s\n", cmd.Process.Pid, want)
			return 1
		}
	}
	h, _ := host.New("/")
	out := make([]diffOut, len(c.Specs))
	for i, ds := range c.Specs {
		s := &spec{name: fmt.Sprintf("s%d", i), comm: ds.Comm, min: ds.Min, max: ds.Max, user: ds.User, running: true}
		if ds.Cmdline != "" {
			s.cmdline = regexp.MustCompile(ds.Cmdline)
		}
		t, err := facts.Processes(h)
		if err != nil {
			out[i].Err = err.Error()
			continue
		}
		uid, _ := wantUID(h, ds.User)
		for _, p := range t.Processes {
			if s.matches(p) {
				out[i].Mine = append(out[i].Mine, p.PID)
				if p.EUID == uid {
					out[i].MineUser = append(out[i].MineUser, p.PID)
				}
			}
		}
		for _, a := range []aspect{aspRunning, aspCount, aspUser} {
			r := (&check{Base: engine.Base{M: s.meta(a)}, spec: s, aspect: a}).Run(context.Background(), h)
			out[i].Statuses = append(out[i].Statuses, r.Status)
		}
		out[i].Ref, out[i].RefUser = pgrepRef(ds)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		return 1
	}
	return 0
}

// becomes waits until /proc/pid/comm is name: the process has exec'd.
func becomes(pid int, name string) bool {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err == nil && strings.TrimSuffix(string(data), "\n") == name {
			return true
		}
	}
	return false
}

// pgrepRef is pgrep's answer: -x on the name (the name as an ERE, quoted),
// -f on the command line, intersected when both are given, and the same
// with -u UID (effective uid).
func pgrepRef(ds diffSpec) (all, user []int) {
	run := func(extra ...string) []int {
		var sets [][]int
		if ds.Comm != "" {
			sets = append(sets, pgrep(append(extra, "-x", "--", regexp.QuoteMeta(ds.Comm))...))
		}
		if ds.Cmdline != "" {
			sets = append(sets, pgrep(append(extra, "-f", "--", ds.Cmdline)...))
		}
		out := sets[0]
		for _, s := range sets[1:] {
			out = slices.DeleteFunc(out, func(p int) bool { return !slices.Contains(s, p) })
		}
		return out
	}
	return run(), run("-u", ds.User)
}

func pgrep(args ...string) []int {
	out, _ := exec.Command("pgrep", args...).Output() // exit 1: none
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		n, _ := strconv.Atoi(f)
		pids = append(pids, n)
	}
	sort.Ints(pids)
	return pids
}

// TestPgrepDifferential starts renamed copies of sleep (names with "-",
// "_", ".", "+", a blank, one longer than 15 bytes), with generated argv[0]
// texts, as several users (and with real and effective uids apart), as
// PID 1's children in a new PID namespace (so no process of the host is
// seen), and compares for generated rules the processes golive matches by
// name and by command-line regexp, and those of the wanted user, with the
// ones pgrep -x, -f and -u give; then each verdict with the one pgrep's
// answer gives.
func TestPgrepDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "pgrep", "procps")
	testenv.NeedCommand(t, "setpriv", "util-linux")
	sleep := testenv.NeedCommand(t, "sleep", "coreutils")
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Other users run the copies: every directory above them is opened up.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"glvp-a", "glvp_b", "glvp.c", "glv proc", "glvp+plus", "glvp-very-long-name", "glvpq"}
	var bins []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		bins = append(bins, p)
	}
	rng := rand.New(rand.NewPCG(31, 9))
	uids := []uint32{0, 1000, 65534, 1001}
	argv0s := []string{"", "worker: main", "glvp-a --role=leader", "/opt/app/bin/glvp_b -c /etc/app.conf", "glvp.c[1]", "GLVP upper"}
	var c diffCases
	counts := map[string]int{}
	for i := 0; i < 48; i++ {
		k := rng.IntN(len(bins))
		if k == len(bins)-1 && rng.IntN(2) == 0 {
			continue // glvpq: sometimes none at all
		}
		p := diffProc{Bin: bins[k], RUID: uids[rng.IntN(len(uids))], Args: []string{"1000", []string{"5", "2m", "1h"}[rng.IntN(3)]}}
		p.EUID = p.RUID
		if rng.IntN(6) == 0 {
			p.EUID = uids[rng.IntN(len(uids))]
		}
		p.Argv0 = argv0s[rng.IntN(len(argv0s))]
		if p.Argv0 == "" {
			p.Argv0 = p.Bin
		}
		c.Procs = append(c.Procs, p)
		counts[names[k]]++
	}
	pieces := []string{"glvp", "glvp-a", "glvp_b", "glvp\\.c", "glv proc", "role=(leader|follower)", "worker: .*", "^/opt/app", "1000 [0-9]+[mh]?$", "conf", "^GLVP", "glvp[-_.]", "[0-9]+ 5$", "main 1000", "c\\[1\\]", "nothing-here", ".*"}
	users := []string{"0", "1000", "65534", "root", "nobody"}
	for i := 0; i < 150; i++ {
		ds := diffSpec{Min: -1, Max: -1, User: users[rng.IntN(len(users))]}
		switch rng.IntN(3) {
		case 0:
			n := names[rng.IntN(len(names))]
			if len(n) > maxComm {
				n = n[:maxComm]
			}
			ds.Comm = n
		case 1:
			ds.Cmdline = pieces[rng.IntN(len(pieces))]
			if rng.IntN(2) == 0 {
				ds.Cmdline += ".*" + pieces[rng.IntN(len(pieces))]
			}
		default:
			ds.Comm = names[rng.IntN(len(names)-2)]
			ds.Cmdline = pieces[rng.IntN(len(pieces))]
		}
		if rng.IntN(2) == 0 {
			ds.Min = rng.IntN(4)
		}
		if rng.IntN(2) == 0 {
			ds.Max = ds.Min + rng.IntN(6)
			if ds.Max < 0 {
				ds.Max = rng.IntN(6)
			}
		}
		c.Specs = append(c.Specs, ds)
	}
	file := filepath.Join(t.TempDir(), "cases.json")
	js, _ := json.Marshal(c)
	if err := os.WriteFile(file, js, 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := testenv.Namespace{PID: true}.Command(self)
	cmd.Env = append(os.Environ(), diffProbeEnv+"="+file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("namespace: %v: %s", err, stderr.String())
	}
	var res []diffOut
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(c.Specs) {
		t.Fatalf("%d results for %d specs: %v", len(res), len(c.Specs), err)
	}
	agree, matched := 0, 0
	for i, ds := range c.Specs {
		r := res[i]
		if r.Err != "" {
			t.Errorf("%+v: %s", ds, r.Err)
			continue
		}
		if !slices.Equal(r.Mine, r.Ref) || !slices.Equal(r.MineUser, r.RefUser) {
			t.Errorf("%+v: golive %v (user %v), pgrep %v (user %v)", ds, r.Mine, r.MineUser, r.Ref, r.RefUser)
			continue
		}
		// The verdicts pgrep's answer gives.
		n := len(r.Ref)
		want := []engine.Status{engine.Fail, engine.Pass, engine.Skip}
		if n > 0 {
			want[0] = engine.Pass
			want[2] = engine.Fail
			if len(r.RefUser) == n {
				want[2] = engine.Pass
			}
		}
		if ds.Min >= 0 && n < ds.Min || ds.Max >= 0 && n > ds.Max {
			want[1] = engine.Fail
		}
		if !slices.Equal(r.Statuses, want) {
			t.Errorf("%+v: verdicts %v, pgrep's answer (%d, %d as the user) gives %v", ds, r.Statuses, n, len(r.RefUser), want)
			continue
		}
		if n > 0 {
			matched++
		}
		agree++
	}
	t.Logf("differential: %d processes (%v), %d rules, %d match some process, %d agree", len(c.Procs), counts, len(c.Specs), matched, agree)
}
