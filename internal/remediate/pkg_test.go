package remediate

import (
	"slices"
	"strings"
	"testing"
)

func TestPackageCommands(t *testing.T) {
	for _, c := range []struct {
		a    Action
		argv string
	}{
		{InstallPackage("apt", "openssl", "3.0.2-0ubuntu1.18"), "apt-get install -y --allow-downgrades openssl=3.0.2-0ubuntu1.18"},
		{InstallPackage("apt", "chrony", ""), "apt-get install -y chrony"},
		{InstallPackage("dnf", "openssl", "1:3.0.7-27.el9"), "dnf install -y openssl-1:3.0.7-27.el9"},
		{InstallPackage("yum", "openssl", "1.0.2k"), "yum install -y openssl-1.0.2k"},
		{RemovePackage("apt", "telnet"), "apt-get remove -y telnet"},
		{RemovePackage("dnf", "telnet"), "dnf remove -y telnet"},
		{RemovePackage("yum", "telnet"), "yum remove -y telnet"},
	} {
		if err := checkAction(c.a, true); err != nil {
			t.Errorf("%+v: %v", c.a, err)
		}
		if got := strings.Join(PackageArgv(c.a), " "); got != c.argv {
			t.Errorf("%+v runs %q, want %q", c.a, got, c.argv)
		}
		if err := VetReportAction("package/installed:"+c.a.Package, "package", c.a); err != nil {
			t.Errorf("%+v: remediate --from refuses it: %v", c.a, err)
		}
	}
	for _, bad := range []Action{
		InstallPackage("zypper", "openssl", ""),
		InstallPackage("apt", "-y", ""),
		InstallPackage("apt", "--reinstall", ""),
		InstallPackage("apt", "open ssl", ""),
		InstallPackage("apt", "openssl", "1.0 2"),
		InstallPackage("apt", "openssl", "-1"),
		InstallPackage("dnf", "openssl*", ""),
		InstallPackage("dnf", "openssl", "3.0;id"),
		InstallPackage("apt", "", ""),
		{Kind: Package, Manager: "apt", Package: "telnet", Version: "1", State: "absent"},
		{Kind: Package, Manager: "apt", Package: "telnet", State: "latest"},
	} {
		if err := checkAction(bad, false); err == nil {
			t.Errorf("%+v passed validation", bad)
		}
	}
	if err := VetReportAction("sysctl/x", "sysctl", InstallPackage("dnf", "openssl", "")); err == nil {
		t.Error("a sysctl check may install packages")
	}
}

// TestPackageFixesRender: the script runs the manager's command on the
// host and lists it for the booted system under ROOT; the playbook uses
// the distro's module, never on a mounted root. Both are valid
// (shellcheck, ansible-playbook --syntax-check) and run clean on a root.
func TestPackageFixesRender(t *testing.T) {
	in := testInput(
		fix("package/version:openssl", InstallPackage("apt", "openssl", "3.0.2-0ubuntu1.18")),
		fix("package/installed:chrony", InstallPackage("dnf", "chrony", "")),
		fix("package/installed:telnet", RemovePackage("yum", "telnet")),
		fix("package/installed:x", InstallPackage("apt", "-x", "")),
	)
	script := renderBash(t, in)
	bashSyntax(t, script)
	call := func(argv ...string) string {
		for i, a := range argv {
			argv[i] = shellQuote(a)
		}
		return "golive_runtime " + strings.Join(argv, " ")
	}
	for _, want := range []string{
		call("apt-get", "install", "-y", "--allow-downgrades", "openssl=3.0.2-0ubuntu1.18"),
		call("dnf", "install", "-y", "chrony"),
		call("yum", "remove", "-y", "telnet"),
		"MANUAL: cannot apply automatically",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	root := newRoot(t)
	r := runScript(t, script, root, t.TempDir())
	if r.code != 0 || !strings.Contains(r.stdout, "skipped under ROOT: run on the booted system: apt-get install -y --allow-downgrades openssl=3.0.2-0ubuntu1.18") {
		t.Errorf("under ROOT: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}

	playbook := renderAnsible(t, in)
	playbookSyntax(t, playbook)
	unsafe, own := scalars(t, playbook)
	for _, want := range []string{"openssl=3.0.2-0ubuntu1.18", "chrony", "telnet"} {
		if !slices.Contains(unsafe, want) {
			t.Errorf("%q is not an !unsafe value of the playbook", want)
		}
	}
	for _, want := range []string{"ansible.builtin.apt", "ansible.builtin.dnf", "ansible.builtin.package", "allow_downgrade", "absent", "present"} {
		if !slices.Contains(own, want) {
			t.Errorf("the playbook lacks %q", want)
		}
	}
	if p := runPlaybook(t, playbook, root); p.code != 0 {
		t.Errorf("playbook on a root: exit %d\n%s", p.code, p.output)
	}
}
