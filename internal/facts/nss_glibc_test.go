package facts

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// The namespace's account sources: /etc/passwd and /etc/group (files,
// and compat, which reads them too) and nss-systemd, which, with
// /run/systemd hidden, only makes up root, nobody and nogroup. Each
// answers some names differently, so the answer tells which source gave it.
const (
	nssPasswd = "root:x:0:7:files:/:/bin/sh\nalice:x:1000:1000::/:/bin/sh\n"
	nssGroup  = "root:x:0:alice\nstaff:x:50:alice\n"
)

// nssQueries are asked in every case (the probe's query language).
var nssQueries = []string{
	"P root", "P alice", "P nobody", "P ghost", "U 0", "U 1000", "U 65534", "U 4242",
	"G root", "G staff", "G nogroup", "G ghost", "H 0", "H 50", "H 65534", "H 4242",
}

// TestNsswitchDifferentialGlibc writes generated passwd: and group:
// lines, with action items valid and not, into /etc/nsswitch.conf in a
// mount namespace, asks glibc for names only one source knows, and checks
// the answers against a walk of the services and actions ParseNsswitch
// gives, with the host's glibc's rules (the walk is glibc's nss_next2).
// GOLIVE_FACTS_DIFF_SEED adds a run of another seed.
func TestNsswitchDifferentialGlibc(t *testing.T) {
	testenv.NeedNamespaces(t)
	gcc := testenv.NeedCommand(t, "gcc", "gcc")
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/libnss_systemd.so.2"); err != nil {
		if _, err := os.Stat("/lib64/libnss_systemd.so.2"); err != nil {
			testenv.Missing(t, "nss-systemd (libnss-systemd) is the second source this test controls")
		}
	}
	out, err := exec.Command("getconf", "GNU_LIBC_VERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	rules := NSSRulesFor(strings.TrimPrefix(strings.TrimSpace(string(out)), "glibc "))
	dir := t.TempDir()
	probe := buildProbe(t, gcc, dir, "accounts", accountsProbe)
	confs := append(handMadeNsswitch(), randomNsswitch(1, 300)...)
	if v := os.Getenv("GOLIVE_FACTS_DIFF_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GOLIVE_FACTS_DIFF_SEED=%q: %v", v, err)
		}
		confs = append(confs, randomNsswitch(seed, 300)...)
	}
	var dirs []string
	for i, conf := range confs {
		d := filepath.Join(dir, fmt.Sprintf("case%04d", i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			writeFile(t, filepath.Join(d, "passwd"), nssPasswd)
			writeFile(t, filepath.Join(d, "group"), nssGroup)
		}
		writeFile(t, filepath.Join(d, "nsswitch.conf"), conf)
		writeFile(t, filepath.Join(d, "keys"), strings.Join(nssQueries, "\n")+"\n")
		dirs = append(dirs, d)
	}
	runProbe(t, probe, []string{"/run/systemd"}, dirs)

	pw, gr := ParsePasswd([]byte(nssPasswd)), ParseGroups([]byte(nssGroup))
	asked, agree, failed, skipped := 0, 0, 0, 0
	for i, conf := range confs {
		data, err := os.ReadFile(filepath.Join(dirs[i], "out"))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		ns := ParseNsswitch([]byte(conf), rules)
		for j, q := range nssQueries {
			asked++
			db := map[byte]string{'P': "passwd", 'U': "passwd", 'G': "group", 'H': "group"}[q[0]]
			want := walkNSS(ns.Database(db), func(svc string) (NSSStatus, string) {
				a := "none"
				switch svc {
				case "files", "compat":
					a = factsAnswer(pw, gr, q)
				case "systemd":
					a = systemdAnswer(q)
				}
				if a == "none" {
					return NSSNotFound, a
				}
				return NSSSuccess, a
			})
			if want == undefined {
				skipped++
				continue
			}
			if got[j] != want {
				if failed++; failed <= 20 {
					t.Errorf("%q: glibc %q, facts %q (%s: %q)\nnsswitch.conf: %q", q, got[j], want, db, ns.Database(db).String(), conf)
				}
				continue
			}
			agree++
		}
	}
	t.Logf("%v: %d nsswitch.conf files, %d lookups, %d agree, %d undefined (a failure after a passwd merge)", rules, len(confs), asked, agree, skipped)
	if asked-skipped < 4000 {
		t.Errorf("only %d lookups compared", asked-skipped)
	}
}

// nssModules are the services this glibc can load; any other name is a
// module dlopen does not find.
var nssModules = map[string]bool{"files": true, "compat": true, "systemd": true}

