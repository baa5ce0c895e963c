package report_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/olekukonko/tablewriter/pkg/twwidth"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/report"
)

func TestMain(m *testing.M) {
	// twwidth, the tests' reference for display width, guesses East Asian
	// ambiguous widths from the locale; pin them narrow, as textfmt is.
	twwidth.SetEastAsian(false)
	os.Exit(m.Run())
}

const testMachineID = "4c4c4544004e3510804bb4c04f4e3732"

var testStart = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func testIdentity() host.Identity {
	return host.Identity{
		Hostname:  "db1",
		MachineID: testMachineID,
		Kernel:    "5.14.0-362.8.1.el9_3.x86_64",
		Arch:      "x86_64",
		OS: host.OSRelease{
			ID:         "rocky",
			IDLike:     []string{"rhel", "centos", "fedora"},
			VersionID:  "9.3",
			PrettyName: "Rocky Linux 9.3 (Blue Onyx)",
		},
	}
}

// sampleResults covers every status, every remediation action type, nested
// details, and the strings a hostile or sloppy check could produce.
func sampleResults() []engine.Result {
	return []engine.Result{
		{
			ID: "sysctl/net.core.somaxconn", Category: "sysctl", Title: "listen backlog limit",
			Status: engine.Fail, Severity: "high", Expected: ">= 65535", Observed: "4096",
			Message: "the listen backlog caps bursts of new connections; the kernel drops SYNs beyond it",
			Why:     "a Go service's net.Listen backlog is capped at somaxconn: under a burst of connections the kernel drops SYNs and clients retry after a second",
			Details: map[string]any{"runtime": "4096", "persisted": nil,
				"files": []any{"/etc/sysctl.conf", map[string]any{"path": "/etc/sysctl.d/10-x.conf", "line": 3}}},
			Remediation: &remediate.Plan{
				Summary: "set net.core.somaxconn to 65535 now and at boot",
				Actions: []remediate.Action{remediate.SetSysctl("net.core.somaxconn", "65535")},
			},
			Duration: 40 * time.Microsecond,
		},
		{
			ID: "sysctl/vm.swappiness", Category: "sysctl", Title: "swappiness",
			Status: engine.Pass, Severity: "medium", Expected: "<= 10", Observed: "1",
			Duration: 31 * time.Microsecond,
		},
		{
			ID: "sysctl/net.ipv4.tcp_rmem", Category: "sysctl", Title: "TCP receive buffers",
			Status: engine.Waived, Severity: "low", Expected: "4096 87380 6291456", Observed: "4096 131072 6291456",
			Message:  "waived until 2027-01-31 (OPS-1234): tuned manages buffers on this fleet",
			Duration: 25 * time.Microsecond,
		},
		{
			ID: "os/eol", Category: "os", Title: "distribution still supported",
			Status: engine.Pass, Severity: "high", Expected: "supported until after 2027-01-01", Observed: "2032-05-31",
			Duration: 5 * time.Microsecond,
		},
		{
			ID: "rlimit/unit:myapp.service/nofile", Category: "rlimit", Title: "open files limit of myapp.service",
			Status: engine.Warn, Severity: "medium", Expected: ">= 1048576", Observed: "524288",
			Message: "a busy service runs out of file descriptors before memory",
			Remediation: &remediate.Plan{
				Summary: "raise LimitNOFILE for myapp.service",
				Actions: []remediate.Action{
					{Kind: remediate.DropIn, Path: "/etc/systemd/system/myapp.service.d/90-golive.conf",
						Content: "[Service]\nLimitNOFILE=1048576\n"},
					remediate.Run("reload unit files", "systemctl", "daemon-reload"),
				},
				Reboot: false,
			},
			Duration: 120 * time.Microsecond,
		},
		{
			ID: "selinux/label:/opt/myapp/bin", Category: "selinux", Title: "SELinux label of /opt/myapp/bin",
			Status: engine.Fail, Severity: "high", Expected: "bin_t",
			// A label read from the image, with a line break and an escape
			// sequence the table must not pass to the terminal.
			Observed: "default_t\r\n+14 files\x1b[31m",
			Message:  "a service binary labelled default_t is denied execute under enforcing SELinux",
			Details:  map[string]any{"mismatched": 15, "sample": []any{"/opt/myapp/bin/myapp", "/opt/myapp/bin/helper"}},
			Remediation: &remediate.Plan{
				Summary: "relabel /opt/myapp/bin",
				Actions: []remediate.Action{
					{Kind: remediate.FileLine, Path: "/etc/selinux/targeted/contexts/files/file_contexts.local",
						Key: "/opt/myapp/bin(/.*)?", Line: "/opt/myapp/bin(/.*)?    system_u:object_r:bin_t:s0"},
					remediate.Run("apply the label", "restorecon", "-Rv", "/opt/myapp/bin"),
				},
				Reboot: true,
			},
			Duration: 2 * time.Millisecond,
		},
		{
			ID: "dns/resolve:db1.internal.example.com", Category: "dns", Title: "resolve db1.internal.example.com",
			Status: engine.Error, Severity: "critical", Expected: "resolves",
			Message: "timed out after 5s (--check-timeout)",
			Remediation: &remediate.Plan{
				Summary: "make the name resolvable",
				Actions: []remediate.Action{remediate.Tell("ask the DNS team why 10.0.0.2 does not answer for internal.example.com")},
			},
			Duration: 5 * time.Second,
		},
		{
			ID: "cgroup/version", Category: "cgroup", Title: "cgroup hierarchy",
			Status: engine.Skip, Severity: "info", Expected: "v2",
			Message:  "needs a running system; --root checks an image",
			Duration: 0,
		},
	}
}

func newReport(results []engine.Result) *report.Report {
	return report.New(report.Input{
		Version:  "v0.1.0",
		Identity: testIdentity(),
		Root:     "/",
		Profile:  report.Profile{Name: "rocky-9", Chain: []string{"linux", "rocky-9", "golive.yaml"}},
		Outcome:  engine.Outcome{Results: results, Started: testStart, Duration: 41700 * time.Microsecond},
	})
}

func sampleReport() *report.Report { return newReport(sampleResults()) }

func abortedReport() *report.Report {
	results := sampleResults()[:2]
	results = append(results, engine.Result{
		ID: "etcd/health:https://10.0.0.11:2379", Category: "etcd", Title: "etcd member health",
		Status: engine.Skip, Severity: "high", Message: "not run: run deadline reached (--timeout)",
	})
	return report.New(report.Input{
		Version:  "v0.1.0",
		Identity: testIdentity(),
		Root:     "/mnt/image",
		Profile:  report.Profile{Name: "generic", Chain: []string{"linux"}, Fallback: true},
		Notices:  []string{"no built-in profile matches rocky 9.3; using generic"},
		Outcome: engine.Outcome{Results: results, Started: testStart, Duration: 30 * time.Second,
			Aborted: true, Reason: "run deadline reached (--timeout)"},
	})
}

// bigReport has n checks with a realistic mix of statuses, for benchmarks.
func bigReport(n int) *report.Report {
	base := sampleResults()
	results := make([]engine.Result, n)
	for i := range results {
		r := base[i%len(base)]
		r.ID = fmt.Sprintf("%s-%d", r.ID, i)
		results[i] = r
	}
	return newReport(results)
}
