package sysctl

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// The differential suite runs the real /lib/systemd/systemd-sysctl on each
// case's files and compares every value it writes with what golive's model
// resolves for the same files (docs/truth.md, "sysctl").
//
// A case is a root: etc/sysctl.d, run/sysctl.d, usr/local/lib/sysctl.d,
// usr/lib/sysctl.d and etc/sysctl.conf, bound over the real ones in a
// private mount and network namespace; /proc/sys is a tmpfs there, with the
// case's key files bound over it. Every key file starts out holding
// sentinel, so a key systemd-sysctl never writes is told from one it writes
// as "". systemd writes "value\n" from offset 0 without truncating, so the
// value is the file's first line.
const sentinel = "golive-unset"

// diffKeys are the key files of every case, in path form below /proc/sys.
var diffKeys = []string{
	"golive/test/k1", "golive/test/k2", "golive/test/k3", "golive/test/kx",
	"golive/test/.hid", "golive/other/k1", "golive/a.b/c",
	"golive/t1/k1", "golive/t2/k1",
	"net/ipv4/conf/all/rp_filter", "net/ipv4/conf/lo/rp_filter", "net/ipv4/conf/eth0.100/rp_filter",
}

// diffDirs are the directories systemd-sysctl 252 reads, as named in a case.
var diffDirs = testenv.SysctlDirs

// diffCase is a root to compare on: path below the root -> content; a
// content of "->target" is a symlink, "/" a directory.
type diffCase struct {
	name  string
	files map[string]string
}

// knownDifferences names the cases where golive deliberately differs from
// systemd-sysctl (docs/truth.md lists each with its reason). The generator
// does not produce them; the list is here so that none can hide.
var knownDifferences = map[string]string{}

func TestDifferentialSystemdSysctl(t *testing.T) {
	bin := testenv.NeedSystemdSysctl(t)
	r := startSystemdSysctl(t, bin)
	defer r.close(t)

	// First, the proof: a write lands in the namespace's /proc/sys, and
	// the host's value is unchanged. net.core.somaxconn is also per
	// network namespace: even a leaked write could not reach the host's.
	hostBefore := readFirstLine(t, "/proc/sys/net/core/somaxconn")
	n, err := strconv.Atoi(hostBefore)
	if err != nil {
		t.Fatalf("host net.core.somaxconn %q: %v", hostBefore, err)
	}
	probe := strconv.Itoa(n + 1)
	got, _ := r.run(t, diffCase{name: "probe", files: map[string]string{
		"etc/sysctl.d/10-probe.conf": "net.core.somaxconn = " + probe + "\n",
	}})
	if got[probeKey] != probe {
		t.Fatalf("probe: systemd-sysctl wrote %q into the namespace's net/core/somaxconn, want %q", got[probeKey], probe)
	}
	if after := readFirstLine(t, "/proc/sys/net/core/somaxconn"); after != hostBefore {
		t.Fatalf("the host's net.core.somaxconn changed from %s to %s", hostBefore, after)
	}

	cases := append(handCases(), generatedCases(rand.New(rand.NewPCG(20261204, 252)), 240)...)
	start := time.Now()
	compared, agree := 0, 0
	for _, c := range cases {
		got, stderr := r.run(t, c)
		if why, ok := knownDifferences[c.name]; ok {
			t.Logf("%s: not compared: %s", c.name, why)
			continue
		}
		compared++
		h, err := host.New(r.stage)
		if err != nil {
			t.Fatal(err)
		}
		cfg := loadConfig(h, true)
		var diffs []string
		for _, k := range diffKeys {
			want, set := got[k], true
			if want == sentinel {
				want, set = "", false
			}
			p, ok := cfg.resolve(swapSeparators(k))
			if ok != set || p.value != want {
				diffs = append(diffs, fmt.Sprintf("%s: systemd-sysctl %s, golive %s %s:%d", k, shownValue(want, set), shownValue(p.value, ok), p.file, p.line))
			}
		}
		if len(diffs) == 0 {
			agree++
			continue
		}
		t.Errorf("case %s disagrees:\n  %s\nfiles:\n%ssystemd-sysctl said:\n%s", c.name, strings.Join(diffs, "\n  "), dumpCase(c), stderr)
	}
	elapsed := time.Since(start)
	t.Logf("differential: %d cases, %d compared, %d agree (%v, %v a case)",
		len(cases), compared, agree, elapsed.Round(time.Millisecond), (elapsed / time.Duration(len(cases))).Round(time.Microsecond))
	if len(cases) < 200 {
		t.Errorf("only %d cases; the suite promises at least 200", len(cases))
	}
}

