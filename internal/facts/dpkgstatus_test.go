package facts

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// genDpkgStatus writes a status file of n stanzas with the forms a real
// one has: multi-line descriptions, Conffiles, multiarch twins, held and
// half-installed and config-files packages, fields in any order.
func genDpkgStatus(rng *rand.Rand, n int) []byte {
	states := []string{"install ok installed", "install ok installed", "install ok installed", "hold ok installed", "deinstall ok config-files", "install ok half-installed", "install ok unpacked", "purge ok not-installed"}
	var b strings.Builder
	for i := range n {
		name := fmt.Sprintf("pkg%d", i)
		if i%7 == 0 {
			name = fmt.Sprintf("lib%d-%d", i, rng.IntN(3))
		}
		archs := []string{"amd64"}
		if i%11 == 0 {
			archs = []string{"amd64", "i386"}
		} else if i%5 == 0 {
			archs = []string{"all"}
		}
		version := fmt.Sprintf("%d:%d.%d~rc%d-%dubuntu%d.%d", rng.IntN(3), rng.IntN(10), rng.IntN(20), rng.IntN(3), rng.IntN(4), rng.IntN(3), rng.IntN(20))
		for _, arch := range archs {
			fmt.Fprintf(&b, "Package: %s\nStatus: %s\nPriority: optional\nSection: libs\nInstalled-Size: %d\n", name, states[rng.IntN(len(states))], rng.IntN(9000))
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, "Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\nArchitecture: %s\n", arch)
			} else {
				fmt.Fprintf(&b, "Architecture: %s\nMaintainer: Someone <a@example.org>\n", arch)
			}
			if len(archs) > 1 {
				b.WriteString("Multi-Arch: same\n")
			}
			fmt.Fprintf(&b, "Version: %s\n", version)
			if rng.IntN(3) == 0 {
				fmt.Fprintf(&b, "Conffiles:\n /etc/%s/a.conf 0123456789abcdef0123456789abcdef\n /etc/%s/b.conf 0123456789abcdef0123456789abcdef\n", name, name)
			}
			fmt.Fprintf(&b, "Description: package %s\n A longer text.\n Package: fake-in-continuation\n .\n Version: 99\n", name)
			b.WriteString("\n")
		}
	}
	return []byte(b.String())
}

// ParseDpkgStatus lists the same installed packages and versions as
// dpkg-query reading the same file through --admindir (a temp dir: dpkg
// reads only it and writes nothing).
func TestDpkgStatusAgreesWithDpkgQuery(t *testing.T) {
	testenv.NeedCommand(t, "dpkg-query", "dpkg")
	rng := rand.New(rand.NewPCG(20, 3))
	total := 0
	for round := range 4 {
		dir := t.TempDir()
		for _, d := range []string{"info", "updates"} {
			if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		data := genDpkgStatus(rng, 100+round*150)
		if err := os.WriteFile(filepath.Join(dir, "status"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("dpkg-query", "--admindir="+dir, "-W", "-f=${Package} ${Architecture} ${Version} ${db:Status-Abbrev}\n").Output()
		if err != nil {
			t.Fatalf("dpkg-query: %v: %s", err, exitStderr(err))
		}
		// dpkg-query prints a zero epoch as no epoch: versions compare
		// with dpkg's rules, names and architectures exactly.
		want := map[string]string{}
		for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			if len(f) == 4 && len(f[3]) >= 2 && f[3][1] == 'i' {
				want[f[0]+":"+f[1]] = f[2]
			}
		}
		got := map[string]string{}
		for _, p := range ParseDpkgStatus(data) {
			if p.Installed() {
				got[p.Name+":"+p.Architecture] = p.Version
			}
		}
		if len(got) != len(want) {
			t.Errorf("round %d: golive lists %d installed packages, dpkg-query %d", round, len(got), len(want))
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || CompareDpkgVersions(g, v) != 0 {
				t.Errorf("round %d: %s: golive %q (listed %v), dpkg-query %q", round, k, g, ok, v)
			}
		}
		total += len(want)
	}
	t.Logf("differential: 4 status files, %d installed packages agree", total)
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add(genDpkgStatus(rand.New(rand.NewPCG(1, 1)), 5))
	f.Add([]byte("Package: a\r\nStatus: install ok installed\r\n\r\nPackage:\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, p := range ParseDpkgStatus(data) {
			if p.Name == "" {
				t.Fatalf("stanza without a name: %+v", p)
			}
		}
	})
}

// Looking a package up in a 3,000-package status file: read is memoised,
// so this is the parse, the cost paid once per run.
func BenchmarkParseDpkgStatus3000(b *testing.B) {
	data := genDpkgStatus(rand.New(rand.NewPCG(1, 2)), 3000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		pkgs := ParseDpkgStatus(data)
		if len(pkgs) < 3000 {
			b.Fatal(len(pkgs))
		}
	}
}

func exitStderr(err error) []byte {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.Stderr
	}
	return nil
}
