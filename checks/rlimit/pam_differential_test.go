package rlimit

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// The differential suite for rlimit/login (docs/truth.md, "rlimit/login"):
// every case is a limits.conf, a limits.d, /etc/passwd and /etc/group. The
// real pam_limits opens a session for each of the case's users through
// `runuser -u USER -- cat /proc/self/limits` inside a private mount and pid
// namespace with the case's files bind-mounted over /etc (no user is made on
// the host), PID 1 being the driver shell whose limits the case group sets.
// golive reads the same files (loadPamConfig, lookupAccount, resolveLogin)
// and predicts the session (openSession); both must agree on every resource
// golive models, and on whether the session opens at all.

// pamDiffCase is one set of files and the users whose sessions are opened.
type pamDiffCase struct {
	name  string
	conf  *string           // limits.conf; nil: missing
	dir   map[string]string // limits.d: name -> content, "->target" a symlink, "/" a directory
	noDir bool              // no limits.d at all
	users []string
}

// pamDiffGroup is a batch of cases run in one namespace under one PID 1.
type pamDiffGroup struct {
	name   string
	pid1   map[string]Limit // PID 1's limits, set by the namespace's setup
	caller map[string]Limit // the limits runuser starts with (prlimit)
	passwd string
	group  string
	cases  []pamDiffCase
}

// pamDiffResources are the prlimit options of golive's resources.
var pamDiffResources = map[string]string{
	"core": "--core", "data": "--data", "fsize": "--fsize", "memlock": "--memlock", "rss": "--rss",
	"stack": "--stack", "nofile": "--nofile", "as": "--as", "nproc": "--nproc", "locks": "--locks",
	"sigpending": "--sigpending", "msgqueue": "--msgqueue", "rtprio": "--rtprio",
}

const pamDiffPasswd = "root:x:0:0:root:/root:/bin/sh\n" +
	"alice:x:5000:5000::/nonexistent:/bin/sh\n" +
	"bob:x:5001:6000::/nonexistent:/bin/sh\n" +
	"carol:x:7000:5000::/nonexistent:/bin/sh\n"

const pamDiffGroupFile = "root:x:0:\nalice:x:5000:\nops:x:6000:alice\ndev:x:6001:bob,carol\n"

var pamDiffUsers = []string{"alice", "bob", "carol", "root"}

