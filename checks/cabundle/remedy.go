package cabundle

import (
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/remediate"
)

// Remediation built from the profile's facts: the distro's own update
// command and package manager. Without facts (the generic profile) a fix is
// described, not scripted.

// updateAction rebuilds the bundle from the anchors with the distro's own
// command (update-ca-trust extract, update-ca-certificates).
func updateAction(f distroFacts) (remediate.Action, bool) {
	if len(f.CAUpdateCommand) == 0 {
		return remediate.Action{}, false
	}
	argv := append([]string(nil), f.CAUpdateCommand...)
	return remediate.Run("rebuild the system CA bundle from the anchors", argv...), true
}

// debianStyle reports whether the anchors are read the
// update-ca-certificates way: only *.crt files, PEM, searched recursively.
func debianStyle(f distroFacts) bool {
	return len(f.CAUpdateCommand) > 0 && path.Base(f.CAUpdateCommand[0]) == "update-ca-certificates"
}

// packageActions installs or refreshes the ca-certificates package.
// verb is "install", "reinstall" or "upgrade".
func packageActions(f distroFacts, verb string) []remediate.Action {
	why := verb + " the ca-certificates package"
	switch f.PackageManager {
	case "yum", "dnf":
		v := verb
		if verb == "upgrade" {
			v = "update"
			if f.PackageManager == "dnf" {
				v = "upgrade"
			}
		}
		return []remediate.Action{remediate.Run(why, f.PackageManager, v, "-y", "ca-certificates")}
	case "apt":
		args := []string{"apt-get", "install", "-y"}
		switch verb {
		case "reinstall":
			args = append(args, "--reinstall")
		case "upgrade":
			args = append(args, "--only-upgrade")
		}
		return []remediate.Action{
			remediate.Run("refresh the package lists", "apt-get", "update"),
			remediate.Run(why, append(args, "ca-certificates")...),
		}
	}
	return []remediate.Action{remediate.Tell(why + " with the distro's package manager")}
}

// bundleFix repairs a missing or gutted bundle: the package, then the
// update command (a bundle rebuilt from the package's sources and the
// local anchors).
func bundleFix(f distroFacts, verb, summary string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary, Actions: packageActions(f, verb)}
	if a, ok := updateAction(f); ok {
		p.Actions = append(p.Actions, a)
	}
	return p
}

// trustPlan adds a CA to the anchor directory and rebuilds the bundle. src
// is the CA file inside the root, or "" when only what it is is known (then
// a person must fetch it, and name gives the anchor its file name). der says
// src is DER, which update-ca-certificates does not read.
func trustPlan(f distroFacts, summary, src string, der bool, what, name string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary}
	if f.CAAnchorDir == "" {
		text := "add " + what + " to the system trust store and rebuild the CA bundle"
		if src != "" {
			text = "add " + src + " to the system trust store and rebuild the CA bundle"
		}
		p.Actions = []remediate.Action{remediate.Tell(text + " (the profile names no anchor directory)")}
		return p
	}
	dst := anchorName(f, src, name)
	switch {
	case src != "" && dst == path.Clean(src) && !(der && debianStyle(f)):
		// Already an anchor: only the rebuild is missing.
	case src == "":
		p.Actions = append(p.Actions, remediate.Tell("obtain "+what+" from its owner (verify its fingerprint) and save it, PEM-encoded, as "+dst))
	case der && debianStyle(f):
		p.Actions = append(p.Actions, remediate.Run("install the CA as PEM: update-ca-certificates reads only PEM *.crt files",
			"openssl", "x509", "-inform", "DER", "-in", src, "-out", dst))
	default:
		p.Actions = append(p.Actions, remediate.Action{Kind: remediate.Command, Argv: []string{"install", "-m", "0644", src, dst},
			Why: "copy the CA into the anchor directory"})
	}
	if a, ok := updateAction(f); ok {
		p.Actions = append(p.Actions, a)
	}
	return p
}

// anchorName is where a CA goes in the anchor directory: its file name
// (as .crt for update-ca-certificates), or a name made from its subject.
func anchorName(f distroFacts, src, name string) string {
	base := path.Base(src)
	if src == "" {
		base = slug(name) + ".crt"
	}
	if debianStyle(f) {
		base = strings.TrimSuffix(base, path.Ext(base)) + ".crt"
	}
	return path.Join(f.CAAnchorDir, base)
}

// slug makes a file name from a certificate name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "golive-ca"
	}
	return out
}
