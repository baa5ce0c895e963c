package libc

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-sh/golive/checks/libc/libctest"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// The differential suite against readelf, ldd and musl's loader
// (docs/truth.md, "libc"). For every ELF file of a seeded sample of
// /usr/bin, /usr/sbin and /usr/lib/x86_64-linux-gnu, and for every binary
// the tests build, it compares:
//
//   - the version needs golive reads (and the highest GLIBC_, GLIBCXX_ and
//     CXXABI_ it reports) with `readelf -V --wide`;
//   - the DT_NEEDED closure golive resolves (name -> path, or missing) with
//     what the real loader lists: glibc's `ldd` (ld.so --list), or for a
//     musl binary `<its PT_INTERP> --list` (musl's loader).
//
// The loaders run only on files in the read-only system directories and on
// binaries the tests build: in list mode they map the objects and run no
// code of the file (no constructors, no relocation).

// sampleSize is how many system files the suite draws, spread over the
// three directories.
const sampleSize = 300

// batchSize is how many files one readelf and one ldd process read: the
// process count, not the loaders' work, dominates the suite's time.
const batchSize = 24

// lddDifferences are the files where golive deliberately differs from the
// reference, with the reason in docs/truth.md. Empty: none on this host.
var lddDifferences = map[string]string{}

type elfCase struct {
	path string
	why  string
}

type refListing struct {
	static  bool              // not a dynamic executable / statically linked / not a valid dynamic program
	interp  string            // the loader's own line
	libs    map[string]string // name -> path, "" when not found
	failure string            // the loader failed otherwise
}

func TestELFAgreesWithReadelfAndLoaders(t *testing.T) {
	libctest.Readelf(t)
	ldd := testenv.NeedCommand(t, "ldd", "libc-bin")
	cases := systemSample(t)
	nSystem := len(cases)
	cases = append(cases, builtCases(t)...)
	h := live(t)

	type outcome struct {
		c    elfCase
		errs []string
		kind refKind
	}
	results := make([]outcome, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	start := time.Now()
	for range max(2, runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range next {
				last := min(first+batchSize, len(cases))
				batch := make([]string, 0, last-first)
				for _, c := range cases[first:last] {
					batch = append(batch, c.path)
				}
				errs, kinds := compareBatch(h, ldd, batch)
				for i := range errs {
					results[first+i] = outcome{c: cases[first+i], errs: errs[i], kind: kinds[i]}
				}
			}
		}()
	}
	for i := 0; i < len(cases); i += batchSize {
		next <- i
	}
	close(next)
	wg.Wait()

	agree, n := 0, 0
	var bad []string
	kinds := map[refKind]int{}
	for _, r := range results {
		kinds[r.kind]++
		if _, known := lddDifferences[r.c.path]; known {
			continue
		}
		n++
		if len(r.errs) == 0 {
			agree++
			continue
		}
		bad = append(bad, fmt.Sprintf("%s (%s):\n\t%s", r.c.path, r.c.why, strings.Join(r.errs, "\n\t")))
	}
	t.Logf("differential: %d cases (%d system files, %d built), %d agree, in %v", n, nSystem, len(cases)-nSystem, agree, time.Since(start).Round(time.Millisecond))
	if agree != n {
		if len(bad) > 30 {
			bad = bad[:30]
		}
		t.Errorf("%d of %d ELF files disagree with readelf/ldd/musl:\n%s", n-agree, n, strings.Join(bad, "\n"))
	}
	// Each way the references answer must be exercised.
	t.Logf("reference answers: %d musl --list, %d ldd listings, %d with a library not found, %d static", kinds[refMusl], kinds[refLdd], kinds[refNotFound], kinds[refStatic])
	for k, least := range map[refKind]int{refMusl: 4, refLdd: 100, refNotFound: 3, refStatic: 5} {
		if kinds[k] < least {
			t.Errorf("only %d cases of %s", kinds[k], k)
		}
	}
	if nSystem < 200 {
		t.Errorf("only %d system ELF files sampled", nSystem)
	}
}

// systemSample is a seeded sample of the ELF files of the three system
// directories, each file once (by its resolved path).
func systemSample(t *testing.T) []elfCase {
	t.Helper()
	var out []elfCase
	for _, dir := range []string{"/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu"} {
		var files []string
		seen := map[string]bool{}
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // an unreadable corner of the tree is not the suite's business
			}
			if d.IsDir() || (d.Type()&fs.ModeSymlink == 0 && !d.Type().IsRegular()) {
				return nil
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil || seen[real] || !isELF(real) {
				return nil
			}
			seen[real] = true
			files = append(files, real)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(files)
		r := rand.New(rand.NewPCG(20261204, uint64(len(dir))))
		r.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
		files = files[:min(len(files), sampleSize/3)]
		for _, f := range files {
			out = append(out, elfCase{path: f, why: "sample of " + dir})
		}
	}
	return out
}

