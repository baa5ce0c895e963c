package rlimit

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/remediate"
)

// The verdicts of testdata/roots/README.md, "rlimit and systemd fixtures".
var rootVerdicts = map[string]map[string]string{
	"centos-7": {
		"rlimit/unit:golive-demo.service/nofile": "fail systemd 219's default 1024:4096",
		"rlimit/login:golive-demo/nofile":        "pass 60-golive-demo.conf:4",
		"rlimit/login:golive-demo/nproc":         "warn group @gosvc-ops",
	},
	"ubuntu-22.04": {
		"rlimit/unit:golive-demo.service/nofile": "pass override.conf",
		"rlimit/login:golive-demo/nofile":        "warn PID 1's limit on the running system",
		"rlimit/login:golive-demo/nproc":         "warn cannot tell",
	},
	"rocky-9": {
		"rlimit/unit:golive-demo.service/nofile": "fail DefaultLimitNOFILE=65536:262144 in /etc/systemd/system.conf.d/50-limits.conf",
		"rlimit/login:golive-demo/nofile":        "pass * line",
		"rlimit/login:golive-demo/nproc":         "pass user line",
	},
	"broken": {
		"rlimit/unit:golive-demo.service/nofile": "fail systemd's default 1024:524288",
		"rlimit/login:golive-demo/nofile":        "fail above fs.nr_open 1048576",
		"rlimit/login:golive-demo/nproc":         "fail pam_limits refuses the session",
	},
}

func TestFixtureRootVerdicts(t *testing.T) {
	for root, ids := range rootVerdicts {
		t.Run(root, func(t *testing.T) {
			got := rootResults(t, root)
			if len(got) != len(ids) {
				t.Errorf("%d checks, want %d", len(got), len(ids))
			}
			for id, w := range ids {
				status, words, _ := strings.Cut(w, " ")
				r, ok := got[id]
				if !ok {
					t.Errorf("%s: not checked", id)
					continue
				}
				want(t, r, engine.Status(status), words)
				if r.Observed == "" && r.Status != engine.Skip {
					t.Errorf("%s: no observed value", id)
				}
			}
		})
	}
}

func TestCentOS7IgnoresSoftHardSyntax(t *testing.T) {
	r := rootResults(t, "centos-7")["rlimit/unit:golive-demo.service/nofile"]
	want(t, r, engine.Fail, "LimitNOFILE=65536:1048576", "systemd 219 takes one integer", "hard 4096")
	if r.Details["judged"] != "hard" || r.Details["soft"] != "1024" || r.Details["hard"] != "4096" {
		t.Errorf("details %v", r.Details)
	}
	content := dropInContent(t, r)
	if !strings.Contains(content, "\nLimitNOFILE=1048576\n") {
		t.Errorf("systemd 219 needs one value in the drop-in:\n%s", content)
	}
}

func TestBrokenRootNamesEveryIgnoredValue(t *testing.T) {
	res := rootResults(t, "broken")
	u := res["rlimit/unit:golive-demo.service/nofile"]
	for _, w := range []string{"LimitNOFILE=lots", "LimitNOFILE= in", "cannot be reset", "DefaultLimitNOFILE=4096:1024", "soft limit above the hard limit"} {
		if !strings.Contains(u.Message, w) {
			t.Errorf("unit message lacks %q: %s", w, u.Message)
		}
	}
	probs, _ := u.Details["problems"].([]string)
	joined := strings.Join(probs, "\n")
	for _, w := range []string{"50-loop.conf", "60-garbage.conf", "90-junk.conf"} {
		if !strings.Contains(joined, w) {
			t.Errorf("problems lack %s: %v", w, probs)
		}
	}
	l := res["rlimit/login:golive-demo/nofile"]
	for _, w := range []string{"cannot read /etc/security/limits.d/50-loop.conf (too many levels of symbolic links)", "nofile 2000000"} {
		if !strings.Contains(l.Message, w) {
			t.Errorf("login message lacks %q: %s", w, l.Message)
		}
	}
	lp, _ := l.Details["problems"].([]string)
	joined = strings.Join(lp, "\n")
	for _, w := range []string{"/etc/passwd:2: malformed line", `unknown type "hurd"`, `unknown item "nofiles"`, "line longer than", "/etc/group:4: malformed line"} {
		if !strings.Contains(joined, w) {
			t.Errorf("login problems lack %q:\n%s", w, joined)
		}
	}
	if l.Details["uid"] != uint64(1500) {
		t.Errorf("uid %v: the first golive-demo line of /etc/passwd wins", l.Details["uid"])
	}
	// The soft side: "8192extra" is 8192 to strtoul.
	if l.Details["soft"] != "8192" {
		t.Errorf("soft %v", l.Details["soft"])
	}
}

