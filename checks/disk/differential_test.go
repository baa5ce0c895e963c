package disk

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// diffProbeEnv names the case file when this test binary runs inside the
// namespace (TestMain).
const diffProbeEnv = "GOLIVE_DISK_DIFF_CASES"

// diffCase is one path in the namespace, with what the rule says of it.
type diffCase struct {
	Dir                string
	Writes, Execs      bool
	WarnFree, FailFree uint64
	WarnPct, FailPct   int
	InoWarnPct         int
	InoFailFree        uint64
	MountPoint         bool   // Dir is a mount point: also checked as a --root
	Setup              string `json:"-"`
}

func (c diffCase) rule() rule { return rule{Path: c.Dir, Writes: c.Writes, Execs: c.Execs} }

func (c diffCase) settings() settings {
	set := defaults()
	set.space = levels{warn: limit{c.WarnFree, c.WarnPct}, fail: limit{c.FailFree, c.FailPct}}
	set.inodes = levels{warn: limit{0, c.InoWarnPct}, fail: limit{c.InoFailFree, 0}}
	return set
}

// probeOut is what golive and the references say of one case, measured in
// the namespace.
type probeOut struct {
	Err                         string
	Size, Free, Avail           uint64
	Files, FilesFree            uint64
	Point, FSType               string
	Options, Super              []string
	DF, DFI                     []uint64 // size used avail; itotal iused iavail
	FindTarget, VFSOpts, FSOpts string
	// The family's own checks, run in the namespace.
	Space, Inodes, MountStatus engine.Status
	// Under --root at the mount point (a mounted image): statfs of "/";
	// at a plain directory inside it: the skip.
	RootSize, RootFiles uint64
	RootErr, PlainErr   string
}

