// Package apparmor checks that AppArmor, the mandatory access control
// Ubuntu runs, is enabled in the running kernel (apparmor/enabled). It is
// the Ubuntu counterpart of the selinux family: on a host whose profile
// says facts.mac: selinux (the RHEL family) it skips.
//
// The profile section takes no keys yet; the expectation comes from the
// distro profile's facts.mac.
package apparmor

import (
	_ "embed"
	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and check category.
const kind = "apparmor"

// What the check reads.
const (
	// enabledPath is the apparmor module's "enabled" parameter: Y when the
	// kernel runs AppArmor, N when it was built in but is turned off
	// (apparmor=0, or an lsm= list without it).
	enabledPath = "/sys/module/apparmor/parameters/enabled"
	// profilesPath lists the loaded profiles and their modes (securityfs;
	// readable by root only).
	profilesPath = "/sys/kernel/security/apparmor/profiles"
)

type section struct{}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "AppArmor: no keys; apparmor/enabled runs on hosts whose profile says facts.mac: apparmor.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`apparmor/enabled`", Example: "apparmor/enabled"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec != nil {
		var s section
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	m := metaEnabled()
	if macFact.Get(p) == "apparmor" {
		m.Expected = "enabled (" + enabledPath + " is Y)"
	}
	return []engine.Check{&enabledCheck{
		Base: engine.Base{M: m}, mac: macFact.Get(p), distro: p.Facts.Distro, profile: p.Name,
	}}, nil
}

func explain(id string) (engine.Meta, bool) {
	if id == kind+"/enabled" {
		return metaEnabled(), true
	}
	return engine.Meta{}, false
}

func metaEnabled() engine.Meta {
	return engine.Meta{
		ID: kind + "/enabled", Category: kind, Title: "AppArmor is enabled",
		Expected: "enabled when the profile says the distro uses AppArmor (facts.mac: apparmor)",
		Level:    profile.LevelFail, Severity: "medium",
		Reads: []string{
			enabledPath + " (Y or N; a root with neither /sys/module nor /proc/sys is an image: no running kernel to ask)",
			profilesPath + " (loaded profiles and their modes, for details; root only)",
		},
		Why: "Ubuntu confines services (and the service's own profile, if it ships one) with AppArmor; a kernel booted with apparmor=0 enforces none of them, so what was tested confined runs unconfined",
		Fix: "remove apparmor=0 (or an lsm= list without apparmor) from the kernel command line in /etc/default/grub, run update-grub, enable apparmor.service and reboot",
	}
}
