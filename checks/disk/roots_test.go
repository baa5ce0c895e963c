package disk

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const serviceConfig = `extends: auto
service:
  user: goservice
  binaries: [/opt/goservice/bin/goservice]
disk:
  paths:
    /var/lib/etcd: {store: etcd, writes: true}
`

// On each fixture root statfs skips (a fixture is not a mounted image),
// and the mount table and sys tree of the root are judged.
func TestFixtureRootVerdicts(t *testing.T) {
	type want struct {
		status engine.Status
		words  string
	}
	for root, exp := range map[string]map[string]want{
		"centos-7": {
			"disk/rotational:/var/lib/etcd": {engine.Fail, "sda (Virtual disk)"},
			"disk/mount:/opt/goservice/bin": {engine.Pass, "/ is on /"},
			"disk/mount:/var/lib/etcd":      {engine.Pass, "mounted rw,relatime"},
		},
		"ubuntu-22.04": {
			"disk/rotational:/var/lib/etcd": {engine.Warn, "virtio disks"},
			"disk/rotational:/":             {engine.Pass, "only reported"},
		},
		"rocky-9": {
			"disk/rotational:/var/lib/etcd": {engine.Warn, "dm-0 -> vda2 -> vda"},
		},
		"broken": {
			"disk/mount:/opt/goservice/bin": {engine.Fail, "noexec: execve of /opt/goservice/bin/goservice fails"},
			"disk/rotational:/var/lib/etcd": {engine.Fail, "etcd's data at /var/lib is on rotational sda (ST2000DM008-2FR1)"},
		},
	} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			out := engine.Run(context.Background(), h, mustBuild(t, profiletest.Detected(t, h, serviceConfig)), engine.RunOptions{})
			got := map[string]engine.Result{}
			for _, r := range out.Results {
				got[r.ID] = r
				if strings.HasPrefix(r.ID, "disk/space:") || strings.HasPrefix(r.ID, "disk/inodes:") {
					if r.Status != engine.Skip || !strings.Contains(r.Message, "mounted image only") {
						t.Errorf("%s: %s %s", r.ID, r.Status, r.Message)
					}
				}
			}
			for id, w := range exp {
				r, ok := got[id]
				if !ok {
					t.Errorf("%s: not run", id)
					continue
				}
				if r.Status != w.status || !strings.Contains(r.Message+" "+r.Observed, w.words) {
					t.Errorf("%s: %s %q / %q, want %s with %q", id, r.Status, r.Message, r.Observed, w.status, w.words)
				}
			}
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}

// The section is read strictly: mistakes name the file and line.
func TestSectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"disk:\n  paths:\n    var: {}\n", "p.yaml:4: disk.paths: \"var\" is not an absolute path"},
		{"disk:\n  paths:\n    /x: {store: redis}\n", "p.yaml:4:"},
		{"disk:\n  space:\n    warn: {min_free: 10 parsecs}\n", "p.yaml:4: disk.space.warn.min_free"},
		{"disk:\n  inodes:\n    fail: {min_free_percent: 101}\n", "p.yaml:4:"},
		{"disk:\n  fsync_p99: fast\n", "p.yaml:3: fsync_p99"},
		{"disk:\n  rotational: {etcd: ignore}\n", "p.yaml:3:"},
		{"disk:\n  pathz: {}\n", `p.yaml:3: unknown key "pathz"`},
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+c.yaml)
		if err == nil {
			_, err = build(p.Section(kind), p)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
		}
	}
}

