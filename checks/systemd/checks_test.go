package systemd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/profile"
)

// unitRoot is a root with the demo service's unit (and whatever else the
// case needs) and the accounts it runs as.
func unitRoot(t *testing.T, files map[string]string) map[string]engine.Result {
	t.Helper()
	all := map[string]string{
		"etc/passwd":        "root:x:0:0::/root:/bin/bash\napp:x:1500:1500::/:/sbin/nologin\ntoor:x:0:0::/root:/bin/bash\n",
		"etc/nsswitch.conf": "passwd: files systemd\n",
	}
	for k, v := range files {
		all[k] = v
	}
	h := hosttest.Root(t, all)
	return run(t, h, plan(t, testProfile(t, "rocky-9", "service: {unit: golive-demo}\n")))
}

const unitPath = "etc/systemd/system/golive-demo.service"

func TestUserChecks(t *testing.T) {
	cases := []struct {
		name, unit, nss, status, words string
	}{
		{"an unprivileged user", "User=app", "", "pass", "uid 1500"},
		{"no User=", "", "", "fail", "runs as root"},
		{"User=root", "User=root", "", "fail", "runs as root"},
		{"User=0", "User=0", "", "fail", "runs as root"},
		{"a user with uid 0", "User=toor", "", "fail", "has uid 0"},
		{"DynamicUser", "DynamicUser=yes", "", "pass", "DynamicUser=yes"},
		{"DynamicUser off", "DynamicUser=no\nUser=app", "", "pass", "User=app"},
		{"numeric uid", "User=4242", "", "pass", "numeric uid"},
		{"missing user, files only", "User=ghost", "", "fail", "217/USER"},
		{"missing user, sss in nsswitch", "User=ghost", "passwd: files sss\n", "warn", "sss"},
		{"an invalid name is ignored", "User=app\nUser=bad:name", "", "pass", "systemd ignores it"},
		{"an empty User= resets", "User=app\nUser=", "", "fail", "resets the earlier User=app"},
		{"a specifier", "User=%i", "", "warn", "specifier"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n" + c.unit + "\n"}
			if c.nss != "" {
				files["etc/nsswitch.conf"] = c.nss
			}
			want(t, unitRoot(t, files)["user"], engine.Status(c.status), c.words)
		})
	}
}

func TestRestartChecks(t *testing.T) {
	cases := []struct {
		name, unit, status, words string
	}{
		{"always with a RestartSec", "Restart=always\nRestartSec=5s", "pass", "RestartSec=5s"},
		{"on-failure", "Restart=on-failure\nRestartSec=2", "pass", "Restart=on-failure"},
		{"default RestartSec gives up in a crash loop", "Restart=always", "warn", "exhaust the start limit"},
		{"no start limit", "Restart=always\n[Unit]\nStartLimitIntervalSec=0", "pass", "RestartSec=100ms"},
		{"a longer interval also gives up", "Restart=always\nRestartSec=5\n[Unit]\nStartLimitIntervalSec=60s", "warn", "StartLimitIntervalSec=1m0s"},
		{"a raised burst does not", "Restart=always\nRestartSec=1s\n[Unit]\nStartLimitBurst=20", "pass", "RestartSec=1s"},
		{"systemd 219's [Service] StartLimitInterval", "Restart=always\nRestartSec=5\nStartLimitInterval=60", "warn", "exhaust"},
		{"on-abnormal misses a panic", "Restart=on-abnormal", "fail", "Go panic"},
		{"no Restart=", "", "fail", "the default is no"},
		{"an invalid value keeps the earlier one", "Restart=always\nRestart=sometimes\nRestartSec=5", "pass", "systemd ignores it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := unitRoot(t, map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n" + c.unit + "\n"})["restart"]
			want(t, r, engine.Status(c.status), c.words)
		})
	}
}

