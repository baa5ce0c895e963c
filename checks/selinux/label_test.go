package selinux

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const (
	binT     = "system_u:object_r:bin_t:s0"
	usrT     = "system_u:object_r:usr_t:s0"
	varLibT  = "system_u:object_r:var_lib_t:s0"
	libT     = "system_u:object_r:lib_t:s0"
	contT    = "system_u:object_r:container_file_t:s0"
	varT     = "system_u:object_r:var_t:s0"
	rockyFCs = "/etc/selinux/targeted/contexts/files/file_contexts"
)

// serviceRoot is a copy of the rocky-9 fixture (enforcing, the fixture
// policy) with a deployed service: real files and directories whose
// security.selinux attributes the tests write. Git cannot keep extended
// attributes, so they exist only in the copy.
func serviceRoot(t *testing.T, opts ...host.Option) *host.Host {
	t.Helper()
	dir := copyTree(t, "../../testdata/roots/rocky-9")
	for _, f := range []string{"opt/myapp/bin/myapp", "opt/myapp/data/state.db", "var/lib/myapp/db", "usr/lib64/libmyapp.so.1", "tmp/myapp.sock", "opt/goservice/data/cache"} {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("bin", filepath.Join(dir, "opt/myapp/current")); err != nil {
		t.Fatal(err)
	}
	h, err := host.New(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func lineOf(t *testing.T, file, regex string) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/roots/rocky-9" + file)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == regex {
			return fmt.Sprintf("%s at %s:%d", regex, file, i+1)
		}
	}
	t.Fatalf("%s not in %s", regex, file)
	return ""
}

