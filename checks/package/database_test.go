package packages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

func fixtureFile(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "roots", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestWhichDatabase: the database read when a root has several, and what
// the finding says about the others.
func TestWhichDatabase(t *testing.T) {
	status := fixtureFile(t, "ubuntu-22.04/var/lib/dpkg/status")
	sqlite := fixtureFile(t, "rocky-9/var/lib/rpm/rpmdb.sqlite")
	bdb := fixtureFile(t, "centos-7/var/lib/rpm/Packages")
	for _, c := range []struct {
		name      string
		files     map[string]string
		status    engine.Status
		words     []string
		dbDetails string
	}{
		{"dpkg and rpm on Rocky", map[string]string{"var/lib/dpkg/status": status, "var/lib/rpm/rpmdb.sqlite": sqlite,
			"etc/os-release": "ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=9.4\n"},
			engine.Pass, []string{"1:3.0.7-27.el9", "also present, not read: /var/lib/dpkg/status"}, "rpm SQLite database"},
		{"dpkg and rpm on Ubuntu", map[string]string{"var/lib/dpkg/status": status, "var/lib/rpm/rpmdb.sqlite": sqlite,
			"etc/os-release": "ID=ubuntu\nID_LIKE=debian\nVERSION_ID=22.04\n"},
			engine.Pass, []string{"3.0.2-0ubuntu1.18", "also present, not read: /var/lib/rpm/rpmdb.sqlite"}, "dpkg status file"},
		{"dpkg and rpm, no os-release", map[string]string{"var/lib/dpkg/status": status, "var/lib/rpm/rpmdb.sqlite": sqlite},
			engine.Pass, []string{"3.0.2-0ubuntu1.18"}, "dpkg status file"},
		{"both rpm files on CentOS 7", map[string]string{"var/lib/rpm/rpmdb.sqlite": sqlite, "var/lib/rpm/Packages": bdb,
			"etc/os-release": "ID=centos\nID_LIKE=\"rhel fedora\"\nVERSION_ID=7\n"},
			engine.Pass, []string{"1:1.0.2k-26.el7_9", "not read: /var/lib/rpm/rpmdb.sqlite"}, "rpm Berkeley DB database"},
		{"both rpm files on Rocky 9", map[string]string{"var/lib/rpm/rpmdb.sqlite": sqlite, "var/lib/rpm/Packages": bdb,
			"etc/os-release": "ID=rocky\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=9.4\n"},
			engine.Pass, []string{"1:3.0.7-27.el9", "not read: /var/lib/rpm/Packages"}, "rpm SQLite database"},
		{"Fedora's sysimage path", map[string]string{"usr/lib/sysimage/rpm/rpmdb.sqlite": sqlite, "etc/os-release": "ID=fedora\nVERSION_ID=40\n"},
			engine.Pass, []string{"/usr/lib/sysimage/rpm/rpmdb.sqlite"}, "rpm SQLite database"},
		{"a write-ahead log that is not one", map[string]string{"var/lib/rpm/rpmdb.sqlite": sqlite, "var/lib/rpm/rpmdb.sqlite-wal": "0123456789"},
			engine.Pass, []string{"1:3.0.7-27.el9"}, "rpm SQLite database"},
		{"an empty status file", map[string]string{"var/lib/dpkg/status": ""},
			engine.Skip, []string{"no package database under the root"}, ""},
		{"SUSE's ndb", map[string]string{"usr/lib/sysimage/rpm/Packages.db": "ndb"},
			engine.Error, []string{"rpm ndb database format (SUSE) is not supported"}, "rpm ndb database"},
		{"a Berkeley DB file that is not one", map[string]string{"var/lib/rpm/Packages": strings.Repeat("x", 4096)},
			engine.Error, []string{"not a Berkeley DB hash file"}, "rpm Berkeley DB database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := hosttest.Root(t, c.files)
			res := run(t, testProfile(t, "package:\n  openssl: {}\n"), h)["package/installed:openssl"]
			want(t, res, c.status, c.words...)
			if got, _ := res.Details["database"].(string); got != c.dbDetails {
				t.Errorf("details.database %q, want %q", got, c.dbDetails)
			}
		})
	}
}