// probeKey is the real key of the proof that writes stay in the namespace.
const probeKey = "net/core/somaxconn"

func shownValue(v string, set bool) string {
	if !set {
		return "unset"
	}
	return strconv.Quote(v)
}

func dumpCase(c diffCase) string {
	names := make([]string, 0, len(c.files))
	for n := range c.files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "    %s: %q\n", n, c.files[n])
	}
	return b.String()
}

func readFirstLine(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return line
}

// sysctlRunner is testenv.SystemdSysctl on a stage: the test lays each
// case out in the stage's directories (bound over the real ones; they keep
// their inodes, only their entries change) and runs systemd-sysctl once a
// case.
type sysctlRunner struct {
	stage string
	ns    *testenv.SystemdSysctl
}

func startSystemdSysctl(t *testing.T, bin string) *sysctlRunner {
	t.Helper()
	r := &sysctlRunner{stage: t.TempDir()}
	for _, d := range append([]string{"proc"}, diffDirs...) {
		if err := os.MkdirAll(filepath.Join(r.stage, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(r.stage, "etc/sysctl.conf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r.ns = testenv.StartSystemdSysctl(t, bin, r.stage, filepath.Join(r.stage, "proc"))
	return r
}

func (r *sysctlRunner) close(t *testing.T) { r.ns.Close(t) }

// run lays c out in the stage, runs systemd-sysctl on it and returns the
// first line of every key file afterwards, and what systemd-sysctl logged.
func (r *sysctlRunner) run(t *testing.T, c diffCase) (map[string]string, string) {
	t.Helper()
	keys := append([]string{probeKey}, diffKeys...)
	stageCase(t, r.stage, c, keys)
	rc, stderr := r.ns.Run(t)
	// 1 is a line that is no assignment, or a glob that matched a
	// directory; anything else is the program failing.
	if rc != 0 && rc != 1 {
		t.Fatalf("%s: systemd-sysctl exited %d:\n%s", c.name, rc, stderr)
	}
	vals := map[string]string{}
	for _, k := range keys {
		vals[k] = readFirstLine(t, filepath.Join(r.stage, "proc", k))
	}
	return vals, stderr
}

// stageCase empties the stage's directories (keeping them: they are bound)
// and writes c's files and fresh key files into it.
func stageCase(t *testing.T, stage string, c diffCase, keys []string) {
	t.Helper()
	for _, d := range diffDirs {
		entries, err := os.ReadDir(filepath.Join(stage, d))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if err := os.RemoveAll(filepath.Join(stage, d, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	files := map[string]string{"etc/sysctl.conf": ""} // truncated in place: it is bound
	for p, content := range c.files {
		files[p] = content
	}
	for p, content := range files {
		full := filepath.Join(stage, p)
		var err error
		switch target, link := strings.CutPrefix(content, "->"); {
		case link:
			err = os.Symlink(target, full)
		case content == "/":
			err = os.Mkdir(full, 0o755)
		default:
			err = os.WriteFile(full, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range keys {
		full := filepath.Join(stage, "proc", k)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(sentinel+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// handCases are the edge cases, one rule each (most of them found on real
// hosts, see the issue): their names say what they pin.
func handCases() []diffCase {
	link := "->../sysctl.conf"
	cs := []diffCase{
		{"conf-absolute-link-read-once", map[string]string{
			"etc/sysctl.conf":             "golive.test.k1 = conf\ngolive.test.k2 = conf\n",
			"etc/sysctl.d/99-sysctl.conf": "->/etc/sysctl.conf",
			"etc/sysctl.d/99-z.conf":      "golive.test.k1 = z\n",
		}},
		{"conf-relative-link", map[string]string{
			"etc/sysctl.conf":             "golive.test.k1 = conf\n",
			"etc/sysctl.d/99-sysctl.conf": link,
			"etc/sysctl.d/98-y.conf":      "golive.test.k1 = y\ngolive.test.k2 = y\n",
		}},
		{"conf-without-link-is-not-read", map[string]string{
			"etc/sysctl.conf":        "golive.test.k1 = conf\n",
			"etc/sysctl.d/10-a.conf": "golive.test.k2 = a\n",
		}},
		{"conf-regular-99-sysctl-is-just-a-file", map[string]string{
			"etc/sysctl.conf":             "golive.test.k1 = conf\n",
			"etc/sysctl.d/99-sysctl.conf": "golive.test.k2 = file\n",
		}},
		{"conf-link-from-usr-lib", map[string]string{
			"etc/sysctl.conf":                 "golive.test.k1 = conf\n",
			"usr/lib/sysctl.d/05-sysctl.conf": "->../../../etc/sysctl.conf",
			"etc/sysctl.d/10-a.conf":          "golive.test.k1 = a\n",
		}},
		{"exclude-after-assignment-drops-key", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k1 = 1\ngolive.test.k2 = 2\n",
			"etc/sysctl.d/20-b.conf": "-golive.test.k1\n",
			"etc/sysctl.d/30-c.conf": "golive.test.* = glob\n",
		}},
		{"exclude-then-assignment-sets", map[string]string{
			"etc/sysctl.d/10-a.conf": "-golive.test.k1\n",
			"etc/sysctl.d/20-b.conf": "golive.test.k1 = back\n",
		}},
		{"exclude-glob-drops-glob", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.* = g\ngolive.*.k1 = h\n",
			"etc/sysctl.d/20-b.conf": "-golive.test.*\n",
		}},
		{"glob-repeated-same-value-keeps-place", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.* = first\n",
			"etc/sysctl.d/20-b.conf": "golive.test.k? = second\n",
			"etc/sysctl.d/30-c.conf": "golive.test.* = first\n",
		}},
		{"glob-repeated-new-value-moves-last", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.* = first\n",
			"etc/sysctl.d/20-b.conf": "golive.test.k? = second\n",
			"etc/sysctl.d/30-c.conf": "golive.test.* = third\n",
		}},
		{"explicit-beats-later-glob", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k1 = explicit\n",
			"etc/sysctl.d/20-b.conf": "golive.test.* = glob\n",
		}},
		{"glob-negation-bang-and-caret", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k[!1] = bang\ngolive.t[^1].k1 = caret\ngolive.test.[!k]* = none\n",
		}},
		{"glob-classes-ranges-escapes", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k[[:digit:]] = digit\ngolive.t[1-1].k1 = range\ngolive.other.\\k1 = escaped\ngolive.test.k[x-] = dash\n",
		}},
		{"glob-does-not-cross-separators", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.* = deep\ngolive.*.k1 = one\nnet.ipv4.conf.*.rp_filter = 2\n",
		}},
		{"glob-leading-dot", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.* = star\n",
			"etc/sysctl.d/20-b.conf": "golive/test/.* = dotstar\ngolive/test/?hid = q\n",
		}},
		{"glob-unclosed-bracket", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k[1 = open\ngolive.t[12.k1 = open2\n",
		}},
		{"spelling-repeated-separators", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive..test..k1 = dots\ngolive//test//k2 = slashes\ngolive.test.///k3 = mixed\n",
		}},
		{"spelling-dot-components", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive/./test/./k1 = dot\n./golive/test/k2 = lead\ngolive./.test.k3 = swapped\n",
		}},
		{"spelling-leading-trailing", map[string]string{
			"etc/sysctl.d/10-a.conf": ".golive.test.k1. = dots\n/golive/test/k2/ = slashes\n..golive.test.kx.. = many\n",
		}},
		{"spelling-first-separator-rule", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive/a.b/c = path\nnet.ipv4.conf.eth0/100.rp_filter = dotted\nnet/ipv4/conf/all/rp_filter = pathform\n",
		}},
		{"line-ends-cr-nul", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k1 = cr\rgolive.test.k2 = nul\x00golive.test.k3 = after\n\rgolive.test.kx = lfcr\r\n",
		}},
		{"line-ends-nul-runs", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k1 = a\x00\x00golive.test.k2 = b\r\x00\ngolive.test.k3 = c\x00golive.test.kx",
		}},
		{"hidden-files-not-read", map[string]string{
			"etc/sysctl.d/.10-a.conf":  "golive.test.k1 = hidden\n",
			"etc/sysctl.d/20-b.conf":   "golive.test.k2 = shown\n",
			"usr/lib/sysctl.d/.b.conf": "golive.test.k3 = hidden\n",
			"etc/sysctl.d/30-c.conf~":  "golive.test.kx = backup\n",
			"etc/sysctl.d/.conf":       "golive.test.kx = dotconf\n",
		}},
		{"shadowing-and-masks", map[string]string{
			"usr/lib/sysctl.d/50-default.conf":   "golive.test.k1 = vendor\ngolive.test.k2 = vendor\n",
			"etc/sysctl.d/50-default.conf":       "golive.test.k2 = admin\n",
			"usr/lib/sysctl.d/60-masked.conf":    "golive.test.k3 = masked\n",
			"run/sysctl.d/60-masked.conf":        "->/dev/null",
			"usr/local/lib/sysctl.d/70-l.conf":   "golive.test.kx = local\n",
			"usr/lib/sysctl.d/70-l.conf":         "golive.test.kx = usr\n",
			"run/sysctl.d/80-run.conf":           "golive.other.k1 = run\n",
			"usr/local/lib/sysctl.d/80-run.conf": "golive.other.k1 = local\n",
		}},
		{"symlinks-between-files", map[string]string{
			"usr/lib/sysctl.d/10-real.conf": "golive.test.k1 = real\n",
			"etc/sysctl.d/20-abs.conf":      "->/usr/lib/sysctl.d/10-real.conf",
			"etc/sysctl.d/05-rel.conf":      "->../../usr/lib/sysctl.d/10-real.conf",
			"etc/sysctl.d/15-other.conf":    "golive.test.k1 = other\n",
			"etc/sysctl.d/30-dangling.conf": "->/nowhere.conf",
			"etc/sysctl.d/40-chain.conf":    "->20-abs.conf",
		}},
		{"dash-assignment-sets", map[string]string{
			"etc/sysctl.d/10-a.conf": "-golive.test.k1 = ignorefail\n- golive.test.k2=spaced\n--golive.test.k3 = twodash\n",
		}},
		{"values", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k1 = a=b=c\ngolive.test.k2 =   4096\t87380  6291456  \ngolive.test.k3 =\ngolive.test.kx=\t\n",
		}},
		{"not-assignments", map[string]string{
			"etc/sysctl.d/10-a.conf": "golive.test.k1 1\n-\n=\n= v\n#golive.test.k2 = c\n ; golive.test.k3 = c\ngolive.test.kx = ok\n  # x\n",
		}},
		{"later-file-overrides-earlier", map[string]string{
			"usr/lib/sysctl.d/10-a.conf": "golive.test.k1 = a\ngolive.test.k1 = a2\n",
			"etc/sysctl.d/20-b.conf":     "golive.test.k1 = b\n",
			"run/sysctl.d/05-c.conf":     "golive.test.k1 = c\ngolive.test.k2 = c\n",
		}},
		{"directory-named-conf", map[string]string{
			"etc/sysctl.d/10-dir.conf": "/",
			"etc/sysctl.d/20-b.conf":   "golive.test.k1 = b\n",
		}},
		{"case-matters", map[string]string{
			"etc/sysctl.d/10-a.conf": "GOLIVE.test.k1 = upper\ngolive.TEST.* = upper\n",
		}},
	}
	return cs
}

