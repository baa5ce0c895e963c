package report

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golive-sh/golive/internal/engine"
)

// The JUnit XML document, in the shape Jenkins, GitLab and GitHub test
// reporters read (testdata/junit.xsd is the schema the tests hold it to).
// Field order is element order.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Hostname   string          `xml:"hostname,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Skipped   *junitOutcome `xml:"skipped"`
		Failure   *junitOutcome `xml:"failure"`
		Error     *junitOutcome `xml:"error"`
		SystemOut *junitText    `xml:"system-out"`
	}
	// Texts are CDATA so their lines stay lines in the file; encoding/xml
	// splits a "]]>" inside, and xmlText has removed what XML forbids.
	junitText struct {
		Text string `xml:",cdata"`
	}
	junitOutcome struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr,omitempty"`
		Text    string `xml:",cdata"`
	}
)

// JUnit writes r as JUnit XML for a CI system's test view: one <testsuite>
// per category, named "<hostname>/<category>" so suites from several hosts
// stay apart; one <testcase> per check (name the check ID, classname the
// category). fail and error become <failure> and <error> (message: a
// one-line summary; type: the severity; text: expected, observed, why,
// details and the fix), skip and waived become <skipped> with the reason;
// pass and warn are passing test cases whose <system-out> says what was
// seen (a warning does not fail the gate unless --fail-on warn; then
// JUnitOptions.WarnAsFailure makes it a <failure type="warn">). Times are
// seconds; a suite's time is the sum of its checks' times, which ran in
// parallel.
func JUnit(w io.Writer, r *Report) error { return JUnitWith(w, r, JUnitOptions{}) }

// JUnitOptions adjust the JUnit mapping to the gate.
type JUnitOptions struct {
	// WarnAsFailure renders warn as <failure type="warn">, for runs with
	// --fail-on warn: there a warning fails the job, and a CI test view
	// that shows every case green beside a red job misleads.
	WarnAsFailure bool
}

// JUnitWith is JUnit with options.
func JUnitWith(w io.Writer, r *Report, o JUnitOptions) error {
	if r == nil {
		return errors.New("render junit: nil report")
	}
	doc := junitDocument(r, o)
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	var b strings.Builder
	b.Grow(len(xml.Header) + len(out) + 1)
	b.WriteString(xml.Header)
	b.Write(out)
	b.WriteByte('\n')
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

func junitDocument(r *Report, o JUnitOptions) junitSuites {
	host := xmlLine(r.Host.Hostname)
	if host == "" {
		host = "unknown-host"
	}
	props := junitProperties(r)
	timestamp := ""
	if t, err := time.Parse(time.RFC3339Nano, r.StartedAt); err == nil {
		// No zone: the Ant schema, which the strictest readers use, has
		// none. It is UTC.
		timestamp = t.UTC().Format("2006-01-02T15:04:05")
	}

	doc := junitSuites{Name: "golive " + host, Time: seconds(r.DurationMS)}
	index := map[string]int{}
	durations := []float64{}
	for _, c := range r.Checks {
		cat := xmlLine(c.Category)
		if cat == "" {
			cat = "other"
		}
		i, ok := index[cat]
		if !ok {
			i = len(doc.Suites)
			index[cat] = i
			doc.Suites = append(doc.Suites, junitSuite{
				Name: host + "/" + cat, Timestamp: timestamp, Hostname: host, Properties: props,
			})
			durations = append(durations, 0)
		}
		s := &doc.Suites[i]
		tc := junitCaseOf(c, cat, o)
		switch {
		case tc.Failure != nil:
			s.Failures++
		case tc.Error != nil:
			s.Errors++
		case tc.Skipped != nil:
			s.Skipped++
		}
		s.Tests++
		durations[i] += c.DurationMS
		s.Cases = append(s.Cases, tc)
	}
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Time = seconds(durations[i])
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	return doc
}

// junitCaseOf is one check as a test case of suite class.
func junitCaseOf(c Check, class string, o JUnitOptions) junitCase {
	name := xmlLine(c.ID)
	if name == "" {
		name = "(no id)"
	}
	tc := junitCase{Name: name, Classname: class, Time: seconds(c.DurationMS)}
	switch c.Status {
	case engine.Fail:
		tc.Failure = &junitOutcome{Message: xmlText(missSummary(c)), Type: severityOr(c), Text: xmlText(findingText(c))}
	case engine.Error:
		typ := severityOr(c)
		if c.Interrupted() { // not a finding: the run ended first
			typ = engine.CauseInterrupted
		}
		tc.Error = &junitOutcome{Message: xmlText(missSummary(c)), Type: typ, Text: xmlText(findingText(c))}
	case engine.Warn:
		if !o.WarnAsFailure {
			tc.SystemOut = &junitText{xmlText("WARN\n" + findingText(c))}
			break
		}
		tc.Failure = &junitOutcome{Message: xmlText(missSummary(c)), Type: "warn", Text: xmlText(findingText(c))}
	case engine.Skip:
		tc.Skipped = &junitOutcome{Message: xmlLine(c.Message)}
	case engine.Waived:
		tc.Skipped = &junitOutcome{Message: xmlLine("waived: " + waiverOf(c).Reason), Text: xmlText(waiverText(c))}
	default: // pass, warn, and a status this version does not know
		tc.SystemOut = &junitText{xmlText(strings.ToUpper(string(c.Status)) + "\n" + findingText(c))}
	}
	return tc
}

// junitProperties describe the run; every suite carries them because CI
// systems show a suite's properties, not the document's.
func junitProperties(r *Report) []junitProperty {
	var props []junitProperty
	add := func(name, v string) {
		if v = xmlLine(v); v != "" {
			props = append(props, junitProperty{Name: name, Value: v})
		}
	}
	add("golive.version", r.Tool.Version)
	add("golive.verdict", r.Verdict)
	add("golive.aborted", r.Aborted)
	if r.Summary.Interrupted > 0 {
		add("golive.interrupted", strconv.Itoa(r.Summary.Interrupted))
	}
	add("golive.profile", r.Profile.Name)
	add("golive.profile_chain", strings.Join(r.Profile.Chain, " > "))
	add("host.distro", distroName(r.Host.Distro))
	add("host.kernel", r.Host.Kernel)
	add("host.arch", r.Host.Arch)
	add("host.machine_id", r.Host.MachineID)
	add("host.root", r.Host.Root)
	add("golive.started_at", r.StartedAt)
	for _, n := range r.Notices {
		add("golive.notice", n)
	}
	return props
}

func severityOr(c Check) string {
	if s := xmlLine(c.Severity); s != "" {
		return s
	}
	return "unknown"
}

// seconds is a duration in milliseconds as JUnit time: seconds with a
// decimal point, to the microsecond golive measures.
func seconds(ms float64) string {
	if ms < 0 || ms != ms { // negative or NaN: not a time a reader accepts
		ms = 0
	}
	return strconv.FormatFloat(ms/1000, 'f', 6, 64)
}

// xmlLine makes an outside string one line that XML 1.0 can carry.
func xmlLine(s string) string { return xmlText(oneLine(s)) }

// xmlText replaces what XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF,
// invalid UTF-8) with U+FFFD. encoding/xml does the same on output; doing it
// here keeps the document valid even if that changes, and the tests assert
// the result.
func xmlText(s string) string {
	s = block(s)
	ok := true
	for _, r := range s {
		if !isXMLChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isXMLChar(r) {
			return r
		}
		return utf8.RuneError
	}, s)
}

// isXMLChar is the Char production of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
