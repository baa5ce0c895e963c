package clock

import (
	"fmt"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

func explain(id string) (engine.Meta, bool) {
	set := defaults()
	switch id {
	case "time/sync":
		return metaSync(set), true
	case "time/timezone":
		return metaZone("<time.timezone>"), true
	}
	if parts, ok := engine.ParseID(id); ok && parts.Category == kind && parts.Name == "offset" && parts.Target != "" {
		return metaOffset(parts.Target, set), true
	}
	return engine.Meta{}, false
}

func metaSync(set settings) engine.Meta {
	level := profile.LevelWarn
	if set.critical {
		level = profile.LevelFail
	}
	return engine.Meta{
		ID: "time/sync", Category: kind, Title: "the clock is synchronised",
		Expected: fmt.Sprintf("synchronised (no STA_UNSYNC), maxerror <= %s, one time daemon enabled", set.maxError),
		Level:    level, Severity: "high",
		Reads: []string{
			"adjtimex(2) with modes 0 (read only): STA_UNSYNC, maxerror, esterror — the kernel's view, whichever daemon steers it; the running system only",
			"chronyd: /etc/chrony.conf or /etc/chrony/chrony.conf (server, pool, peer; sourcedir, confdir)",
			"ntpd: /etc/ntp.conf or /etc/ntpsec/ntp.conf (server, pool, peer)",
			"systemd-timesyncd: " + timesyncdConf + " and timesyncd.conf.d drop-ins ([Time] NTP=)",
			"units chronyd/chrony, ntpd/ntp/ntpsec, systemd-timesyncd (.service) and their .wants links under /etc/systemd/system and /usr/lib/systemd/system",
		},
		Why: "an unsynchronised clock drifts seconds a day: TLS certificates look not-yet-valid or expired, etcd leases and raft " +
			"timeouts misbehave, MySQL replication lag and log timestamps stop meaning anything; it fails (not warns) when the profile " +
			"checks etcd or MySQL (etcd's FAQ on its warning \"clock difference against peer is too high\")",
		Fix: "enable one time daemon (chronyd on RHEL, systemd-timesyncd on Debian and Ubuntu) pointed at reachable NTP servers; " +
			"systemctl enable --now UNIT; keep only one enabled",
	}
}

func metaOffset(server string, set settings) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "offset", server), Category: kind, Title: "the clock agrees with NTP server " + server,
		Expected: fmt.Sprintf("an NTP answer, |offset| <= %s (fail above %s)", set.offsetWarn, set.offsetFail),
		Level:    profile.LevelFail, Severity: "high", Network: true,
		Reads: []string{server + ": one NTPv4 client query (UDP, port 123 unless named), from this machine"},
		Why: "the offset to the fleet's own NTP server is what other hosts compare timestamps against; a server this host cannot " +
			"reach is one its daemon cannot synchronise with",
		Fix: "by cause: dns (make the name resolve), refused (nothing answers NTP there), timeout (open UDP 123 both ways), " +
			"kiss-of-death (RATE: poll less; DENY/RSTR: ask the server's operator), protocol (the server is not synchronised itself); " +
			"an offset: point the daemon at the server and step the clock (chronyc makestep)",
	}
}

func metaZone(want string) engine.Meta {
	return engine.Meta{
		ID: "time/timezone", Category: kind, Title: "the timezone is " + want,
		Expected: want, Level: profile.LevelFail, Severity: "low",
		Reads: []string{localtime + " (the symlink's target under zoneinfo, or a copied TZif file compared byte for byte with " + zoneinfo + "/<zone>)",
			etcTimezone + " (Debian and Ubuntu; reported)"},
		Why: "a fleet on one timezone (UTC is common) keeps cron schedules, log timestamps and anything formatting local time alike on every host",
		Fix: "timedatectl set-timezone ZONE (or ln -sf ../usr/share/zoneinfo/ZONE /etc/localtime in an image)",
	}
}