func isELF(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var m [4]byte
	n, _ := f.Read(m[:])
	return n == 4 && string(m[:]) == "\x7fELF"
}

// refKind is how the reference answered a case.
type refKind string

const (
	refMusl     refKind = "musl --list"
	refLdd      refKind = "an ldd listing"
	refNotFound refKind = "a library not found"
	refStatic   refKind = "static"
)

func kindOf(ref refListing, musl bool) refKind {
	for _, p := range ref.libs {
		if p == "" {
			return refNotFound
		}
	}
	switch {
	case ref.static:
		return refStatic
	case musl:
		return refMusl
	}
	return refLdd
}

// compareBatch runs readelf and ldd once for a batch of files (musl's
// loader once per musl binary) and compares each file.
func compareBatch(h *host.Host, ldd string, paths []string) ([][]string, []refKind) {
	out := make([][]string, len(paths))
	kinds := make([]refKind, len(paths))
	infos := make([]*elfInfo, len(paths))
	var glibcSide []string
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			out[i] = []string{err.Error()}
			continue
		}
		infos[i], err = analyze(f)
		f.Close()
		if err != nil {
			out[i] = []string{"golive: " + err.Error()}
			continue
		}
		if !isMusl(infos[i]) {
			glibcSide = append(glibcSide, p)
		}
	}
	readelfOut, stderr, err := runRef(exec.Command("readelf", append([]string{"-V", "--wide"}, paths...)...))
	if err != nil {
		for i := range out {
			out[i] = append(out[i], fmt.Sprintf("readelf: %v: %s", err, stderr))
		}
		return out, kinds
	}
	needs := splitSections(readelfOut, "File: ", paths)
	var lists map[string]string
	if len(glibcSide) > 0 {
		lddOut, _, _ := runRef(exec.Command(ldd, glibcSide...))
		lists = splitSections(lddOut, "", glibcSide)
	}
	for i, p := range paths {
		if infos[i] == nil {
			continue
		}
		var ref refListing
		if isMusl(infos[i]) {
			o, e, err := runRef(exec.Command(infos[i].interp, "--list", p))
			ref = parseListing(o, e, err)
		} else {
			ref = parseListing([]byte(lists[p]), nil, nil)
		}
		out[i] = compareELF(h, p, infos[i], []byte(needs[p]), ref)
		kinds[i] = kindOf(ref, isMusl(infos[i]))
	}
	return out, kinds
}

func isMusl(info *elfInfo) bool { return info.flavour == flavourMusl && info.interp != "" }

// splitSections cuts the output of a multi-file readelf ("File: PATH"
// lines) or ldd ("PATH:" lines) into each file's part.
func splitSections(out []byte, prefix string, paths []string) map[string]string {
	header := map[string]string{}
	for _, p := range paths {
		if prefix != "" {
			header[prefix+p] = p
		} else {
			header[p+":"] = p
		}
	}
	m := map[string]string{}
	cur := ""
	for _, line := range strings.Split(string(out), "\n") {
		if p, ok := header[line]; ok {
			cur = p
			continue
		}
		if cur != "" {
			m[cur] += line + "\n"
		}
	}
	return m
}

