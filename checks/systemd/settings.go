package systemd

import (
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/unit"
)

// assignment is the value a setting ends up with and where it was written.
type assignment struct {
	value string
	file  string
	set   bool
	// reset is the file of an empty assignment that reset an earlier value.
	reset string
	// ignored are assignments systemd rejects (and ignores).
	ignored []string
}

// lastValid is the value a single-valued setting ends up with: the last
// assignment systemd accepts. resets tells whether an empty assignment
// resets the setting to its default (User=) or is rejected like any bad
// value (Restart=, booleans).
func lastValid(f *unit.File, section, key string, valid func(string) error, resets bool) assignment {
	var a assignment
	for _, o := range f.Options {
		if o.Section != section || o.Name != key {
			continue
		}
		if o.Value == "" && resets {
			if a.set {
				a.reset = fmt.Sprintf("%s= in %s resets the earlier %s=%s", key, o.File, key, a.value)
			}
			a.value, a.file, a.set = "", "", false
			continue
		}
		if err := valid(o.Value); err != nil {
			a.ignored = append(a.ignored, fmt.Sprintf("%s=%s in %s: %v; systemd ignores it", key, o.Value, o.File, err))
			continue
		}
		a.value, a.file, a.set = o.Value, o.File, true
	}
	return a
}

func restartValid(v string) error {
	if validRestart(v) {
		return nil
	}
	return fmt.Errorf("not a Restart= value (%s)", strings.Join(restartValues, ", "))
}

// parseBool is systemd's parse_boolean.
func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "yes", "y", "true", "t", "on":
		return true, nil
	case "0", "no", "n", "false", "f", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", v)
}

func boolValid(v string) error {
	_, err := parseBool(v)
	return err
}

// userValid is a relaxed valid_user_group_name(): what systemd accepts in
// User= (a name or a numeric uid; specifiers are left as written).
func userValid(v string) error {
	if v == "." || v == ".." || strings.HasPrefix(v, "-") || strings.ContainsAny(v, "/: \t\n\x00") || len(v) > 256 {
		return fmt.Errorf("%q is not a user name or uid", v)
	}
	return nil
}

func timespanValid(v string) error {
	_, err := parseTimespan(v)
	return err
}

// words returns a list setting's items (After=, Wants=, WantedBy=), split
// on whitespace, with an empty assignment resetting the list.
func words(f *unit.File, section, key string) []string {
	var out []string
	for _, v := range f.Values(section, key) {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
