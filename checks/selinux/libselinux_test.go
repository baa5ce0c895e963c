package selinux

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// The differential suite against libselinux (docs/truth.md, "selinux"):
// golive's fileContexts.lookup and libselinux's selabel_lookup answer the
// same paths from the same copy of Debian's real reference policy
// (selinux-policy-default), in two layouts:
//
//   - "stock": the policy's files as installed, compiled .bin files
//     included (libselinux prefers them when they are not older than the
//     text, as restorecon on a real host does; golive reads the text);
//   - "local": text only, plus a generated file_contexts.local and
//     file_contexts.subs, as an administrator's `semanage fcontext` leaves
//     them.
//
// The reference is python3-selinux in one process per layout, run in a
// private mount namespace with the copy bound read-only over /etc/selinux:
// it reads paths from stdin and prints selabel_lookup_raw's answer.

// hostPolicy is the reference policy the suite copies; never written.
const hostPolicy = "/etc/selinux/default"

// referenceScript is the libselinux side: "mode<TAB>path" lines in,
// "context" or "none" (ENOENT: no entry, or <<none>>) or "error:<errno>"
// lines out, in order.
const referenceScript = `
import selinux, sys
opt = selinux.selinux_opt()
opt.type = selinux.SELABEL_OPT_PATH
opt.value = sys.argv[1]
h = selinux.selabel_open(selinux.SELABEL_CTX_FILE, opt, 1)
out = []
for line in sys.stdin:
    mode, path = line.rstrip("\n").split("\t", 1)
    try:
        rc, ctx = selinux.selabel_lookup_raw(h, path, int(mode))
        out.append(ctx)
    except OSError as e:
        out.append("none" if e.errno == 2 else "error:%d" % e.errno)
sys.stdout.write("\n".join(out) + "\n")
`

// fcCase is one lookup.
type fcCase struct {
	Path string
	Type fileType
	Why  string // which generator made it
}

// modeOf is the st_mode libselinux is given for a file_contexts type.
func modeOf(t fileType) int {
	switch t {
	case regularFile:
		return 0o100000
	case directory:
		return 0o040000
	case symlink:
		return 0o120000
	case charDevice:
		return 0o020000
	case blockDevice:
		return 0o060000
	case fifo:
		return 0o010000
	case socket:
		return 0o140000
	}
	return 0
}

// libselinuxDifferences are the lookups where golive deliberately answers
// otherwise than libselinux, each with its reason in docs/truth.md. Keyed
// by "<type> <path>"; empty: none is known.
var libselinuxDifferences = map[string]string{}