// runDiffProbe runs in the namespace: golive's statfs and mount table
// lookups, then df and findmnt on the same paths.
func runDiffProbe(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var cases []diffCase
	if err := json.Unmarshal(data, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	h, _ := host.New("/")
	mi, err := os.ReadFile(facts.MountInfoPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	table := facts.ParseMountInfo(mi)
	outs := make([]probeOut, len(cases))
	dirs := make([]string, len(cases))
	for i, c := range cases {
		dirs[i] = c.Dir
	}
	// Cases are independent: probe them 8 at a time (findmnt is the cost).
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			probeCase(h, table, c, &outs[i])
		}()
	}
	wg.Wait()
	for _, df := range []struct {
		args []string
		into func(*probeOut, []uint64)
	}{
		{[]string{"-B1", "--output=size,used,avail"}, func(o *probeOut, v []uint64) { o.DF = v }},
		{[]string{"--output=itotal,iused,iavail"}, func(o *probeOut, v []uint64) { o.DFI = v }},
	} {
		out, err := exec.Command("df", append(df.args, dirs...)...).Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "df:", err)
			return 1
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")[1:]
		if len(lines) != len(cases) {
			fmt.Fprintf(os.Stderr, "df: %d lines for %d paths\n", len(lines), len(cases))
			return 1
		}
		for i, l := range lines {
			var v []uint64
			for _, f := range strings.Fields(l) {
				n, _ := strconv.ParseUint(f, 10, 64)
				v = append(v, n)
			}
			df.into(&outs[i], v)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(outs); err != nil {
		return 1
	}
	return 0
}

// probeCase measures one case in the namespace.
func probeCase(h *host.Host, table *facts.MountTable, c diffCase, o *probeOut) {
	st, err := h.Statfs(c.Dir)
	if err != nil {
		o.Err = err.Error()
		return
	}
	o.Size, o.Free, o.Avail, o.Files, o.FilesFree = st.Size, st.Free, st.Avail, st.Files, st.FilesFree
	r, set := c.rule(), c.settings()
	o.Space = (&spaceCheck{rule: r, set: set}).Run(context.Background(), h).Status
	o.Inodes = (&inodesCheck{rule: r, set: set}).Run(context.Background(), h).Status
	o.MountStatus = (&mountCheck{rule: r}).Run(context.Background(), h).Status
	if c.MountPoint {
		if img, err := host.New(c.Dir); err != nil {
			o.RootErr = err.Error()
		} else if rs, err := img.Statfs("/"); err != nil {
			o.RootErr = err.Error()
		} else {
			o.RootSize, o.RootFiles = rs.Size, rs.Files
		}
		// A plain directory of the mount (made by the setup): not a
		// mount point, so a root there is refused. Nothing is written
		// here: the cases are measured in parallel.
		if img, err := host.New(filepath.Join(c.Dir, "d sub")); err != nil {
			o.PlainErr = err.Error()
		} else {
			_, err = img.Statfs("/")
			o.PlainErr = fmt.Sprint(err)
		}
	}
	real, err := h.Resolve(c.Dir)
	if err != nil {
		o.Err = err.Error()
		return
	}
	m, _ := table.Holding(real)
	o.Point, o.FSType, o.Options, o.Super = m.Point, m.FSType, m.Options, m.Super
	out, err := exec.Command("findmnt", "-J", "-o", "TARGET,VFS-OPTIONS,FS-OPTIONS", "-T", c.Dir).Output()
	if err != nil {
		o.Err = "findmnt: " + err.Error()
		return
	}
	var fm struct {
		Filesystems []map[string]string `json:"filesystems"`
	}
	if err := json.Unmarshal(out, &fm); err != nil || len(fm.Filesystems) == 0 {
		o.Err = fmt.Sprintf("findmnt output %q: %v", out, err)
		return
	}
	// findmnt -T lists every mount stacked on the point, in the
	// table's order: the last is the one a path resolves to.
	last := fm.Filesystems[len(fm.Filesystems)-1]
	o.FindTarget, o.VFSOpts, o.FSOpts = last["target"], last["vfs-options"], last["fs-options"]
}

// diffCases makes the seeded cases: tmpfs mounts of many sizes, inode
// counts, fill levels and options (names with spaces and tabs, nested and
// stacked mounts, symlinks across mounts), plus ext4 images on loop
// devices when the machine has them.
func diffCases(t *testing.T, base string, loops bool) []diffCase {
	rng := rand.New(rand.NewSource(17))
	var cases []diffCase
	q := testenv.Quote
	names := []string{"plain", "with space", "tab\there", "back\\slash", "new\nline"}
	flagsets := [][]string{{}, {"noexec"}, {"nosuid", "nodev"}, {"noexec", "nosuid"}, {"ro"}, {"noatime"}, {"ro", "noexec"}}
	// 100 mounts (each mount costs the kernel an RCU grace period or two,
	// slow on a loaded machine), two paths in each: 200 tmpfs cases.
	for i := 0; i < 100; i++ {
		dir := filepath.Join(base, fmt.Sprintf("t%03d-%s", i, names[i%len(names)]))
		sizeK := 64 + rng.Intn(2048)
		inodes := 16 + rng.Intn(400)
		opts := []string{fmt.Sprintf("size=%dk", sizeK), fmt.Sprintf("mode=0%o", []int{0o755, 0o700, 0o1777}[i%3])}
		if i%9 != 0 {
			opts = append(opts, fmt.Sprintf("nr_inodes=%d", inodes))
		}
		flags := flagsets[rng.Intn(len(flagsets))]
		var mountFlags []string
		ro := false
		for _, f := range flags {
			if f == "ro" {
				ro = true
			} else {
				mountFlags = append(mountFlags, f)
			}
		}
		fillK := rng.Intn(sizeK + 1)
		files := rng.Intn(inodes + 1)
		var s strings.Builder
		fmt.Fprintf(&s, "mkdir -p %s\nmount -t tmpfs -o %s golive-t %s\n", q(dir), strings.Join(append(opts, mountFlags...), ","), q(dir))
		fmt.Fprintf(&s, "mkdir -p %s\n", q(dir+"/d sub/x"))
		check := dir
		switch i % 10 {
		case 3: // a nested mount: the path inside it is the child's
			fmt.Fprintf(&s, "mkdir -p %s && mount -t tmpfs -o size=128k,noexec golive-t %s && mkdir -p %s\n", q(dir+"/sub"), q(dir+"/sub"), q(dir+"/sub/deep"))
			check = dir + "/sub/deep"
		case 5: // a stacked mount: the later one hides the first
			fmt.Fprintf(&s, "mount -t tmpfs -o size=256k,nodev golive-t %s && mkdir -p %s\n", q(dir), q(dir+"/d sub/x"))
		case 7: // a symlink into another mount
			fmt.Fprintf(&s, "mkdir -p %s && ln -s %s %s\n", q(dir+"/real"), q(dir+"/real"), q(base+fmt.Sprintf("/link%03d", i)))
			check = base + fmt.Sprintf("/link%03d", i)
		}
		fmt.Fprintf(&s, "head -c %dk /dev/zero >%s 2>/dev/null || true\n", fillK, q(dir+"/fill"))
		fmt.Fprintf(&s, "(cd %s && seq 1 %d | xargs touch 2>/dev/null) || true\n", q(dir), files)
		if ro {
			fmt.Fprintf(&s, "mount -o remount,ro %s\n", q(dir))
		}
		// A second path: a plain directory of the same mount, found by
		// the longest mount point that is a prefix of it.
		for k, p := range []string{check, dir + "/d sub/x"} {
			c := diffCase{Dir: p, Writes: rng.Intn(2) == 0, Execs: rng.Intn(2) == 0,
				WarnFree: uint64(rng.Intn(sizeK)) << 10, FailFree: uint64(rng.Intn(sizeK/2+1)) << 10,
				WarnPct: rng.Intn(60), FailPct: rng.Intn(30), InoWarnPct: rng.Intn(80), InoFailFree: uint64(rng.Intn(inodes)),
				MountPoint: k == 0 && check == dir && i%10 != 5}
			if k == 0 {
				c.Setup = s.String()
			}
			cases = append(cases, c)
		}
	}
	if loops {
		extOpts := []string{"", "noexec", "nobarrier", "ro", "barrier=0,nosuid", "noatime,data=ordered"}
		for i, o := range extOpts {
			dir := filepath.Join(base, fmt.Sprintf("e%d ext4", i))
			img := filepath.Join(base, fmt.Sprintf("e%d.img", i))
			reserve := []int{0, 5, 10, 5, 1, 20}[i]
			mo := "loop"
			if o != "" && o != "ro" {
				mo += "," + o
			}
			var s strings.Builder
			fmt.Fprintf(&s, "mkdir -p %s\ntruncate -s %dM %s\nmkfs.ext4 -q -F -m %d -N %d %s\nmount -o %s %s %s\n",
				q(dir), 8+4*i, q(img), reserve, 256+64*i, q(img), mo, q(img), q(dir))
			fmt.Fprintf(&s, "mkdir -p %s\n", q(dir+"/d sub"))
			fmt.Fprintf(&s, "head -c %dk /dev/zero >%s 2>/dev/null || true\n", 1024*(i+1), q(dir+"/fill"))
			fmt.Fprintf(&s, "(cd %s && seq 1 %d | xargs touch 2>/dev/null) || true\n", q(dir), 40*i)
			if o == "ro" {
				fmt.Fprintf(&s, "mount -o remount,ro %s\n", q(dir))
			}
			cases = append(cases, diffCase{Dir: dir, Writes: true, Execs: true, WarnFree: 6 << 20, FailFree: 2 << 20,
				WarnPct: 40, FailPct: 20, InoWarnPct: 90, InoFailFree: 100, MountPoint: true, Setup: s.String()})
		}
	}
	return cases
}

// refVerdict is the threshold rule applied to df's own numbers.
func refVerdict(avail, used, warnFree uint64, warnPct int, failFree uint64, failPct int) engine.Status {
	pct := 0.0
	if used+avail > 0 {
		pct = float64(avail) * 100 / float64(used+avail)
	}
	below := func(free uint64, p int) bool {
		return free > 0 && avail < free || p > 0 && pct < float64(p)
	}
	switch {
	case below(failFree, failPct):
		return engine.Fail
	case below(warnFree, warnPct):
		return engine.Warn
	}
	return engine.Pass
}

// refMount is the mount rule applied to findmnt's options.
func refMount(vfs, fs string, c diffCase) engine.Status {
	opts := append(strings.Split(vfs, ","), strings.Split(fs, ",")...)
	has := func(o string) bool { return slices.Contains(opts, o) }
	switch {
	case c.Execs && has("noexec"), c.Writes && has("ro"):
		return engine.Fail
	case has("nobarrier"), has("barrier=0"):
		return engine.Warn
	}
	return engine.Pass
}

// golive's space, inodes and mount verdicts on tmpfs and ext4 mounts the
// test makes in a private mount namespace agree with df -B1, df -i and
// findmnt -T (docs/truth.md, "disk — df and findmnt").
func TestDifferentialAgainstDfAndFindmnt(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "df", "coreutils")
	testenv.NeedCommand(t, "findmnt", "util-linux")
	loops := false
	if _, err := os.Stat("/dev/loop-control"); err == nil {
		testenv.NeedCommand(t, "mkfs.ext4", "e2fsprogs")
		testenv.NeedCommand(t, "losetup", "util-linux")
		loops = true
	} else {
		testenv.Missing(t, "no /dev/loop-control: the ext4 cases need loop devices")
	}
	base := t.TempDir()
	cases := diffCases(t, base, loops)
	var setup strings.Builder
	for _, c := range cases {
		setup.WriteString(c.Setup)
	}
	file := filepath.Join(t.TempDir(), "cases.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ns := testenv.Namespace{Setup: setup.String()}
	cmd := ns.Command(self)
	cmd.Env = append(os.Environ(), diffProbeEnv+"="+file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("namespace run: %v: %s", err, stderr.String())
	}
	var outs []probeOut
	if err := json.Unmarshal(out, &outs); err != nil || len(outs) != len(cases) {
		t.Fatalf("probe output (%d results for %d cases): %v", len(outs), len(cases), err)
	}
	agree, roots := 0, 0
	verdicts := map[engine.Status]int{}
	for i, c := range cases {
		o := outs[i]
		if o.Err != "" {
			t.Errorf("%q: %s", c.Dir, o.Err)
			continue
		}
		bad := func(format string, args ...any) {
			t.Errorf("%q: "+format, append([]any{c.Dir}, args...)...)
		}
		ok := true
		u := spaceUsage(host.FSStat{Size: o.Size, Free: o.Free, Avail: o.Avail}, false)
		if o.Size != o.DF[0] || o.Size-o.Free != o.DF[1] || o.Avail != o.DF[2] {
			bad("statfs size/used/avail %d/%d/%d, df -B1 %v", o.Size, o.Size-o.Free, o.Avail, o.DF)
			ok = false
		}
		set := c.settings()
		got, _ := verdict(u, set.space)
		want := refVerdict(o.DF[2], o.DF[1], c.WarnFree, c.WarnPct, c.FailFree, c.FailPct)
		verdicts[got]++
		if got != want || o.Space != want {
			bad("space verdict %s (check %s), df's numbers give %s", got, o.Space, want)
			ok = false
		}
		wantI := engine.Pass
		if o.DFI[0] > 0 {
			wantI = refVerdict(o.DFI[2], o.DFI[1], 0, c.InoWarnPct, c.InoFailFree, 0)
		}
		verdicts["inodes-"+o.Inodes]++
		if o.Inodes != wantI {
			bad("inodes verdict %s, df -i's numbers give %s", o.Inodes, wantI)
			ok = false
		}
		if c.MountPoint {
			if o.RootErr != "" || o.RootSize != o.Size || o.RootFiles != o.Files {
				bad("--root at the mount point: size %d files %d (%s), live %d %d", o.RootSize, o.RootFiles, o.RootErr, o.Size, o.Files)
				ok = false
			}
			if !strings.Contains(o.PlainErr, "not a mounted image") {
				bad("--root at a plain directory: %s", o.PlainErr)
				ok = false
			}
			roots++
		}
		if o.Files != o.DFI[0] || o.FilesFree != o.DFI[2] {
			bad("statfs inodes %d free %d, df -i %v", o.Files, o.FilesFree, o.DFI)
			ok = false
		}
		m := facts.Mount{Point: o.Point, Options: o.Options, Super: o.Super}
		if o.Point != o.FindTarget || strings.Join(o.Options, ",") != o.VFSOpts || strings.Join(o.Super, ",") != o.FSOpts {
			bad("mount %q (%v; %v), findmnt -T %q (%s; %s)", o.Point, o.Options, o.Super, o.FindTarget, o.VFSOpts, o.FSOpts)
			ok = false
		}
		p, w := judgeMount(m, rule{Path: c.Dir, Writes: c.Writes, Execs: c.Execs})
		gotM := engine.Pass
		if len(p) > 0 {
			gotM = engine.Fail
		} else if len(w) > 0 {
			gotM = engine.Warn
		}
		verdicts["mount-"+gotM]++
		if want := refMount(o.VFSOpts, o.FSOpts, c); gotM != want || o.MountStatus != want {
			bad("mount verdict %s (check %s), findmnt's options give %s", gotM, o.MountStatus, want)
			ok = false
		}
		if ok {
			agree++
		}
	}
	t.Logf("differential: %d cases, %d agree (%d also as a mounted --root; verdicts %v)", len(cases), agree, roots, verdicts)
}