// walkNSS is what glibc answers through d's services (getXXbyYY_r.c with
// nsswitch.c's __nss_lookup and __nss_next2): the first service whose
// module loads is asked; after each answer its action for the status
// decides whether to ask the next one. A module that does not load is
// passed over when its UNAVAIL action is continue and a service follows,
// else the walk ends with the status it had. Only a last status of
// success finds the entry.
//
// Merge is walked as glibc walks it for passwd, whose entries cannot be
// merged (its copy and merge functions fail with EINVAL): a success whose
// action is merge turns into unavail; the next service's success turns
// into unavail too, and its failure into a success with an undefined
// entry. (Group lines are generated without merge.)
func walkNSS(d NSSDatabase, ask func(svc string) (NSSStatus, string)) string {
	svcs := d.Services
	status, answer := NSSUnavail, "none"
	// skip moves i past the modules that do not load; false ends the walk.
	skip := func(i int) (int, bool) {
		for i < len(svcs) && !nssModules[svcs[i].Name] {
			// nss_next_action(UNAVAIL) == CONTINUE: merge is not continue here.
			if svcs[i].Action(NSSUnavail) != NSSContinue || svcs[i].Merges(NSSUnavail) || i+1 == len(svcs) {
				return i, false
			}
			i++
		}
		return i, i < len(svcs)
	}
	merging := false
	for i, ok := skip(0); ok; i, ok = skip(i + 1) {
		st, a := ask(svcs[i].Name)
		switch {
		case merging && st == NSSSuccess:
			st, merging = NSSUnavail, false
		case merging:
			// glibc copies the merged entry back, which fails for
			// passwd, and calls it a success: the entry is whatever
			// this service left in the buffer (files: the last line it
			// parsed). Nothing to compare.
			return undefined
		}
		if st == NSSSuccess && svcs[i].Merges(st) {
			st, merging = NSSUnavail, true
		}
		status, answer = st, a
		if svcs[i].Action(st) == NSSReturn || i+1 == len(svcs) {
			break
		}
	}
	if status != NSSSuccess {
		return "none"
	}
	return answer
}

// undefined is walkNSS's answer when glibc's is garbage.
const undefined = "undefined"

// systemdAnswer is what nss-systemd answers without systemd running: its
// synthesized root, nobody and nogroup (names, ids, home and shell in hex).
func systemdAnswer(q string) string {
	switch q {
	case "P root", "U 0":
		return "found 726f6f74 0 0 2f726f6f74 2f62696e2f62617368" // home /root, shell /bin/bash (Debian's systemd build)
	case "P nobody", "U 65534":
		return "found 6e6f626f6479 65534 65534 2f 2f7573722f7362696e2f6e6f6c6f67696e" // home /, shell /usr/sbin/nologin
	case "G root", "H 0":
		return "found 726f6f74 0"
	case "G nogroup", "H 65534":
		return "found 6e6f67726f7570 65534"
	}
	return "none"
}

// handMadeNsswitch are the lines the brief named, and the ones a reader is
// most likely to get wrong.
func handMadeNsswitch() []string {
	return []string{
		"passwd: files\ngroup: files\n",
		"passwd: files systemd\ngroup: files systemd\n",
		"passwd: files [NOTFOUND=return] systemd\ngroup: files [NOTFOUND=return] systemd\n",
		"passwd: files [FOO=bar] systemd\ngroup: files systemd\n",
		"passwd: files [!SUCCESS=continue systemd\ngroup: files systemd\n",
		"passwd: files [NOTFOUND=return] nonexistentmodule\ngroup: db files\n",
		"passwd: files [SUCCESS=continue] nosuch\ngroup: files [SUCCESS=continue] systemd\n",
		"passwd: nosuch [UNAVAIL=return] systemd\ngroup: nosuch systemd\n",
		"passwd: systemd [!NOTFOUND=return] files\ngroup: systemd [ notfound = CONTINUE success=return ] files\n",
		"passwd: files [NOTFOUND=return]systemd\ngroup:files[NOTFOUND=return] systemd\n",
		"passwd: files [] systemd\ngroup: files systemd\n",
		"passwd: files [NOTFOUND=return][SUCCESS=continue] systemd\n",
		"passwd: [NOTFOUND=return] systemd\ngroup: files\n",
		"passwd: systemd\npasswd: files\ngroup:\n",
		"passwd: files # systemd\ngroup: systemd\n#group: files\n",
		"passwd: systemd [NOTFOUND=merge] files\ngroup: files systemd",
	}
}

// randomNsswitch are n files drawn from seed: a passwd: and a group: line
// of one to three services with action lists, some broken.
func randomNsswitch(seed uint64, n int) []string {
	r := rand.New(rand.NewPCG(seed, 0x6e7373))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	item := func(merge bool) string {
		st := pick("SUCCESS", "NOTFOUND", "UNAVAIL", "TRYAGAIN", "notfound", "Success")
		act := pick("return", "continue", "RETURN", "Continue")
		if merge && r.IntN(6) == 0 {
			act = "merge"
		}
		sep := pick("=", "=", "=", " = ")
		switch r.IntN(30) {
		case 0:
			return "FOO=bar"
		case 1:
			return st
		case 2:
			return st + "="
		case 3:
			return "=" + act
		case 4:
			return st + "=jump"
		}
		return pick("", "", "!") + st + sep + act
	}
	line := func(db string, merge bool) string {
		var b strings.Builder
		b.WriteString(db + pick(":", ": ", ":\t", " : ", ":  "))
		for i := range 1 + r.IntN(3) {
			if i > 0 {
				b.WriteString(pick(" ", "  ", "\t"))
			}
			b.WriteString(pick("files", "files", "systemd", "systemd", "compat", "nosuch", "db"))
			if r.IntN(2) == 0 {
				continue
			}
			var items []string
			for range 1 + r.IntN(3) {
				items = append(items, item(merge))
			}
			b.WriteString(pick(" [", "[", " [ ") + strings.Join(items, pick(" ", "  ")) + pick("]", "]", " ]", "", "]]"))
		}
		return b.String()
	}
	out := make([]string, n)
	for i := range out {
		lines := []string{line("passwd", true), line("group", false)}
		if r.IntN(8) == 0 {
			lines = append(lines, line(pick("passwd", "group"), false)) // the last line wins
		}
		if r.IntN(8) == 0 {
			lines = append(lines, pick("#passwd: systemd", "hosts: files dns", "", "sudoers: files [x=y]"))
		}
		out[i] = strings.Join(lines, "\n") + pick("\n", "\n", "\n", "\n", "")
	}
	return out
}
