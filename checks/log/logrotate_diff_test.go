package logs

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// lrCase is one generated configuration: files under a root, written as
// they would be at /etc/logrotate.conf, /etc/logrotate.d and /var/log.
type lrCase struct {
	name  string
	files map[string]string      // root-relative path -> content ("" with a trailing / is a directory)
	modes map[string]os.FileMode // root-relative path -> mode, when not 0644
}

func (c *lrCase) write(t *testing.T, root string) {
	t.Helper()
	for _, d := range []string{"etc/logrotate.d", "var/log"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for rel, content := range c.files {
		p := filepath.Join(root, rel)
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if m, ok := c.modes[rel]; ok {
			mode = m
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
}

// lrSection is one "rotating pattern:" section of logrotate --debug.
type lrSection struct {
	text       string
	considered []string
	rotated    bool // --force: "rotating log" appeared
	truncated  bool
	postrotate bool
	errored    bool // an error (a missing log) changes what a forced run does
}

var (
	reCriterion = regexp.MustCompile(` (forced from command line|after \d+ days|hourly|weekly|monthly|yearly|\d+ bytes) ?(\((\d+) rotations\)|\(no old logs will be kept\))?`)
	reMinSize   = regexp.MustCompile(`only log files >= (\d+) bytes are rotated`)
	reMaxSize   = regexp.MustCompile(`log files >= (\d+) are rotated earlier`)
	reOldDir    = regexp.MustCompile(`olddir is (\S+),`)
)

// parseDebug splits one run's output into its sections and counts the
// duplicate-entry errors.
func parseDebug(out string) (secs []lrSection, dups int) {
	var cur *lrSection
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(line, "duplicate log entry for"):
			dups++
		case strings.HasPrefix(line, "rotating pattern: "):
			secs = append(secs, lrSection{text: line})
			cur = &secs[len(secs)-1]
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case strings.HasPrefix(line, "considering log "):
			cur.considered = append(cur.considered, strings.TrimPrefix(line, "considering log "))
		case strings.HasPrefix(line, "rotating log "):
			cur.rotated = true
		case strings.HasPrefix(line, "truncating "):
			cur.truncated = true
		case line == "running postrotate script":
			cur.postrotate = true
		case strings.HasPrefix(line, "error: "):
			cur.errored = true
		}
		if len(cur.considered) == 0 {
			cur.text += "\n" + line
		}
	}
	return secs, dups
}

// describeBlock renders what logrotate --debug prints of an entry's
// settings, from golive's model: criterion, rotations, and the flags of
// its second line.
func describeBlock(s Settings) string {
	crit := ""
	switch s.Criterion {
	case "size":
		crit = fmt.Sprintf("%d bytes", s.Size)
	case "daily":
		crit = "after 1 days"
	default:
		crit = s.Criterion
	}
	rot := ""
	switch {
	case s.Rotate == 0:
		rot = "no old logs will be kept"
	case s.Rotate > 0:
		rot = fmt.Sprintf("%d rotations", s.Rotate)
	}
	return fmt.Sprintf("%s|%s|ifempty=%v|min=%d|max=%d|olddir=%s", crit, rot, s.IfEmpty, s.MinSize, s.MaxSize, s.OldDir)
}

func describeSection(s lrSection) string {
	var m []string
	head, _, _ := strings.Cut(s.text, "empty log files")
	if all := reCriterion.FindAllStringSubmatch(head+" ", -1); len(all) > 0 {
		m = all[len(all)-1]
	}
	crit, rot := "?", ""
	if m != nil {
		crit = m[1]
		if m[3] != "" {
			rot = m[3] + " rotations"
		} else if m[2] != "" {
			rot = "no old logs will be kept"
		}
	}
	num := func(re *regexp.Regexp) int64 {
		if m := re.FindStringSubmatch(s.text); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			return n
		}
		return 0
	}
	od := ""
	if m := reOldDir.FindStringSubmatch(s.text); m != nil {
		od = m[1]
	}
	return fmt.Sprintf("%s|%s|ifempty=%v|min=%d|max=%d|olddir=%s", crit, rot, !strings.Contains(s.text, "empty log files are not rotated"),
		num(reMinSize), num(reMaxSize), od)
}

// lrDifferences are the cases where golive deliberately answers otherwise
// than logrotate (docs/truth.md, "log — logrotate"): none is generated.
var lrDifferences = map[string]string{}

