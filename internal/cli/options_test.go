package cli_test

import (
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/cli"
	"github.com/golive-sh/golive/internal/profile"
)

// TestEveryConfigOptionNamesACheckFlag: the config file's options: are
// bound to check's flags by name (fail_on sets --fail-on), with no table in
// between; an option without a flag of that name would be silently ignored.
func TestEveryConfigOptionNamesACheckFlag(t *testing.T) {
	root := cli.NewRootCmd(cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	check, _, err := root.Find([]string{"check"})
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[profile.Options]()
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		if check.Flags().Lookup(strings.ReplaceAll(key, "_", "-")) == nil {
			t.Errorf("options: %s names no flag of golive check", key)
		}
	}
}
