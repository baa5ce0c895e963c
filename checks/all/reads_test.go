package all

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/profile"
)

// Every file of the system is read once per run, however many checks of
// the run need what it says (internal/facts): the plan of every fixture
// root, with the auto-detected profile and with the demo configuration,
// prepared and run as `golive check --offline` does.
func TestEachFileReadOncePerRun(t *testing.T) {
	roots, err := filepath.Glob("../../testdata/roots/*")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, r := range roots {
		if fi, err := os.Stat(r); err == nil && fi.IsDir() {
			dirs = append(dirs, r)
		}
	}
	if len(dirs) < 2 {
		t.Fatalf("found %d fixture roots", len(dirs))
	}
	for _, root := range dirs {
		for _, config := range []string{"", "../../testdata/golive-demo.yaml"} {
			name := filepath.Base(root)
			if config != "" {
				name += "+" + filepath.Base(config)
			}
			t.Run(name, func(t *testing.T) {
				var log host.ReadLog
				h, err := host.New(root, host.WithReadLog(&log))
				if err != nil {
					t.Fatal(err)
				}
				// As internal/cli does: the identity, then the profile
				// auto-detected from its os-release.
				id := facts.Identity(h)
				p, err := profile.Resolve(profile.Request{Profile: "auto", Config: config, OS: id.OS})
				if err != nil {
					t.Fatal(err)
				}
				pl, err := engine.Prepare(p, h, engine.Selection{})
				if err != nil {
					t.Fatal(err)
				}
				out := pl.Run(context.Background(), engine.RunOptions{Offline: true, Parallel: 8})
				if len(out.Results) == 0 {
					t.Fatal("the plan ran no check")
				}
				counts := log.Counts()
				if len(counts) == 0 {
					t.Fatal("the read log recorded no read")
				}
				for _, f := range log.Repeated() {
					t.Errorf("%s read %d times in one run", f, counts[f])
				}
			})
		}
	}
}