// TestLogrotateDifferential runs the real logrotate --debug on generated
// configurations, bound over /etc/logrotate.conf, /etc/logrotate.d and
// /var/log in a private mount namespace, and compares which entry takes
// each log, and with which settings, with golive's reading of the same
// files.
func TestLogrotateDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	lr := testenv.NeedCommand(t, "logrotate", "logrotate")
	cases := append(handCases(), randomCases(rand.New(rand.NewSource(17)), 240)...)
	work := t.TempDir()
	casesDir := filepath.Join(work, "cases")
	for _, c := range cases {
		c.write(t, filepath.Join(casesDir, c.name))
	}
	conf := filepath.Join(work, "logrotate.conf")
	if err := os.WriteFile(conf, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `for c in "$1"/*/; do
  n=$(basename "$c")
  find /etc/logrotate.d /var/log -mindepth 1 -delete
  cp -a "$c/etc/logrotate.d/." /etc/logrotate.d/
  cp -a "$c/var/log/." /var/log/
  cat "$c/etc/logrotate.conf" > /etc/logrotate.conf
  echo "@@@ $n plain"
  LC_ALL=C "$3" --debug --state "$2/state" /etc/logrotate.conf 2>&1 || true
  echo "@@@ $n force"
  LC_ALL=C "$3" --debug --force --state "$2/state" /etc/logrotate.conf 2>&1 || true
done`
	ns := testenv.Namespace{
		Tmpfs: []string{"/etc/logrotate.d", "/var/log"},
		Binds: []testenv.Bind{{Source: conf, Target: "/etc/logrotate.conf"}},
	}
	out, err := ns.Output("/bin/sh", "-c", script, "lr", casesDir, work, lr)
	if err != nil {
		t.Fatalf("logrotate run: %v", err)
	}
	runs := map[string]string{}
	var key string
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if strings.HasPrefix(line, "@@@ ") {
			key = strings.TrimSpace(strings.TrimPrefix(line, "@@@ "))
			continue
		}
		runs[key] += line
	}
	agree := 0
	for _, c := range cases {
		if why, ok := lrDifferences[c.name]; ok {
			t.Logf("%s: skipped, a deliberate difference: %s", c.name, why)
			continue
		}
		plain, dups := parseDebug(runs[c.name+" plain"])
		forced, _ := parseDebug(runs[c.name+" force"])
		h, err := host.New(filepath.Join(casesDir, c.name))
		if err != nil {
			t.Fatal(err)
		}
		cfg := loadLogrotate(h)
		if d := compareCase(cfg, plain, forced, dups); d != "" {
			t.Errorf("%s: %s\nconfiguration:\n%s\nlogrotate:\n%s\ngolive problems: %q", c.name, d, c.dump(), runs[c.name+" plain"], cfg.Problems)
			continue
		}
		agree++
	}
	t.Logf("differential: %d cases, %d agree", len(cases), agree)
}

func compareCase(cfg *Config, plain, forced []lrSection, dups int) string {
	if len(plain) != len(cfg.Blocks) {
		var got []string
		for _, b := range cfg.Blocks {
			got = append(got, fmt.Sprintf("%s %v", b.Where(), b.Files))
		}
		return fmt.Sprintf("logrotate handles %d entries, golive %d: %s", len(plain), len(cfg.Blocks), strings.Join(got, "; "))
	}
	gDups := 0
	for _, p := range cfg.Problems {
		if strings.Contains(p, "duplicate log entry") {
			gDups++
		}
	}
	if gDups != dups {
		return fmt.Sprintf("logrotate reports %d duplicate entries, golive %d", dups, gDups)
	}
	for i, b := range cfg.Blocks {
		s := plain[i]
		if !slices.Equal(s.considered, b.Files) {
			return fmt.Sprintf("entry %d (%s): logrotate considers %q, golive %q", i, b.Where(), s.considered, b.Files)
		}
		if g, w := describeBlock(b.Settings), describeSection(s); g != w {
			return fmt.Sprintf("entry %d (%s): logrotate %s, golive %s", i, b.Where(), w, g)
		}
		if i < len(forced) && forced[i].rotated && !forced[i].errored {
			if forced[i].truncated != b.CopyTruncate {
				return fmt.Sprintf("entry %d (%s): logrotate truncates %v, golive copytruncate %v", i, b.Where(), forced[i].truncated, b.CopyTruncate)
			}
			if forced[i].postrotate != b.HasPostRotate {
				return fmt.Sprintf("entry %d (%s): logrotate runs postrotate %v, golive %v", i, b.Where(), forced[i].postrotate, b.HasPostRotate)
			}
		}
	}
	return ""
}