// fsync is planned only when asked for.
func TestFsyncOnlyWhenAsked(t *testing.T) {
	p := profiletest.Resolve(t, "extends: none\ndisk:\n  paths:\n    /var/lib/etcd: {store: etcd}\n    /srv: {fsync: true}\n    /tmp: {}\n")
	count := func() (n int) {
		for _, c := range mustBuild(t, p) {
			if strings.HasPrefix(c.ID(), "disk/fsync:") {
				n++
			}
		}
		return n
	}
	if n := count(); n != 0 {
		t.Errorf("%d fsync checks without --probe", n)
	}
	p.Probes = []string{ProbeFsync}
	if n := count(); n != 2 {
		t.Errorf("%d fsync checks with --probe fsync, want 2", n)
	}
	for _, id := range []string{"disk/space:/var", "disk/fsync:/var/lib/etcd", "disk/rotational:/x"} {
		if m, ok := engine.Explain(id); !ok || m.ID != id || m.Why == "" {
			t.Errorf("explain %s: %+v", id, m)
		}
	}
	if _, ok := engine.Explain("disk/space:var"); ok {
		t.Error("explain of a relative path")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"10GiB": 10 << 30, "10G": 10 << 30, "1.5G": 3 << 29, "500MB": 500e6, "4096": 4096, "2 TiB": 2 << 40, "0": 0, "1k": 1024} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "G", "1..2G", "-1G", "1 parsec", "99999999999999999999E", "20EiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

func mustBuild(t testing.TB, p *profile.Profile) []engine.Check {
	t.Helper()
	checks, err := build(p.Section(kind), p)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// The mount fix names the exact fstab line and what it becomes.
func TestMountFixNamesTheFstabLine(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/fstab":           "# comment\nUUID=1 / ext4 defaults 0 1\n/dev/sdb1 /srv/app xfs rw,noexec,nobarrier,nodev 0 2\n",
		"proc/self/mountinfo": "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:17 / /srv/app rw,nodev,noexec - xfs /dev/sdb1 rw,nobarrier\n",
		"srv/app/bin/x":       "",
	})
	res := (&mountCheck{rule: rule{Path: "/srv/app/bin", Execs: true, BinaryNamesSeen: []string{"/srv/app/bin/x"}}}).Run(context.Background(), h)
	if res.Status != engine.Fail || res.Remediation == nil {
		t.Fatalf("%s %s", res.Status, res.Message)
	}
	text := res.Remediation.Actions[0].Text
	for _, want := range []string{"line 3", "/dev/sdb1 /srv/app xfs rw,noexec,nobarrier,nodev 0 2", "/dev/sdb1 /srv/app xfs rw,nodev 0 2", "findmnt --verify"} {
		if !strings.Contains(text, want) {
			t.Errorf("fix %q lacks %q", text, want)
		}
	}
	if !strings.Contains(res.Message, "nobarrier") || !strings.Contains(res.Message, "noexec") {
		t.Errorf("message %q", res.Message)
	}
	if got := fixedOptions("ro,noexec", rule{Writes: true}); got != "rw,noexec" {
		t.Errorf("fixedOptions %q", got)
	}
	if got := fixedOptions("nobarrier", rule{}); got != "defaults" {
		t.Errorf("fixedOptions %q", got)
	}
}