// The acceptance test of issue 3: a path whose real security.selinux
// label has the wrong type fails selinux/label:<path>, and its remediation
// names semanage and restorecon.
func TestWrongLabelFailsWithSemanageAndRestorecon(t *testing.T) {
	h := serviceRoot(t)
	setLabel(t, h, "/opt/myapp/data", usrT)
	r := runProfile(t, h, rhelFacts+"selinux:\n  paths:\n    /opt/myapp/data: var_lib_t\n")["selinux/label:/opt/myapp/data"]
	want(t, r, engine.Fail, "type usr_t, the profile expects var_lib_t", "file_contexts gives usr_t: "+lineOf(t, rockyFCs, "/opt/.*"))
	got := steps(r.Remediation)
	wantSteps := []string{
		`command: semanage fcontext -a -t var_lib_t /opt/myapp/data(/.*)?`,
		`command: restorecon -Rv /opt/myapp/data`,
	}
	if strings.Join(got, "\n") != strings.Join(wantSteps, "\n") {
		t.Errorf("remediation\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantSteps, "\n"))
	}
	if r.Observed != usrT || r.Details["type"] != "usr_t" || r.Details["expected_type"] != "var_lib_t" || r.Details["expected_from"] != "profile" {
		t.Errorf("observed %q, details %v", r.Observed, r.Details)
	}
}

func TestLabelVerdicts(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string // path -> label written before the run
		paths  string            // the selinux.paths section body
		id     string
		status engine.Status
		words  []string
		steps  []string
	}{
		{"the profile's type, as the policy gives it", map[string]string{"/opt/myapp/bin": binT}, "/opt/myapp/bin: bin_t", "/opt/myapp/bin",
			engine.Pass, []string{"type bin_t, as file_contexts gives it (" + "/opt/(.*/)?bin(/.*)? at " + rockyFCs}, nil},
		{"a wrong type the policy would restore", map[string]string{"/opt/myapp/bin": usrT}, "/opt/myapp/bin: bin_t", "/opt/myapp/bin",
			engine.Fail, []string{"type usr_t, the profile expects bin_t (file_contexts gives bin_t"}, []string{"command: restorecon -Rv /opt/myapp/bin"}},
		{"right now, but only by chcon", map[string]string{"/opt/myapp/data": varLibT}, "/opt/myapp/data: var_lib_t", "/opt/myapp/data",
			engine.Warn, []string{"type var_lib_t now, but file_contexts gives usr_t", "the next restorecon or relabel changes it"},
			[]string{"command: semanage fcontext -a -t var_lib_t /opt/myapp/data(/.*)?", "command: restorecon -Rv /opt/myapp/data"}},
		{"a pattern already defined is modified", map[string]string{"/opt/goservice/data": varLibT}, "/opt/goservice/data: {type: container_file_t}", "/opt/goservice/data",
			engine.Fail, []string{"type var_lib_t, the profile expects container_file_t (file_contexts gives var_lib_t: /opt/goservice/data(/.*)? at /etc/selinux/targeted/contexts/files/file_contexts.local:4)"},
			[]string{"command: semanage fcontext -m -t container_file_t /opt/goservice/data(/.*)?", "command: restorecon -Rv /opt/goservice/data"}},
		{"no label at all", nil, "/opt/myapp/bin: bin_t", "/opt/myapp/bin",
			engine.Fail, []string{"/opt/myapp/bin has no SELinux label", "rsync without -X"}, []string{"command: restorecon -Rv /opt/myapp/bin"}},
		{"a label that is not a context", map[string]string{"/opt/myapp/bin": "garbage"}, "/opt/myapp/bin: bin_t", "/opt/myapp/bin",
			engine.Fail, []string{"is not an SELinux context"}, []string{"command: restorecon -Rv /opt/myapp/bin"}},
		{"level warn caps a miss", map[string]string{"/opt/myapp/bin": usrT}, "/opt/myapp/bin: {type: bin_t, level: warn}", "/opt/myapp/bin",
			engine.Warn, []string{"the profile expects bin_t"}, []string{"command: restorecon -Rv /opt/myapp/bin"}},
		{"the policy's type", map[string]string{"/var/lib/myapp": varLibT}, `/var/lib/myapp: ""`, "/var/lib/myapp",
			engine.Pass, []string{"type var_lib_t, as file_contexts gives it (/var/lib(/.*)? at"}, nil},
		{"not the policy's type", map[string]string{"/var/lib/myapp": usrT}, `/var/lib/myapp: ""`, "/var/lib/myapp",
			engine.Fail, []string{"type usr_t, but file_contexts gives var_lib_t", "restorecon would relabel it"}, []string{"command: restorecon -Rv /var/lib/myapp"}},
		{"unlabelled, policy type", nil, `/var/lib/myapp: ""`, "/var/lib/myapp",
			engine.Fail, []string{"has no SELinux label"}, []string{"command: restorecon -Rv /var/lib/myapp"}},
		{"<<none>> leaves any label alone", map[string]string{"/tmp/myapp.sock": varT}, `/tmp/myapp.sock: ""`, "/tmp/myapp.sock",
			engine.Pass, []string{"file_contexts says <<none>> (/tmp/.* at"}, nil},
		{"a symlink's own label, matched as a symlink", map[string]string{"/opt/myapp/current": usrT, "/opt/myapp/bin": binT}, `/opt/myapp/current: ""`, "/opt/myapp/current",
			engine.Pass, []string{"type usr_t, as file_contexts gives it (/opt/.* at"}, nil},
		{"directories resolved and substituted as restorecon does", map[string]string{"/usr/lib64/libmyapp.so.1": libT}, `/lib64/libmyapp.so.1: ""`, "/lib64/libmyapp.so.1",
			engine.Pass, []string{"type lib_t, as file_contexts gives it (/usr/lib(/.*)? at"}, nil},
		{"a customizable type restorecon keeps", map[string]string{"/var/lib/myapp": contT}, `/var/lib/myapp: ""`, "/var/lib/myapp",
			engine.Pass, []string{"type container_file_t, which the policy's customizable_types lists: restorecon keeps it although file_contexts gives var_lib_t"}, nil},
		{"a wrong customizable type needs restorecon -F", map[string]string{"/opt/myapp/bin": contT}, "/opt/myapp/bin: bin_t", "/opt/myapp/bin",
			engine.Fail, []string{"type container_file_t, the profile expects bin_t"}, []string{"command: restorecon -RFv /opt/myapp/bin"}},
		{"a customizable type set by hand survives restorecon, not -F", map[string]string{"/opt/myapp/data": contT}, "/opt/myapp/data: container_file_t", "/opt/myapp/data",
			engine.Warn, []string{"container_file_t is customizable, so restorecon keeps it, but a forced relabel (restorecon -F, fixfiles -F onboot) changes it"},
			[]string{"command: semanage fcontext -a -t container_file_t /opt/myapp/data(/.*)?", "command: restorecon -Rv /opt/myapp/data"}},
		{"a missing path with the profile's type", nil, "/opt/myapp/logs: var_lib_t", "/opt/myapp/logs",
			engine.Fail, []string{"/opt/myapp/logs does not exist"},
			[]string{"command: semanage fcontext -a -t var_lib_t /opt/myapp/logs(/.*)?", "manual"}},
		{"a missing path the policy labels right", nil, "/opt/other/bin: bin_t", "/opt/other/bin",
			engine.Fail, []string{"does not exist"}, []string{"manual"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := serviceRoot(t)
			for p, l := range tt.labels {
				setLabel(t, h, p, l)
			}
			r := runProfile(t, h, rhelFacts+"selinux:\n  paths:\n    "+tt.paths+"\n")["selinux/label:"+tt.id]
			want(t, r, tt.status, tt.words...)
			if got := strings.Join(steps(r.Remediation), " | "); got != strings.Join(tt.steps, " | ") {
				t.Errorf("remediation %q, want %q", got, strings.Join(tt.steps, " | "))
			}
		})
	}
}