func (c *lrCase) dump() string {
	var keys []string
	for k := range c.files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		if strings.HasPrefix(k, "var/log/") && !strings.HasPrefix(k, "var/log/lrconf") {
			fmt.Fprintf(&b, "-- %s\n", k)
			continue
		}
		fmt.Fprintf(&b, "== %s (%o)\n%s", k, c.modes[k], c.files[k])
	}
	return b.String()
}

// logPool are the logs a random case may create.
var logPool = []string{
	"/var/log/app/a.log", "/var/log/app/b.log", "/var/log/app/c.log", "/var/log/app/.hidden.log",
	"/var/log/app/sub/d.log", "/var/log/svc/x.log", "/var/log/svc/y.txt", "/var/log/web/access.log",
	"/var/log/web/error.log", "/var/log/svc/z.log",
}

// patternPool are entry patterns: literal, missing, wildcards of glob(3).
var patternPool = []string{
	"/var/log/app/a.log", "/var/log/app/b.log", "/var/log/app/*.log", "/var/log/app/*", "/var/log/*/x.log",
	"/var/log/app/[ab].log", "/var/log/app/?.log", "/var/log/svc/*.log", "/var/log/app/.*.log", "\"/var/log/web/access.log\"",
	"'/var/log/web/error.log'", "/var/log/web/*.log", "/var/log/missing/*.log", "/var/log/none.log", "/var/log/app/sub/*.log",
	"/var/log/*/*.log", "/var/log/svc/[!x]*", "/var/log/app/[a-b].log", "/var/log/svc/dir.log",
}

var dirNames = []string{"app", "svc", "web", "00-base", "zz-last", "app.rpmsave", "app.dpkg-old", "app~", ".hidden", "x.disabled", "mid.conf", "ww", "b.bak", "c,v"}

func randomCases(r *rand.Rand, n int) []lrCase {
	var out []lrCase
	for i := 0; i < n; i++ {
		out = append(out, randomCase(r, fmt.Sprintf("rand-%03d", i)))
	}
	return out
}

func randomCase(r *rand.Rand, name string) lrCase {
	c := lrCase{name: name, files: map[string]string{}, modes: map[string]os.FileMode{}}
	for _, l := range logPool {
		if r.Intn(3) > 0 {
			c.files["var/log"+strings.TrimPrefix(l, "/var/log")[0:0]+strings.TrimPrefix(l, "/var/log")[0:]] = "x"
		}
	}
	// Normalise to root-relative keys.
	fixed := map[string]string{}
	for k, v := range c.files {
		fixed[strings.TrimPrefix(k, "/")] = v
	}
	c.files = fixed
	c.files["var/log/svc/dir.log/"] = ""
	c.files["var/log/old/"] = ""
	c.files["var/log/app/old/"] = ""
	for k := range c.files {
		if strings.HasPrefix(k, "var/log/") && !strings.HasSuffix(k, "/") {
			c.files[k] = "some log text\n"
		}
	}

	var main strings.Builder
	main.WriteString("# generated\n")
	writeDirectives(r, &main, "", r.Intn(4), false)
	if r.Intn(5) == 0 {
		fmt.Fprintf(&main, "tabooext + .%s\n", []string{"conf", "old", "app"}[r.Intn(3)])
	}
	if r.Intn(8) == 0 {
		main.WriteString("taboopat + zz-*\n")
	}
	main.WriteString("include /etc/logrotate.d\n")
	writeDirectives(r, &main, "", r.Intn(2), false)
	for j := r.Intn(3); j > 0; j-- {
		writeBlock(r, &main)
	}
	if r.Intn(4) == 0 {
		c.files["var/log/lrconf/extra.conf"] = blockText(r)
		main.WriteString("include /var/log/lrconf/extra.conf\n")
	}
	if r.Intn(5) == 0 {
		c.files["var/log/lrconf/d/one"] = blockText(r)
		c.files["var/log/lrconf/d/two"] = blockText(r)
		main.WriteString("include /var/log/lrconf/d\n")
	}
	if r.Intn(10) == 0 {
		main.WriteString("include /var/log/lrconf/nothing-here\n")
	}
	c.files["etc/logrotate.conf"] = main.String()

	for j := r.Intn(4) + 1; j > 0; j-- {
		n := dirNames[r.Intn(len(dirNames))]
		rel := "etc/logrotate.d/" + n
		if _, dup := c.files[rel]; dup {
			continue
		}
		if _, dup := c.files[rel+"/"]; dup {
			continue
		}
		switch {
		case n == "ww":
			c.modes[rel] = 0o666
		case n == "mid.conf" && r.Intn(2) == 0:
			c.files[rel+"/"] = ""
			continue
		}
		var b strings.Builder
		writeDirectives(r, &b, "", r.Intn(2), false)
		for k := r.Intn(3); k > 0; k-- {
			writeBlock(r, &b)
		}
		if r.Intn(12) == 0 {
			b.WriteString("rotate xyz\n")
			writeBlock(r, &b)
		}
		c.files[rel] = b.String()
	}
	if r.Intn(10) == 0 {
		c.files["etc/logrotate.d/empty"] = ""
	}
	return c
}

