// Package clock is the time family (checks/time): whether the kernel clock
// is synchronised and which daemon keeps it so (time/sync), the offset to
// the profile's NTP servers (time/offset:<server>, network), and the
// timezone (time/timezone). The package is not called time so that it does
// not shadow the standard library's.
//
// Profile section (all optional; time/sync runs without it):
//
//	time:
//	  max_error: 100ms              # time/sync warns above this kernel maxerror
//	  servers: [ntp1.example.com]   # one time/offset check each
//	  offset_warn: 100ms            # |offset| above: warn
//	  offset_fail: 1s               # |offset| above: fail
//	  timezone: UTC                 # time/timezone expects it
package clock

import (
	_ "embed"
	"fmt"
	"net"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and the checks' category.
const kind = "time"

// Defaults. 100 ms of kernel maxerror is far inside what etcd tolerates
// (its raft heartbeats are 100 ms; its leases and TLS care about seconds)
// and far above what a synchronised daemon keeps (chrony and ntpd hold
// maxerror to milliseconds); a clock drifting past it has stopped hearing
// its servers. The offset thresholds follow the same reasoning: 100 ms is
// already an unusual offset on a LAN; a second breaks TLS validity margins
// no certificate expects and reorders log lines and MySQL replication
// timestamps.
const (
	defaultMaxError   = 100 * time.Millisecond
	defaultOffsetWarn = 100 * time.Millisecond
	defaultOffsetFail = time.Second
)

type section struct {
	MaxError   string   `yaml:"max_error" doc:"time/sync warns when the kernel's maxerror is above this." default:"100ms" format:"duration"`
	Servers    []string `yaml:"servers" doc:"NTP servers (host or host:port) to query: one time/offset check each." example:"[ntp1.example.com, 10.0.0.5:123]"`
	OffsetWarn string   `yaml:"offset_warn" doc:"time/offset warns when the offset's magnitude is above this." default:"100ms" format:"duration"`
	OffsetFail string   `yaml:"offset_fail" doc:"time/offset fails when the offset's magnitude is above this." default:"1s" format:"duration"`
	Timezone   string   `yaml:"timezone" doc:"The timezone /etc/localtime must name (time/timezone runs only with it)." example:"UTC"`
}

// settings are the section's values with defaults applied.
type settings struct {
	maxError               time.Duration
	offsetWarn, offsetFail time.Duration
	// critical is set when the profile checks etcd or MySQL: an
	// unsynchronised clock then fails rather than warns.
	critical bool
	daemon   string // the distro's time daemon (facts.time_daemon)
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "Time: clock synchronisation, NTP offset, timezone.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`time/sync`", Example: "time/sync"},
			{Heading: "`time/offset:<server>`", Example: "time/offset:ntp1.example.com"},
			{Heading: "`time/timezone`", Example: "time/timezone"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	set := defaults()
	set.daemon = daemonFact.Get(p)
	set.critical = p.Section("etcd") != nil || p.Section("mysql") != nil
	for _, d := range []struct {
		key, value string
		into       *time.Duration
	}{
		{"max_error", s.MaxError, &set.maxError},
		{"offset_warn", s.OffsetWarn, &set.offsetWarn},
		{"offset_fail", s.OffsetFail, &set.offsetFail},
	} {
		if d.value == "" {
			continue
		}
		v, err := time.ParseDuration(d.value)
		if err != nil || v <= 0 {
			return nil, p.Errorf(profile.FieldNode(sec, d.key), "time.%s: %q is not a positive duration (100ms, 1s)", d.key, d.value)
		}
		*d.into = v
	}
	if set.offsetWarn > set.offsetFail {
		return nil, p.Errorf(profile.FieldNode(sec, "offset_warn"), "time.offset_warn (%s) is above time.offset_fail (%s)", set.offsetWarn, set.offsetFail)
	}
	checks := []engine.Check{&syncCheck{Base: engine.Base{M: metaSync(set)}, set: set}}
	seen := map[string]bool{}
	for i, srv := range s.Servers {
		if err := validServer(srv); err != nil {
			return nil, p.Errorf(profile.FieldNode(sec, "servers").Content[i], "time.servers: %v", err)
		}
		if seen[srv] {
			return nil, p.Errorf(profile.FieldNode(sec, "servers").Content[i], "time.servers: %s is named twice", srv)
		}
		seen[srv] = true
		checks = append(checks, &offsetCheck{Base: engine.Base{M: metaOffset(srv, set)}, server: srv, set: set})
	}
	if s.Timezone != "" {
		if err := validZone(s.Timezone); err != nil {
			return nil, p.Errorf(profile.FieldNode(sec, "timezone"), "time.timezone: %v", err)
		}
		checks = append(checks, &zoneCheck{Base: engine.Base{M: metaZone(s.Timezone)}, want: s.Timezone})
	}
	return checks, nil
}

func defaults() settings {
	return settings{maxError: defaultMaxError, offsetWarn: defaultOffsetWarn, offsetFail: defaultOffsetFail}
}

// validServer accepts a host name or address with an optional port, as
// an NTP client dials it.
func validServer(s string) error {
	host := s
	if h, port, err := net.SplitHostPort(s); err == nil {
		host = h
		if port == "" {
			return fmt.Errorf("%q has an empty port", s)
		}
	}
	if host == "" || strings.ContainsAny(host, " \t/\x00") {
		return fmt.Errorf("%q is not a host name or address", s)
	}
	return nil
}

// validZone accepts a tz database name: no absolute path, no "..".
func validZone(z string) error {
	if strings.HasPrefix(z, "/") || strings.Contains(z, "..") || strings.ContainsAny(z, " \t\x00") {
		return fmt.Errorf("%q is not a tz database name (UTC, Europe/Berlin)", z)
	}
	return nil
}