func TestLabelDetails(t *testing.T) {
	h := serviceRoot(t)
	setLabel(t, h, "/usr/lib64/libmyapp.so.1", "system_u:object_r:lib_t:s0")
	setLabel(t, h, "/opt/myapp/current", usrT)
	setLabel(t, h, "/opt/myapp/bin", binT)
	res := runProfile(t, h, rhelFacts+"selinux:\n  paths: [/lib64/libmyapp.so.1, /opt/myapp/current]\n")
	d := res["selinux/label:/lib64/libmyapp.so.1"].Details
	if d["real_path"] != "/usr/lib64/libmyapp.so.1" || d["lookup_path"] != "/usr/lib/libmyapp.so.1" || d["file_type"] != "regular file" ||
		d["label"] != "system_u:object_r:lib_t:s0" || d["type"] != "lib_t" || d["policy_type"] != "lib_t" || d["expected_from"] != "policy" {
		t.Errorf("details %v", d)
	}
	entry, _ := d["policy_entry"].(map[string]any)
	if entry["regex"] != "/usr/lib(/.*)?" || entry["file"] != rockyFCs {
		t.Errorf("policy_entry %v", entry)
	}
	link := res["selinux/label:/opt/myapp/current"]
	if link.Details["file_type"] != "symlink" || link.Observed != usrT {
		t.Errorf("the link's own label must be read: %v %q", link.Details, link.Observed)
	}
	if link.Expected != "type usr_t ("+lineOf(t, rockyFCs, "/opt/.*")+")" {
		t.Errorf("expected %q", link.Expected)
	}
}

func TestLabelWhenItCannotDecide(t *testing.T) {
	t.Run("no policy installed and no type in the profile", func(t *testing.T) {
		h := hosttest.Root(t, rhelRoot(map[string]string{"var/lib/myapp/db": "x"}))
		setLabel(t, h, "/var/lib/myapp", varLibT)
		r := runProfile(t, h, rhelFacts+"selinux:\n  paths: [/var/lib/myapp]\n")["selinux/label:/var/lib/myapp"]
		want(t, r, engine.Error, "cannot tell which type the policy gives", "/etc/selinux/targeted/contexts/files/file_contexts")
	})
	t.Run("no policy installed, the profile's type is there", func(t *testing.T) {
		h := hosttest.Root(t, rhelRoot(map[string]string{"var/lib/myapp/db": "x"}))
		setLabel(t, h, "/var/lib/myapp", varLibT)
		r := runProfile(t, h, rhelFacts+"selinux:\n  paths: {/var/lib/myapp: var_lib_t}\n")["selinux/label:/var/lib/myapp"]
		want(t, r, engine.Pass, "type var_lib_t; could not check that a relabel keeps it")
	})
	t.Run("an invalid regex on the way", func(t *testing.T) {
		h := hosttest.Root(t, rhelRoot(map[string]string{
			"opt/app/bin/app": "x",
			"etc/selinux/targeted/contexts/files/file_contexts": "/.*\tu:r:default_t\n/opt/app(/.*\tu:r:bin_t\n",
		}))
		setLabel(t, h, "/opt/app/bin", binT)
		r := runProfile(t, h, rhelFacts+"selinux:\n  paths: [/opt/app/bin]\n")["selinux/label:/opt/app/bin"]
		want(t, r, engine.Error, "file_contexts:2: invalid regular expression")
	})
	t.Run("a policy entry with a broken context", func(t *testing.T) {
		h := hosttest.Root(t, rhelRoot(map[string]string{
			"opt/app/bin/app": "x",
			"etc/selinux/targeted/contexts/files/file_contexts": "/.*\tbin_t\n",
		}))
		setLabel(t, h, "/opt/app/bin", binT)
		r := runProfile(t, h, rhelFacts+"selinux:\n  paths: [/opt/app/bin]\n")["selinux/label:/opt/app/bin"]
		want(t, r, engine.Error, "file_contexts:1 gives an invalid context")
	})
	t.Run("no entry matches", func(t *testing.T) {
		h := hosttest.Root(t, rhelRoot(map[string]string{
			"srv/app/x": "x",
			"etc/selinux/targeted/contexts/files/file_contexts": "/opt(/.*)?\tu:r:usr_t\n",
		}))
		setLabel(t, h, "/srv/app", varT)
		r := runProfile(t, h, rhelFacts+"selinux:\n  paths: [/srv/app]\n")["selinux/label:/srv/app"]
		want(t, r, engine.Skip, "no file_contexts entry matches /srv/app")
	})
}