// Issue 17: the data directories of the stores this host runs
// (etcd.data_dir, mysql[].data_dir) are judged as those stores' paths,
// merged with disk.paths when both name one directory.
func TestStoreDataDirs(t *testing.T) {
	p := profiletest.Resolve(t, "extends: none\n"+
		"etcd:\n  endpoints: [https://127.0.0.1:2379]\n  data_dir: /var/lib/etcd/\n"+
		"mysql:\n  - {name: primary, dsn: \"app@tcp(127.0.0.1:3306)/\", data_dir: /srv/mysql}\n"+
		"disk:\n  paths:\n    /srv/mysql: {executes: true}\n")
	p.Probes = []string{ProbeFsync}
	ids := map[string]engine.Check{}
	for _, c := range mustBuild(t, p) {
		ids[c.ID()] = c
	}
	for _, id := range []string{"disk/space:/var/lib/etcd", "disk/rotational:/var/lib/etcd", "disk/fsync:/var/lib/etcd",
		"disk/space:/srv/mysql", "disk/rotational:/srv/mysql", "disk/fsync:/srv/mysql"} {
		if ids[id] == nil {
			t.Errorf("no %s among %v", id, ids)
		}
	}
	if r := ids["disk/rotational:/var/lib/etcd"].(*rotationalCheck).rule; r.Store != storeEtcd || !r.Writes {
		t.Errorf("etcd rule %+v", r)
	}
	if r := ids["disk/rotational:/srv/mysql"].(*rotationalCheck).rule; r.Store != storeMySQL || !r.Writes || !r.Execs {
		t.Errorf("mysql rule %+v (disk.paths' executes kept)", r)
	}
	// A relative data_dir is the store family's profile error, with its line.
	for _, c := range []struct{ yaml, err string }{
		{"etcd:\n  endpoints: [https://127.0.0.1:2379]\n  data_dir: var/lib/etcd\n", `p.yaml:4: etcd.data_dir: "var/lib/etcd" must be an absolute path`},
		{"mysql:\n  - {name: a, dsn: \"app@tcp(127.0.0.1:3306)/\", data_dir: mysql}\n", `p.yaml:3: mysql a: data_dir "mysql" must be an absolute path`},
	} {
		p, err := profiletest.ResolveErr(t, "p.yaml", "extends: none\n"+c.yaml)
		if err == nil {
			_, err = engine.Build(p) // the etcd and mysql families (imported by this test) validate their sections
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
		}
	}
}

// An image without a mount table: disk/mount judges the options its
// /etc/fstab gives at the next boot (the longest mount point holding the
// path; noauto and swap lines left out).
func TestMountFromFstabOfAnImage(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/os-release": "ID=rocky\nVERSION_ID=9.4\n",
		"etc/fstab": "# image\n/dev/vda1 / xfs defaults 0 0\n/dev/vdb1 /var/lib/etcd xfs rw,noexec,nobarrier 0 0\n" +
			"/dev/vdc1 /opt ext4 noauto,noexec 0 0\n/dev/vda2 none swap sw 0 0\n",
		"var/lib/etcd/member/x": "", "opt/app/bin/app": "",
	})
	p := profiletest.Resolve(t, "extends: none\ndisk:\n  paths:\n    /var/lib/etcd: {store: etcd, writes: true, executes: true}\n    /opt/app/bin: {executes: true}\n    /srv: {}\n")
	got := map[string]engine.Result{}
	for _, c := range mustBuild(t, p) {
		if strings.HasPrefix(c.ID(), "disk/mount:") {
			got[c.ID()] = c.Run(context.Background(), h)
		}
	}
	if r := got["disk/mount:/var/lib/etcd"]; r.Status != engine.Fail || !strings.Contains(r.Message, "at the next boot (/etc/fstab line 3") ||
		!strings.Contains(r.Message, "noexec") || r.Details["fstab_line"] != 3 || r.Remediation == nil {
		t.Errorf("etcd: %+v", r)
	}
	// /opt's line is noauto: /opt/app/bin is on / at boot.
	if r := got["disk/mount:/opt/app/bin"]; r.Status != engine.Pass || !strings.Contains(r.Message, "on /, which /etc/fstab line 2 mounts") {
		t.Errorf("opt: %+v", r)
	}
	if r := got["disk/mount:/srv"]; r.Status != engine.Pass {
		t.Errorf("srv (not there yet: judged on /): %+v", r)
	}
	// No fstab either: skip, saying so.
	bare := hosttest.Root(t, map[string]string{"etc/os-release": "ID=rocky\nVERSION_ID=9.4\n"})
	for _, c := range mustBuild(t, p) {
		if strings.HasPrefix(c.ID(), "disk/mount:") {
			if r := c.Run(context.Background(), bare); r.Status != engine.Skip || !strings.Contains(r.Message, "no /etc/fstab line") {
				t.Errorf("%s without fstab: %+v", c.ID(), r)
			}
		}
	}
}
