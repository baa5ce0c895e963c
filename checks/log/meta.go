package logs

import (
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

func explain(id string) (engine.Meta, bool) {
	set := defaults()
	if id == "log/journald" {
		return metaJournald(set), true
	}
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || parts.Name != "rotate" || parts.Target == "" {
		return engine.Meta{}, false
	}
	if strings.HasPrefix(parts.Target, "/") {
		return metaRotate(parts.Target, set), true
	}
	return metaRotateUnit(parts.Target, set), true
}

func metaJournald(set settings) engine.Meta {
	want := "Storage= ends up " + set.storage
	if set.storage == "any" {
		want = "any Storage="
	}
	return engine.Meta{
		ID: "log/journald", Category: kind, Title: "journald keeps the journal",
		Expected: fmt.Sprintf("%s; SystemMaxUse= at most %s", want, set.maxUseText),
		Level:    profile.LevelWarn, Severity: "medium",
		Reads: []string{
			"/etc/systemd/journald.conf (else /run, /usr/local/lib, /usr/lib/systemd/journald.conf), then journald.conf.d/*.conf drop-ins of /etc, /run, /usr/local/lib and /usr/lib/systemd in file-name order ([Journal] Storage=, SystemMaxUse=, SystemKeepFree=, SystemMaxFileSize=, RuntimeMaxUse=, MaxRetentionSec=)",
			"facts.journald_storage: the distro's compiled-in Storage= (auto upstream)",
			persistentDir + " (whether it exists decides Storage=auto) and the *.journal files under it and " + volatileDir + " (current usage)",
		},
		Why: "with Storage=volatile, or auto without " + persistentDir + ", the journal lives in " + volatileDir + " and every reboot loses " +
			"the logs of the crash that caused it; an unbounded SystemMaxUse= lets the journal fill /var (journald.conf(5))",
		Fix: "a drop-in " + goliveJournaldDropIn + " with [Journal] Storage=persistent (and SystemMaxUse=), then systemctl restart systemd-journald",
	}
}

func metaRotate(path string, set settings) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "rotate", path), Category: kind, Title: "logrotate rotates " + path,
		Expected: "a logrotate rule that bounds it and reopens it (copytruncate or postrotate); logrotate runs",
		Level:    profile.LevelFail, Severity: "high",
		Reads: rotateReads(),
		Why: "a log nobody rotates fills /var and stops the host; a rotation that does not reopen the file leaves the service writing " +
			"to the rotated copy, so the space is never freed (logrotate(8), copytruncate and postrotate)",
		Fix: "no rule: golive writes /etc/logrotate.d/" + nameOr(set.service) + " (daily, rotate 7, maxsize 100M, copytruncate); a rule that lacks something: change it there",
	}
}

func metaRotateUnit(unitName string, set settings) engine.Meta {
	m := metaRotate("", set)
	m.ID = engine.CheckID(kind, "rotate", unitName)
	m.Title = "logrotate rotates the files " + unitName + " writes its output to"
	m.Reads = append([]string{unitName + ": StandardOutput= and StandardError= (file:, append:, truncate:) with its drop-ins"}, m.Reads...)
	m.Why = "systemd opens StandardOutput=append: files once, when the unit starts: only copytruncate (or a postrotate that restarts the unit) " +
		"rotates them without the service writing on into the rotated copy; a file nobody rotates fills /var"
	return m
}

func rotateReads() []string {
	return []string{
		logrotateConf + " and what it includes (files, and directories' files in name order minus logrotate's taboo names), as logrotate 3.21 parses them; each entry's patterns globbed under the root",
		"logrotate.timer (its timers.target.wants link) and " + cronDaily,
	}
}

func nameOr(s string) string {
	if s == "" {
		return "<service>"
	}
	return s
}
