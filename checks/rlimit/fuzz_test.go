package rlimit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// FuzzParseLimits feeds arbitrary text as limits.conf and resolves it for a
// user: no panic, every entry has its fields, every resolved value came
// from an entry of the file.
func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{
		"*\tsoft\tnofile\t4096\n@ops hard nproc 100\napp - memlock unlimited\n",
		"app -\n# comment\n%ops - maxlogins 4\n",
		"1000: soft nproc 32768\n@:2000 soft nofile 6\n@1500:1600 hard core 0\n",
		"app soft nofile 8192extra\r\napp\thurd\tnofile 1\napp soft nproc -5\n",
		"a b c d\x00e\n" + strings.Repeat("x", 5000) + "\n",
		"@: soft nofile 1\n:x soft nofile 1\n1:2:3 soft nofile 1\n",
		"* soft nproc unlimited extra\nALICE\vsoft\fNOFILE 5\napp -x\n@0: soft nofile 1\n%:0 - nproc 2\n",
		"+1500: soft nofile 1\n-1: hard core 2\n @ops -\n",
		"# " + strings.Repeat("x", 1021) + " app soft nofile 900\n" + strings.Repeat(" ", 1020) + "app hard core 5\n",
		"",
	} {
		f.Add([]byte(s))
	}
	a := &account{name: "app", uid: 1500, gid: 1500, known: true,
		groups: map[string]bool{"app": true, "ops": true}, gids: map[uint64]bool{1500: true, 2000: true}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, syntax := range []lineSyntax{wordSyntax, restSyntax} {
			entries, _ := parseLimits("/etc/security/limits.conf", data, syntax)
			for _, e := range entries {
				if e.Domain == "" || (!e.noLimits && (e.Type == "" || e.Item == "" || e.Value == "")) {
					t.Fatalf("incomplete entry %+v", e)
				}
				if syntax == wordSyntax && (strings.ContainsAny(e.Value, cSpace) || len(e.Domain)+len(e.Value) > fgetsLine) {
					t.Fatalf("a value is one word of one fgets read: %+v", e)
				}
			}
			c := &pamConfig{entries: entries}
			for _, f := range []pamFlavor{{Debian: true}, {Version: [3]int{1, 1, 8}}} {
				ll := c.resolveLogin(a, f.Debian)
				for _, m := range []map[string]setting{ll.soft, ll.hard} {
					for name, s := range m {
						if _, ok := resources[name]; !ok || s.from.file == "" || s.src > srcDefault {
							t.Fatalf("setting %s %+v", name, s)
						}
					}
				}
				// Every resource of a session is known from a known start,
				// and soft never exceeds hard.
				st := sessionStart{caller: callerOf(nil), pid1: map[string]Limit{"nofile": {1 << 20, 1 << 20}},
					pid1State: pid1Read, nrOpen: nrOpen{value: 1 << 20, known: true}}
				for name, sl := range f.openSession(ll, st).limits {
					if !sl.soft.known || !sl.hard.known || sl.soft.value > sl.hard.value {
						t.Fatalf("%s: %+v", name, sl)
					}
				}
			}
		}
	})
}

// FuzzParseProcLimits: arbitrary /proc/<pid>/limits text never panics, and
// every row is one the kernel prints.
func FuzzParseProcLimits(f *testing.F) {
	f.Add([]byte(sampleLimits))
	f.Add([]byte("Limit Soft Hard Units\nMax open files 1 2 files\nMax open files unlimited\n"))
	f.Add([]byte("Max processes             99999999999999999999999 1\n\x00\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _ := ParseProcLimits(data)
		for name := range rows {
			if _, _, ok := procRowName(name); !ok {
				t.Fatalf("row %q", name)
			}
		}
	})
}

// FuzzParseSystemdLimit: any Limit*= value either parses to soft <= hard
// or is rejected, for every resource and both syntaxes.
func FuzzParseSystemdLimit(f *testing.F) {
	for _, s := range []string{"1048576", "1024:524288", "infinity", "0:infinity", "64M", "1G 512M", "1.5K", "0x10", "010", "4096:1024", "", "-1", "1:2:3", "9999999999999999999E"} {
		f.Add(s, 0)
		f.Add(s, 219)
	}
	f.Fuzz(func(t *testing.T, s string, version int) {
		for _, r := range resources {
			l, err := parseSystemdLimit(r, s, version)
			if err == nil && l.Soft > l.Hard {
				t.Fatalf("%s=%q parsed to soft %d > hard %d", r.systemd, s, l.Soft, l.Hard)
			}
		}
	})
}

// FuzzUnitLimitLayering writes a unit, a drop-in and system.conf from
// fuzzed text into a temp root and resolves every limit as systemd layers
// them: no panic, and a known limit always says where it comes from.
func FuzzUnitLimitLayering(f *testing.F) {
	f.Add("[Service]\nLimitNOFILE=65536\n", "[Service]\nLimitNOFILE=1048576\nLimitNOFILE=\n", "[Manager]\nDefaultLimitNOFILE=1024:4096\n")
	f.Add("[Service]\nLimitNOFILE=lots\nLimitMEMLOCK=64M\n", "garbage\n", "[Manager]\nDefaultLimitCORE=0:infinity\n")
	f.Add("[Service\n", "[Service]\nLimitNPROC=4096:1024\n", "")
	f.Fuzz(func(t *testing.T, frag, drop, sysconf string) {
		dir := t.TempDir()
		for p, content := range map[string]string{
			"etc/systemd/system/app.service":             frag,
			"etc/systemd/system/app.service.d/10-x.conf": drop,
			"etc/systemd/system.conf":                    sysconf,
		} {
			full := filepath.Join(dir, p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h, err := host.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		uf, err := unit.Load(h, "app.service")
		if err != nil {
			uf = nil // the fragment does not parse: the manager level still resolves
		}
		mc := facts.LoadManagerConfig(h)
		for _, version := range []int{0, 219} {
			for _, r := range resources {
				ul := resolveUnitLimit(uf, mc, r, systemdInfo{Version: version, Defaults: map[string]Limit{}})
				if ul.known && (ul.from == "" || ul.limit.Soft > ul.limit.Hard) {
					t.Fatalf("%s: %+v", r.name, ul)
				}
			}
		}
	})
}

// /proc/1/status is outside input: any bytes give a mask or an error.
func FuzzParseCapEff(f *testing.F) {
	f.Add([]byte("Name:\tsystemd\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n"))
	f.Add([]byte("CapEff:\t00000000fcecbfff\n"))
	f.Add([]byte("CapEff: zz\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		text, bits, err := parseCapEff(data)
		if err == nil && text == "" && bits != 0 {
			t.Fatalf("bits %x without text", bits)
		}
	})
}

// A binary's Go version string is outside input; goRaise never raises a
// soft limit above the hard one or lowers it.
func FuzzGoRaise(f *testing.F) {
	f.Add("go1.26.1", uint64(1024), uint64(524288))
	f.Add("go1.19rc1", uint64(0), uint64(1))
	f.Add("devel +abc", uint64(5), uint64(5))
	f.Add("go2.0", uint64(1), uint64(0))
	f.Fuzz(func(t *testing.T, version string, soft, hard uint64) {
		if soft > hard {
			soft, hard = hard, soft
		}
		for _, l := range goRaise(Limit{soft, hard}, version) {
			if l.Hard != hard || l.Soft < soft || l.Soft > hard {
				t.Fatalf("goRaise(%d:%d, %q) gave %v", soft, hard, version, l)
			}
		}
	})
}
