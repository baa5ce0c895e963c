package facts

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// genPkgVersion draws a version from pieces that exercise each rule:
// epochs, leading zeros, '~', '^', '+', letters against digits, and
// hyphens that move the revision/release boundary.
func genPkgVersion(rng *rand.Rand, parts []string, sep string) string {
	var b strings.Builder
	if rng.IntN(4) == 0 {
		fmt.Fprintf(&b, "%d:", rng.IntN(3))
	}
	b.WriteString(strconv.Itoa(rng.IntN(12)))
	for range rng.IntN(5) {
		b.WriteString(parts[rng.IntN(len(parts))])
	}
	if rng.IntN(2) == 0 {
		b.WriteString(sep)
		b.WriteString(strconv.Itoa(rng.IntN(4)))
		for range rng.IntN(3) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
	}
	return b.String()
}

var dpkgEdgePairs = [][2]string{
	{"1.0", "1.0-0"}, {"1.0~rc1", "1.0"}, {"1.0~~", "1.0~"}, {"1.0~", "1.0"},
	{"1.0a", "1.0+"}, {"1.0.", "1.0"}, {"1:0.1", "2.0"}, {"01:1.0", "1:1.0"},
	{"3.0.2-0ubuntu1.15", "3.0.2-0ubuntu1.9"}, {"1.2.3-1+deb12u1", "1.2.3-1"},
	{"2.0-1~bpo11+1", "2.0-1"}, {"1.0-a-b", "1.0-a"}, {"0010", "10"}, {"1.0+dfsg", "1.0.1"},
	{"1.0", "1.0"}, {"1.0Z", "1.0a"}, {"1.0.0", "1.0"},
}

// CompareDpkgVersions is held to dpkg --compare-versions on hand-made
// edge cases and seeded random pairs. dpkg is only asked to compare two
// strings: it reads and writes nothing.
func TestDpkgVersionsAgreeWithDpkg(t *testing.T) {
	testenv.NeedCommand(t, "dpkg", "dpkg")
	parts := []string{"0", "1", "9", "10", "007", "a", "b", "Z", "ubuntu", "deb", "~", "~rc1", "+", ".", "+dfsg", "~~", "build1"}
	rng := rand.New(rand.NewPCG(20, 1))
	pairs := append([][2]string{}, dpkgEdgePairs...)
	for len(pairs) < 3200 {
		pairs = append(pairs, [2]string{genPkgVersion(rng, parts, "-"), genPkgVersion(rng, parts, "-")})
	}
	// One shell for every pair; dpkg exits 0 when the relation holds.
	var script strings.Builder
	script.WriteString("while IFS=' ' read -r a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo -1; elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; done\n")
	var input strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&input, "%s %s\n", p[0], p[1])
	}
	// Two shells share the pairs: one dpkg process per question is the cost.
	lines := strings.SplitAfter(input.String(), "\n")
	half := strings.Join(lines[:len(pairs)/2], "")
	rest := strings.Join(lines[len(pairs)/2:], "")
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for k, in := range []string{half, rest} {
		wg.Go(func() {
			cmd := exec.Command("sh", "-c", script.String())
			cmd.Stdin = strings.NewReader(in)
			outs[k], errs[k] = cmd.Output()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("dpkg: %v", err)
		}
	}
	answers := strings.Fields(string(outs[0]) + string(outs[1]))
	if len(answers) != len(pairs) {
		t.Fatalf("dpkg answered %d of %d comparisons", len(answers), len(pairs))
	}
	agree := 0
	for i, p := range pairs {
		want, _ := strconv.Atoi(answers[i])
		if got := CompareDpkgVersions(p[0], p[1]); got != want {
			t.Errorf("CompareDpkgVersions(%q, %q) = %d, dpkg says %d", p[0], p[1], got, want)
			continue
		}
		agree++
	}
	t.Logf("differential: %d cases, %d agree", len(pairs), agree)
}

// CompareRPMVersions is held to rpm.vercmp (rpm's own epoch:version-release
// comparison, one rpm process for every pair).
func TestRPMVersionsAgreeWithRPM(t *testing.T) {
	testenv.NeedCommand(t, "rpm", "rpm")
	parts := []string{"0", "1", "9", "10", "010", "a", "b", "el9", "el9_4", "~rc1", "^git1", ".", "_", "+", "Z", "~", "^", "fc40", "-"}
	rng := rand.New(rand.NewPCG(20, 2))
	pairs := [][2]string{{"1:1.0", "2.0"}, {"0:1.0-1", "1.0-1"}, {"1.0~rc1-1", "1.0-1"}, {"1.0^git1-1", "1.0-1"}, {"3.0.7-27.el9", "3.0.7-6.el9_2"}, {"1.0-1", "1.0-1.el7"}}
	for len(pairs) < 3200 {
		pairs = append(pairs, [2]string{genPkgVersion(rng, parts, "-"), genPkgVersion(rng, parts, "-")})
	}
	var lua strings.Builder
	lua.WriteString("%{lua: local p = {")
	for _, p := range pairs {
		fmt.Fprintf(&lua, "{%q,%q},", p[0], p[1])
	}
	lua.WriteString("} for _, x in ipairs(p) do print(rpm.vercmp(x[1], x[2]) .. '\\n') end}")
	out, err := exec.Command("rpm", "--eval", lua.String()).Output()
	if err != nil {
		t.Fatalf("rpm: %v", err)
	}
	answers := strings.Fields(string(out))
	if len(answers) != len(pairs) {
		t.Fatalf("rpm answered %d of %d comparisons", len(answers), len(pairs))
	}
	agree := 0
	for i, p := range pairs {
		want, _ := strconv.Atoi(answers[i])
		if got := CompareRPMVersions(p[0], p[1]); got != want {
			t.Errorf("CompareRPMVersions(%q, %q) = %d, rpm says %d", p[0], p[1], got, want)
			continue
		}
		agree++
	}
	t.Logf("differential: %d cases, %d agree", len(pairs), agree)
}

// Both comparators must never panic and must be antisymmetric and
// reflexive on any input.
func FuzzCompareDpkgVersions(f *testing.F) {
	for _, p := range dpkgEdgePairs {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareDpkgVersions(a, b) != -CompareDpkgVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
		if CompareDpkgVersions(a, a) != 0 {
			t.Fatalf("not reflexive: %q", a)
		}
	})
}

func FuzzCompareRPMVersions(f *testing.F) {
	f.Add("1:3.0.7-27.el9", "3.0.7-6.el9_2")
	f.Add("1.0~rc1", "1.0^git1")
	f.Fuzz(func(t *testing.T, a, b string) {
		if CompareRPMVersions(a, b) != -CompareRPMVersions(b, a) {
			t.Fatalf("not antisymmetric: %q %q", a, b)
		}
		if CompareRPMVersions(a, a) != 0 {
			t.Fatalf("not reflexive: %q", a)
		}
	})
}
