// Command genbuiltins writes internal/profile/builtins.bin: the built-in
// profiles parsed and validated, so that golive does not scan their YAML
// in every run (`make generate`; TestCompiledBuiltinsAreCurrent fails when
// the committed file is stale).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/golive-sh/golive/internal/profile"
)

func main() {
	out := flag.String("out", "internal/profile/builtins.bin", "file to write")
	flag.Parse()
	data, err := profile.CompileBuiltins()
	if err != nil {
		fmt.Fprintln(os.Stderr, "genbuiltins:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "genbuiltins:", err)
		os.Exit(1)
	}
}