func TestFileContextsAgreeWithLibselinux(t *testing.T) {
	testenv.NeedNamespaces(t)
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		testenv.Missing(t, "/usr/bin/python3 not found: install the Debian package python3-selinux")
	}
	if err := exec.Command(python, "-c", "import selinux").Run(); err != nil {
		testenv.Missing(t, "python3 cannot import selinux: install the Debian package python3-selinux")
	}
	if _, err := os.Stat(filepath.Join(hostPolicy, "contexts/files/file_contexts")); err != nil {
		testenv.Missing(t, "no reference policy at "+hostPolicy+": install the Debian package selinux-policy-default")
	}
	hostFiles := hostFingerprint(t)

	total, agree := 0, 0
	answers := map[string]map[string]string{} // layout -> case -> libselinux
	for _, layout := range []string{"stock", "local"} {
		t.Run(layout, func(t *testing.T) {
			root := policyRoot(t, layout)
			h, err := host.New(root)
			if err != nil {
				t.Fatal(err)
			}
			data, err := h.ReadFile(configPath)
			if err != nil {
				t.Fatal(err)
			}
			cfg := parseConfig(data)
			fc, err := readFileContexts(h, cfg.policy)
			if err != nil {
				t.Fatal(err)
			}
			cases := fileContextCases(t, fc)
			start := time.Now()
			ref := referenceLookups(t, python, root, cases)
			refTime := time.Since(start)
			start = time.Now()
			answers[layout] = map[string]string{}
			n, ok := 0, 0
			var bad []string
			for i, c := range cases {
				key := fmt.Sprintf("%s %s", typeWord(c.Type), c.Path)
				if _, known := libselinuxDifferences[key]; known {
					continue
				}
				n++
				answers[layout][key] = ref[i]
				got := golivesAnswer(fc, c)
				if got == ref[i] {
					ok++
					continue
				}
				if len(bad) < 25 {
					bad = append(bad, fmt.Sprintf("%s (%s): golive %s, libselinux %s", key, c.Why, got, ref[i]))
				}
			}
			total += n
			agree += ok
			t.Logf("differential (%s): %d cases, %d agree (libselinux %v, golive %v)", layout, n, ok, refTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
			if ok != n {
				t.Errorf("%d of %d lookups disagree with libselinux; first ones:\n%s", n-ok, n, strings.Join(bad, "\n"))
			}
			if n < 10000 {
				t.Errorf("only %d cases: the generators lost their input", n)
			}
		})
	}
	t.Logf("differential: %d cases, %d agree", total, agree)
	// The local layout must have changed answers, or its cases proved
	// nothing about file_contexts.local and file_contexts.subs.
	changed := 0
	for k, v := range answers["local"] {
		if w, ok := answers["stock"][k]; ok && w != v {
			changed++
		}
	}
	t.Logf("file_contexts.local and .subs change %d answers", changed)
	if changed < 200 {
		t.Errorf("file_contexts.local and .subs change only %d answers", changed)
	}
	if after := hostFingerprint(t); after != hostFiles {
		t.Errorf("the host's %s changed during the test", hostPolicy)
	}
}

// golivesAnswer is what golive predicts restorecon sets, in the
// reference's vocabulary.
func golivesAnswer(fc *fileContexts, c fcCase) string {
	m, err := fc.lookup(c.Path, c.Type)
	switch {
	case err != nil:
		return "error: " + err.Error()
	case m.spec == nil || m.spec.context == "<<none>>":
		return "none"
	}
	return m.spec.context
}

func typeWord(t fileType) string {
	if t == anyFile {
		return "any"
	}
	return string(t)
}

