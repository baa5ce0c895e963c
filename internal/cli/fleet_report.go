package cli

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-sh/golive/internal/fleet"
)

// fleetReportOptions are `golive fleet report`'s options.
type fleetReportOptions struct {
	fleetOutput
	MaxReport int64
}

func newFleetReportCmd(io IO, runF func(*fleetReportOptions, []string) error) *cobra.Command {
	o := &fleetReportOptions{}
	cmd := &cobra.Command{
		Use:   "report DIR|FILE...",
		Short: "Merge per-host JSON reports into a fleet view",
		Long: `fleet report reads golive/report/v1 JSON reports — every *.json file of a
DIR, or the FILEs named — and prints per host its verdict and per check
how many hosts fail it. A file that is not a readable report is listed as
a host that was not checked, never dropped. Hosts are keyed as fleet
check named them (or by file name): two reports of one host keep the
newer; distinct hosts sharing a machine-id are kept apart and reported as
a fleet/clone:<machine-id> finding.`,
		Example: `  golive fleet report reports/
  golive fleet report --format markdown reports/*.json > cutover.md
  golive fleet report --format prom --output /var/lib/node_exporter/golive_fleet.prom reports/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o, args)
			}
			return runFleetReport(o, args, io)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "table", "format: "+strings.Join(fleet.FormatNames(), ", "))
	f.StringVarP(&o.Output, "output", "o", "", "write to FILE instead of standard output")
	f.StringVar(&o.FailOn, "fail-on", failOnFail, "what makes a host not ready: fail (fail or error), warn (also warn), none")
	f.BoolVar(&o.Wide, "wide", false, wideUsage)
	f.Int64Var(&o.MaxReport, "max-report-size", fleet.DefaultMaxReport, "largest report file read, in bytes")
	return cmd
}

func runFleetReport(o *fleetReportOptions, args []string, io IO) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.MaxReport < 1 {
		return invalid(errors.New("--max-report-size must be positive"))
	}
	files, err := reportFiles(args)
	if err != nil {
		return err
	}
	var entries []fleet.Entry
	var skipped []string
	for _, file := range files {
		e, isFleet := readEntry(file, o.MaxReport)
		if isFleet {
			skipped = append(skipped, file)
			continue
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		return invalid(fmt.Errorf("no host reports in %s", strings.Join(args, " ")))
	}
	view := fleet.Merge(entries, fleet.MergeOptions{FailOn: o.FailOn})
	for _, s := range skipped {
		view.Notices = append(view.Notices, s+" is a fleet report, not a host report: skipped")
	}
	return o.write(view, io)
}

// reportFiles expands directories to their *.json files (sorted, not
// recursive); named files are taken as they are.
func reportFiles(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, invalid(unwrapPath(err))
		}
		if !fi.IsDir() {
			files = append(files, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(globEscape(a), "*.json"))
		if err != nil {
			return nil, invalid(err)
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	if len(files) > fleet.MaxHosts {
		return nil, invalid(fmt.Errorf("%d report files: at most %d", len(files), fleet.MaxHosts))
	}
	return files, nil
}

// readEntry reads one report file. A file that cannot be read or is not a
// host report becomes an entry that says why; a fleet report (our own
// fleet.json in an --out-dir) is recognised and skipped.
func readEntry(file string, max int64) (e fleet.Entry, isFleet bool) {
	e = fleet.Entry{File: file, Host: strings.TrimSuffix(filepath.Base(file), ".json")}
	data, err := fleet.ReadReportFile(file, max)
	if err != nil {
		e.Kind, e.Err = fleet.KindInvalidReport, "read: "+unwrapPath(err).Error()
		return e, false
	}
	rep, err := fleet.DecodeReport(data)
	if err != nil {
		var probe struct {
			Schema string `json:"schema"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.Schema == fleet.SchemaV1 {
			return e, true
		}
		e.Kind, e.Err = fleet.KindInvalidReport, err.Error()
		return e, false
	}
	// Keyed the way the user named the host: as fleet check did (its
	// fleet_target), else by the file's name (Ansible's
	// <inventory_hostname>.json).
	e.Host, e.Report = cmp.Or(rep.FleetTarget, strings.TrimSuffix(filepath.Base(file), ".json")), rep
	return e, false
}

// globEscape quotes a directory name's glob metacharacters.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`)
	return r.Replace(s)
}
