package selinux

import (
	"bytes"
	"path"
	"strings"
)

// customizableTypesPath lists the types restorecon leaves alone unless
// forced with -F (libselinux's is_context_customizable): types an
// administrator or a tool sets on purpose, such as container_file_t.
func customizableTypesPath(policy string) string {
	return path.Join(policyDir(policy), "contexts", "customizable_types")
}

// parseCustomizableTypes reads customizable_types as libselinux does: one
// type per line, blanks trimmed, empty lines skipped ('#' lines too, which
// name no type).
func parseCustomizableTypes(data []byte) map[string]bool {
	out := map[string]bool{}
	for _, line := range bytes.Split(data, []byte("\n")) {
		t := strings.Trim(string(line), cSpace)
		if t == "" || t[0] == '#' {
			continue
		}
		out[t] = true
	}
	return out
}
