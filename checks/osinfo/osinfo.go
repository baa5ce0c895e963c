// Package osinfo checks the operating system itself: that golive knows the
// distro (os/distro), that it is still supported (os/eol), and that the
// kernel is recent enough (os/kernel).
//
// Profile section (all optional; os/distro and os/eol run without it):
//
//	os:
//	  kernel: ">= 5.14.0"
//	  eol_warn_days: 90
package osinfo

import (
	_ "embed"
	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section; the checks' category is "os".
const kind = "os"

// defaultEOLWarnDays is how early os/eol warns before the end of support.
const defaultEOLWarnDays = 90

type section struct {
	Kernel      yaml.Node `yaml:"kernel" shape:"rule" doc:"The kernel release the host must run." example:"\">= 5.14\""` // a value: yaml.v3 cannot decode into *yaml.Node
	EOLWarnDays *int      `yaml:"eol_warn_days" doc:"Warn this many days before the distro's end of support." default:"90" min:"0" max:"3650"`
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "The OS: kernel release and end of support. The section is os; its checks' category is os too.", profile.Named{"rule": profile.RuleShape("", "")})
		},
		Checks: []engine.CheckDoc{
			{Heading: "`os/distro`", Example: "os/distro"},
			{Heading: "`os/eol`", Example: "os/eol"},
			{Heading: "`os/kernel`", Example: "os/kernel"},
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
	warnDays := defaultEOLWarnDays
	if s.EOLWarnDays != nil {
		if *s.EOLWarnDays < 0 || *s.EOLWarnDays > 3650 {
			return nil, p.Errorf(sec, "os: eol_warn_days must be between 0 and 3650")
		}
		warnDays = *s.EOLWarnDays
	}
	checks := []engine.Check{newDistro(p)}

	e, err := newEOL(p, warnDays)
	if err != nil {
		return nil, err
	}
	checks = append(checks, e)

	if s.Kernel.Kind != 0 {
		r, err := p.Rule("kernel", profile.FieldNode(sec, "kernel"))
		if err != nil {
			return nil, err
		}
		checks = append(checks, &kernelCheck{Base: engine.Base{M: metaKernel().WithRule(r)}, rule: r, pkg: p.Facts.PackageManager})
	}
	return checks, nil
}

func explain(id string) (engine.Meta, bool) {
	switch id {
	case "os/distro":
		return metaDistro(), true
	case "os/eol":
		return metaEOL(), true
	case "os/kernel":
		return metaKernel(), true
	}
	return engine.Meta{}, false
}

func metaDistro() engine.Meta {
	return engine.Meta{
		ID: "os/distro", Category: "os", Title: "distro has a golive profile",
		Expected: "a built-in distro profile matches", Level: profile.LevelWarn, Severity: "medium",
		Reads: []string{"/etc/os-release (or /usr/lib/os-release)"},
		Why:   "distro profiles carry the defaults, paths and end-of-life dates the other checks depend on; on the generic profile those checks know less and say so",
		Fix:   "run with --profile NAME for a compatible distro, or write a profile for this distro that extends linux",
	}
}

func metaEOL() engine.Meta {
	return engine.Meta{
		ID: "os/eol", Category: "os", Title: "distro release is supported",
		Level: profile.LevelFail, Severity: "high",
		Reads: []string{"the profile's facts.eol, facts.eol_extended and facts.extended_support"},
		Why:   "a release past its end of life gets no security fixes; a service going live on it starts with an unpatchable host",
		Fix:   "move the service to a supported release before go-live (there is no in-place fix); a host entitled to the vendor's extended support says so with facts.extended_support: true",
	}
}

func metaKernel() engine.Meta {
	return engine.Meta{
		ID: "os/kernel", Category: "os", Title: "kernel release",
		Level: profile.LevelFail, Severity: "high",
		Reads: []string{"/proc/sys/kernel/osrelease"},
		Why:   "the running kernel must be at least the distro's supported release line; older kernels lack fixes and features (cgroup v2, TCP behaviour) the service and the other checks assume",
		Fix:   "install the distro's current kernel package and reboot",
	}
}
