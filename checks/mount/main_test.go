package mount

import (
	"os"
	"testing"
)

// TestMain lets TestMountedDifferential re-run this test binary inside the
// mount namespace it makes (diffProbeEnv), where golive reads the
// namespace's own mount table.
func TestMain(m *testing.M) {
	if cases := os.Getenv(diffProbeEnv); cases != "" {
		os.Exit(runDiffProbe(cases))
	}
	os.Exit(m.Run())
}
