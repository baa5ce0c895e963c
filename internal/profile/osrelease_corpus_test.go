package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

// The real os-release of each release golive knows, as its vendor ships
// it, resolves to the profile named by the directory it sits in:
// testdata/os-release/<profile>/<release>. The file's first lines are
// comments naming where the text came from (a package and its version, or
// the vendor's image); os-release(5) allows comments. A release golive has
// no profile for sits under linux/ and must fall back.
func TestRealOSReleasesResolve(t *testing.T) {
	dirs, err := os.ReadDir("testdata/os-release")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		want := d.Name()
		files, _ := filepath.Glob(filepath.Join("testdata/os-release", want, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "#") {
				t.Errorf("%s: first line must be a comment naming the source of the text", f)
			}
			rel := host.ParseOSRelease(string(data))
			p, err := Resolve(Request{OS: rel})
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			if p.Name != want {
				t.Errorf("%s (ID=%s ID_LIKE=%v VERSION_ID=%s) resolved %s, want %s (%s)", f, rel.ID, rel.IDLike, rel.VersionID, p.Name, want, p.MatchedBy)
			}
			if (want == Generic) != p.Fallback {
				t.Errorf("%s: fallback %v for profile %s", f, p.Fallback, p.Name)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no os-release texts under testdata/os-release")
	}
	t.Logf("%d real os-release texts resolved", n)
}