func blockText(r *rand.Rand) string {
	var b strings.Builder
	writeBlock(r, &b)
	return b.String()
}

func writeBlock(r *rand.Rand, b *strings.Builder) {
	n := r.Intn(3) + 1
	var pats []string
	for i := 0; i < n; i++ {
		pats = append(pats, patternPool[r.Intn(len(patternPool))])
	}
	sep := " "
	if r.Intn(6) == 0 {
		sep = "\t"
	}
	b.WriteString(strings.Join(pats, sep))
	switch r.Intn(5) {
	case 0:
		b.WriteString("\n{\n")
	case 1:
		b.WriteString("{\n")
	default:
		b.WriteString(" {\n")
	}
	writeDirectives(r, b, "    ", r.Intn(6), true)
	if r.Intn(15) == 0 {
		b.WriteString("    rotate abc\n")
	}
	if r.Intn(20) == 0 {
		b.WriteString("    frobnicate\n")
	}
	b.WriteString("}\n")
}

// writeDirectives writes n random directives, one a line.
func writeDirectives(r *rand.Rand, b *strings.Builder, indent string, n int, inBlock bool) {
	for i := 0; i < n; i++ {
		var d string
		switch r.Intn(17) {
		case 0:
			d = fmt.Sprintf("rotate %d", r.Intn(10))
		case 1:
			d = []string{"daily", "weekly", "monthly", "yearly", "hourly"}[r.Intn(5)]
		case 2:
			d = fmt.Sprintf("size %d%s", r.Intn(50)+1, []string{"", "k", "K", "M", "G"}[r.Intn(5)])
		case 3:
			d = fmt.Sprintf("maxsize %d%s", r.Intn(50)+1, []string{"", "k", "M"}[r.Intn(3)])
		case 4:
			d = fmt.Sprintf("minsize %d", r.Intn(5)+1)
		case 5:
			d = fmt.Sprintf("maxage %d", r.Intn(60)+1)
		case 6:
			d = []string{"copytruncate", "nocopytruncate"}[r.Intn(2)]
		case 7:
			d = "copy"
		case 8:
			d = []string{"missingok", "nomissingok"}[r.Intn(2)]
		case 9:
			d = []string{"notifempty", "ifempty"}[r.Intn(2)]
		case 10:
			d = []string{"compress", "delaycompress", "dateext", "sharedscripts"}[r.Intn(4)]
		case 11:
			if inBlock {
				d = "postrotate\n" + indent + "    /bin/kill -HUP 1 2>/dev/null || true\n" + indent + "endscript"
			} else {
				d = "postrotate\n    true\nendscript"
			}
		case 12:
			d = []string{"olddir /var/log/old", "noolddir"}[r.Intn(2)]
		case 13:
			d = fmt.Sprintf("rotate=%d", r.Intn(10))
		case 14:
			d = fmt.Sprintf("size = %dk", r.Intn(100)+1)
		case 15:
			d = "prerotate\n" + indent + "    true\n" + indent + "endscript"
		case 16:
			d = "compress daily"
		}
		b.WriteString(indent + d + "\n")
	}
}

