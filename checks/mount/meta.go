package mount

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// aspect is the check ID's name: mount/<aspect>:<path>.
type aspect string

const (
	aspMounted aspect = "mounted"
	aspBoot    aspect = "boot"
)

func explain(id string) (engine.Meta, bool) {
	pid, ok := engine.ParseID(id)
	if !ok || pid.Category != kind {
		return engine.Meta{}, false
	}
	if clean, err := cleanPath(pid.Target); err != nil || clean != pid.Target {
		return engine.Meta{}, false
	}
	switch aspect(pid.Name) {
	case aspMounted, aspBoot:
		return meta(aspect(pid.Name), pid.Target, true, "<mount."+pid.Target+">"), true
	}
	return engine.Meta{}, false
}

func meta(a aspect, p string, want bool, expected string) engine.Meta {
	m := engine.Meta{ID: engine.CheckID(kind, string(a), p), Category: kind, Level: profile.LevelFail, Severity: "high", Expected: expected}
	switch a {
	case aspMounted:
		m.Title = p + " is mounted"
		if !want {
			m.Title, m.Expected = "nothing is mounted at "+p, "not mounted"
		}
		m.Reads = []string{"/proc/self/mountinfo: the last mount whose mount point is " + p + " (as findmnt --mountpoint), its type, source, per-mount and filesystem options"}
		m.Why = "a data directory that is not its own filesystem fills the root filesystem, and one on the wrong device or without its options " +
			"(noatime, nodev, a quota) behaves differently than the service was sized and hardened for"
		m.Fix = "mount it (a manual step: golive changes no mount)"
	case aspBoot:
		m.Title = "the next boot mounts " + p
		if !want {
			m.Title, m.Expected = "the next boot does not mount "+p, "not mounted at boot"
		}
		m.Reads = []string{"/etc/fstab: the first line for " + p + " (systemd-fstab-generator refuses later duplicates); noauto, x-systemd.automount",
			"the .mount unit systemd names for " + p + " (systemd-escape -p --suffix=mount) along the unit search path with its drop-ins: one in /etc or /run overrides the fstab line, one in /usr/lib loses to it; its .wants links"}
		m.Why = "a mount made by hand is gone after the next reboot: the service then writes into the directory under it, on the root filesystem"
		m.Fix = "add the /etc/fstab line golive prints (by hand: a wrong fstab line stops the boot in emergency mode; findmnt --verify)"
	}
	return m
}