func TestRestartFixForOneshotIsOnFailure(t *testing.T) {
	r := unitRoot(t, map[string]string{unitPath: "[Service]\nType=oneshot\nExecStart=/bin/app\n"})["restart"]
	if r.Remediation == nil || !strings.Contains(r.Remediation.Actions[0].Content, "Restart=on-failure") {
		t.Errorf("plan %+v: systemd refuses Restart=always for Type=oneshot", r.Remediation)
	}
}

func TestALaterDropInCannotBeOverridden(t *testing.T) {
	r := unitRoot(t, map[string]string{
		unitPath: "[Service]\nExecStart=/bin/app\nRestart=always\n",
		"etc/systemd/system/golive-demo.service.d/99-local.conf": "[Service]\nRestart=no\n",
	})["restart"]
	want(t, r, engine.Fail, "99-local.conf")
	if r.Remediation == nil || r.Remediation.Actions[0].Kind != "manual" || !strings.Contains(r.Remediation.Actions[0].Text, "99-local.conf") {
		t.Errorf("plan %+v", r.Remediation)
	}
}

func TestNetworkChecks(t *testing.T) {
	cases := []struct {
		name, unit, status, words string
	}{
		{"online and wanted", "After=network-online.target\nWants=network-online.target", "pass", "network is up"},
		{"online, required", "After=network-online.target remote-fs.target\nRequires=network-online.target", "pass", "network is up"},
		{"online, not wanted", "After=network-online.target", "warn", "add Wants=network-online.target"},
		{"network.target", "After=network.target", "pass", "0.0.0.0"},
		{"something else", "After=local-fs.target", "fail", "After=local-fs.target"},
		{"nothing", "", "fail", "no network ordering"},
		{"reset by an empty After=", "After=network.target\nAfter=", "fail", "resets the list"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := unitRoot(t, map[string]string{unitPath: "[Unit]\n" + c.unit + "\n[Service]\nExecStart=/bin/app\n"})["network"]
			want(t, r, engine.Status(c.status), c.words)
		})
	}
}

func TestLoadedChecks(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		status string
		words  string
	}{
		{"not found", map[string]string{"etc/systemd/system/other.service": "[Service]\nExecStart=/x\n"}, "fail", "not found"},
		{"masked", map[string]string{unitPath: "->/dev/null"}, "fail", "masked"},
		{"no ExecStart", map[string]string{unitPath: "[Service]\nUser=app\n"}, "fail", "no ExecStart="},
		{"ExecStart reset by a drop-in", map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n",
			"etc/systemd/system/golive-demo.service.d/x.conf": "[Service]\nExecStart=\n"}, "fail", "no ExecStart="},
		{"an assignment outside a section is ignored", map[string]string{unitPath: "ExecStart=/bin/app\n"}, "fail", "no ExecStart="},
		{"unparsable fragment", map[string]string{unitPath: "[Service\nExecStart=/bin/app\n"}, "error", "end of section"},
		{"a masked drop-in is not a problem", map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n",
			"etc/systemd/system/golive-demo.service.d/x.conf": "->/dev/null"}, "pass", "found at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := unitRoot(t, c.files)
			want(t, res["loaded"], engine.Status(c.status), c.words)
			if (c.name == "not found" || c.name == "masked") && res["loaded"].Remediation == nil {
				t.Error("no remediation")
			}
			// The other checks cannot judge a unit that is not there.
			if c.name == "not found" || c.name == "masked" {
				want(t, res["restart"], engine.Error, "cannot judge the unit")
			}
		})
	}
}

