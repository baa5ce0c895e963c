package remediate

import (
	"strings"
	"testing"
)

func TestVetReportAction(t *testing.T) {
	cases := []struct {
		id, cat string
		a       Action
		ok      bool
	}{
		{"sysctl/a", "sysctl", SetSysctl("a", "1"), true},
		{"sysctl/a", "sysctl", Run("x", "sysctl", "-w", "a=1"), true},
		{"sysctl/a", "sysctl", Run("x", "sysctl", "--system"), false},
		{"sysctl/a", "sysctl", Run("x", "/usr/sbin/sysctl", "-w", "a=1"), false},
		{"sysctl/a", "sysctl", Run("x", "sh", "-c", "id"), false},
		{"sysctl/a", "sysctl", Action{Kind: FileLine, Path: "/etc/sysctl.d/60-app.conf", Key: "a", Line: "a=1"}, true},
		{"sysctl/a", "sysctl", Action{Kind: FileLine, Path: "/etc/sysctl.d/../shadow", Key: "a", Line: "a=1"}, false},
		{"sysctl/a", "sysctl", Action{Kind: DropIn, Path: "/etc/cron.d/x", Content: "* * * * * root id\n"}, false},
		{"sysctl/a", "rlimit", SetSysctl("a", "1"), false}, // the category is not the ID's
		{"rlimit/login:app/nofile", "rlimit", SetSysctl("a", "1"), false},
		{"rlimit/login:app/nofile", "rlimit", Action{Kind: DropIn, Path: "/etc/security/limits.d/90-golive.conf", Content: "app hard nofile 1\n"}, true},
		{"rlimit/login:app/nofile", "rlimit", Action{Kind: DropIn, Path: "/etc/security/limits.d/10-evil.conf", Content: "* hard nofile 1\n"}, false},
		{"systemd/restart:a.service", "systemd", Action{Kind: DropIn, Path: "/etc/systemd/system/a.service.d/90-golive-restart.conf", Content: "[Service]\n"}, true},
		{"systemd/restart:a.service", "systemd", Action{Kind: DropIn, Path: "/etc/systemd/system/a.service.d/override.conf", Content: "[Service]\n"}, false},
		{"systemd/restart:a.service", "systemd", Run("x", "systemctl", "daemon-reload"), true},
		{"systemd/restart:a.service", "systemd", Run("x", "systemctl", "kill", "sshd"), false},
		{"dns/resolve:x", "dns", Tell("call the DNS admin"), true},
		{"dns/resolve:x", "dns", Run("x", "systemctl", "restart", "x"), false},
		{"os/eol", "os", Action{Kind: "script", Text: "x"}, false},
		{"firewall/port:8443/tcp", "firewall", Run("x", "firewall-cmd", "--permanent", "--zone=public", "--add-port=8443/tcp"), true},
		{"firewall/port:8443/tcp", "firewall", Run("x", "firewall-cmd", "--reload"), true},
		{"firewall/port:8443/tcp", "firewall", Run("x", "ufw", "allow", "8443/tcp"), true},
		{"firewall/port:8443/tcp", "firewall", Run("x", "ufw", "disable"), false},
		{"firewall/port:8443/tcp", "firewall", Run("x", "nft", "insert", "rule", "inet", "filter", "input", "tcp", "dport", "8443", "accept"), true},
		{"firewall/port:8443/tcp", "firewall", Run("x", "nft", "flush", "ruleset"), false},
		{"kmod/boot:br_netfilter", "kmod", Action{Kind: DropIn, Path: "/etc/modules-load.d/golive-br_netfilter.conf", Content: "br_netfilter\n"}, true},
		{"kmod/boot:br_netfilter", "kmod", Action{Kind: DropIn, Path: "/etc/modprobe.d/evil.conf", Content: "install x /bin/sh\n"}, false},
		{"kmod/loaded:br_netfilter", "kmod", Run("x", "modprobe", "br_netfilter"), true},
	}
	for _, tc := range cases {
		err := VetReportAction(tc.id, tc.cat, tc.a)
		if (err == nil) != tc.ok {
			t.Errorf("%s %s %+v: err = %v, want ok=%v", tc.id, tc.cat, tc.a, err, tc.ok)
		}
	}
}

// FuzzVetReportAction: a report's action is outside input; vetting never
// panics, and what passes is a known kind with a bare program name.
func FuzzVetReportAction(f *testing.F) {
	f.Add("sysctl/a", "sysctl", "command", "sysctl", "-w", "/etc/sysctl.d/x.conf")
	f.Add("rlimit/x", "rlimit", "drop-in", "* hard nofile 1 #", "@wheel", "/etc/security/limits.d/90-golive.conf")
	f.Add("systemd/x", "systemd", "command", "/tmp/systemctl", "--now", "/etc/systemd/system/--now.d/90-golive.conf")
	f.Add("x", "", "file-line", "", "", "/etc/passwd")
	f.Fuzz(func(t *testing.T, id, cat, kind, arg0, arg1, p string) {
		a := Action{Kind: Kind(kind), Argv: []string{arg0, arg1}, Path: p, Key: arg1, Line: arg1 + "=" + arg0, Content: arg0}
		if err := VetReportAction(id, cat, a); err != nil {
			return
		}
		switch a.Kind {
		case Command:
			if strings.Contains(arg0, "/") {
				t.Fatalf("a program path passed: %q", arg0)
			}
		case FileLine, DropIn:
			if !validPath(p) {
				t.Fatalf("an unclean path passed: %q", p)
			}
		case Manual, SysctlSet:
		default:
			t.Fatalf("kind %q passed", kind)
		}
	})
}
