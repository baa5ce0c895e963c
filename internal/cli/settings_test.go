package cli

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// newTestSettings binds the flags check has that matter here, parses args,
// and reads the environment from env.
func newTestSettings(t *testing.T, env map[string]string, args ...string) *settings {
	t.Helper()
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	fs.String("format", "table", "")
	fs.String("check-timeout", "5s", "")
	fs.Bool("offline", false, "")
	fs.Int("parallel", 0, "")
	fs.StringSlice("only", nil, "")
	fs.StringArray("report", nil, "")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	s := newSettings(fs)
	s.lookupEnv = func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	return s
}

// Each source is used only when every source above it is silent: set by
// the command, a flag given, GOLIVE_*, the config file, the default.
func TestSettingsPrecedence(t *testing.T) {
	config := map[string]any{"format": "junit", "parallel": 7, "offline": true, "only": []string{"dns"}, "check-timeout": "9s"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want map[string]any
	}{
		{"defaults", nil, nil,
			map[string]any{"format": "table", "parallel": 0, "offline": false, "only": []string{}, "check-timeout": "5s"}},
		{"config under defaults", nil, nil, nil}, // filled below with config merged
		{"environment over config", map[string]string{"GOLIVE_FORMAT": "json", "GOLIVE_PARALLEL": "3", "GOLIVE_OFFLINE": "false", "GOLIVE_ONLY": "sysctl cgroup/*", "GOLIVE_CHECK_TIMEOUT": "2s"}, nil,
			map[string]any{"format": "json", "parallel": 3, "offline": false, "only": []string{"sysctl", "cgroup/*"}, "check-timeout": "2s"}},
		{"an empty variable is unset", map[string]string{"GOLIVE_FORMAT": "", "GOLIVE_OFFLINE": ""}, nil,
			map[string]any{"format": "junit", "offline": true}},
		{"flags over environment", map[string]string{"GOLIVE_FORMAT": "json", "GOLIVE_PARALLEL": "3", "GOLIVE_ONLY": "sysctl"},
			[]string{"--format", "markdown", "--parallel", "12", "--offline=false", "--only", "os,rlimit", "--only", "dns"},
			map[string]any{"format": "markdown", "parallel": 12, "offline": false, "only": []string{"os", "rlimit", "dns"}}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestSettings(t, c.env, c.args...)
			want := c.want
			if i > 0 {
				s.merge(config)
			}
			if want == nil {
				want = map[string]any{"format": "junit", "parallel": 7, "offline": true, "only": []string{"dns"}, "check-timeout": "9s"}
			}
			for key, w := range want {
				var got any
				switch w.(type) {
				case string:
					got = s.str(key)
				case int:
					got = s.integer(key)
				case bool:
					got = s.boolean(key)
				case []string:
					got = s.list(key)
					if len(w.([]string)) == 0 && len(got.([]string)) == 0 {
						continue
					}
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("%s = %#v, want %#v", key, got, w)
				}
			}
			if s.err != nil {
				t.Errorf("unexpected error: %v", s.err)
			}
		})
	}

	// A value the command sets (validate's FILE) wins over a flag.
	s := newTestSettings(t, map[string]string{"GOLIVE_FORMAT": "json"}, "--format", "junit")
	s.override("format", "prom")
	if got := s.str("format"); got != "prom" {
		t.Errorf("override: format = %q", got)
	}
	// A key no flag of the command has reads as empty.
	if got := s.str("config"); got != "" || s.list("binary") != nil {
		t.Errorf("a key without a flag read %q", got)
	}
	// A duration flag reads as the text time.ParseDuration takes.
	s = newTestSettings(t, nil, "--check-timeout", "1m30s")
	if d, err := time.ParseDuration(s.str("check-timeout")); err != nil || d != 90*time.Second {
		t.Errorf("check-timeout = %v %v", d, err)
	}
}

// A GOLIVE_* value that does not parse is an invocation error that names
// the variable, not a silent false or 0.
func TestSettingsRejectBadEnvironment(t *testing.T) {
	for _, c := range []struct{ env, key, want string }{
		{"GOLIVE_OFFLINE", "offline", `GOLIVE_OFFLINE="yes please": use true or false`},
		{"GOLIVE_PARALLEL", "parallel", `GOLIVE_PARALLEL="lots": not a whole number`},
	} {
		val := map[string]string{"GOLIVE_OFFLINE": "yes please", "GOLIVE_PARALLEL": "lots"}[c.env]
		s := newTestSettings(t, map[string]string{c.env: val})
		if c.key == "offline" {
			s.boolean(c.key)
		} else {
			s.integer(c.key)
		}
		if s.err == nil || !strings.Contains(s.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.env, s.err, c.want)
		}
		var ee *exitError
		if !errors.As(s.err, &ee) || ee.code != ExitInvalid {
			t.Errorf("%s: %v is not an invocation error (exit %d)", c.env, s.err, ExitInvalid)
		}
	}
}
