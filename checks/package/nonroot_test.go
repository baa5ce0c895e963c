package packages

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

const nonRootEnv = "GOLIVE_PACKAGE_NONROOT_ROOT"

// TestNonRootSkipsAnUnreadableDatabase: a database only root may read is
// a "needs root" skip for golive run as nobody, not a missing package. As
// root, the test binary runs itself as nobody on a root whose rpmdb.sqlite
// is mode 0600.
func TestNonRootSkipsAnUnreadableDatabase(t *testing.T) {
	if dir := os.Getenv(nonRootEnv); dir != "" {
		if os.Geteuid() == 0 {
			t.Fatal("meant to run unprivileged")
		}
		h, err := host.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		want(t, run(t, testProfile(t, "package:\n  openssl: {}\n"), h)["package/installed:openssl"], engine.Skip, "needs root")
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a file nobody cannot read (the unprivileged half runs as nobody)")
	}
	root := hosttest.Root(t, map[string]string{"var/lib/rpm/rpmdb.sqlite": fixtureFile(t, "rocky-9/var/lib/rpm/rpmdb.sqlite")}).Root()
	if err := os.Chmod(filepath.Join(root, "var/lib/rpm/rpmdb.sqlite"), 0o600); err != nil {
		t.Fatal(err)
	}
	hosttest.RerunAsNobody(t, []string{nonRootEnv + "=" + root}, filepath.Join(root, "var", "lib", "rpm"))
}
