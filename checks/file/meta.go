package file

import (
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
	"github.com/golive-sh/golive/internal/secontext"
)

// aspect is what one check of a path judges; it is the check ID's name:
// file/<aspect>:<path>.
type aspect string

const (
	aspExists   aspect = "exists"
	aspType     aspect = "type"
	aspTarget   aspect = "target"
	aspMode     aspect = "mode"
	aspOwner    aspect = "owner"
	aspGroup    aspect = "group"
	aspSize     aspect = "size"
	aspSHA256   aspect = "sha256"
	aspSELinux  aspect = "selinux"
	aspContains aspect = "contains"
)

// aspects in the order a path's checks are built and documented.
var aspects = []aspect{aspExists, aspType, aspTarget, aspMode, aspOwner, aspGroup, aspSize, aspSHA256, aspSELinux, aspContains}

func checkDocs() []engine.CheckDoc {
	out := make([]engine.CheckDoc, len(aspects))
	for i, a := range aspects {
		out[i] = engine.CheckDoc{Heading: "`file/" + string(a) + ":<path>`", Example: "file/" + string(a) + ":/etc/myapp/config.yaml"}
	}
	return out
}

func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || parts.Target == "" {
		return engine.Meta{}, false
	}
	if clean, err := cleanPath(parts.Target); err != nil || clean != parts.Target {
		return engine.Meta{}, false
	}
	for _, a := range aspects {
		if string(a) == parts.Name {
			return meta(a, parts.Target, "<file."+parts.Target+"."+parts.Name+">"), true
		}
	}
	return engine.Meta{}, false
}

// meta describes the aspect check of path p expecting want.
func meta(a aspect, p, want string) engine.Meta {
	m := engine.Meta{
		ID: engine.CheckID(kind, string(a), p), Category: kind, Expected: want,
		Level: profile.LevelFail, Severity: "medium",
	}
	followed := p + " (symlinks followed inside the root, as a program opening the path sees it)"
	switch a {
	case aspExists:
		m.Title = p + " exists"
		if want == "absent" {
			m.Title = p + " does not exist"
		}
		m.Reads = []string{"lstat(2) of " + p + " (the path itself: a dangling symlink exists)"}
		m.Why = "the service's configuration, binary or directory must be where it looks; a file that must be gone (an old config, a world-readable secret) must not linger"
		m.Fix = "create the path (usually by deploying the service), or remove it; golive never creates or deletes files"
	case aspType:
		m.Title = "type of " + p
		m.Reads = []string{"lstat(2) of " + p + " (not followed: a symlink is a symlink)"}
		m.Why = "a directory where a file is expected, or a copy where a symlink is expected, means the deployment laid the path out differently than the service assumes"
		m.Fix = "recreate the path with the right type (a manual step)"
	case aspTarget:
		m.Title = "symlink target of " + p
		m.Reads = []string{"readlink(2) of " + p + " (the target as written in the link)"}
		m.Why = "a current -> release symlink decides which version runs"
		m.Fix = "ln -sfn TARGET " + p + " (a manual step: which release to run is a deployment's decision)"
	case aspMode:
		m.Title = "mode of " + p
		m.Reads = []string{"stat(2) of " + followed + ": the permission bits with setuid, setgid and sticky, as stat -c %a prints them"}
		m.Why = "a secret readable by others, or a config the service cannot read, is a security finding or an outage at start"
		m.Fix = "chmod MODE " + p + " (golive remediate computes the mode that changes the fewest bits)"
	case aspOwner:
		m.Title = "owner of " + p
		m.Reads = []string{"stat(2) of " + followed + ": the uid", "/etc/passwd under the root (the name, as glibc's files module reads it; other NSS sources are named, not read)"}
		m.Why = "a file the service's user does not own is one it may not be able to write, or one another user can change"
		m.Fix = "chown USER " + p
	case aspGroup:
		m.Title = "group of " + p
		m.Reads = []string{"stat(2) of " + followed + ": the gid", "/etc/group under the root (the name, as glibc's files module reads it; other NSS sources are named, not read)"}
		m.Why = "group ownership decides who else may read the service's configuration and data"
		m.Fix = "chgrp GROUP " + p
	case aspSize:
		m.Title = "size of " + p
		m.Reads = []string{"stat(2) of " + followed + ": st_size in bytes"}
		m.Why = "an empty or truncated file (a failed copy, a full disk at deploy time) passes an existence check"
		m.Fix = "redeploy the file (a manual step)"
	case aspSHA256:
		m.Title = "SHA-256 of " + p
		m.Reads = []string{followed + ": read in full and hashed (regular files up to 1 GiB)"}
		m.Why = "the bytes deployed are the bytes released: a hand-edited config or a stale binary differs"
		m.Fix = "redeploy the file from the release (a manual step)"
	case aspSELinux:
		m.Title = "SELinux label of " + p
		m.Reads = []string{"the " + secontext.Xattr + " extended attribute of " + followed + " (lgetxattr(2) of the resolved path, as ls -Z shows it)"}
		m.Why = "under SELinux enforcing, a file with the wrong type is one the service's domain may not read or execute: it starts, then fails with EACCES and an AVC denial"
		m.Fix = "semanage fcontext -a -t TYPE '" + p + "' (the policy's rule for the path, which survives a relabel), then restorecon -v " + p + "; a whole context the policy does not give: chcon (lost at the next relabel)"
	case aspContains:
		m.Title = "contents of " + p
		m.Reads = []string{followed + ": its first 16 MiB, line by line; patterns are substrings or RE2 regular expressions (Go's regexp, not PCRE)"}
		m.Why = "a setting the service depends on (or one it must not have) is in the file or not"
		m.Fix = "edit the file (a manual step: golive does not rewrite the service's configuration)"
	}
	return m
}

// expected words the aspect's expectation for a report.
func (s *spec) expected(a aspect) string {
	switch a {
	case aspExists:
		if s.exists {
			return "present"
		}
		return "absent"
	case aspType:
		return s.ftype
	case aspTarget:
		return s.target
	case aspMode:
		return s.mode.String()
	case aspOwner:
		return s.owner
	case aspGroup:
		return s.group
	case aspSize:
		return s.size.String()
	case aspSHA256:
		return s.sha256
	case aspSELinux:
		return s.selinux
	}
	var pats []string
	for _, p := range s.contains {
		pats = append(pats, p.text)
	}
	return strings.Join(pats, ", ")
}
