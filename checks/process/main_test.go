package process

import (
	"os"
	"testing"
)

// TestMain lets TestPgrepDifferential re-run this test binary as PID 1 of
// the PID namespace it makes (diffProbeEnv), where it starts the cases'
// processes and reads them with golive's own code and with pgrep.
func TestMain(m *testing.M) {
	if cases := os.Getenv(diffProbeEnv); cases != "" {
		os.Exit(runDiffProbe(cases))
	}
	os.Exit(m.Run())
}