// generatedCases builds n random roots from the pieces the rules are about:
// files in all four directories with shared names, masks, hidden and
// backup names, links to sysctl.conf and between files, and lines mixing
// spellings, globs, exclusions, comments, blanks and every line ending.
func generatedCases(r *rand.Rand, n int) []diffCase {
	out := make([]diffCase, 0, n)
	for i := range n {
		out = append(out, diffCase{name: fmt.Sprintf("gen-%03d", i), files: generateRoot(r)})
	}
	return out
}

func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

func generateRoot(r *rand.Rand) map[string]string {
	files := map[string]string{}
	names := []string{"10-a.conf", "20-b.conf", "50-default.conf", "60-app.conf", "90-golive.conf", "99-z.conf",
		".hidden.conf", "README", "30-c.conf.bak", "40-d.conf~"}
	for range 1 + r.IntN(6) {
		p := pick(r, diffDirs...) + "/" + pick(r, names...)
		files[p] = generateFile(r)
	}
	if r.IntN(3) == 0 {
		files["etc/sysctl.conf"] = generateFile(r)
	}
	switch r.IntN(5) {
	case 0:
		files[pick(r, "etc/sysctl.d", "run/sysctl.d")+"/99-sysctl.conf"] = pick(r, "->../sysctl.conf", "->/etc/sysctl.conf")
	case 1:
		files["usr/lib/sysctl.d/99-sysctl.conf"] = pick(r, "->/etc/sysctl.conf", "->../../../etc/sysctl.conf")
	case 2:
		files["etc/sysctl.d/99-sysctl.conf"] = generateFile(r)
	}
	if r.IntN(4) == 0 {
		files[pick(r, "etc/sysctl.d", "run/sysctl.d")+"/"+pick(r, names[:6]...)] = "->/dev/null"
	}
	if r.IntN(5) == 0 {
		files["etc/sysctl.d/"+pick(r, "15-link.conf", "95-link.conf")] = pick(r,
			"->/usr/lib/sysctl.d/"+pick(r, names[:6]...), "->../../usr/lib/sysctl.d/"+pick(r, names[:6]...), "->/missing.conf")
	}
	return files
}

