package sysctl

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/testenv"
)

// fnmatchC is glibc's fnmatch as glob(3) calls it for systemd-sysctl:
// FNM_PERIOD, escapes on, C locale. It reads "pattern\tname" lines.
const fnmatchC = `#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
int main(void) {
	char line[4096];
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab) return 2;
		*tab = 0;
		printf("%d\n", fnmatch(line, tab + 1, FNM_PERIOD) == 0);
	}
	return 0;
}
`

// TestFnmatchAgainstGlibc compares golive's fnmatch with glibc's on the
// hand cases and on random patterns over the bytes that mean something in
// a glob; systemd-sysctl's own suite (differential_test.go) covers globs
// over real key files, this one the corners of bracket expressions.
func TestFnmatchAgainstGlibc(t *testing.T) {
	cc := testenv.NeedCommand(t, "gcc", "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "fnmatch.c")
	if err := os.WriteFile(src, []byte(fnmatchC), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "fnmatch")
	if out, err := exec.Command(cc, "-O", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	type pair struct{ pattern, name string }
	pairs := []pair{{"[a[", "[a["}, {"[[", "["}, {"[!", "[!"}, {"[a-", "[a-"}, {"\\", "\\"}, {"[[:alpha:", "[[:alpha:"}, {"[[:alpha:]", "a"},
		{"[[:a]", "a"}, {"[[.a]", "["}, {"[[=a]", "a"}, {"[a[=b]", "a"}, {"[a[.b.]]", "a"}, {"[a[.", "[a[."}, {"[x[:al]", "x"}, {"[\\[.:]", "["}}
	r := rand.New(rand.NewPCG(7, 252))
	alphabet := []string{"k", "1", "2", ".", "[", "]", "!", "^", "-", "*", "?", "\\", "[:digit:]", "[:alpha:]", "[:x:]", "[=k=]", "[.k.]", ":"}
	names := []string{"k", "k1", "k2", ".k", "1", "]", "[", "-", "!", "k[", "[k]", "\\", "k-1", "kk1", ""}
	for range 30000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		pairs = append(pairs, pair{b.String(), names[r.IntN(len(names))]})
	}
	var in strings.Builder
	for _, p := range pairs {
		fmt.Fprintf(&in, "%s\t%s\n", p.pattern, p.name)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"LC_ALL=C"}
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	bad := 0
	for i := 0; sc.Scan(); i++ {
		want := sc.Text() == "1"
		if got := fnmatch(pairs[i].pattern, pairs[i].name); got != want && bad < 20 {
			bad++
			t.Errorf("fnmatch(%q, %q) = %v, glibc %v", pairs[i].pattern, pairs[i].name, got, want)
		}
	}
	t.Logf("fnmatch: %d patterns compared with glibc", len(pairs))
}
