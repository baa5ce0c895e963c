package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/report/reporttest"
)

var update = flag.Bool("update", false, "rewrite the golden reports in testdata/golden")

// goldenNow pins the clock: os/eol counts days from it.
var goldenNow = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// fixtureRoots are the directories of testdata/roots: every root has a
// golden report, and every root but broken is named after the profile it
// must resolve.
var fixtureRoots = func() []string {
	entries, err := os.ReadDir(filepath.Join("..", "..", "testdata", "roots"))
	if err != nil {
		panic(err)
	}
	var roots []string
	for _, e := range entries {
		if e.IsDir() {
			roots = append(roots, e.Name())
		}
	}
	return roots
}()

// runInProcess runs golive's CLI in this process with a pinned clock.
func runInProcess(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Execute(args, cli.IO{
		In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return goldenNow },
	})
	return code, out.String(), errb.String()
}

// normalize removes what differs between runs and machines: timings, the
// start time, and the absolute path of the fixture root.
func normalize(t *testing.T, data []byte, root string) []byte {
	t.Helper()
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	rep["started_at"] = "2026-11-21T10:00:00Z"
	rep["duration_ms"] = 0
	rep["host"].(map[string]any)["root"] = "testdata/roots/" + root
	for _, c := range rep["checks"].([]any) {
		c.(map[string]any)["duration_ms"] = 0
	}
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func TestGoldenReports(t *testing.T) {
	// Every root fails: the seeds' tuning (somaxconn 65535 and more) is
	// not what any distro ships, and centos-7 is past its end of life.
	const wantCode = 1
	for _, root := range fixtureRoots {
		t.Run(root, func(t *testing.T) {
			wantProfile := root
			if root == "broken" {
				wantProfile = "linux"
			}
			code, out, stderr := runInProcess(t, "check", "--root", filepath.Join("..", "..", "testdata", "roots", root), "--format", "json")
			if code != wantCode {
				t.Fatalf("exit %d, want %d; stderr %s", code, wantCode, stderr)
			}
			if err := reporttest.Validate([]byte(out)); err != nil {
				t.Fatalf("report does not validate: %v", err)
			}
			var rep jsonReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Profile.Name != wantProfile {
				t.Errorf("profile %s, want %s", rep.Profile.Name, wantProfile)
			}
			got := normalize(t, []byte(out), root)
			golden := filepath.Join("testdata", "golden", root+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantData, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -update to create it)", err)
			}
			if !bytes.Equal(got, wantData) {
				t.Errorf("report differs from %s (go test ./internal/cli -update rewrites it after review):\n%s", golden, firstDiff(string(wantData), string(got)))
			}
		})
	}
}

func TestCentOS7FailsEOL(t *testing.T) {
	_, out, _ := runInProcess(t, "check", "--root", "../../testdata/roots/centos-7", "--format", "json", "--only", "os/eol")
	rep := decode(t, out)
	if len(rep.Checks) != 1 || rep.Checks[0].Status != "fail" {
		t.Errorf("os/eol on centos-7: %+v", rep.Checks)
	}
}

// firstDiff shows the first differing line with a little context.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n  golden: " + x + "\n  got:    " + y
		}
	}
	return "(no line differs)"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
