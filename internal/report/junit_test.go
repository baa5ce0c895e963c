package report_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/report"
	"github.com/golive-sh/golive/internal/testenv"
)

// The JUnit document as a CI system reads it. Unknown holds any element
// the schema does not allow, so a test can insist there is none.
type (
	junitDoc struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
		Unknown  []xml.Name   `xml:",any"`
	}
	junitSuite struct {
		Name       string `xml:"name,attr"`
		Hostname   string `xml:"hostname,attr"`
		Timestamp  string `xml:"timestamp,attr"`
		Time       string `xml:"time,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases   []junitCase `xml:"testcase"`
		Unknown []xml.Name  `xml:",any"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Skipped   *junitOutcome `xml:"skipped"`
		Failure   *junitOutcome `xml:"failure"`
		Error     *junitOutcome `xml:"error"`
		SystemOut *string       `xml:"system-out"`
		Unknown   []xml.Name    `xml:",any"`
	}
	junitOutcome struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

var junitSeconds = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

func renderJUnit(t testing.TB, r *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.JUnit(&buf, r); err != nil {
		t.Fatalf("JUnit: %v", err)
	}
	return buf.Bytes()
}

// assertJUnitAgrees checks the structure any JUnit document golive writes
// must have, whatever the report held: counts that agree with the summary
// and with the test cases, one suite per category named after the host,
// at most one outcome per case, times in seconds with a decimal point.
func assertJUnitAgrees(t testing.TB, r *report.Report, doc junitDoc) {
	t.Helper()
	s := r.Summary
	if doc.Tests != s.Total || doc.Failures != s.Fail || doc.Errors != s.Error || doc.Skipped != s.Skip+s.Waived {
		t.Errorf("testsuites counts tests=%d failures=%d errors=%d skipped=%d, summary %+v",
			doc.Tests, doc.Failures, doc.Errors, doc.Skipped, s)
	}
	if !junitSeconds.MatchString(doc.Time) {
		t.Errorf("testsuites time %q is not seconds with a decimal point", doc.Time)
	}
	if len(doc.Unknown) > 0 {
		t.Errorf("unexpected elements in testsuites: %v", doc.Unknown)
	}
	classes := map[string]bool{}
	total := 0
	for _, su := range doc.Suites {
		if su.Hostname == "" || su.Name == "" || len(su.Cases) == 0 {
			t.Fatalf("suite %q: empty hostname, name or no test cases", su.Name)
		}
		class := su.Cases[0].Classname
		if classes[class] {
			t.Errorf("category %q has two suites", class)
		}
		classes[class] = true
		if su.Name != su.Hostname+"/"+class {
			t.Errorf("suite %q is not named <hostname>/<category> (%q, %q)", su.Name, su.Hostname, class)
		}
		if !junitSeconds.MatchString(su.Time) {
			t.Errorf("suite %q time %q is not seconds with a decimal point", su.Name, su.Time)
		}
		var fail, errs, skip int
		for _, c := range su.Cases {
			if c.Classname != class {
				t.Errorf("suite %q holds a case of category %q", su.Name, c.Classname)
			}
			if c.Name == "" || !junitSeconds.MatchString(c.Time) {
				t.Errorf("case %q: empty name or time %q", c.Name, c.Time)
			}
			outcomes := 0
			for _, o := range []*junitOutcome{c.Skipped, c.Failure, c.Error} {
				if o != nil {
					outcomes++
					if strings.ContainsAny(o.Message, "\r\n") {
						t.Errorf("case %q: message %q is not one line", c.Name, o.Message)
					}
				}
			}
			if outcomes > 1 || len(c.Unknown) > 0 {
				t.Errorf("case %q: %d outcomes, unknown elements %v", c.Name, outcomes, c.Unknown)
			}
			if c.Failure != nil {
				fail++
			}
			if c.Error != nil {
				errs++
			}
			if c.Skipped != nil {
				skip++
			}
		}
		if su.Tests != len(su.Cases) || su.Failures != fail || su.Errors != errs || su.Skipped != skip {
			t.Errorf("suite %q counts %d/%d/%d/%d, its cases %d/%d/%d/%d",
				su.Name, su.Tests, su.Failures, su.Errors, su.Skipped, len(su.Cases), fail, errs, skip)
		}
		total += len(su.Cases)
	}
	if total != len(r.Checks) {
		t.Errorf("%d test cases for %d checks", total, len(r.Checks))
	}
}