func TestPamLimitsDifferential(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "runuser", "util-linux")
	testenv.NeedCommand(t, "prlimit", "util-linux")
	flavor := hostPamFlavor(t)
	own := ownLimits(t)
	nr := hostNrOpen(t)

	// The host is left as it was: no user made, no PAM or limits file
	// touched (everything the suite binds is in its temp dir).
	before := hostFiles(t)
	t.Cleanup(func() {
		if after := hostFiles(t); after != before {
			t.Errorf("the host changed:\nbefore %s\nafter  %s", before, after)
		}
		if data, err := os.ReadFile("/etc/passwd"); err == nil && strings.Contains(string(data), "\nalice:x:5000:") {
			t.Error("a case user is in the host's /etc/passwd")
		}
	})

	groups := pamDiffGroups(own)
	dir := t.TempDir()
	pamd := filepath.Join(dir, "pam.d-runuser")
	// The stack runuser uses on Debian (/etc/pam.d/runuser) without
	// pam_unix, which only logs: pam_limits is the session module.
	writeFile(t, pamd, "#%PAM-1.0\nauth sufficient pam_rootok.so\nsession required pam_limits.so\n")

	outs := make([][]byte, len(groups))
	errs := make([]error, len(groups))
	sem := make(chan struct{}, 2) // the machine has two cores
	var wg sync.WaitGroup
	for gi, g := range groups {
		gdir := filepath.Join(dir, fmt.Sprintf("g%d", gi))
		var inner strings.Builder
		inner.WriteString("set -u\n")
		for ci, c := range g.cases {
			root := filepath.Join(gdir, strconv.Itoa(ci))
			writePamCase(t, root, c, g, nr)
			fmt.Fprintf(&inner, "mount --bind %s /etc/security\n", testenv.Quote(filepath.Join(root, "etc/security")))
			for _, u := range c.users {
				fmt.Fprintf(&inner, "echo '=== %d %s'\nrunuser -u %s -- cat /proc/self/limits 2>&1\necho \"rc=$?\"\n", ci, u, u)
			}
			inner.WriteString("umount /etc/security\n")
		}
		innerPath := filepath.Join(gdir, "sessions.sh")
		writeFile(t, innerPath, inner.String())
		writeFile(t, filepath.Join(gdir, "passwd"), g.passwd)
		writeFile(t, filepath.Join(gdir, "group"), g.group)
		// PID 1 is the driver shell; runuser runs in a child started
		// with the caller's limits.
		ns := testenv.Namespace{
			PID: true,
			Binds: []testenv.Bind{
				{Source: pamd, Target: "/etc/pam.d/runuser", ReadOnly: true},
				{Source: filepath.Join(gdir, "passwd"), Target: "/etc/passwd", ReadOnly: true},
				{Source: filepath.Join(gdir, "group"), Target: "/etc/group", ReadOnly: true},
			},
			Setup: "prlimit --pid $$ " + prlimitArgs(g.pid1),
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			outs[gi], errs[gi] = ns.Output("/bin/sh", "-c", "prlimit "+prlimitArgs(g.caller)+" /bin/sh "+testenv.Quote(innerPath)+"; echo end")
		}()
	}
	wg.Wait()

	cases, agree := 0, 0
	for gi, g := range groups {
		if errs[gi] != nil {
			t.Fatalf("group %s: %v\n%s", g.name, errs[gi], outs[gi])
		}
		gdir := filepath.Join(dir, fmt.Sprintf("g%d", gi))
		sessions := parseSessions(t, outs[gi])
		caller := runuserSanitize(g.caller)
		for ci, c := range g.cases {
			root := filepath.Join(gdir, strconv.Itoa(ci))
			h, err := host.New(root)
			if err != nil {
				t.Fatal(err)
			}
			pc := loadPamConfig(h, flavor)
			for _, u := range c.users {
				cases++
				got, ok := sessions[fmt.Sprintf("%d %s", ci, u)]
				if !ok {
					t.Errorf("%s/%s: no session output", c.name, u)
					continue
				}
				ll := pc.resolveLogin(lookupAccount(h, u), flavor.Debian)
				start := sessionStart{caller: map[string]startLimit{}, pid1: pc.pid1, pid1State: pc.pid1State,
					nrOpen: nrOpen{value: nr, known: true, from: "runtime"}}
				for name, l := range caller {
					start.caller[name] = startLimit{Limit: l, known: true, from: "runuser"}
				}
				want := flavor.openSession(ll, start)
				if diff := compareSession(want, got); diff != "" {
					t.Errorf("%s/%s: golive and pam_limits disagree: %s\nlimits.conf:\n%s\nlimits.d: %q\ngroup:\n%s", c.name, u, diff, deref(c.conf), c.dir, g.group)
					continue
				}
				agree++
			}
		}
	}
	t.Logf("differential: %d cases (%d file sets in %d namespaces, %s), %d agree", cases, countCases(groups), len(groups), flavor, agree)
	if cases < 200 {
		t.Errorf("only %d cases", cases)
	}
}

// hostFiles fingerprints the host files the suite binds over.
func hostFiles(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/etc/passwd", "/etc/group", "/etc/pam.d/runuser", "/etc/security/limits.conf"} {
		data, err := os.ReadFile(p)
		fmt.Fprintf(&b, "%s:%d:%x:%v ", p, len(data), sha256.Sum256(data), err != nil)
	}
	entries, _ := os.ReadDir("/etc/security/limits.d")
	for _, e := range entries {
		b.WriteString(e.Name() + " ")
	}
	return b.String()
}

// hostPamFlavor is this machine's pam_limits: Debian's libpam-modules.
func hostPamFlavor(t *testing.T) pamFlavor {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "libpam-modules").Output()
	if err != nil {
		testenv.Missing(t, "the pam_limits differential suite runs Debian's libpam-modules (dpkg-query: "+err.Error()+")")
		return pamFlavor{}
	}
	upstream, _, _ := strings.Cut(string(out), "-")
	v, err := parsePamVersion(upstream)
	if err != nil {
		t.Fatalf("libpam-modules %s: %v", out, err)
	}
	if _, err := os.Stat("/etc/pam.d"); err != nil {
		testenv.Missing(t, "no /etc/pam.d")
	}
	return pamFlavor{Version: v, Debian: true}
}

