package disk

import (
	"os"
	"testing"
)

// TestMain lets the differential tests re-run this test binary inside the
// mount namespace they make (diffProbeEnv), where it reads the namespace's
// mounts with golive's own code.
func TestMain(m *testing.M) {
	if cases := os.Getenv(diffProbeEnv); cases != "" {
		os.Exit(runDiffProbe(cases))
	}
	os.Exit(m.Run())
}