// On Ubuntu a session starts from PID 1's limits with the soft nofile
// capped at 1024: with go_service: false that soft limit is judged, and the
// fix raises it without lowering PID 1's hard limit.
func TestGoServiceFalseJudgesTheSoftLimit(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/os-release":           "ID=ubuntu\nVERSION_ID=\"22.04\"\n",
		"etc/passwd":               "golive-demo:x:1500:1500::/:/sbin/nologin\n",
		"etc/group":                "golive-demo:x:1500:\n",
		"etc/security/limits.conf": "# nothing\n",
		"proc/1/limits":            kernelLimits(map[string]Limit{"nofile": {1 << 20, 1 << 20}, "nproc": {63000, 63000}}),
		"proc/sys/fs/nr_open":      "1048576\n",
	})
	p := proposedProfile(t, "ubuntu-22.04", serviceYAML+"rlimits: {go_service: false}\n")
	r := run(t, h, plan(t, p))["rlimit/login:golive-demo/nofile"]
	want(t, r, engine.Warn, "soft 1024 (PID 1)", "capped at FD_SETSIZE 1024")
	if !strings.Contains(dropInContent(t, r), "golive-demo\thard\tnofile\t1048576") {
		t.Errorf("raising the soft limit must keep the higher hard one:\n%s", dropInContent(t, r))
	}
}

func TestNonRootRunsGiveTheSameVerdicts(t *testing.T) {
	for root := range rootVerdicts {
		asRoot := rootResults(t, root)
		asUser := rootResults(t, root, host.WithEUID(1000))
		for id, r := range asRoot {
			if asUser[id].Status != r.Status {
				t.Errorf("%s %s: %s as non-root, %s as root (every fixture file is world-readable)", root, id, asUser[id].Status, r.Status)
			}
		}
	}
}

// A limits file a non-root run may not read is "needs root", not a refused
// login. Tests run as root here, which reads any file, so the permission
// error pam_limits' files give a non-root user is put in the config.
func TestUnreadableLimitsFileAsNonRootNeedsRoot(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/passwd": "app:x:1500:1500::/:/sbin/nologin\n", "etc/group": "app:x:1500:\n",
		"etc/security/limits.conf": "app - nofile 65536\n",
	}, host.WithEUID(1000))
	st := &shared{set: settings{goService: true}}
	facts.Memo(h, pamKey{pamFlavor{}}, func(h *host.Host) *pamConfig {
		pc := loadPamConfig(h, pamFlavor{})
		pc.needsRoot = append(pc.needsRoot, "open /etc/security/limits.d/x.conf: permission denied")
		return pc
	})
	ck := &loginCheck{user: "app", res: resources["nofile"], rule: rule(t, ">= 1"), st: st}
	want(t, ck.Run(t.Context(), h), engine.Skip, "needs root")
}

// dropInContent returns the content of a plan's drop-in action.
func dropInContent(t *testing.T, r engine.Result) string {
	t.Helper()
	if r.Remediation == nil {
		t.Fatalf("%s: no remediation", r.ID)
	}
	for _, a := range r.Remediation.Actions {
		if a.Kind == remediate.DropIn {
			return a.Content
		}
	}
	t.Fatalf("%s: no drop-in in %+v", r.ID, r.Remediation)
	return ""
}

// Every failing check of a unit (or user) writes the same whole file, so
// applying one or all of them converges.
func TestDropInIsTheSameWholeFileForEveryCheck(t *testing.T) {
	extra := serviceYAML + "rlimits:\n  unit: {nproc: \">= 4096\", core: unlimited}\n  login: {memlock: \">= 1048576\"}\n"
	res := run(t, fixture(t, "centos-7"), plan(t, proposedProfile(t, "centos-7", extra)))
	byPath := map[string]string{}
	for id, r := range res {
		if r.Remediation == nil {
			continue
		}
		for _, a := range r.Remediation.Actions {
			if a.Kind != remediate.DropIn {
				continue
			}
			if prev, ok := byPath[a.Path]; ok && prev != a.Content {
				t.Errorf("%s writes %s differently:\n%s\nvs\n%s", id, a.Path, a.Content, prev)
			}
			byPath[a.Path] = a.Content
		}
	}
	unitFile := byPath["/etc/systemd/system/golive-demo.service.d/90-golive.conf"]
	for _, w := range []string{"LimitNOFILE=1048576", "LimitNPROC=4096", "LimitCORE=infinity"} {
		if !strings.Contains(unitFile, w) {
			t.Errorf("unit drop-in lacks %s:\n%s", w, unitFile)
		}
	}
	limits := byPath[limitsDropIn]
	for _, w := range []string{"golive-demo\tsoft\tnproc\t16384", "golive-demo\tsoft\tmemlock\t1024", "golive-demo\thard\tmemlock\t1024"} {
		if !strings.Contains(limits, w) {
			t.Errorf("limits drop-in lacks %q:\n%s", w, limits)
		}
	}
}