// ownLimits are this test's limits: without CAP_SYS_RESOURCE no process of
// the suite can raise a hard limit above them.
func ownLimits(t *testing.T) map[string]Limit {
	t.Helper()
	data, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		t.Fatal(err)
	}
	rows, problems := ParseProcLimits(data)
	if len(problems) > 0 {
		t.Fatalf("/proc/self/limits: %v", problems)
	}
	out := map[string]Limit{}
	for name, r := range resources {
		out[name] = rows[r.proc]
	}
	return out
}

func hostNrOpen(t *testing.T) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// runuserSanitize is util-linux's sanitize_prlimits() (login-utils/
// su-common.c), which runuser applies to itself before PAM: nice and
// rtprio 0, fsize and as unlimited, soft nofile FD_SETSIZE; a setrlimit
// the kernel refuses leaves the limit.
func runuserSanitize(in map[string]Limit) map[string]Limit {
	out := map[string]Limit{}
	for k, v := range in {
		out[k] = v
	}
	out["rtprio"] = Limit{0, 0}
	for _, r := range []string{"fsize", "as"} {
		if out[r].Hard == Infinity {
			out[r] = Limit{Infinity, Infinity}
		}
	}
	if n := out["nofile"]; n.Soft != fdSetSize && n.Hard >= fdSetSize {
		out["nofile"] = Limit{fdSetSize, n.Hard}
	}
	return out
}

func prlimitArgs(l map[string]Limit) string {
	names := make([]string, 0, len(l))
	for n := range l {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%s:%s ", pamDiffResources[n], formatValue(l[n].Soft), formatValue(l[n].Hard))
	}
	return b.String()
}

// observedSession is what runuser printed: /proc/self/limits of the
// session, or the failure.
type observedSession struct {
	limits map[string]Limit
	rc     int
	output string
}

func parseSessions(t *testing.T, out []byte) map[string]observedSession {
	t.Helper()
	res := map[string]observedSession{}
	var key string
	var body bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "=== "):
			key = strings.TrimPrefix(line, "=== ")
			body.Reset()
		case strings.HasPrefix(line, "rc="):
			rc, _ := strconv.Atoi(strings.TrimPrefix(line, "rc="))
			rows, _ := ParseProcLimits(body.Bytes())
			o := observedSession{limits: map[string]Limit{}, rc: rc, output: body.String()}
			for name, r := range resources {
				if l, ok := rows[r.proc]; ok {
					o.limits[name] = l
				}
			}
			res[key] = o
		default:
			body.WriteString(line + "\n")
		}
	}
	return res
}

