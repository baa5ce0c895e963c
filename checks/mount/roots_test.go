package mount

import (
	"context"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/profile/profiletest"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

const serviceConfig = `extends: auto
mount:
  /: {}
  /boot: {fstype: xfs}
  /srv/data: {fstype: xfs, source: /dev/vdb1, options: [noatime]}
  /mnt/old: {mounted: false}
  /mnt/with space: {fstype: tmpfs, options: [rw, relatime]}
`

type want struct {
	status engine.Status
	words  string
}

// Every fixture root's verdicts (testdata/roots/README.md, "mount").
func TestFixtureRootVerdicts(t *testing.T) {
	for root, exp := range map[string]map[string]want{
		"centos-7": {
			"mount/mounted:/":            {engine.Pass, "xfs /dev/mapper/centos-root"},
			"mount/boot:/":               {engine.Pass, "from /etc/fstab:9"},
			"mount/mounted:/boot":        {engine.Pass, "xfs /dev/sda1"},
			"mount/boot:/boot":           {engine.Pass, "UUID=0b2f6c1e-6a0e-4a43-9d56-3a1f2f3c9c11"},
			"mount/mounted:/srv/data":    {engine.Fail, "nothing is mounted at /srv/data (it is a directory of the xfs mount at /)"},
			"mount/boot:/srv/data":       {engine.Fail, "not in /etc/fstab, no srv-data.mount"},
			"mount/mounted:/mnt/old":     {engine.Pass, "nothing is mounted"},
			"mount/boot:/mnt/old":        {engine.Pass, "nothing mounts /mnt/old at boot"},
			"mount/boot:/mnt/with space": {engine.Fail, `no mnt-with\x20space.mount`},
		},
		"ubuntu-22.04": {
			"mount/mounted:/":         {engine.Pass, "ext4 /dev/vda1"},
			"mount/boot:/":            {engine.Pass, "ext4 /dev/disk/by-uuid/6b2a2b0c"},
			"mount/mounted:/boot":     {engine.Fail, "nothing is mounted at /boot"},
			"mount/mounted:/srv/data": {engine.Fail, "nothing is mounted"},
			"mount/boot:/srv/data":    {engine.Pass, "source /dev/disk/by-uuid/9d1c3b5a-2e4f-4a6b-8c0d-1e2f3a4b5c6d not compared with /dev/vdb1"},
		},
		"rocky-9": {
			"mount/mounted:/srv/data": {engine.Pass, "xfs /dev/vdb1 (rw,noatime,rw,seclabel"},
			"mount/boot:/srv/data":    {engine.Pass, "from /etc/systemd/system/srv-data.mount; enabled by /etc/systemd/system/local-fs.target.wants/srv-data.mount"},
			"mount/boot:/boot":        {engine.Pass, "xfs UUID=3e4c1d2a"},
		},
		"broken": {
			"mount/mounted:/":               {engine.Pass, "ext4 /dev/sda1"},
			"mount/boot:/":                  {engine.Pass, "(type found at mount time) (source not named) (defaults) from the kernel command line; the kernel or the initrd mounts the root file system"},
			"mount/mounted:/mnt/with space": {engine.Pass, "tmpfs tmpfs"},
		},
	} {
		t.Run(root, func(t *testing.T) {
			h := hosttest.Fixture(t, root)
			out := engine.Run(context.Background(), h, mustBuild(t, profiletest.Detected(t, h, serviceConfig)), engine.RunOptions{})
			got := map[string]engine.Result{}
			for _, r := range out.Results {
				got[r.ID] = r
			}
			if len(got) != 10 {
				t.Errorf("%d results", len(got))
			}
			for id, w := range exp {
				r, ok := got[id]
				if !ok {
					t.Errorf("%s: not run", id)
					continue
				}
				if r.Status != w.status || !strings.Contains(r.Message+" | "+r.Observed, w.words) {
					t.Errorf("%s: %s %q / %q, want %s with %q", id, r.Status, r.Message, r.Observed, w.status, w.words)
				}
			}
			reporttest.ValidateOutcome(t, h, root, out)
		})
	}
}

// The fix names the exact fstab line, escaped, and stays manual.
func TestFixIsTheFstabLine(t *testing.T) {
	h := hosttest.Fixture(t, "centos-7")
	p := profiletest.Detected(t, h, "extends: none\nmount:\n  /srv/my data: {fstype: ext4, source: LABEL=data, options: [noatime, nodev]}\n  /srv/x: {}\n")
	for _, r := range engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{}).Results {
		if r.Status != engine.Fail || r.Remediation == nil || len(r.Remediation.Actions) != 1 || r.Remediation.Actions[0].Kind != remediate.Manual {
			t.Errorf("%s: %s %+v", r.ID, r.Status, r.Remediation)
			continue
		}
		text := r.Remediation.Actions[0].Text
		wantLine := `LABEL=data /srv/my\040data ext4 noatime,nodev 0 2`
		if strings.HasSuffix(r.ID, "/srv/x") {
			wantLine = "SOURCE /srv/x auto defaults 0 0"
		}
		if !strings.Contains(text, wantLine) || !strings.Contains(text, "findmnt --verify") {
			t.Errorf("%s: fix %q lacks %q", r.ID, text, wantLine)
		}
	}
}