// A fix is tested by applying it to a copy of the fixture root and
// running the checks again (STYLE.md §4): every check that had a drop-in
// passes afterwards, and a second application changes nothing.
func TestRemediationConverges(t *testing.T) {
	for _, root := range []string{"centos-7", "rocky-9", "ubuntu-22.04", "broken"} {
		t.Run(root, func(t *testing.T) {
			dir := copyRoot(t, root)
			// The broken root's limits.d loop fails every session; a person
			// removes it (a manual action), golive's file does the rest.
			if root == "broken" {
				for _, n := range []string{"50-loop.conf", "51-loop.conf"} {
					if err := os.Remove(filepath.Join(dir, "etc/security/limits.d", n)); err != nil {
						t.Fatal(err)
					}
				}
			}
			p := proposedProfile(t, distroOf[root], serviceYAML)
			h, err := host.New(dir)
			if err != nil {
				t.Fatal(err)
			}
			before := run(t, h, plan(t, p))
			applied := applyDropIns(t, dir, before)
			if applied == 0 {
				t.Fatal("no drop-in to apply: the fixture lost its failing limits")
			}
			h2, _ := host.New(dir)
			after := run(t, h2, plan(t, p))
			for id, r := range before {
				if r.Remediation == nil || !hasDropIn(r) {
					continue
				}
				if after[id].Status != engine.Pass {
					t.Errorf("%s after the fix: %s %q", id, after[id].Status, after[id].Message)
				}
				if after[id].Remediation != nil && hasDropIn(after[id]) {
					t.Errorf("%s still proposes a drop-in after it was applied", id)
				}
			}
		})
	}
}

func hasDropIn(r engine.Result) bool {
	for _, a := range r.Remediation.Actions {
		if a.Kind == remediate.DropIn {
			return true
		}
	}
	return false
}

func applyDropIns(t *testing.T, dir string, res map[string]engine.Result) int {
	t.Helper()
	n := 0
	for _, r := range res {
		if r.Remediation == nil {
			continue
		}
		for _, a := range r.Remediation.Actions {
			if a.Kind != remediate.DropIn {
				continue
			}
			p := filepath.Join(dir, a.Path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(a.Content), 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	return n
}

// copyRoot copies a fixture root (symlinks as symlinks) into a temp dir.
func copyRoot(t *testing.T, root string) string {
	t.Helper()
	src := fixture(t, root).Root()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// On the stock roots a unit that sets no Limit*= gets what the release's
// systemd gives services (the profiles' rlimits.systemd.defaults): RHEL 8's
// systemd 239 raises only the hard limit, to 262144 (its backport of
// fallback_rlimit_nofile); Amazon Linux 2's systemd 219 passes the kernel's
// 1024:4096 on; systemd 252 (AL2023) gives 1024:524288. The drop-in golive
// proposes clears the finding.
func TestStockRootsUnitDefaults(t *testing.T) {
	for root, w := range map[string]struct{ profile, soft, hard string }{
		"rhel-8":            {"rhel-8", "1024", "262144"},
		"amazon-linux-2":    {"amazon-linux-2", "1024", "4096"},
		"amazon-linux-2023": {"amazon-linux-2023", "1024", "524288"},
	} {
		t.Run(root, func(t *testing.T) {
			dir := copyRoot(t, root)
			unit := "[Unit]\nDescription=stock test service\n\n[Service]\nExecStart=/usr/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n"
			if err := os.MkdirAll(filepath.Join(dir, "etc/systemd/system"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "etc/systemd/system/stocktest.service"), []byte(unit), 0o644); err != nil {
				t.Fatal(err)
			}
			p := proposedProfile(t, w.profile, "service: {unit: stocktest}\nrlimits: {unit: {nofile: \">= 65536\"}}\n")
			h, err := host.New(dir)
			if err != nil {
				t.Fatal(err)
			}
			before := run(t, h, plan(t, p))
			r := before["rlimit/unit:stocktest.service/nofile"]
			if r.Details["soft"] != w.soft || r.Details["hard"] != w.hard {
				t.Fatalf("%s %q: soft %v hard %v, want %s:%s", r.Status, r.Message, r.Details["soft"], r.Details["hard"], w.soft, w.hard)
			}
			wantStatus := engine.Pass
			if w.hard == "4096" {
				wantStatus = engine.Fail
			}
			if r.Status != wantStatus {
				t.Fatalf("%s %q, want %s (Go raises the soft limit to the hard one)", r.Status, r.Message, wantStatus)
			}
			if wantStatus == engine.Pass {
				return
			}
			if applyDropIns(t, dir, before) == 0 {
				t.Fatal("no drop-in proposed")
			}
			h2, _ := host.New(dir)
			if after := run(t, h2, plan(t, p))["rlimit/unit:stocktest.service/nofile"]; after.Status != engine.Pass {
				t.Errorf("after the drop-in: %s %q", after.Status, after.Message)
			}
		})
	}
}
