package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/gossimport"
)

type importGossOptions struct {
	Out, Vars string
	Force     bool
}

func newImportCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Turn another tool's description of a host into golive.yaml",
	}
	o := &importGossOptions{}
	goss := &cobra.Command{
		Use:   "goss FILE",
		Short: "Write the golive.yaml sections equivalent to a gossfile",
		Long: `import goss reads a gossfile (YAML or JSON, with its gossfile: includes,
rendered as goss renders it: Go templates with .Vars from --vars and .Env)
and writes the equivalent golive.yaml: file, package, user, group,
kernel-param (sysctl), mount, process, port (service.ports), http and dns
resources become golive sections. Every resource or attribute golive cannot
express is written as a comment saying why: command (golive check never
runs programs), addr, interface, matching, service (golive checks the
service's own unit), goss matchers golive has no form for. Nothing the
gossfile checks is dropped silently. Review the result, then run golive
validate on it.

The file goes to standard output unless -o names one; an existing file is
kept unless --force.`,
		Example: `  golive import goss goss.yaml -o golive.yaml
  golive import goss goss.yaml --vars vars.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return runImportGoss(o, io, args[0]) },
	}
	f := goss.Flags()
	f.StringVarP(&o.Out, "output", "o", "", "write the file here instead of standard output")
	f.StringVar(&o.Vars, "vars", "", "a YAML or JSON file of template variables (.Vars), as goss --vars")
	f.BoolVar(&o.Force, "force", false, "replace the -o file when it exists")
	cmd.AddCommand(goss)
	return cmd
}

func runImportGoss(o *importGossOptions, io IO, file string) error {
	if o.Out != "" && !o.Force {
		if _, err := os.Lstat(o.Out); err == nil {
			return invalid(fmt.Errorf("import goss: %s exists: choose another -o or add --force", o.Out))
		}
	}
	opts := gossimport.Options{Env: map[string]string{}}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			opts.Env[k] = v
		}
	}
	if o.Vars != "" {
		data, err := os.ReadFile(o.Vars)
		if err != nil {
			return invalid(fmt.Errorf("--vars: %w", unwrapPath(err)))
		}
		if err := yaml.Unmarshal(data, &opts.Vars); err != nil {
			return invalid(fmt.Errorf("--vars %s: %v", o.Vars, err))
		}
	}
	r, err := gossimport.Load(file, opts)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = unwrapPath(err)
		}
		return invalid(fmt.Errorf("import goss: %w", err))
	}
	res, err := gossimport.Convert(r)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.Err, "golive: imported %d goss resources; %d written as comments (not expressible in golive, each with its reason)\n", res.Imported, res.Skipped)
	if o.Out == "" {
		_, err := io.Out.Write(res.YAML)
		return err
	}
	return writeNew(o.Out, res.YAML)
}
