package packages

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/rpmdb/rpmdbtest"
	"github.com/golive-sh/golive/internal/testenv"
)

// dpkgStates are Status fields dpkg writes: want, error flag, state.
var dpkgStates = []string{
	"install ok installed", "hold ok installed", "deinstall ok installed", "purge ok installed",
	"deinstall ok config-files", "purge ok config-files", "install ok unpacked", "install ok half-configured",
	"install reinstreq half-installed", "install ok triggers-awaited", "install ok triggers-pending", "install ok not-installed",
}

// TestInstalledAgreesWithDpkgQuery writes generated dpkg status files
// (random names, versions, states, multi-arch pairs, fields in any order,
// continuation lines) under a temp root and holds every
// package/installed verdict and its versions to dpkg-query reading the
// same file: installed means a state of installed (ii, hi, ri, pi).
func TestInstalledAgreesWithDpkgQuery(t *testing.T) {
	testenv.NeedCommand(t, "dpkg-query", "dpkg")
	r := rand.New(rand.NewPCG(20, 5))
	for round := range 4 {
		root := t.TempDir()
		admin := filepath.Join(root, "var", "lib", "dpkg")
		if err := os.MkdirAll(admin, 0o755); err != nil {
			t.Fatal(err)
		}
		var status strings.Builder
		var names []string
		seen := map[string]bool{}
		for len(names) < 150 {
			name := strings.ToLower(strings.Trim(strings.Map(func(c rune) rune {
				if strings.ContainsRune("-_+~", c) {
					return '-'
				}
				return c
			}, fmt.Sprintf("%x", r.Uint64())[:2+r.IntN(10)]), "-"))
			if len(name) < 2 || seen[name] {
				continue
			}
			seen[name] = true
			names = append(names, name)
			arches := []string{[]string{"amd64", "all", "arm64"}[r.IntN(3)]}
			if r.IntN(5) == 0 {
				arches = []string{"amd64", "i386"}
			}
			for _, arch := range arches {
				state := dpkgStates[r.IntN(len(dpkgStates))]
				fields := []string{
					"Package: " + name,
					"Status: " + state,
					"Architecture: " + arch,
					"Version: " + genVersion(r, []string{"0", "1", "a", "~rc1", "+dfsg", ".", "ubuntu"}),
					"Maintainer: Golive Test <test@example.invalid>",
					"Description: generated\n a continuation line\n .\n Package: not-a-package",
				}
				if len(arches) > 1 {
					fields = append(fields, "Multi-Arch: same")
				}
				// dpkg refuses a trigger state without its trigger field.
				switch {
				case strings.HasSuffix(state, "triggers-pending"):
					fields = append(fields, "Triggers-Pending: ldconfig")
				case strings.HasSuffix(state, "triggers-awaited"):
					fields = append(fields, "Triggers-Awaited: libc-bin")
				}
				r.Shuffle(len(fields)-1, func(i, j int) { fields[i+1], fields[j+1] = fields[j+1], fields[i+1] })
				status.WriteString(strings.Join(fields, "\n") + "\n\n")
			}
		}
		if err := os.WriteFile(filepath.Join(admin, "status"), []byte(status.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("dpkg-query", append([]string{"--admindir=" + admin, "-W", "-f", "${Package} ${db:Status-Abbrev} ${Version}\n"}, names...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil && !strings.Contains(stderr.String(), "no packages found matching") {
			t.Fatalf("dpkg-query: %v\n%s", err, stderr.String())
		}
		ref := map[string][]string{} // name -> installed versions
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(l)
			if len(f) >= 3 && len(f[1]) >= 2 && f[1][1] == 'i' {
				ref[f[0]] = append(ref[f[0]], f[2])
			}
		}
		h, err := host.New(root)
		if err != nil {
			t.Fatal(err)
		}
		rs := run(t, testProfile(t, section(names, "{}")), h)
		for _, n := range names {
			res := rs["package/installed:"+n]
			wantStatus := engine.Fail
			if len(ref[n]) > 0 {
				wantStatus = engine.Pass
			}
			got, _ := res.Details["versions"].([]string)
			slices.Sort(got)
			slices.Sort(ref[n])
			if res.Status != wantStatus || !slices.Equal(got, ref[n]) {
				t.Errorf("round %d: %s: %s %v (%s), dpkg-query: installed %v", round, n, res.Status, got, res.Message, ref[n])
			}
		}
	}
	t.Logf("differential: 4 generated status files, 600 package names held to dpkg-query")
}

// TestVerdictsOnRealRPMDatabases: the family end to end on roots holding
// a real rpm database, SQLite (rpm -i --justdb) and Berkeley DB (the same
// headers through db5.3_load): every generated package is installed at
// the version rpm -qa reports, an absent name is not, and the finding
// names the file read.
func TestVerdictsOnRealRPMDatabases(t *testing.T) {
	rpmdbtest.Need(t)
	r := rand.New(rand.NewPCG(20, 6))
	specs := rpmdbtest.Random(r, 40)
	dir := rpmdbtest.InstallSQLite(t, rpmdbtest.Build(t, specs))
	sqliteRoot, bdbRoot := t.TempDir(), t.TempDir()
	for _, root := range []string{sqliteRoot, bdbRoot} {
		if err := os.MkdirAll(filepath.Join(root, "var/lib/rpm"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sqliteRoot, "var/lib/rpm/rpmdb.sqlite"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	rpmdbtest.LoadBDB(t, filepath.Join(bdbRoot, "var/lib/rpm"), rpmdbtest.Blobs(t, filepath.Join(dir, "rpmdb.sqlite")), 0)
	ref := map[string]string{} // name -> EVR as rpm prints %{EVR}
	for _, l := range rpmdbtest.Query(t, dir, false) {
		f := strings.Fields(l) // NAME EPOCHNUM VERSION RELEASE ARCH
		evr := f[2] + "-" + f[3]
		for _, s := range specs {
			if s.Name == f[0] && s.Epoch >= 0 {
				evr = f[1] + ":" + evr
			}
		}
		ref[f[0]] = evr
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Name)
	}
	names = append(names, "golive-not-installed")
	for root, file := range map[string]string{sqliteRoot: "/var/lib/rpm/rpmdb.sqlite, rpm SQLite database", bdbRoot: "/var/lib/rpm/Packages, rpm Berkeley DB database"} {
		h, err := host.New(root)
		if err != nil {
			t.Fatal(err)
		}
		rs := run(t, testProfile(t, section(names, "{}")), h)
		for _, n := range names {
			res := rs["package/installed:"+n]
			if evr, ok := ref[n]; ok {
				want(t, res, engine.Pass, evr, file)
				continue
			}
			want(t, res, engine.Fail, "is not installed", file)
		}
	}
}