// compareSession says how golive's prediction differs from the session.
func compareSession(want *session, got observedSession) string {
	refused := len(want.refused) > 0
	if refused != (got.rc != 0) {
		return fmt.Sprintf("golive refused=%v %q; runuser rc=%d: %s", refused, want.refused, got.rc, strings.TrimSpace(got.output))
	}
	if refused {
		return ""
	}
	var diffs []string
	for name, sl := range want.limits {
		g, ok := got.limits[name]
		if !ok {
			diffs = append(diffs, name+": not in the session's /proc/self/limits")
			continue
		}
		if !sl.soft.known || !sl.hard.known || sl.soft.value != g.Soft || sl.hard.value != g.Hard {
			diffs = append(diffs, fmt.Sprintf("%s: golive %s:%s (%s | %s), session %s", name,
				showKnown(sl.soft), showKnown(sl.hard), sl.soft.from, sl.hard.from, g))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

func showKnown(s side) string {
	if !s.known {
		return "?"
	}
	return formatValue(s.value)
}

// writePamCase lays a case out as a root: etc/security, etc/passwd,
// etc/group (bind-mounted by the driver) and, for golive, proc/1/limits
// and proc/sys/fs/nr_open as the namespace has them.
func writePamCase(t *testing.T, root string, c pamDiffCase, g pamDiffGroup, nr uint64) {
	t.Helper()
	sec := filepath.Join(root, "etc/security")
	if err := os.MkdirAll(sec, 0o755); err != nil {
		t.Fatal(err)
	}
	if c.conf != nil {
		writeFile(t, filepath.Join(sec, "limits.conf"), *c.conf)
	}
	if !c.noDir {
		d := filepath.Join(sec, "limits.d")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range c.dir {
			p := filepath.Join(d, name)
			switch {
			case content == "/":
				if err := os.MkdirAll(p, 0o755); err != nil {
					t.Fatal(err)
				}
			case strings.HasPrefix(content, "->"):
				if err := os.Symlink(content[2:], p); err != nil {
					t.Fatal(err)
				}
			default:
				writeFile(t, p, content)
			}
		}
	}
	writeFile(t, filepath.Join(root, "etc/passwd"), g.passwd)
	writeFile(t, filepath.Join(root, "etc/group"), g.group)
	writeFile(t, filepath.Join(root, "proc/1/limits"), kernelLimits(g.pid1))
	writeFile(t, filepath.Join(root, "proc/sys/fs/nr_open"), strconv.FormatUint(nr, 10)+"\n")
}

// kernelLimits prints limits as fs/proc/base.c's proc_pid_limits does.
func kernelLimits(l map[string]Limit) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	for _, row := range procRows {
		for name, r := range resources {
			if r.proc == row {
				fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", row, formatValue(l[name].Soft), formatValue(l[name].Hard), r.unit)
			}
		}
	}
	return b.String()
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "(missing)"
	}
	return *s
}

func countCases(gs []pamDiffGroup) int {
	n := 0
	for _, g := range gs {
		n += len(g.cases)
	}
	return n
}

func strp(s string) *string { return &s }

// pamDiffGroups are the hand-made cases (one group, PID 1 and runuser
// with this test's own limits lowered a little) and the seeded random
// ones (several groups, each under other PID 1 limits).
func pamDiffGroups(own map[string]Limit) []pamDiffGroup {
	rng := rand.New(rand.NewPCG(20261204, 1))
	hand := pamDiffGroup{name: "hand-made", pid1: pamCasePID1Limits(own, nil), passwd: pamDiffPasswd, group: pamDiffGroupFile, cases: handCases()}
	hand.caller = callerLimits(hand.pid1, nil)
	twins := hand
	twins.name, twins.cases = "hand-made groups", handGroupCases()
	twins.group = "root:x:0:\nalice:x:5000:\nops:x:6000:\nops:x:6002:alice\ndev:x:6001:\ntwin:x:6001:bob,carol\n"
	groups := []pamDiffGroup{hand, twins}
	for gi := 0; gi < 5; gi++ {
		g := pamDiffGroup{name: fmt.Sprintf("random-%d", gi), pid1: pamCasePID1Limits(own, rng), passwd: pamDiffPasswd, group: randomGroupFile(rng)}
		g.caller = callerLimits(g.pid1, rng)
		for ci := 0; ci < 12; ci++ {
			g.cases = append(g.cases, randomCase(rng, fmt.Sprintf("%s-%d", g.name, ci), g))
		}
		groups = append(groups, g)
	}
	return groups
}

// randomGroupFile gives the case users random memberships.
func randomGroupFile(rng *rand.Rand) string {
	members := func() string {
		var m []string
		for _, u := range pamDiffUsers {
			if rng.IntN(3) == 0 {
				m = append(m, u)
			}
		}
		return strings.Join(m, ",")
	}
	return fmt.Sprintf("root:x:0:%s\nalice:x:5000:%s\nops:x:6000:%s\ndev:x:6001:%s\n", members(), members(), members(), members())
}

// floors keep a session able to run cat: descriptors, a stack, address
// space; nproc counts the user's processes on the whole host.
var floors = map[string]uint64{"nofile": 64, "nproc": 256, "stack": 1 << 20, "as": 1 << 30, "data": 1 << 30}

// pid1Limits picks PID 1's limits under this test's own (which no process
// here can exceed); rtprio stays 0 (runuser resets it anyway).
func pamCasePID1Limits(own map[string]Limit, rng *rand.Rand) map[string]Limit {
	out := map[string]Limit{}
	for name := range pamDiffResources {
		o := own[name]
		hard := o.Hard
		if rng != nil && rng.IntN(3) == 0 && hard != 0 {
			hard = lowerTo(rng, hard, floors[name])
		}
		soft := min(o.Soft, hard)
		if name == "nofile" {
			soft = min(hard, 4096) // PID 1 above 1024 shows Ubuntu's cap
		}
		if rng != nil && rng.IntN(2) == 0 {
			soft = lowerTo(rng, hard, floors[name])
		}
		out[name] = Limit{Soft: max(soft, min(floors[name], hard)), Hard: hard}
	}
	out["rtprio"] = Limit{0, 0}
	return out
}

// callerLimits are what runuser is started with: PID 1's, some lowered.
func callerLimits(pid1 map[string]Limit, rng *rand.Rand) map[string]Limit {
	out := map[string]Limit{}
	for name, l := range pid1 {
		out[name] = l
		if name == "nofile" {
			out[name] = Limit{min(l.Soft, 2048), l.Hard}
		}
		if rng != nil && rng.IntN(4) == 0 && l.Hard != 0 {
			h := lowerTo(rng, l.Hard, floors[name])
			out[name] = Limit{Soft: min(max(floors[name], l.Soft/2), h), Hard: h}
		}
	}
	out["nofile"] = Limit{Soft: min(out["nofile"].Soft, out["nofile"].Hard), Hard: out["nofile"].Hard}
	return out
}

// lowerTo picks a value in [floor, v].
func lowerTo(rng *rand.Rand, v, floor uint64) uint64 {
	if v == Infinity {
		v = 1 << 40
	}
	if floor >= v {
		return v
	}
	return floor + rng.Uint64N(v-floor+1)
}

// handCases are the edge cases of pam_limits 1.5.2 with Debian's patches,
// each named for what it pins.
func handCases() []pamDiffCase {
	long := "alice soft nproc 600" + strings.Repeat(" ", 1010) + "bob soft nofile 700\n"
	longComment := "# " + strings.Repeat("x", 1030) + " alice soft nofile 900\n"
	c := func(name, conf string, dir map[string]string) pamDiffCase {
		return pamDiffCase{name: name, conf: strp(conf), dir: dir, users: pamDiffUsers}
	}
	cases := []pamDiffCase{
		c("empty files: every limit is PID 1's, soft nofile capped at 1024", "", nil),
		c("a value is one word", "* soft nproc unlimited extra\n", nil),
		c("comments and trailing garbage", "alice soft nofile 4096 # four thousand\nbob soft nofile 3000extra\n", nil),
		c("unlimited spellings", "alice soft memlock UNLIMITED\nbob hard core infinity\ncarol soft stack -1\nalice soft core -\n", nil),
		c("signs and bases", "alice soft nproc +512\nbob soft core 0x10\ncarol soft core -5\n", nil),
		c("types", "alice SOFT nofile 2000\nbob Hard core 100\ncarol - data 2000000\nalice hurd nofile 5\n", nil),
		c("items", "alice soft NOFILE 1500\nbob soft nofiles 5\ncarol soft Nproc 700\nalice - maxlogins 100\nbob - priority 5\n", nil),
		c("domains are case-sensitive", "ALICE soft nofile 111\nAlice soft nofile 112\n", nil),
		c("user beats group beats *", "* soft nofile 300\n@ops soft nofile 400\nalice soft nofile 500\n* soft nofile 301\n", nil),
		c("a later line of equal priority wins", "alice soft nofile 500\nalice soft nofile 600\n@dev - core 7\n@dev - core 8\n", nil),
		c("a - line blocked on its soft side does not set the hard side", "alice soft nofile 500\n@ops - nofile 600\n", nil),
		c("% domains are for maxlogins only", "%ops - nofile 100\n% - nofile 100\n%:6000 - nproc 300\n", nil),
		c("uid ranges", "5000: soft nproc 1000\n:5001 soft nofile 222\n5000:5000 hard core 55\n7001:7000 soft nofile 99\n-1: soft nofile 98\n+7000: soft data 3000000\nabc: soft nofile 97\n", nil),
		c("gid ranges: the primary group only, exact gid any group", "@5000: soft nofile 333\n@:6001 soft nproc 444\n@6000:6000 soft core 66\n@:6000 hard core 77\n", nil),
		c("no-limits line for the user", "alice soft nofile 500\nalice -\nbob soft nofile 501\n", nil),
		c("no-limits line for a group and a range", "@dev -\n7000: -x\n* -\n* soft nofile 502\n", nil),
		c("no-limits line for a gid", "@:5000 -\n* soft nofile 503\n", nil),
		c("root: * and @group do not apply, its own line does", "* soft nofile 400\n@root soft nproc 500\nroot soft core 11\n", nil),
		c("root: @ with a range falls through to the uid test", "@0: soft nofile 404\n%:0 soft nproc 555\n0: hard core 12\n", nil),
		c("root: a @group no-limits line still applies", "root soft nofile 405\n@root -\n", nil),
		c("soft above hard is lowered", "alice soft nofile 3000\nalice hard nofile 2000\nbob soft core 999999999\n", nil),
		c("a raised hard limit fails: the limit stays", "alice hard nproc unlimited\nbob - rtprio 5\ncarol hard msgqueue unlimited\n", nil),
		c("nofile unlimited becomes fs.nr_open, which fails here", "alice - nofile unlimited\nbob hard nofile 2000000\n", nil),
		c("KiB items and saturation", "alice - memlock 64\nbob soft stack 99999999999999999999\ncarol hard fsize 123456\n", nil),
		c("whitespace: tabs, CR, vertical tab and form feed", "alice\tsoft\tnofile\t1234\r\nbob\vsoft\fnofile 1235\n   \t carol soft nofile 1236\n", nil),
		c("a NUL byte ends the line", "alice soft nofile 800\x00 hard nofile 1\nbob soft nofile 801\n", nil),
		c("a long line is read as two", long, nil),
		c("a long comment line is read as two", longComment, nil),
		c("invalid lines are skipped", "alice soft\nalice\nalice soft nofile\n@ soft nofile 5\n: soft nofile 6\n", nil),
		c("limits.d after limits.conf, in C-locale name order", "alice soft nofile 100\n", map[string]string{
			"10-a.conf": "alice soft nofile 200\n", "2-b.conf": "alice soft nofile 300\n",
			"B.conf": "bob soft nofile 400\n", "a.conf": "bob soft nofile 500\n"}),
		c("only *.conf, no dot files, a directory named x.conf reads nothing", "", map[string]string{
			"x.conf.bak": "alice soft nofile 11\n", "conf": "alice soft nofile 12\n",
			".hidden.conf": "alice soft nofile 13\n", "d.conf": "/", "z.conf": "bob soft nofile 601\n"}),
		c("a symlinked limits.d file is read", "", map[string]string{"50-link.conf": "->../limits.conf.real", "60.conf": "alice soft nproc 602\n"}),
		c("a symlink loop in limits.d fails the session", "", map[string]string{"50-loop.conf": "->51-loop.conf", "51-loop.conf": "->50-loop.conf"}),
		c("a dangling symlink in limits.d fails the session", "", map[string]string{"50-gone.conf": "->nowhere.conf"}),
		c("a no-limits line in limits.d stops the later files", "", map[string]string{"10.conf": "alice -\n", "20.conf": "alice soft nofile 700\n"}),
		c("items golive does not check are harmless", "alice - cpu 100\nbob - nice 0\ncarol - nonewprivs 1\nalice - rttime 5\n", nil),
	}
	missing := c("a missing limits.conf fails the session", "", map[string]string{"10.conf": "alice soft nofile 700\n"})
	missing.conf = nil
	noDir := c("no limits.d directory", "alice soft nofile 701\n", nil)
	noDir.noDir = true
	noGroup := c("a group that does not exist", "@nosuch soft nofile 705\n@:9999 soft nofile 706\n", nil)
	cases = append(cases, missing, noDir, noGroup)
	// The symlink target lives next to limits.d.
	for i := range cases {
		if cases[i].dir["50-link.conf"] != "" {
			cases[i].dir["../limits.conf.real"] = "bob soft nofile 603\n"
		}
	}
	return cases
}

// handGroupCases run over an /etc/group with two lines named ops and two
// lines of gid 6001.
func handGroupCases() []pamDiffCase {
	c := func(name, conf string) pamDiffCase {
		return pamDiffCase{name: name, conf: strp(conf), users: pamDiffUsers}
	}
	return []pamDiffCase{
		c("getgrnam finds the first ops, getgrouplist the second", "@ops soft nofile 702\n"),
		c("getgrgid finds dev, getgrouplist twin's gid", "@:6001 soft nofile 703\n@twin soft nproc 704\n"),
		c("the primary group by gid", "@:5000 soft nofile 707\n@alice hard core 708\n"),
		c("no-limits by a twin group", "@twin -\n* soft nofile 709\n"),
	}
}

// randomCase writes a few lines over limits.conf and limits.d from the
// domains, types, items and values pam_limits treats differently.
func randomCase(rng *rand.Rand, name string, g pamDiffGroup) pamDiffCase {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	items := []string{"nofile", "nproc", "core", "memlock", "stack", "data", "fsize", "as", "rss", "locks", "sigpending", "msgqueue", "rtprio"}
	value := func(item string) string {
		r := resources[item]
		ref := g.caller[item]
		if rng.IntN(2) == 0 {
			ref = g.pid1[item]
		}
		conv := func(v uint64) uint64 {
			if v != Infinity && r.kib {
				return v / 1024
			}
			return v
		}
		floor := conv(floors[item])
		switch rng.IntN(9) {
		case 0:
			return pick("unlimited", "infinity", "-1", "-", "UNLIMITED")
		case 1:
			if ref.Hard == Infinity {
				return "unlimited"
			}
			return strconv.FormatUint(conv(ref.Hard), 10)
		case 2:
			if ref.Hard == Infinity || ref.Hard == 0 {
				return strconv.FormatUint(conv(ref.Soft), 10)
			}
			return strconv.FormatUint(conv(ref.Hard)+1, 10)
		case 3:
			return strconv.FormatUint(max(floor, conv(ref.Soft)), 10)
		case 4:
			return strconv.FormatUint(floor+rng.Uint64N(5000), 10) + pick("", "x", " extra", "k")
		case 5:
			return pick("lots", "0x10", "+2048", "99999999999999999999")
		default:
			return strconv.FormatUint(floor+rng.Uint64N(100000), 10)
		}
	}
	line := func() string {
		domain := pick("alice", "bob", "carol", "root", "*", "*", "@ops", "@dev", "@alice", "@root", "%", "%ops",
			"5000:", ":5001", "5000:7000", "@6000:", "@:6001", "@:0", "0:", "ALICE", "1:2:3")
		if rng.IntN(12) == 0 {
			return domain + pick(" -", "\t-", " -nolimits")
		}
		item := items[rng.IntN(len(items))]
		if rng.IntN(20) == 0 {
			item = pick("nofiles", "NOFILE", "Nproc")
		}
		typ := pick("soft", "hard", "-", "-", "SOFT", "hurd")
		sep := pick(" ", "\t", "  ", " \t ")
		lower := strings.ToLower(item)
		v := value(lower)
		if f, ok := floors[lower]; ok {
			f /= kibDiv(lower)
			if n, err := parsePamValue(asciiLower(v)); err == nil && n < f {
				v = strconv.FormatUint(f, 10)
			}
			if strings.HasPrefix(v, "0x") {
				v = "+" + strconv.FormatUint(f, 10)
			}
		}
		return strings.Join([]string{domain, typ, item, v}, sep) + pick("", "", " # c", "\r")
	}
	lines := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(line() + "\n")
		}
		return b.String()
	}
	users := append([]string(nil), pamDiffUsers...)
	rng.Shuffle(len(users), func(i, j int) { users[i], users[j] = users[j], users[i] })
	c := pamDiffCase{name: name, conf: strp(lines(rng.IntN(5))), dir: map[string]string{}, users: users[:3]}
	for i := rng.IntN(3); i > 0; i-- {
		c.dir[fmt.Sprintf("%02d-%s.conf", rng.IntN(100), pick("a", "b"))] = lines(1 + rng.IntN(3))
	}
	return c
}

func kibDiv(item string) uint64 {
	if resources[item].kib {
		return 1024
	}
	return 1
}
