package engine

import (
	"strings"

	"github.com/golive-sh/golive/internal/profile"
)

// NeedsRoot words the message of a check skipped because what it reads needs
// privilege golive does not have: "needs root: " and what was refused. One
// wording for every family, so a reader (or a grep over a report) finds them.
func NeedsRoot(what string) string { return "needs root: " + what }

// SkipNeedsRoot returns res skipped because err refused a read for want of
// privilege (host.Host.NeedsRoot says which errors do). res keeps what the
// check already knew (details, expectation).
func SkipNeedsRoot(res Result, err error) Result {
	res.Status, res.Message = Skip, NeedsRoot(err.Error())
	return res
}

// MissStatus is what a rule that is not met gives: fail, or warn for a rule
// written with level: warn.
func MissStatus(level string) Status {
	if level == profile.LevelWarn {
		return Warn
	}
	return Fail
}

// ID is a check ID taken apart: "<category>/<name>" for a check of the
// whole host (dns/config), "<category>/<name>:<target>" for one of a
// target (dns/resolve:example.com, cert/file:/etc/ssl/x.pem).
type ID struct {
	Category string
	Name     string
	Target   string // "" for a check of the whole host
}

// CheckID builds the ID of a check; target "" leaves it out.
func CheckID(category, name, target string) string {
	return ID{Category: category, Name: name, Target: target}.String()
}

// String is the ID as reports show it.
func (id ID) String() string {
	if id.Target == "" {
		return id.Category + "/" + id.Name
	}
	return id.Category + "/" + id.Name + ":" + id.Target
}

// ParseID takes an ID apart at its first "/" and the first ":" after it,
// so a target may hold both (cert/file:/etc/x.pem, etcd/endpoint:https://h:2379).
// It is false for a string no family builds: no "/", an empty category or
// name, or a ":" with nothing after it.
func ParseID(s string) (ID, bool) {
	category, rest, ok := strings.Cut(s, "/")
	if !ok || category == "" {
		return ID{}, false
	}
	name, target, hasTarget := strings.Cut(rest, ":")
	if name == "" || hasTarget && target == "" {
		return ID{}, false
	}
	return ID{Category: category, Name: name, Target: target}, true
}