// compareELF compares golive's reading of one file with readelf's version
// needs and the loader's listing.
func compareELF(h *host.Host, p string, info *elfInfo, readelfOut []byte, ref refListing) []string {
	var errs []string
	needs, err := libctest.ParseVersionNeeds(readelfOut)
	if err != nil {
		return []string{"readelf output: " + err.Error()}
	}
	for file := range needs {
		if len(needs[file]) == 0 {
			delete(needs, file)
		}
	}
	if a, b := canonNeeds(info.needs), canonNeeds(needs); a != b {
		errs = append(errs, fmt.Sprintf("version needs: golive %s, readelf %s", a, b))
	}
	for _, prefix := range []string{"GLIBC_", "GLIBCXX_", "CXXABI_"} {
		want := libctest.MaxVersion(needs, prefix)
		got := strings.TrimPrefix(map[string]string{"GLIBC_": info.glibc, "GLIBCXX_": info.glibcxx, "CXXABI_": info.cxxabi}[prefix], prefix)
		if got != want {
			errs = append(errs, fmt.Sprintf("highest %s: golive %q, readelf %q", prefix, got, want))
		}
	}

	if ref.failure != "" {
		return append(errs, "reference: "+ref.failure)
	}
	if len(info.needed) == 0 {
		if !ref.static && len(ref.libs) > 0 {
			errs = append(errs, fmt.Sprintf("golive: no DT_NEEDED; the loader lists %v", ref.libs))
		}
		return errs
	}
	if ref.static {
		if info.interp != "" && !h.Exists(info.interp) {
			// ldd has no loader for it and calls it "not a dynamic
			// executable"; golive's compat check fails it for that
			// missing loader.
			return errs
		}
		return append(errs, fmt.Sprintf("golive: DT_NEEDED %v; the loader says it is static", info.needed))
	}
	resolved, _ := resolveAll(h, p, info)
	got := map[string]resolvedLib{}
	for _, r := range resolved {
		got[r.Name] = r
	}
	// The loader prints $ORIGIN/../lib as it joined it; golive prints the
	// clean path.
	for name, want := range ref.libs {
		g, ok := got[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("%s: the loader finds %q, golive does not look it up", name, want))
		case g.Path != cleanPath(want):
			errs = append(errs, fmt.Sprintf("%s: golive %q (%s), the loader %q", name, g.Path, g.Via, want))
		}
	}
	// A name the loader does not list was answered by an object already
	// loaded: the loader itself (ld-linux-x86-64.so.2 of a library) or a
	// file loaded under another name.
	for name, g := range got {
		if _, ok := ref.libs[name]; ok {
			continue
		}
		if g.Path == "" {
			errs = append(errs, fmt.Sprintf("%s: golive finds it missing, the loader does not list it", name))
			continue
		}
		loaded := sameFile(g.Path, ref.interp)
		for _, lp := range ref.libs {
			loaded = loaded || sameFile(g.Path, lp)
		}
		if !loaded {
			errs = append(errs, fmt.Sprintf("%s: golive %q (%s), the loader does not list it", name, g.Path, g.Via))
		}
	}
	return errs
}

// runRef runs a reference with a clean environment (no LD_LIBRARY_PATH or
// LD_PRELOAD of the caller's) and a deadline.
func runRef(cmd *exec.Cmd) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	c.Env = []string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C"}
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	err = c.Run()
	return o.Bytes(), e.Bytes(), err
}

func canonNeeds(m map[string][]string) string {
	var files []string
	for f, vs := range m {
		vs = slices.Clone(vs)
		sort.Strings(vs)
		files = append(files, f+"="+strings.Join(vs, ","))
	}
	sort.Strings(files)
	return "{" + strings.Join(files, " ") + "}"
}

func cleanPath(p string) string {
	if p == "" {
		return ""
	}
	return filepath.Clean(p)
}

func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	x, err1 := os.Stat(a)
	y, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(x, y)
}

var (
	lddLibLine    = regexp.MustCompile(`^\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$`)
	lddSelfLine   = regexp.MustCompile(`^\s*(/\S+) \(0x[0-9a-f]+\)$`)
	lddVdsoLine   = regexp.MustCompile(`^\s*linux-(?:vdso|gate)\.so\.1 \(0x[0-9a-f]+\)$`)
	muslErrorLine = regexp.MustCompile(`^Error loading shared library (\S+): .*\(needed by .*\)$`)
)

// parseListing reads ld.so's or musl's list output.
func parseListing(stdout, stderr []byte, exitErr error) refListing {
	l := refListing{libs: map[string]string{}}
	all := string(stdout) + "\n" + string(stderr)
	if strings.Contains(all, "not a dynamic executable") || strings.Contains(all, "statically linked") || strings.Contains(all, "Not a valid dynamic program") ||
		strings.TrimSpace(all) == "" {
		// ldd of several files prints "not a dynamic executable" to
		// stderr, not in the file's part: an empty part means it.
		l.static = true
		return l
	}
	for _, line := range strings.Split(string(stdout), "\n") {
		if strings.TrimSpace(line) == "" || lddVdsoLine.MatchString(line) {
			continue
		}
		if m := lddLibLine.FindStringSubmatch(line); m != nil {
			if m[2] == "not found" {
				l.libs[m[1]] = ""
			} else {
				l.libs[m[1]] = m[2]
			}
			continue
		}
		if m := lddSelfLine.FindStringSubmatch(line); m != nil {
			l.interp = m[1]
			continue
		}
		l.failure += "unparsed: " + line + "; "
	}
	for _, line := range strings.Split(string(stderr), "\n") {
		if m := muslErrorLine.FindStringSubmatch(line); m != nil {
			l.libs[m[1]] = ""
		}
	}
	if exitErr != nil && len(l.libs) == 0 && l.interp == "" {
		l.failure += fmt.Sprintf("%v: %s", exitErr, bytes.TrimSpace(stderr))
	}
	return l
}