func TestJUnitStructure(t *testing.T) {
	r := sampleReport()
	doc := decodeJUnit(t, renderJUnit(t, r))
	assertJUnitAgrees(t, r, doc)

	var names []string
	cases := map[string]junitCase{}
	for _, su := range doc.Suites {
		names = append(names, su.Name)
		if su.Hostname != "db1" || su.Timestamp != "2026-11-21T10:00:00" {
			t.Errorf("suite %q: hostname %q, timestamp %q", su.Name, su.Hostname, su.Timestamp)
		}
		for _, c := range su.Cases {
			cases[c.Name] = c
		}
	}
	if got := strings.Join(names, " "); got != "db1/sysctl db1/os db1/rlimit db1/selinux db1/dns db1/cgroup" {
		t.Errorf("suites %s, want one per category in report order", got)
	}
	if doc.Time != "0.041700" {
		t.Errorf("testsuites time %q, want the run's 41.7 ms as 0.041700", doc.Time)
	}

	fail := cases["sysctl/net.core.somaxconn"]
	if fail.Failure == nil || fail.Classname != "sysctl" || fail.Time != "0.000040" {
		t.Fatalf("failed check: %+v", fail)
	}
	if fail.Failure.Message != "expected >= 65535, observed 4096" || fail.Failure.Type != "high" {
		t.Errorf("failure message %q type %q", fail.Failure.Message, fail.Failure.Type)
	}
	for _, want := range []string{
		"expected: >= 65535\n", "observed: 4096\n", "message: the listen backlog caps", "why: a Go service's net.Listen backlog is capped",
		"details:\n", "  runtime: 4096\n", `  files: ["/etc/sysctl.conf",{"line":3,"path":"/etc/sysctl.d/10-x.conf"}]`,
		"remediation: set net.core.somaxconn to 65535 now and at boot\n",
		"  1. set kernel parameter net.core.somaxconn to 65535 now and at boot (persisted in /etc/sysctl.d/90-golive.conf)\n",
		"     $ sysctl -w net.core.somaxconn=65535\n",
	} {
		if !strings.Contains(fail.Failure.Text, want) {
			t.Errorf("failure text lacks %q:\n%s", want, fail.Failure.Text)
		}
	}
	if strings.Contains(fail.Failure.Text, "persisted:") {
		t.Error("a null detail is shown")
	}

	selinux := cases["selinux/label:/opt/myapp/bin"].Failure
	if selinux == nil || strings.ContainsAny(selinux.Message, "\x1b\r\n") {
		t.Errorf("hostile observed value reaches the failure message raw: %+v", selinux)
	}
	for _, want := range []string{"restorecon -Rv /opt/myapp/bin\n", "takes effect after a reboot"} {
		if selinux == nil || !strings.Contains(selinux.Text, want) {
			t.Errorf("selinux failure text lacks %q", want)
		}
	}

	dns := cases["dns/resolve:db1.internal.example.com"]
	if dns.Error == nil || dns.Error.Message != "timed out after 5s (--check-timeout)" || dns.Error.Type != "critical" || dns.Time != "5.000000" {
		t.Errorf("errored check: %+v", dns)
	}
	if skip := cases["cgroup/version"].Skipped; skip == nil || skip.Message != "needs a running system; --root checks an image" {
		t.Errorf("skipped check: %+v", skip)
	}
	waived := cases["sysctl/net.ipv4.tcp_rmem"].Skipped
	if waived == nil || !strings.HasPrefix(waived.Message, "waived: waived until 2027-01-31 (OPS-1234)") {
		t.Errorf("waived check: %+v", waived)
	}
	for id, status := range map[string]string{"sysctl/vm.swappiness": "PASS", "rlimit/unit:myapp.service/nofile": "WARN"} {
		c := cases[id]
		if c.Failure != nil || c.Error != nil || c.Skipped != nil || c.SystemOut == nil || !strings.HasPrefix(*c.SystemOut, status+"\n") {
			t.Errorf("%s should pass with its status in system-out: %+v", id, c)
		}
	}
	warn := *cases["rlimit/unit:myapp.service/nofile"].SystemOut
	if !strings.Contains(warn, "  1. write /etc/systemd/system/myapp.service.d/90-golive.conf with this content\n     [Service]\n     LimitNOFILE=1048576\n") {
		t.Errorf("drop-in content is not shown under its step:\n%s", warn)
	}
}

// TestJUnitWaiverDetails: a waived check shows the waiver's reason,
// ticket and expiry, taken from Details["waiver"].
func TestJUnitWaiverDetails(t *testing.T) {
	r := newReport([]engine.Result{waivedResult()})
	doc := decodeJUnit(t, renderJUnit(t, r))
	skip := doc.Suites[0].Cases[0].Skipped
	if skip == nil || skip.Message != "waived: tuned manages swappiness on this fleet" {
		t.Fatalf("waived: %+v", skip)
	}
	for _, want := range []string{"ticket: OPS-1234\n", "expires: 2027-01-31\n", "observed: 60\n"} {
		if !strings.Contains(skip.Text, want) {
			t.Errorf("skipped text lacks %q:\n%s", want, skip.Text)
		}
	}
}

