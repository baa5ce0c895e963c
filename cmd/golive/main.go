// Command golive is a production-readiness preflight for Linux hosts.
package main

import (
	"os"

	"github.com/golive-sh/golive/internal/cli"
)

func main() {
	collectLate()
	os.Exit(cli.Execute(os.Args[1:], cli.SystemIO()))
}
