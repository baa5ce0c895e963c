package selinux

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

func TestBuildPaths(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		ids   []string
		types []string // expected type per label check, "" for the policy's
	}{
		{"no section: only the mode", "", []string{"selinux/mode"}, nil},
		{"mapping of path to type", "selinux:\n  paths:\n    /opt/myapp/bin: bin_t\n    /var/lib/myapp: var_lib_t\n",
			[]string{"selinux/mode", "selinux/label:/opt/myapp/bin", "selinux/label:/var/lib/myapp"}, []string{"bin_t", "var_lib_t"}},
		{"list of paths: the policy's types", "selinux:\n  paths: [/etc/myapp, /srv/myapp]\n",
			[]string{"selinux/mode", "selinux/label:/etc/myapp", "selinux/label:/srv/myapp"}, []string{"", ""}},
		{"empty type: the policy's", "selinux:\n  paths: {/etc/myapp: \"\"}\n", []string{"selinux/mode", "selinux/label:/etc/myapp"}, []string{""}},
		{"a rule mapping", "selinux:\n  paths:\n    /opt/myapp/bin: {type: bin_t, level: warn, severity: critical, why: the service execs it}\n",
			[]string{"selinux/mode", "selinux/label:/opt/myapp/bin"}, []string{"bin_t"}},
		{"paths are cleaned", "selinux:\n  paths: {/opt//myapp/bin/: bin_t}\n", []string{"selinux/mode", "selinux/label:/opt/myapp/bin"}, []string{"bin_t"}},
		{"null removes a path", "selinux:\n  paths: {/opt/a: bin_t, /opt/b: ~}\n", []string{"selinux/mode", "selinux/label:/opt/a"}, []string{"bin_t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checks := plan(t, testProfile(t, rhelFacts+tt.yaml))
			var ids, types []string
			for _, c := range checks {
				ids = append(ids, c.ID())
				if lc, ok := c.(*labelCheck); ok {
					types = append(types, lc.rule.Type)
				}
			}
			if strings.Join(ids, " ") != strings.Join(tt.ids, " ") || strings.Join(types, ",") != strings.Join(tt.types, ",") {
				t.Errorf("checks %v types %q, want %v %q", ids, types, tt.ids, tt.types)
			}
		})
	}
}

func TestBuildRuleFieldsReachTheMeta(t *testing.T) {
	checks := plan(t, testProfile(t, rhelFacts+"selinux:\n  mode: {expect: enforcing, level: warn, severity: critical, why: PCI scope}\n  paths:\n    /opt/myapp/bin: {type: bin_t, level: warn, severity: low, why: the service execs it}\n"))
	m := checks[0].Meta()
	if m.Expected != "== enforcing" || m.Level != "warn" || m.Severity != "critical" || m.Why != "PCI scope" || !strings.HasSuffix(m.Where, ":3") {
		t.Errorf("mode meta %+v", m)
	}
	m = checks[1].Meta()
	if m.Expected != "type bin_t" || m.Level != "warn" || m.Severity != "low" || m.Why != "the service execs it" || !strings.HasSuffix(m.Where, ":5") {
		t.Errorf("label meta %+v", m)
	}
}

// Profile mistakes stop golive before anything runs, with file and line.
func TestBuildRefusesBadSections(t *testing.T) {
	tests := map[string]struct{ yaml, words string }{
		"unknown key":           {"selinux:\n  modes: enforcing\n", `p.yaml:3: unknown key "modes"`},
		"numeric mode":          {"selinux:\n  mode: \">= 1\"\n", "p.yaml:3: selinux.mode: \">= 1\" compares numbers"},
		"unknown mode":          {"selinux:\n  mode: enforced\n", "p.yaml:3: selinux.mode: \"== enforced\" matches none of enforcing, permissive, disabled"},
		"relative path":         {"selinux:\n  paths: {opt/app: bin_t}\n", `p.yaml:3: selinux.paths: "opt/app" must be an absolute path`},
		"a context, not a type": {"selinux:\n  paths: {/opt/app: \"system_u:object_r:bin_t:s0\"}\n", "not a whole context"},
		"a type with a blank":   {"selinux:\n  paths: {/opt/app: bin t}\n", `"bin t" is not an SELinux type name`},
		"listed twice":          {"selinux:\n  paths: [/opt/app, /opt/app/]\n", "p.yaml:3: selinux.paths: /opt/app is listed twice"},
		"a list of mappings":    {"selinux:\n  paths: [{/opt/app: bin_t}]\n", "a list holds paths"},
		"a scalar":              {"selinux:\n  paths: /opt/app\n", "expected a list of paths or a mapping"},
		"bad level":             {"selinux:\n  paths: {/opt/app: {type: bin_t, level: error}}\n", `level: "error" is not one of fail, warn`},
		"bad severity":          {"selinux:\n  paths: {/opt/app: {type: bin_t, severity: huge}}\n", `severity: "huge" is not one of critical`},
		"unknown rule key":      {"selinux:\n  paths: {/opt/app: {typ: bin_t}}\n", `unknown key "typ"`},
		"control character":     {"selinux:\n  paths: {\"/opt/a\\tb\": bin_t}\n", "control character"},
		"a list as a type":      {"selinux:\n  paths: {/opt/app: [bin_t]}\n", "expected a type such as bin_t"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "p.yaml")
			if err := os.WriteFile(path, []byte(rhelFacts+tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := profile.Resolve(profile.Request{Profile: path})
			if err == nil {
				_, err = build(p.Section(kind), p)
			}
			if err == nil || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("error %v, want %q", err, tt.words)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	for id, ok := range map[string]bool{
		"selinux/mode":               true,
		"selinux/label:/opt/app/bin": true,
		"selinux/label:opt/app":      false,
		"selinux/label:/opt//app":    false, // not the ID a profile would build
		"selinux/other":              false,
		"apparmor/enabled":           false,
	} {
		m, got := explain(id)
		if got != ok || (ok && (m.ID != id || m.Why == "" || m.Fix == "" || len(m.Reads) == 0)) {
			t.Errorf("explain(%s) = %+v, %v; want %v", id, m, got, ok)
		}
	}
	if m, _ := engine.Explain("selinux/label:/var/lib/myapp"); !strings.Contains(m.Fix, "semanage fcontext -a -t TYPE") || !strings.Contains(m.Fix, "restorecon -Rv PATH") {
		t.Errorf("label fix %q", m.Fix)
	}
}
