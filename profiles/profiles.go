// Package profiles embeds golive's built-in profiles. Each YAML file is one
// profile named after the file; every value carries a comment naming its
// source (the kernel's, systemd's, Go's or the distro's own documentation, or
// golive's own judgement, which docs/profiles.md explains).
package profiles

import "embed"

// FS holds the built-in profiles.
//
//go:embed *.yaml
var FS embed.FS
