// Package profiles embeds golive's built-in profiles. Each YAML file is one
// profile named after the file; every value carries a comment naming its
// source (a seed in ../shared/seeds or the distro's own documentation).
package profiles

import "embed"

// FS holds the built-in profiles.
//
//go:embed *.yaml
var FS embed.FS
