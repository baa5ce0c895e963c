package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// settings is where a command reads its options from, first found wins:
// a value the command sets itself (validate's FILE argument), a flag given
// on the command line, GOLIVE_<FLAG> in the environment (upper case, - as
// _; an empty variable counts as unset), the config file's options:
// section, then the flag's default.
//
// It replaces viper, which golive used for exactly this: viper brought 25
// packages (dotenv, TOML, fsnotify, afero...) whose package init alone cost
// about 1 ms of every run (issue 19 §4), and it read a bad GOLIVE_OFFLINE
// or GOLIVE_PARALLEL silently as false or 0. Here a value that does not
// parse is an invocation error (exit 2) naming the variable.
type settings struct {
	flags  *pflag.FlagSet
	set    map[string]any
	config map[string]any
	// lookupEnv is os.LookupEnv.
	lookupEnv func(string) (string, bool)
	// err is the first value that did not parse; the getters return the
	// zero value for it and the caller reports err once it has read all.
	err error
}

// envPrefix prefixes the environment variable of every flag.
const envPrefix = "GOLIVE_"

func newSettings(fs *pflag.FlagSet) *settings {
	return &settings{flags: fs, set: map[string]any{}, config: map[string]any{}, lookupEnv: os.LookupEnv}
}

// envName is the environment variable of a flag: check-timeout is
// GOLIVE_CHECK_TIMEOUT.
func envName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// override sets key above everything else.
func (s *settings) override(key string, val any) { s.set[key] = val }

// merge adds config-file options (flag names as keys) under the flags and
// the environment.
func (s *settings) merge(m map[string]any) {
	for k, v := range m {
		s.config[k] = v
	}
}

// value finds key: the value (a string from a flag or the environment,
// a typed one from override or the config file) and where it came from,
// for errors.
func (s *settings) value(key string) (any, string) {
	if v, ok := s.set[key]; ok {
		return v, "--" + key
	}
	f := s.flags.Lookup(key)
	if f != nil && f.Changed {
		return flagValue(f), "--" + key
	}
	if v, ok := s.lookupEnv(envName(key)); ok && v != "" {
		return v, envName(key)
	}
	if v, ok := s.config[key]; ok {
		return v, "options: " + strings.ReplaceAll(key, "-", "_")
	}
	if f != nil {
		return flagValue(f), "--" + key
	}
	return nil, ""
}

// flagValue is a flag's value: a list for a list flag, else its text.
func flagValue(f *pflag.Flag) any {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return sv.GetSlice()
	}
	return f.Value.String()
}

// fail keeps the first problem.
func (s *settings) fail(err error) {
	if s.err == nil {
		s.err = invalid(err)
	}
}

func (s *settings) str(key string) string {
	switch v := s.raw(key).(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

func (s *settings) boolean(key string) bool {
	v, from := s.value(key)
	switch v := v.(type) {
	case bool:
		return v
	case string:
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.fail(fmt.Errorf("%s=%q: use true or false", from, v))
		}
		return b
	}
	return false
}

func (s *settings) integer(key string) int {
	v, from := s.value(key)
	switch v := v.(type) {
	case int:
		return v
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			s.fail(fmt.Errorf("%s=%q: not a whole number", from, v))
		}
		return n
	}
	return 0
}

// list is a list option; in the environment, items are separated by
// spaces (GOLIVE_ONLY="sysctl cgroup"), as they were under viper.
func (s *settings) list(key string) []string {
	switch v := s.raw(key).(type) {
	case []string:
		return v
	case string:
		return strings.Fields(v)
	}
	return nil
}

func (s *settings) raw(key string) any {
	v, _ := s.value(key)
	return v
}
