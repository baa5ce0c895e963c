package kmod

import (
	"strings"
	"testing"
)

// FuzzParseModprobe: any modprobe.d text parses without a panic; every
// directive kept names a module pattern without "-" outside brackets and
// an install keeps a command.
func FuzzParseModprobe(f *testing.F) {
	f.Add("blacklist floppy\ninstall cramfs /bin/true\n")
	f.Add("install a \\\n  /bin/false\n# c\n  blacklist x-y extra\n")
	f.Add("blacklist [a\ninstall a]b /bin/true\nsoftdep a pre: b post:\nblacklist\n\\")
	f.Add("install x-[a-b]-y /bin/true\nsoftdep m pre: n\ninstall m /bin/false\n")
	f.Fuzz(func(t *testing.T, data string) {
		var c ModprobeConfig
		c.ParseModprobe("/etc/modprobe.d/f.conf", []byte(data))
		for _, d := range append(c.Blacklist, c.Install...) {
			if d.Module == "" || d.Line < 1 {
				t.Fatalf("%+v", d)
			}
		}
		for _, d := range c.Install {
			if d.Command == "" {
				t.Fatalf("install without a command: %+v", d)
			}
		}
		_, _ = c.InstallFor("glv_m00")
		_, _ = c.Blacklisted("glv_m00")
	})
}

// FuzzParseModulesLoad: entries are stripped, never comments or empty.
func FuzzParseModulesLoad(f *testing.F) {
	f.Add("br_netfilter\n# c\n; c\n\n \toverlay \n")
	f.Add("\x00\r\n\v")
	f.Fuzz(func(t *testing.T, data string) {
		for _, e := range ParseModulesLoad("/etc/modules-load.d/f.conf", []byte(data)) {
			if e.Name == "" || e.Name[0] == '#' || e.Name[0] == ';' || strings.Trim(e.Name, " \t\r\n") != e.Name {
				t.Fatalf("entry %q", e.Name)
			}
		}
	})
}

// FuzzParseProcModules: /proc/modules and modules.builtin of any bytes
// give valid names only.
func FuzzParseProcModules(f *testing.F) {
	f.Add("xfs 997681 2 - Live 0x0000000000000000\nlibcrc32c 12644 1 xfs, Live 0x0\n")
	f.Add("kernel/net/unix/unix.ko\nkernel/fs/a-b.ko\n.ko\n/x.ko\n")
	f.Add("a\n\x00 1 2 3 4\n")
	f.Fuzz(func(t *testing.T, data string) {
		mods, _ := ParseProcModules([]byte(data))
		for name := range mods {
			if !validName(name) || strings.Contains(name, "-") {
				t.Fatalf("module %q", name)
			}
		}
		for name := range ParseBuiltin([]byte(data)) {
			if !validName(name) || strings.Contains(name, "-") {
				t.Fatalf("builtin %q", name)
			}
		}
	})
}

// FuzzParseModulesIndex: modules.dep and modules.alias of any bytes give
// valid names and patterns without "-" outside brackets.
func FuzzParseModulesIndex(f *testing.F) {
	f.Add("kernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz\n", "alias net-pf-7 bridge\nalias fs-x[a-b]-* m\n")
	f.Add(":\n.ko:\n/a.ko.zst\n", "alias\nalias a b c\n")
	f.Fuzz(func(t *testing.T, dep, alias string) {
		for name := range ParseModulesDep([]byte(dep)) {
			if !validName(name) || strings.Contains(name, "-") {
				t.Fatalf("module %q", name)
			}
		}
		for _, p := range ParseModulesAlias([]byte(alias)) {
			if _, ok := underscores(p); !ok {
				t.Fatalf("pattern %q", p)
			}
		}
	})
}