// handCases are the edge cases written out.
func handCases() []lrCase {
	mk := func(name string, files map[string]string) lrCase {
		c := lrCase{name: name, files: map[string]string{
			"var/log/app/a.log": "a\n", "var/log/app/b.log": "b\n", "var/log/app/c.log": "c\n", "var/log/old/": "",
		}, modes: map[string]os.FileMode{}}
		for k, v := range files {
			c.files[k] = v
		}
		return c
	}
	cases := []lrCase{
		mk("hand-global-leaks", map[string]string{
			"etc/logrotate.conf":    "weekly\ninclude /etc/logrotate.d\n/var/log/app/c.log {\n}\n",
			"etc/logrotate.d/a-one": "rotate 9\ndaily\n/var/log/app/a.log {\n}\n",
			"etc/logrotate.d/b-two": "/var/log/app/b.log {\n}\n",
		}),
		mk("hand-error-restores", map[string]string{
			"etc/logrotate.conf":    "include /etc/logrotate.d\n/var/log/app/c.log {\n}\n",
			"etc/logrotate.d/a-one": "rotate 5\n/var/log/app/a.log {\n}\nrotate nine\n/var/log/app/b.log {\n}\n",
		}),
		mk("hand-duplicate-cuts", map[string]string{
			"etc/logrotate.conf": "/var/log/app/b.log {\n}\n/var/log/app/*.log {\n copytruncate\n}\n/var/log/app/c.log {\n rotate 3\n}\n",
		}),
		mk("hand-self-duplicate", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log /var/log/app/a.log /var/log/app/b.log {\n}\n",
		}),
		mk("hand-multiline-names", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log\n/var/log/app/b.log\n{\n rotate 4\n postrotate\n   kill -HUP 1\n endscript\n}\n",
		}),
		mk("hand-quoted", map[string]string{
			"etc/logrotate.conf": "\"/var/log/app/a.log\" '/var/log/app/b.log' {\n copytruncate\n}\n",
		}),
		mk("hand-block-error", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log {\n rotate 5 # five\n}\n/var/log/app/b.log {\n rotate 2\n}\n",
		}),
		mk("hand-unexpected-brace", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log {\n}\n}\n/var/log/app/b.log {\n}\n",
		}),
		mk("hand-bad-line", map[string]string{
			"etc/logrotate.conf": "7 /var/log/app/a.log\n/var/log/app/b.log {\n}\n",
		}),
		mk("hand-taboo-replaced", map[string]string{
			"etc/logrotate.conf":          "tabooext .foo\ninclude /etc/logrotate.d\n",
			"etc/logrotate.d/a.rpmsave":   "/var/log/app/a.log {\n}\n",
			"etc/logrotate.d/b.foo":       "/var/log/app/b.log {\n}\n",
			"etc/logrotate.d/c.dpkg-dist": "/var/log/app/c.log {\n}\n",
		}),
		mk("hand-inline-close", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log {\n missingok }\n/var/log/app/b.log {\n compress\n}\n",
		}),
		mk("hand-keyword-run", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log {\n compress copytruncate daily\n}\n",
		}),
		mk("hand-size-units", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log {\n size 100K\n}\n/var/log/app/b.log {\n size 1m\n}\n/var/log/app/c.log {\n maxsize 0x10\n rotate 010\n}\n",
		}),
		mk("hand-directory-glob", map[string]string{
			"var/log/app/dir.log/": "",
			"etc/logrotate.conf":   "/var/log/app/*.log {\n}\n",
		}),
		mk("hand-olddir", map[string]string{
			"etc/logrotate.conf": "olddir /var/log/old\n/var/log/app/a.log {\n}\n/var/log/app/b.log {\n noolddir\n}\n",
		}),
		mk("hand-hidden-include", map[string]string{
			"etc/logrotate.conf":     "include /etc/logrotate.d\n",
			"etc/logrotate.d/.dot":   "/var/log/app/a.log {\n}\n",
			"etc/logrotate.d/sub/":   "",
			"etc/logrotate.d/empty":  "",
			"etc/logrotate.d/b.swp":  "/var/log/app/b.log {\n}\n",
			"etc/logrotate.d/c,v":    "/var/log/app/c.log {\n}\n",
			"etc/logrotate.d/z-last": "/var/log/app/*.log {\n}\n",
		}),
		mk("hand-include-file-error", map[string]string{
			"etc/logrotate.conf":        "include /var/log/lrconf/bad.conf\n/var/log/app/a.log {\n}\n",
			"var/log/lrconf/bad.conf":   "/var/log/app/b.log {\n}\nrotate x\n/var/log/app/c.log {\n}\n",
			"var/log/lrconf/unused.txt": "",
		}),
		mk("hand-rotate-minus-one", map[string]string{
			"etc/logrotate.conf": "/var/log/app/a.log {\n rotate -1\n maxage 30\n}\n",
		}),
	}
	ww := mk("hand-world-writable", map[string]string{
		"etc/logrotate.conf":  "include /etc/logrotate.d\n",
		"etc/logrotate.d/bad": "/var/log/app/a.log {\n}\n",
		"etc/logrotate.d/ok":  "/var/log/app/b.log {\n}\n",
	})
	ww.modes["etc/logrotate.d/bad"] = 0o664
	return append(cases, ww)
}