// hostFingerprint is the size and mtime of every file of the host's
// policy, to show the suite left it alone.
func hostFingerprint(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk("/etc/selinux", func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d %v\n", p, fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// policyRoot lays out a root holding /etc/selinux/config and a copy of the
// host's policy's file contexts in the given layout.
func policyRoot(t *testing.T, layout string) string {
	t.Helper()
	root := t.TempDir()
	etc := filepath.Join(root, "etc/selinux")
	files := filepath.Join(etc, "default/contexts/files")
	if err := os.MkdirAll(files, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "config"), []byte("SELINUX=permissive\nSELINUXTYPE=default\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(hostPolicy, "contexts/files")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var bins []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "file_contexts") || e.IsDir() {
			continue
		}
		if strings.HasSuffix(name, ".bin") {
			if layout == "stock" {
				bins = append(bins, name)
			}
			continue
		}
		copyFile(t, filepath.Join(src, name), filepath.Join(files, name))
	}
	// Compiled files are copied last and dated after the text, so that
	// libselinux takes them as on the host.
	later := time.Now().Add(time.Minute)
	for _, name := range bins {
		dst := filepath.Join(files, name)
		copyFile(t, filepath.Join(src, name), dst)
		if err := os.Chtimes(dst, later, later); err != nil {
			t.Fatal(err)
		}
	}
	if layout == "local" {
		write := func(name, text string) {
			if err := os.WriteFile(filepath.Join(files, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("file_contexts.local", localEntries)
		write("file_contexts.subs", localSubs)
	}
	return root
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// localEntries is what `semanage fcontext -a` writes: overrides of
// policy entries (a pattern, an exact path, a typed entry), new trees,
// <<none>>, and entries for paths that the subs rewrite.
const localEntries = `# This file is auto-generated by libsemanage
# Do not edit directly.

/opt/golive(/.*)?	system_u:object_r:bin_t:s0
/opt/golive/data(/.*)?	system_u:object_r:var_lib_t:s0
/opt/golive/data/cache	-d	system_u:object_r:var_t:s0
/opt/golive/run/.*\.sock	-s	system_u:object_r:var_run_t:s0
/srv/web(/.*)?	system_u:object_r:httpd_sys_content_t:s0
/srv/web/uploads(/.*)?	system_u:object_r:httpd_sys_rw_content_t:s0
/usr/bin/ls	system_u:object_r:etc_t:s0
/usr/bin/python3.*	--	system_u:object_r:usr_t:s0
/var/lib/golive	-d	system_u:object_r:var_lib_t:s0
/var/lib/golive/.*	--	system_u:object_r:var_log_t:s0
/etc/golive\.conf	--	system_u:object_r:etc_t:s0
/home/[^/]+/golive(/.*)?	unconfined_u:object_r:user_bin_t:s0
/data/scratch(/.*)?	<<none>>
/data(/.*)?	system_u:object_r:var_t:s0
/usr/lib/golive(/.*)?	system_u:object_r:lib_t:s0
/var/www/golive(/.*)?	system_u:object_r:httpd_sys_content_t:s0
`

// localSubs is an administrator's file_contexts.subs: paths labelled as
// the same path under another tree.
const localSubs = `# administrator's equivalences
/web /var/www
/srv/alt /usr
/opt/lib64 /usr/lib64
/data2 /data
`

// fileContextCases generates the lookups: every entry's literal prefix with
// what may follow it, every substitution, the local entries, home
// directories, and seeded random descents, each with several file types.
func fileContextCases(t *testing.T, fc *fileContexts) []fcCase {
	t.Helper()
	var cases []fcCase
	seen := map[string]bool{}
	add := func(why, p string, types ...fileType) {
		if p == "" || p[0] != '/' || strings.ContainsAny(p, "\n\t\x00") {
			return
		}
		for _, ft := range types {
			k := string(ft) + " " + p
			if seen[k] {
				continue
			}
			seen[k] = true
			cases = append(cases, fcCase{Path: p, Type: ft, Why: why})
		}
	}
	common := []fileType{regularFile, directory, symlink}
	all := []fileType{anyFile, regularFile, directory, symlink, charDevice, blockDevice, fifo, socket}

	// Every entry: its literal path or its certain prefix, then what a
	// pattern's tail may match.
	tails := []string{"x", "/x", "/a/b.conf", ".d", "/.hidden", "s/1", "/lib/libx.so.1"}
	for i, s := range fc.specs {
		if s.exact && s.literal != "" {
			add("exact entry", s.literal, regularFile, directory, symlink, s.Type)
			add("exact entry + child", s.literal+"/x", regularFile)
			continue
		}
		pre := literalPrefix(s.regex)
		if pre == "" {
			continue
		}
		add("entry prefix", pre, regularFile, directory)
		add("entry prefix + tail", pre+tails[i%len(tails)], regularFile)
		if s.Type != anyFile {
			add("entry prefix, entry type", pre+"/y", s.Type)
		}
	}

	// Substitutions: the alias itself, below it, and a name that only
	// starts with it.
	subs := append(append([]sub{}, fc.subs...), fc.distSubs...)
	for _, s := range subs {
		for _, p := range []string{s.from, s.from + "/", s.from + "/x", s.from + "/lib/libc.so.6", s.from + "x", s.from + "/systemd/system/a.service", s.to + "/x"} {
			add("subs", p, common...)
		}
	}

	// Home directories: users, dot files, nested trees, root's.
	for _, u := range []string{"joe", "app", "a.b", "user-1", "x"} {
		for _, rel := range []string{"", "/", "/.ssh", "/.ssh/authorized_keys", "/.config/x", "/bin/tool", "/public_html/cgi-bin/a.cgi",
			"/www/site/.htaccess", "/.cache/pip/x", "/Music/a.mp3", "/golive/bin/y", "/.xauthABC", "/aquota.user", "/.local/share/keyrings/k", "/tmp/x"} {
			add("home", "/home/"+u+rel, common...)
		}
	}
	for _, rel := range []string{"/root", "/root/.ssh", "/root/.bashrc", "/root/bin/x", "/home", "/home/", "/home/lost+found"} {
		add("home", rel, common...)
	}

	// The local entries and paths around them (also looked up in the stock
	// layout, where nothing but the policy answers).
	for _, line := range strings.Split(localEntries, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		pre := literalPrefix(f[0])
		for _, p := range []string{pre, pre + "/x", pre + "/data/cache", pre + "x", pre + "/run/a.sock", pre + "/deep/er/file.txt"} {
			add("local", p, all...)
		}
	}
	for _, line := range strings.Split(localSubs, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		for _, p := range []string{f[0], f[0] + "/x", f[0] + "/html/index.html", f[0] + "/bin/ls", f[0] + "/scratch/x", f[0] + "/golive/x"} {
			add("local subs", p, common...)
		}
	}

	// Seeded random descents.
	r := rand.New(rand.NewPCG(20261204, 1))
	tops := []string{"/usr", "/var", "/home/joe", "/home/svc", "/opt", "/srv", "/etc", "/run", "/var/run", "/tmp", "/dev", "/lib", "/lib64", "/usr/local", "/root", "/boot", "/proc", "/sys", "/data", "/web"}
	names := []string{"bin", "sbin", "lib", "lib64", "libexec", "share", "etc", "log", "run", "lock", "cache", "spool", "www", "html", "cgi-bin",
		".ssh", ".config", "mail", "tmp", "libfoo.so", "libfoo.so.1", "foo.log", "x.pid", "systemd", "system", "nginx", "httpd", "mysql", "postgresql",
		"docker", "containers", "private", "init.d", "rc.d", "cron.d", "apache2", "named", "ssl", "certs", "pki", "backup", "a.b.c", ".", "..", "...",
		"x86_64-linux-gnu", "python3", "dist-packages", "node_modules", "src", "local", "golive", "data", "uploads", "sock", "kernel", "modules", "firmware"}
	for range 3000 {
		p := tops[r.IntN(len(tops))]
		for d := r.IntN(7); d >= 0; d-- {
			p += "/" + names[r.IntN(len(names))]
			if r.IntN(8) == 0 {
				p += fmt.Sprintf(".%d", r.IntN(100))
			}
		}
		add("random", p, all[r.IntN(len(all))])
	}
	return cases
}

// referenceLookups asks libselinux, in a private mount namespace where
// root's /etc/selinux is bound read-only over the host's.
func referenceLookups(t *testing.T, python, root string, cases []fcCase) []string {
	t.Helper()
	var in bytes.Buffer
	for _, c := range cases {
		fmt.Fprintf(&in, "%d\t%s\n", modeOf(c.Type), c.Path)
	}
	ns := testenv.Namespace{Binds: []testenv.Bind{{Source: filepath.Join(root, "etc/selinux"), Target: "/etc/selinux", ReadOnly: true}}}
	cmd := ns.Command(python, "-c", referenceScript, "/etc/selinux/default/contexts/files/file_contexts")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("libselinux reference: %v\n%s", err, stderr.Bytes())
	}
	var answers []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		answers = append(answers, sc.Text())
	}
	if len(answers) != len(cases) {
		t.Fatalf("libselinux answered %d of %d lookups\n%s", len(answers), len(cases), stderr.Bytes())
	}
	return answers
}