// Sources are compared as devices where the root can resolve them, and
// noauto, automount, unit precedence and kernel defaults are applied.
func TestBootSources(t *testing.T) {
	h := hosttest.Root(t, map[string]string{
		"etc/os-release": "ID=golive-test\n",
		"etc/fstab": "UUID=abcd /a xfs defaults 0 0\n/dev/sdb1 /b ext4 noauto 0 2\n/dev/sdb2 /c ext4 noauto,x-systemd.automount,ro 0 2\n" +
			"/dev/sdb3 /d ext4 defaults 0 2\n/dev/sdb4 /d xfs defaults 0 2\n/dev/sdc1 /e ext4 defaults 0 2\n/dev/sdc2 /f auto noatime 0 0\n",
		"dev/disk/by-uuid/abcd":          "->../../sda1",
		"dev/sda1":                       "",
		"dev/sdb9":                       "",
		"etc/systemd/system/e.mount":     "[Mount]\nWhat=/dev/sdb9\nWhere=/e\nType=xfs\n",
		"usr/lib/systemd/system/d.mount": "[Mount]\nWhat=/dev/other\nWhere=/d\nType=btrfs\n[Install]\nWantedBy=local-fs.target\n",
		"usr/lib/systemd/system/g.mount": "[Mount]\nWhat=/dev/sdb9\nWhere=/g\nType=xfs\n[Install]\nWantedBy=local-fs.target\n",
		"etc/default/grub":               "GRUB_CMDLINE_LINUX=\"root=/dev/sda1 rootfstype=ext4 rootflags=noatime,data=ordered ro quiet\"\n",
	})
	p := profiletest.Detected(t, h, `extends: none
mount:
  /a: {source: /dev/sda1, at_boot: true, mounted: true}
  /b: {}
  /c: {options: [ro]}
  /d: {fstype: ext4, source: /dev/sdb3, options: [rw, relatime, exec]}
  /e: {fstype: xfs}
  /f: {fstype: xfs, options: [noatime]}
  /g: {}
  /: {fstype: ext4, source: /dev/sda1, options: [noatime, ro]}
  /proc: {fstype: proc, options: [nosuid, nodev]}
  /run: {options: [noexec]}
`)
	want := map[string]want{
		"mount/boot:/a":    {engine.Pass, "/etc/fstab:1"},
		"mount/boot:/b":    {engine.Fail, "noauto: nothing mounts it at boot"},
		"mount/boot:/c":    {engine.Pass, "x-systemd.automount"},
		"mount/boot:/d":    {engine.Pass, "/etc/fstab:4"},
		"mount/boot:/e":    {engine.Fail, "the unit is not enabled"},
		"mount/boot:/f":    {engine.Pass, "auto /dev/sdc2"},
		"mount/boot:/g":    {engine.Fail, "not enabled"},
		"mount/boot:/":     {engine.Pass, "ext4 /dev/sda1 (noatime,data=ordered,ro) from the kernel command line (/etc/default/grub)"},
		"mount/boot:/proc": {engine.Pass, "proc proc (nosuid,noexec,nodev) from systemd itself"},
		"mount/boot:/run":  {engine.Fail, "options lack noexec"},
	}
	for _, r := range engine.Run(context.Background(), h, mustBuild(t, p), engine.RunOptions{}).Results {
		w, ok := want[r.ID]
		if !ok {
			continue
		}
		if r.Status != w.status || !strings.Contains(r.Message+" | "+r.Observed, w.words) {
			t.Errorf("%s: %s %q / %q, want %s with %q", r.ID, r.Status, r.Message, r.Observed, w.status, w.words)
		}
	}
}

func TestSectionErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"mount:\n  data: {}\n", `p.yaml:3: mount: "data" must be an absolute path`},
		{"mount:\n  /data: {}\n  /data/: {}\n", "p.yaml:4: mount: /data is named twice"},
		{"mount:\n  /data: {mounted: false, fstype: xfs}\n", "p.yaml:3: mount./data.mounted: mounted: false allows no"},
		{"mount:\n  /data: {options: [\"noatime,nodev\"]}\n", "p.yaml:3: mount./data.options"},
		{"mount:\n  /data: {fstyp: xfs}\n", `p.yaml:3: unknown key "fstyp"`},
		{"mount:\n  /data: xfs\n", "p.yaml:3: mount./data: expected a mapping"},
		{"mount:\n  /data: {source: \"a b\"}\n", "p.yaml:3: mount./data.source"},
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

func TestRegisteredWithTheEngine(t *testing.T) {
	checks, err := engine.Build(profiletest.Resolve(t, "extends: none\nmount:\n  /data: {}\n"))
	if err != nil || len(checks) != 2 || checks[0].ID() != "mount/mounted:/data" {
		t.Fatalf("%v %v", checks, err)
	}
	for _, id := range []string{"mount/mounted:/data", "mount/boot:/var/lib/etcd"} {
		if m, ok := engine.Explain(id); !ok || m.ID != id || m.Why == "" {
			t.Errorf("explain %s: %+v", id, m)
		}
	}
	for _, id := range []string{"mount/mounted:data", "mount/boot:/a/../b", "mount/size:/data"} {
		if _, ok := engine.Explain(id); ok {
			t.Errorf("explain %s: known", id)
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
