package cli

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/fleet"
)

// newFleetCmd groups the fleet commands: ssh fan-out and report merging.
func newFleetCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fleet",
		Short: "Check many hosts over ssh, or merge their reports into a fleet view",
		Long: `fleet check runs golive on many hosts over ssh and prints a fleet table;
fleet report merges per-host JSON reports (from fleet check, Ansible, a
DaemonSet or anything else) into one fleet view. See docs/fleet.md.

Exit codes: 0 every host ready, 1 a host is not ready or could not be
checked (even with --fail-on none), 2 invalid invocation, 3 interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newFleetCheckCmd(io, nil), newFleetReportCmd(io, nil))
	return cmd
}

// fleetOutput are the options of how a fleet view is shown, shared by
// fleet check and fleet report.
type fleetOutput struct {
	Format string
	Output string
	FailOn string
	// Wide keeps the table's rows one line each on a terminal too.
	Wide bool
}

// wideUsage is --wide's help, the same on every fleet command.
const wideUsage = "do not wrap the table to the terminal's width: one line per host and per check, as in a file or a pipe"

func (o *fleetOutput) validate() error {
	if _, ok := fleet.Formats[o.Format]; !ok {
		return invalid(fmt.Errorf("--format %q: use %s", o.Format, strings.Join(fleet.FormatNames(), ", ")))
	}
	if !oneOf(o.FailOn, failOnFail, failOnWarn, failOnNone) {
		return invalid(fmt.Errorf("--fail-on %q: use fail, warn or none", o.FailOn))
	}
	return nil
}

// write renders the fleet view to standard output or, atomically, a file,
// and returns the exit code's error: not ready when any host is not
// ready or was not checked. A table on a terminal is wrapped to its width
// (not with --wide); anywhere else it is not wrapped.
func (o *fleetOutput) write(f *fleet.Fleet, streams IO) error {
	render := fleet.Formats[o.Format]
	if o.Output == "" || o.Output == "-" {
		if o.Format == "table" && streams.OutTTY && !o.Wide {
			width := terminalWidth(streams.Out, streams.Getenv)
			render = func(w io.Writer, f *fleet.Fleet) error {
				return fleet.TableWith(w, f, fleet.TableOptions{Width: width})
			}
		}
		if err := render(streams.Out, f); err != nil {
			return err
		}
	} else if err := writeAtomic(o.Output, func(w io.Writer) error { return render(w, f) }); err != nil {
		return err
	}
	if !f.Ready() {
		return exitCode(ExitNotReady)
	}
	return nil
}

// elfMachines are the ELF machine types of the architectures golive is
// built for, so a --binary-for file for the wrong architecture is refused
// here instead of failing on a host with "Exec format error".
var elfMachines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM,
	"ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "riscv64": elf.EM_RISCV,
}

// parseBinaryFor reads ARCH=PATH (ARCH as `uname -m` or Go spells it).
func parseBinaryFor(spec string) (arch, path string, err error) {
	a, p, ok := strings.Cut(spec, "=")
	if !ok || a == "" || p == "" {
		return "", "", invalid(fmt.Errorf("--binary-for %q: use ARCH=PATH, e.g. aarch64=dist/golive_v0.1.0_linux_arm64", spec))
	}
	arch = fleet.GOARCH(a)
	want, known := elfMachines[arch]
	if !known {
		return "", "", invalid(fmt.Errorf("--binary-for %q: unknown architecture %q", spec, a))
	}
	f, err := elf.Open(p)
	if err != nil {
		return "", "", invalid(fmt.Errorf("--binary-for %s: %w", spec, unwrapPath(err)))
	}
	defer f.Close()
	if f.Machine != want {
		return "", "", invalid(fmt.Errorf("--binary-for %s: the file is built for %s, not %s", spec, f.Machine, arch))
	}
	return arch, p, nil
}

// outName is a host's report file name in --out-dir: host[_port].json,
// only safe characters, unique among names.
func outName(t fleet.Target, used map[string]bool) string {
	base := t.Host
	if t.Port != 22 {
		base += "_" + fmt.Sprint(t.Port)
	}
	var b strings.Builder
	for _, r := range base {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := strings.TrimLeft(b.String(), ".")
	if name == "" || name == "fleet" {
		name = "host-" + name
	}
	candidate := name
	for i := 2; used[candidate]; i++ {
		candidate = fmt.Sprintf("%s-%d", name, i)
	}
	used[candidate] = true
	return candidate + ".json"
}

// writeFile writes data atomically to dir/name.
func writeFile(dir, name string, data []byte) error {
	return writeAtomic(filepath.Join(dir, name), func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func homeDir() string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return h
}