func TestEnabledChecks(t *testing.T) {
	unit := "[Service]\nExecStart=/bin/app\n[Install]\nWantedBy=multi-user.target\n"
	cases := []struct {
		name   string
		files  map[string]string
		status string
		words  string
	}{
		{"enabled", map[string]string{"etc/systemd/system/multi-user.target.wants/golive-demo.service": "->/" + unitPath}, "pass", "enabled"},
		{"RequiredBy", map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n[Install]\nRequiredBy=app.target\n",
			"etc/systemd/system/app.target.requires/golive-demo.service": "->/" + unitPath}, "pass", "app.target.requires"},
		{"runtime only", map[string]string{"run/systemd/system/multi-user.target.wants/golive-demo.service": "->/" + unitPath}, "warn", "gone at the next reboot"},
		{"vendor link", map[string]string{"usr/lib/systemd/system/multi-user.target.wants/golive-demo.service": "->../golive-demo.service"}, "pass", "package's link"},
		{"disabled", map[string]string{}, "fail", "disabled"},
		{"static", map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n"}, "fail", "static"},
		{"[Install] without targets", map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n[Install]\nAlias=x.service\n"}, "fail", "names no WantedBy="},
		{"a link made by hand counts", map[string]string{unitPath: "[Service]\nExecStart=/bin/app\n",
			"etc/systemd/system/default.target.wants/golive-demo.service": "->/" + unitPath}, "pass", "default.target.wants"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{unitPath: unit}
			for k, v := range c.files {
				files[k] = v
			}
			want(t, unitRoot(t, files)["enabled"], engine.Status(c.status), c.words)
		})
	}
}

func TestNoSystemdInTheRootSkips(t *testing.T) {
	h := hosttest.Root(t, map[string]string{"etc/os-release": "ID=alpine\n"})
	for aspect, r := range run(t, h, plan(t, testProfile(t, "linux", demo))) {
		if aspect == "active" {
			continue
		}
		want(t, r, engine.Skip, "no systemd in this root")
	}
}

func TestParseTimespan(t *testing.T) {
	cases := map[string]time.Duration{
		"5": 5 * time.Second, "5s": 5 * time.Second, "100ms": 100 * time.Millisecond,
		"1min 30s": 90 * time.Second, "2h": 2 * time.Hour, "1.5s": 1500 * time.Millisecond,
		"0": 0, "10sec": 10 * time.Second, "1 min": time.Minute,
	}
	for in, want := range cases {
		if got, err := parseTimespan(in); err != nil || got != want {
			t.Errorf("ParseTimespan(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "s", "5 parsecs", "-1", "five"} {
		if _, err := parseTimespan(bad); err == nil {
			t.Errorf("ParseTimespan(%q) accepted", bad)
		}
	}
	if d, _ := parseTimespan("infinity"); d <= 0 {
		t.Error("infinity")
	}
}

func TestProfileErrors(t *testing.T) {
	for yaml, words := range map[string]string{
		"systemd: {restart: [sometimes]}\n": `"sometimes" is not a Restart= value`,
		"systemd: {restart: []}\n":          "at least one",
		"systemd: {networks: true}\n":       `unknown key "networks"`,
		"systemd: {active: maybe}\n":        "expected ",
	} {
		p := filepath.Join(t.TempDir(), "golive.yaml")
		if err := os.WriteFile(p, []byte("extends: rocky-9\n"+demo+yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		pr, err := profile.Resolve(profile.Request{Profile: p})
		if err == nil {
			_, err = build(pr.Section(kind), pr)
		}
		if err == nil || !strings.Contains(err.Error(), words) || !strings.Contains(err.Error(), "golive.yaml:") {
			t.Errorf("%s: error %v, want %q with file and line", strings.TrimSpace(yaml), err, words)
		}
	}
}

func TestExplain(t *testing.T) {
	for _, aspect := range []string{"loaded", "restart", "user", "network", "enabled", "active"} {
		id := "systemd/" + aspect + ":myapp.service"
		m, ok := explain(id)
		if !ok || m.ID != id || m.Why == "" || m.Fix == "" || len(m.Reads) == 0 {
			t.Errorf("explain %s = %+v %v", id, m, ok)
		}
	}
	for _, id := range []string{"systemd/loaded", "systemd/other:x.service", "rlimit/unit:x/nofile", "systemd/user:"} {
		if _, ok := explain(id); ok {
			t.Errorf("explain accepted %s", id)
		}
	}
}