func waivedResult() engine.Result {
	return engine.Result{
		ID: "sysctl/vm.swappiness", Category: "sysctl", Title: "swappiness", Status: engine.Waived,
		Severity: "medium", Expected: "<= 10", Observed: "60",
		Message: "tuned manages swappiness on this fleet (waived until 2027-01-31, OPS-1234)",
		Details: map[string]any{"waiver": map[string]any{
			"reason": "tuned manages swappiness on this fleet", "ticket": "OPS-1234", "expires": "2027-01-31"}},
	}
}

// xmllintSchema validates doc against testdata/junit.xsd with xmllint.
func xmllintSchema(t *testing.T, doc []byte) error {
	t.Helper()
	xmllint := testenv.NeedCommand(t, "xmllint", "libxml2-utils")
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "junit.xsd"), path).CombinedOutput()
	if err != nil {
		return &xmllintError{out: string(out), err: err}
	}
	return nil
}

type xmllintError struct {
	out string
	err error
}

func (e *xmllintError) Error() string { return e.err.Error() + ": " + e.out }

func TestJUnitMatchesSchema(t *testing.T) {
	reports := map[string]*report.Report{
		"every status": sampleReport(),
		"aborted":      abortedReport(),
		"no checks":    newReport(nil),
		"waiver":       newReport([]engine.Result{waivedResult()}),
		"big":          bigReport(60),
	}
	for i, a := range hostileSeeds {
		reports["hostile "+strings.Repeat("#", i)] = hostileReport(a, hostileSeeds[(i+3)%len(hostileSeeds)])
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			if err := xmllintSchema(t, renderJUnit(t, r)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestJUnitSchemaRejects proves the schema is strict enough to matter:
// documents a CI reader would misread fail validation.
func TestJUnitSchemaRejects(t *testing.T) {
	good := string(renderJUnit(t, sampleReport()))
	if err := xmllintSchema(t, []byte(good)); err != nil {
		t.Fatalf("the sample does not validate, so the mutations prove nothing: %v", err)
	}
	mutations := map[string]func(string) string{
		"no hostname": func(s string) string { return strings.Replace(s, ` hostname="db1"`, "", 1) },
		"time without decimal point": func(s string) string {
			return strings.Replace(s, `time="0.000040"`, `time="40"`, 1)
		},
		"failure and skipped in one case": func(s string) string {
			return strings.Replace(s, "<failure ", `<skipped message="x"></skipped><failure `, 1)
		},
		"failure without type": func(s string) string { return strings.Replace(s, ` type="high"`, "", 1) },
		"testcase outside a suite": func(s string) string {
			return strings.Replace(s, "<testsuites ", "<testsuites><testcase/></testsuites><x ", 1)
		},
		"timestamp with a zone": func(s string) string { return strings.Replace(s, `T10:00:00"`, `T10:00:00Z"`, 1) },
		"system-out before failure": func(s string) string {
			return strings.Replace(s, "<failure ", "<system-out>x</system-out><failure ", 1)
		},
		"negative count":             func(s string) string { return strings.Replace(s, `failures="1"`, `failures="-1"`, 1) },
		"suite without name":         func(s string) string { return strings.Replace(s, ` name="db1/os"`, "", 1) },
		"property without a value":   func(s string) string { return strings.Replace(s, ` value="v0.1.0"`, "", 1) },
		"unknown element in a suite": func(s string) string { return strings.Replace(s, "<properties>", "<bogus/><properties>", 1) },
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			bad := mutate(good)
			if bad == good {
				t.Fatal("mutation changed nothing")
			}
			if err := xmllintSchema(t, []byte(bad)); err == nil {
				t.Errorf("schema accepts a document with %s", name)
			}
		})
	}
}

func BenchmarkJUnit(b *testing.B) {
	r := bigReport(60)
	b.ReportAllocs()
	for b.Loop() {
		if err := report.JUnit(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJUnitWarnAsFailure: under --fail-on warn a warning fails the job, so
// the test view shows it as a failure and the counts agree.
func TestJUnitWarnAsFailure(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := report.JUnitWith(&buf, r, report.JUnitOptions{WarnAsFailure: true}); err != nil {
		t.Fatal(err)
	}
	doc := decodeJUnit(t, buf.Bytes())
	failures := 0
	var warn *junitCase
	for _, su := range doc.Suites {
		failures += su.Failures
		for i, c := range su.Cases {
			if c.Name == "rlimit/unit:myapp.service/nofile" {
				warn = &su.Cases[i]
			}
		}
	}
	if warn == nil || warn.Failure == nil || warn.Failure.Type != "warn" || warn.SystemOut != nil {
		t.Fatalf("the warning is not a failure: %+v", warn)
	}
	if want := r.Summary.Fail + r.Summary.Warn; failures != want || doc.Failures != want {
		t.Errorf("failures %d (document %d), want fail+warn = %d", failures, doc.Failures, want)
	}
	if err := xmllintSchema(t, buf.Bytes()); err != nil {
		t.Error(err)
	}
}
