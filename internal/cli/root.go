// Package cli holds golive's commands. Each command's constructor only
// binds flags into an options struct; its run function does the work and is
// what tests call. Exit codes are decided here and nowhere else.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	_ "github.com/golive-sh/golive/checks/all" // every check family
)

// Version is stamped at build time with -ldflags "-X ...cli.Version=v0.1.0".
var Version = "dev"

// Exit codes; DESIGN.md "Exit codes" is the contract.
const (
	ExitReady    = 0
	ExitNotReady = 1
	ExitInvalid  = 2
	ExitAborted  = 3
)

// exitError carries an exit code up to Execute.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// invalid marks an error as a bad invocation, config or profile (exit 2).
func invalid(err error) error { return &exitError{code: ExitInvalid, err: err} }

// exitCode is a run's verdict as an exit code, with no message to print.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit %d", int(c)) }

// IO are the streams a command writes to; tests substitute buffers.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	// OutTTY is set when Out is a terminal (colour is allowed there);
	// ErrTTY when Err is (a live progress line is drawn there).
	OutTTY, ErrTTY bool
	// Getenv reads the environment (NO_COLOR).
	Getenv func(string) string
	// Now pins the clock for golden reports; nil is the wall clock.
	Now func() time.Time
}

// SystemIO is the process's own streams.
func SystemIO() IO {
	return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr), Getenv: os.Getenv}
}

// Execute runs golive with args and returns the process exit code.
func Execute(args []string, io IO) int {
	root := NewRootCmd(io)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitReady
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintf(io.Err, "golive: %v\n", ee.err)
		return ee.code
	}
	// Cobra's own errors: unknown command or flag, bad flag value.
	fmt.Fprintf(io.Err, "golive: %v\nRun 'golive --help' for usage.\n", err)
	return ExitInvalid
}

// NewRootCmd builds the command tree.
func NewRootCmd(io IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "golive",
		Short: "Production-readiness preflight for Linux hosts",
		Long: `golive checks whether a Linux host is ready to run a service: kernel
parameters, the OS release and more, against a distro profile and the
service's own requirements. It only reads; it never changes the host.

Exit codes: 0 ready, 1 not ready, 2 invalid invocation/config/profile,
3 aborted (--timeout or a signal; the partial report is still written).`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	root.SetIn(io.In)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(
		newCheckCmd(io, nil),
		newListCmd(io),
		newInitCmd(io),
		newImportCmd(io),
		newExplainCmd(io),
		newProfilesCmd(io),
		newDiffCmd(io),
		newRemediateCmd(io, nil),
		newValidateCmd(io),
		newVersionCmd(io),
		newFleetCmd(io),
	)
	suggestSubcommands(root)
	registerCompletions(root)
	return root
}

func versionString() string {
	return fmt.Sprintf("golive %s (%s, %s/%s)", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCmd(io IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(io.Out, versionString())
			return nil
		},
	}
}

// splitList accepts repeated flags, comma-separated values and (from the
// environment) space-separated values alike.
func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })...)
	}
	return out
}
