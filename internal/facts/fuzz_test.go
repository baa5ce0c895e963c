package facts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fixtureSeeds adds every fixture root's copy of a file as a seed.
func fixtureSeeds(f *testing.F, rel string) {
	roots, _ := filepath.Glob("../../testdata/roots/*")
	for _, r := range roots {
		if data, err := os.ReadFile(filepath.Join(r, rel)); err == nil {
			f.Add(data)
		}
	}
}

// FuzzParsePasswd: any bytes parse; every user is on a real line and
// found by name (the first line of its name) and by uid.
func FuzzParsePasswd(f *testing.F) {
	fixtureSeeds(f, "etc/passwd")
	for _, s := range []string{"", "a:x:1:1\n", "a:x:1:1:g:/h:/s:x\r\na:x:2:2\n", " #c\n+a\n-b\n\x00a:x:1:1\n", "a:x:99999999999:1\n:x:5:5::\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		pw := ParsePasswd(data)
		for _, u := range pw.Users {
			if u.Line < 1 || u.Line > lines || u.UID > 1<<32-1 || u.GID > 1<<32-1 || strings.ContainsAny(u.Name, ":\n\x00") {
				t.Fatalf("bad user %+v", u)
			}
			if first, ok := pw.User(u.Name); !ok || first.Line > u.Line {
				t.Fatalf("User(%q) = %+v, %v: the first line wins", u.Name, first, ok)
			}
			if _, ok := pw.UserByUID(u.UID); !ok {
				t.Fatalf("UserByUID(%d) misses %+v", u.UID, u)
			}
		}
		for _, p := range pw.Problems {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}

// FuzzParseGroups: any bytes parse; members are non-empty, and every
// group that lists a user is among its supplementary gids.
func FuzzParseGroups(f *testing.F) {
	fixtureSeeds(f, "etc/group")
	for _, s := range []string{"", "g:x:1\n", "g:x:1: a, b,,c:d\r\n", "g:x\n#x\n\x00g:x:1:a\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := ParseGroups(data)
		for _, gr := range g.Groups {
			for _, m := range gr.Members {
				if m == "" || strings.ContainsAny(m, ",\n") {
					t.Fatalf("bad member %q of %+v", m, gr)
				}
				found := false
				for _, gid := range g.Supplementary(m) {
					found = found || gid == gr.GID
				}
				if !found {
					t.Fatalf("Supplementary(%q) misses %d", m, gr.GID)
				}
			}
		}
	})
}

// FuzzParseNsswitch: any bytes parse under every glibc's rules, for every
// database, into services with names and valid actions, or (glibc 2.33+
// only) into none, with the reason.
func FuzzParseNsswitch(f *testing.F) {
	fixtureSeeds(f, "etc/nsswitch.conf")
	for _, s := range []string{"", "hosts: [", "hosts: files [!NOTFOUND=return UNAVAIL=merge] dns]\n", "passwd:]]][[[\n", "group:\x00dns\n",
		"hosts: dns # files\nhosts files", "passwd\n", "passwd : files [ notfound = RETURN ]sss\n", "group: files [SUCCESS=merge]\n\x00group: sss\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, r := range []NSSRules{NSSModern, NSSLegacy, NSSLegacyNoMerge} {
			ns := ParseNsswitch(data, r)
			for _, db := range []string{"passwd", "group", "hosts"} {
				d := ns.Database(db)
				if len(d.Services) == 0 && (r != NSSModern || len(d.Problems) == 0) {
					t.Fatalf("%v: no %s services and no reason", r, db)
				}
				if d.Default && d.String() != DefaultNsswitch(r).Database(db).String() {
					t.Fatalf("%v: %s default %q", r, db, d.String())
				}
				for _, p := range d.Problems {
					if p.Line < 0 || p.Line > lines || !utf8.ValidString(p.Text) {
						t.Fatalf("bad problem %+v", p)
					}
				}
				for _, s := range d.Services {
					if s.Name == "" || strings.ContainsAny(s.Name, cSpace+"[") || (r != NSSModern && strings.Contains(s.Name, "#")) {
						t.Fatalf("bad service name %q", s.Name)
					}
					for _, st := range NSSStatuses {
						if a := s.Action(st); a != NSSReturn && a != NSSContinue {
							t.Fatalf("%s after %s: %q", s.Name, st, a)
						}
					}
				}
			}
		}
	})
}