func generateFile(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(8) {
		b.WriteString(generateLine(r))
		b.WriteString(pick(r, "\n", "\n", "\n", "\n", "\r\n", "\r", "\n\r", "\x00", "\r\x00", "\n\n"))
	}
	if r.IntN(4) == 0 {
		b.WriteString(generateLine(r)) // no end of line at the end of the file
	}
	return b.String()
}

func generateLine(r *rand.Rand) string {
	blank := func() string { return pick(r, "", "", " ", "\t", "  ") }
	key := generateKey(r)
	value := pick(r, "1", "2", "v"+strconv.Itoa(r.IntN(50)), "", "a b", "4096\t87380", "x=y", "-1")
	switch r.IntN(14) {
	case 0:
		return blank() + "-" + blank() + key + blank()
	case 1:
		return "-" + key + blank() + "=" + blank() + value
	case 2:
		return pick(r, "#", ";", " #", "\t;") + key + " = " + value
	case 3:
		return blank()
	case 4:
		return key + " " + value // not an assignment
	default:
		return blank() + key + blank() + "=" + blank() + value + blank()
	}
}

// generateKey spells one of the test keys (or a glob over them) in one of
// the ways sysctl.d allows.
func generateKey(r *rand.Rand) string {
	comps := strings.Split(pick(r, diffKeys...), "/")
	if r.IntN(3) == 0 { // a glob
		i := r.IntN(len(comps))
		comps[i] = pick(r, "*", "?"+comps[i][1:], comps[i][:1]+"*", "*"+comps[i][len(comps[i])-1:],
			"k[12]", "k[!1]", "k[^2]", "[!.]*", "t[1-2]", "[[:alpha:]]*", ".*", "k[", "?*")
	}
	dotted := true
	for _, c := range comps {
		if strings.Contains(c, ".") {
			dotted = false
		}
	}
	sep := "/"
	if dotted && r.IntN(3) > 0 {
		sep = "."
	}
	if !dotted && r.IntN(2) == 0 { // dotted form of a key with a dot in a name
		for i, c := range comps {
			comps[i] = strings.ReplaceAll(c, ".", "/")
		}
		sep = "."
	}
	k := strings.Join(comps, sep)
	switch r.IntN(8) {
	case 0:
		k = strings.Replace(k, sep, sep+sep, 1)
	case 1:
		k = sep + k
	case 2:
		k += sep
	case 3:
		if sep == "/" {
			k = strings.Replace(k, "/", "/./", 1)
		} else {
			k = strings.Replace(k, ".", "./.", 1)
		}
	case 4:
		k = strings.ToUpper(k[:1]) + k[1:]
	}
	return k
}
