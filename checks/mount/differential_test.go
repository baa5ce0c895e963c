package mount

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// TestUnitNameAgainstSystemdEscape: the .mount unit golive looks for is
// the one `systemd-escape -p --suffix=mount` names, for generated paths
// (blanks, dashes, dots, backslashes, UTF-8, repeated and trailing
// slashes, "." components).
func TestUnitNameAgainstSystemdEscape(t *testing.T) {
	testenv.NeedCommand(t, "systemd-escape", "systemd")
	rng := rand.New(rand.NewPCG(7, 7))
	parts := []string{"data", "db", "a-b", "with space", "tab\there", ".hidden", "x.y", "é", "back\\slash", "colon:x", "under_score", "1", "-", ".", "%", "~", "\u00a0", "a+b"}
	var paths []string
	paths = append(paths, "/", "//", "/./", "/data/", "/data//db")
	for len(paths) < 300 {
		var b strings.Builder
		for k := rng.IntN(4); k >= 0; k-- {
			b.WriteString([]string{"/", "//", "/./"}[rng.IntN(3)])
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		if rng.IntN(5) == 0 {
			b.WriteString("/")
		}
		paths = append(paths, b.String())
	}
	// One run for all: the names, blank-separated (an escaped name has
	// no blank); systemd-escape refuses the whole run for one path it
	// cannot escape.
	out, err := exec.Command("systemd-escape", append([]string{"-p", "--suffix=mount", "--"}, paths...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(paths) {
		t.Fatalf("%d lines for %d paths", len(lines), len(paths))
	}
	agree := 0
	for i, p := range paths {
		if got := UnitName(p); got != lines[i] {
			t.Errorf("%q: golive %q, systemd-escape %q", p, got, lines[i])
			continue
		}
		agree++
	}
	t.Logf("differential: %d paths, %d agree", len(paths), agree)
	if agree < 200 {
		t.Errorf("only %d compared", agree)
	}
}

// TestFstabAgainstFindmnt: generated /etc/fstab files read by golive and by
// `findmnt --fstab --tab-file` (libmount) give the same entries, and the
// boot verdict golive gives each target from its first line equals the
// one the same rules give on findmnt's entries.
func TestFstabAgainstFindmnt(t *testing.T) {
	testenv.NeedCommand(t, "findmnt", "util-linux")
	rng := rand.New(rand.NewPCG(8, 3))
	targets := []string{"/data", "/srv/db", "/my dir", "/var/lib/etcd", "/tmp", "/b\\x"}
	files, entries, verdicts := 0, 0, 0
	for n := 0; n < 60; n++ {
		var b strings.Builder
		for k := 2 + rng.IntN(10); k > 0; k-- {
			tgt := targets[rng.IntN(len(targets))]
			src := []string{"/dev/vdb1", "UUID=3e4c1d2a-8b7f", "LABEL=data", "tmpfs", "server:/export", "/dev/mapper/vg-lv"}[rng.IntN(6)]
			typ := []string{"xfs", "ext4", "tmpfs", "nfs", "auto", "swap"}[rng.IntN(6)]
			opts := []string{"defaults", "noatime", "noauto", "noauto,x-systemd.automount", "ro,nodev", "nofail,noatime,nosuid", "rw,relatime"}[rng.IntN(7)]
			sep := []string{" ", "\t", "  \t "}[rng.IntN(3)]
			switch rng.IntN(10) {
			case 0:
				b.WriteString("# " + src + " " + tgt + "\n")
			case 1:
				b.WriteString("\n   \n")
			case 2:
				fmt.Fprintf(&b, "%s%s%s%s%s\n", src, sep, escapeField(tgt), sep, typ) // no options
			case 3:
				fmt.Fprintf(&b, "%s%s%s\n", src, sep, escapeField(tgt)) // too short: ignored
			default:
				fmt.Fprintf(&b, "%s%s%s%s%s%s%s%s0%s%d\n", src, sep, escapeField(tgt), sep, typ, sep, opts, sep, sep, rng.IntN(3))
			}
		}
		d := t.TempDir()
		file := filepath.Join(d, "fstab")
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("findmnt", "--fstab", "--tab-file", file, "-J", "-o", "SOURCE,TARGET,FSTYPE,OPTIONS").Output()
		if err != nil && len(out) > 0 {
			t.Fatalf("findmnt: %v", err)
		}
		var ref struct {
			Filesystems []struct {
				Source, Target, Fstype string
				Options                *string
			}
		}
		if len(out) > 0 {
			if err := json.Unmarshal(out, &ref); err != nil {
				t.Fatalf("findmnt output %q: %v", out, err)
			}
		}
		got := facts.ParseFstab([]byte(b.String()))
		files++
		if len(got) != len(ref.Filesystems) {
			t.Errorf("fstab %d: golive %d entries, findmnt %d\n%s", n, len(got), len(ref.Filesystems), b.String())
			continue
		}
		refEntries := make([]facts.FstabEntry, len(got))
		for i, r := range ref.Filesystems {
			opts := "defaults"
			if r.Options != nil {
				opts = *r.Options
			}
			refEntries[i] = facts.FstabEntry{Spec: r.Source, File: r.Target, Type: r.Fstype, Options: opts, Line: got[i].Line}
			e := got[i]
			entries++
			if e.Spec != r.Source || e.File != r.Target || e.Type != r.Fstype || e.Options != opts {
				t.Errorf("fstab %d entry %d: golive %q %q %q %q, findmnt %q %q %q %q", n, i, e.Spec, e.File, e.Type, e.Options, r.Source, r.Target, r.Fstype, opts)
			}
		}
		h, _ := host.New("/")
		for _, tgt := range targets {
			s := &spec{path: tgt, mounted: true, atBoot: true, fstype: "xfs", options: []string{"noatime"}}
			mine, okMine := fstabEntry(got, tgt)
			theirs, okTheirs := fstabEntry(refEntries, tgt)
			verdicts++
			if okMine != okTheirs {
				t.Errorf("fstab %d %s: golive finds %v, findmnt's entries %v", n, tgt, okMine, okTheirs)
				continue
			}
			if !okMine {
				continue
			}
			a, b := fromFstab(mine), fromFstab(theirs)
			da := differences(h, s, a.fstype, a.source, strings.Split(a.opts, ","), kernelDefault)
			db := differences(h, s, b.fstype, b.source, strings.Split(b.opts, ","), kernelDefault)
			if a.auto != b.auto || !slices.Equal(da, db) {
				t.Errorf("fstab %d %s: golive %v %q, findmnt's entries %v %q", n, tgt, a.auto, da, b.auto, db)
			}
		}
	}
	t.Logf("differential: %d fstab files, %d entries and %d boot verdicts compared", files, entries, verdicts)
}

// diffProbeEnv names the case file when this test binary runs inside the
// namespace (TestMain).
const diffProbeEnv = "GOLIVE_MOUNT_DIFF_CASES"

// mountCase is one mount point of the namespace with a generated spec.
type mountCase struct {
	Path    string
	FSType  string
	Source  string
	Options []string
	Mounted bool
	Real    string // the mount point when Path is a symlink to it
	Setup   string `json:"-"`
}

// probeResult is what golive and findmnt say of one case in the namespace.
type probeResult struct {
	Status                engine.Status
	Observed              string
	RefFound              bool
	RefTarget, RefSource  string
	RefFSType, RefOptions string
	Err                   string
}

func runDiffProbe(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var cases []mountCase
	if err := json.Unmarshal(data, &cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	h, _ := host.New("/")
	out := make([]probeResult, len(cases))
	for i, c := range cases {
		s := &spec{path: c.Path, mounted: c.Mounted, fstype: c.FSType, source: c.Source, options: c.Options}
		r := (&mountedCheck{Base: engine.Base{M: s.meta(aspMounted)}, spec: s}).Run(context.Background(), h)
		out[i].Status, out[i].Observed = r.Status, r.Observed
		ref, err := exec.Command("findmnt", "-J", "-o", "TARGET,SOURCE,FSTYPE,OPTIONS", "--mountpoint", c.Path).Output()
		if err != nil {
			continue // findmnt exits 1 when nothing is mounted there
		}
		var fm struct {
			Filesystems []map[string]string `json:"filesystems"`
		}
		if err := json.Unmarshal(ref, &fm); err != nil || len(fm.Filesystems) == 0 {
			out[i].Err = fmt.Sprintf("findmnt output %q: %v", ref, err)
			continue
		}
		last := fm.Filesystems[len(fm.Filesystems)-1]
		out[i].RefFound = true
		out[i].RefTarget, out[i].RefSource, out[i].RefFSType, out[i].RefOptions = last["target"], last["source"], last["fstype"], last["options"]
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		return 1
	}
	return 0
}

// TestMountedDifferential makes tmpfs mounts (random options, sizes, names
// with blanks, stacked and nested mounts, plain directories) and ext4
// images on loop devices in a private mount namespace, generates a spec for
// each path (the true type, source and options, or a changed one), and
// compares golive's mount/mounted verdict with the one findmnt's own
// TARGET, SOURCE, FSTYPE and OPTIONS give (findmnt --mountpoint, the last
// of stacked mounts).
func TestMountedDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "findmnt", "util-linux")
	loops := false
	if _, err := os.Stat("/dev/loop-control"); err == nil {
		testenv.NeedCommand(t, "mkfs.ext4", "e2fsprogs")
		loops = true
	}
	rng := rand.New(rand.NewPCG(11, 5))
	base := t.TempDir()
	q := testenv.Quote
	flagsets := [][]string{{}, {"noexec"}, {"nosuid", "nodev"}, {"noatime"}, {"ro"}, {"nodev", "noexec", "nosuid"}, {"strictatime"}}
	var cases []mountCase
	for i := 0; i < 80; i++ {
		dir := filepath.Join(base, fmt.Sprintf("m%02d%s", i, []string{"", " sp", "-dash", "\ttab"}[i%4]))
		var s strings.Builder
		fmt.Fprintf(&s, "mkdir -p %s\n", q(dir))
		c := mountCase{Path: dir, Mounted: true}
		flags := flagsets[rng.IntN(len(flagsets))]
		src := []string{"golive-t", "tmpfs", "none", "my src"}[rng.IntN(4)]
		switch i % 8 {
		case 7: // a plain directory: nothing mounted
			cases = append(cases, mountCase{Path: dir, Mounted: rng.IntN(2) == 0, Setup: s.String()})
			continue
		case 5: // stacked: the second mount hides the first
			fmt.Fprintf(&s, "mount -t tmpfs -o size=64k,noexec golive-under %s\n", q(dir))
		}
		opts := append([]string{fmt.Sprintf("size=%dk", 64+rng.IntN(512))}, flags...)
		fmt.Fprintf(&s, "mount -t tmpfs -o %s %s %s\n", strings.Join(opts, ","), q(src), q(dir))
		if i%8 == 3 { // nested: a mount under this one, checked instead
			sub := dir + "/sub"
			fmt.Fprintf(&s, "mkdir -p %s && mount -t tmpfs -o nosuid golive-nested %s\n", q(sub), q(sub))
			c.Path, src, flags = sub, "golive-nested", []string{"nosuid"}
		}
		if i%8 == 6 { // a symlink to the mount point, checked through the link
			link := filepath.Join(base, fmt.Sprintf("link%02d", i))
			fmt.Fprintf(&s, "ln -s %s %s\n", q(dir), q(link))
			c.Path, c.Real = link, dir
		}
		// The spec: the truth, or a change the verdict must catch.
		c.FSType, c.Source = "tmpfs", src
		c.Options = append([]string{}, flags...)
		switch rng.IntN(6) {
		case 0:
			c.FSType = "xfs"
		case 1:
			c.Source = "/dev/vdb1"
		case 2:
			c.Options = append(c.Options, "noexec")
		case 3:
			c.Mounted = false
			c.FSType, c.Source, c.Options = "", "", nil
		case 4:
			c.Options = append(c.Options, "rw")
		}
		if rng.IntN(3) == 0 {
			c.Source = ""
		}
		c.Setup = s.String()
		cases = append(cases, c)
	}
	if loops {
		for i, o := range []string{"noatime", "ro,nodev", "data=ordered"} {
			dir := filepath.Join(base, fmt.Sprintf("e%d ext4", i))
			img := filepath.Join(base, fmt.Sprintf("e%d.img", i))
			setup := fmt.Sprintf("mkdir -p %s\ntruncate -s 8M %s\nmkfs.ext4 -q -F %s\nmount -o loop,%s %s %s\n", q(dir), q(img), q(img), o, q(img), q(dir))
			cases = append(cases, mountCase{Path: dir, Mounted: true, FSType: "ext4", Options: strings.Split(o, ","), Setup: setup})
		}
	} else {
		testenv.Missing(t, "no /dev/loop-control: the ext4 cases need loop devices")
	}
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
	cmd := testenv.Namespace{Setup: setup.String()}.Command(self)
	cmd.Env = append(os.Environ(), diffProbeEnv+"="+file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("namespace: %v: %s", err, stderr.String())
	}
	var res []probeResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		t.Fatalf("%d results for %d cases: %v", len(res), len(cases), err)
	}
	agree := 0
	statuses := map[engine.Status]int{}
	for i, c := range cases {
		r := res[i]
		if r.Err != "" {
			t.Errorf("%q: %s", c.Path, r.Err)
			continue
		}
		want := engine.Pass
		switch {
		case !r.RefFound:
			if c.Mounted {
				want = engine.Fail
			}
		case !c.Mounted:
			want = engine.Fail
		default:
			opts := strings.Split(r.RefOptions, ",")
			for _, o := range c.Options {
				if !slices.Contains(opts, o) {
					want = engine.Fail
				}
			}
			if c.FSType != "" && c.FSType != r.RefFSType || c.Source != "" && c.Source != r.RefSource {
				want = engine.Fail
			}
		}
		statuses[r.Status]++
		if r.Status != want {
			t.Errorf("%q (%+v): golive %s (%s), findmnt %v %q %q %q gives %s", c.Path, c, r.Status, r.Observed, r.RefFound, r.RefSource, r.RefFSType, r.RefOptions, want)
			continue
		}
		if target := cmp.Or(c.Real, c.Path); r.RefFound && r.RefTarget != target {
			t.Errorf("%q: findmnt target %q", c.Path, r.RefTarget)
			continue
		}
		agree++
	}
	t.Logf("differential: %d mount points, %d agree (%v)", len(cases), agree, statuses)
}