// FuzzManagerConfig: any system.conf either parses, giving only [Manager]
// assignments from that file, or is one problem naming the file.
func FuzzManagerConfig(f *testing.F) {
	fixtureSeeds(f, "etc/systemd/system.conf")
	for _, s := range []string{"", "[Manager]\nDefaultTasksMax=15%\n", "[Manager\n", "[Other]\nA=1\n[Manager]\nB=\\\n2\n", "\x00[Manager]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mc := &ManagerConfig{}
		mc.parse(SystemConf, data)
		if len(mc.Problems)+len(mc.Files) != 1 {
			t.Fatalf("files %v, problems %v", mc.Files, mc.Problems)
		}
		for _, o := range mc.Options {
			if o.Section != "Manager" || o.File != SystemConf {
				t.Fatalf("bad option %+v", o)
			}
		}
	})
}

// FuzzBootFiles: /etc/default/grub, grubenv and a BLS entry, as NextBoot
// reads them: any bytes parse, only shell names are assigned, and a line
// without "$" expands to itself.
func FuzzBootFiles(f *testing.F) {
	f.Add([]byte("GRUB_CMDLINE_LINUX=\"crashkernel=auto $X\"\nX='a b'\nGRUB_CMDLINE_LINUX_DEFAULT=quiet\\ splash # c\n"), []byte("# GRUB Environment Block\nkernelopts=root=/dev/vda1 ro\n####\n"), []byte("title x\noptions $kernelopts ${y} sysctl.a.b=1\nversion 5.14\n"))
	f.Add([]byte("export A=\"${A\"\nB=$\nC=\"x\" y\nexport D='d' E\n"), []byte("=\n#\nk="), []byte("options\toptions\n"))
	f.Fuzz(func(t *testing.T, grub, env, bls []byte) {
		vars := map[string]string{}
		ParseShellAssignments(grub, vars)
		for k := range vars {
			if !shellName(k) {
				t.Fatalf("assigned %q", k)
			}
		}
		e := map[string]string{}
		parseGrubEnv(env, e)
		opts := blsOptions(bls)
		line := expandGrubVars(opts, e)
		if !strings.Contains(opts, "$") && line != opts {
			t.Fatalf("%q expanded to %q", opts, line)
		}
		_, _, _ = splitNVR(string(bls))
		_ = compareBLSEntries(string(grub), string(env))
	})
}

func FuzzParseMountInfo(f *testing.F) {
	f.Add([]byte("29 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard\n40 29 0:40 / /opt/with\\040space rw,noexec - tmpfs tmpfs rw,size=64k\n"))
	f.Add([]byte("1 0 8:1 / / rw - ext4  rw\nx 1 0:1 / /a rw - t s o\n1 1 4294967296:0 / / rw - t s o\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab := ParseMountInfo(data)
		for _, m := range tab.Mounts {
			if m.Point == "" || m.Point[0] != '/' {
				t.Fatalf("mount point %q", m.Point)
			}
			if got, ok := tab.Holding(m.Point); !ok || len(got.Point) < len(m.Point) {
				t.Fatalf("Holding(%q) = %q", m.Point, got.Point)
			}
		}
	})
}

func FuzzParseFstab(f *testing.F) {
	f.Add([]byte("# c\nUUID=1 / ext4 defaults 0 1\n/dev/sdb1 /srv/with\\040space xfs rw,noexec 0 2\n/swap.img none swap sw 0 0\nshort line\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, e := range ParseFstab(data) {
			if e.Options == "" || e.Line < 1 || e.Type == "" {
				t.Fatalf("%+v", e)
			}
		}
	})
}