func TestLabelSkips(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		yaml  string
		words string
	}{
		{"SELinux off now and at boot", map[string]string{"sys/fs/selinux/enforce": "<drop>", "etc/selinux/config": "SELINUX=disabled\n"}, rhelFacts, "SELinux is off: runtime disabled, configured disabled"},
		{"an image without a configuration", map[string]string{"sys/fs/selinux/enforce": "<drop>", "proc/sys/kernel/osrelease": "<drop>", "etc/selinux/config": "<drop>"}, rhelFacts, "runtime unknown (image), and there is no /etc/selinux/config"},
		{"AppArmor distro", nil, "facts: {distro: Ubuntu 22.04 LTS, mac: apparmor}\n", "Ubuntu 22.04 LTS uses AppArmor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hosttest.Root(t, rhelRoot(tt.files))
			r := runProfile(t, h, tt.yaml+"selinux:\n  paths: {/opt/app: bin_t}\n")["selinux/label:/opt/app"]
			want(t, r, engine.Skip, tt.words)
		})
	}
}

// Configured enforcing, disabled now (booted with selinux=0): the labels
// still matter, the next boot enforces them.
func TestLabelCheckedWhenOnlyTheConfigurationEnables(t *testing.T) {
	h := hosttest.Root(t, rhelRoot(map[string]string{"sys/fs/selinux/enforce": "<drop>", "opt/app/bin/app": "x"}))
	r := runProfile(t, h, rhelFacts+"selinux:\n  paths: {/opt/app/bin: bin_t}\n")["selinux/label:/opt/app/bin"]
	if r.Status == engine.Skip {
		t.Errorf("skipped: %s", r.Message)
	}
}

func TestLabelNeedsRoot(t *testing.T) {
	denied := func(h *host.Host, name, attr string) ([]byte, error) {
		return nil, &fs.PathError{Op: "lgetxattr", Path: name, Err: fs.ErrPermission}
	}
	for _, tt := range []struct {
		euid   int
		status engine.Status
	}{{1000, engine.Skip}, {0, engine.Error}} {
		h := hosttest.Root(t, rhelRoot(map[string]string{"opt/app/bin/app": "x"}), host.WithEUID(tt.euid))
		checks := plan(t, testProfile(t, rhelFacts+"selinux:\n  paths: {/opt/app/bin: bin_t}\n"))
		checks[1].(*labelCheck).state.getxattr = denied
		r := run(t, h, checks)["selinux/label:/opt/app/bin"]
		want(t, r, tt.status, "permission denied")
	}
}

func TestParseCustomizableTypes(t *testing.T) {
	got := parseCustomizableTypes([]byte("container_file_t\n  svirt_image_t \r\n\n# a comment\nhome_bin_t"))
	if len(got) != 3 || !got["container_file_t"] || !got["svirt_image_t"] || !got["home_bin_t"] {
		t.Errorf("%v", got)
	}
}
