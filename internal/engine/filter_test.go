package engine

import (
	"reflect"
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"*", "", true},
		{"*", "a/b/c", true},
		{"a*", "a", true},
		{"a*", "ab/c", true},
		{"a*", "ba", false},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"*a", "a", true},
		{"**", "x", true},
		{"a**b", "ab", true},
		{"a*b*c", "a/x/b/y/c", true},
		{"a*b*c", "acb", false},
		{"a*b", "abxb", true},
		{"a*b", "abxbc", false},
		{"*/eol", "os/eol", true},
		{"*/eol", "os/eol/x", false},
		{"sysctl/net.ipv4.*", "sysctl/net.ipv4.tcp_rmem", true},
		{"sysctl/net.ipv4.*", "sysctl/net.ipv6.conf.all", false},
		{"selinux/label:/opt/*", "selinux/label:/opt/myapp/bin", true},
		{"selinux/label:/opt/*", "selinux/label:/var/opt/x", false},
		{"*/label:/opt/*/bin", "selinux/label:/opt/a/b/bin", true},
		// Only * is special: ?, [ and \ match themselves.
		{"?", "a", false},
		{"?", "?", true},
		{"[a]", "a", false},
		{"[a]", "[a]", true},
		{`a\*`, `a\xyz`, true},
		{"case", "CASE", false},
		{strings.Repeat("a*", 30) + "b", strings.Repeat("a", 60), false},
	}
	for _, tt := range tests {
		if got := Glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	m := Meta{ID: "sysctl/net.core.somaxconn", Category: "sysctl"}
	tests := []struct {
		pattern string
		want    bool
	}{
		{"sysctl", true},                    // category
		{"sysctl/net.core.somaxconn", true}, // exact ID
		{"sysctl/*", true},
		{"*somaxconn", true},
		{"*", true},
		{"sys", false},                // not a prefix match
		{"sysctl/net.core", false},    // not a prefix match without *
		{"SYSCTL", false},             // case matters
		{"net.core.somaxconn", false}, // the target alone is not the ID
	}
	for _, tt := range tests {
		if got := Matches(tt.pattern, m); got != tt.want {
			t.Errorf("Matches(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func filterChecks() []Check {
	var out []Check
	for _, m := range []Meta{
		{ID: "sysctl/net.core.somaxconn", Category: "sysctl"},
		{ID: "sysctl/net.ipv4.tcp_rmem", Category: "sysctl"},
		{ID: "selinux/mode", Category: "selinux"},
		{ID: "selinux/label:/opt/myapp/bin", Category: "selinux"},
		{ID: "selinux/label:/opt/other/lib", Category: "selinux"},
		{ID: "selinux/label:/var/lib/myapp", Category: "selinux"},
		{ID: "os/eol", Category: "os"},
		{ID: "dns/resolve:db1.internal.example.com", Category: "dns", Network: true},
	} {
		out = append(out, &funcCheck{Base: Base{M: m}})
	}
	return out
}

func TestFilterApply(t *testing.T) {
	all := ids(filterChecks())
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"no filter keeps all in order", Filter{}, all},
		{"category", Filter{Only: []string{"sysctl"}}, []string{"sysctl/net.core.somaxconn", "sysctl/net.ipv4.tcp_rmem"}},
		{"exact ID", Filter{Only: []string{"selinux/mode"}}, []string{"selinux/mode"}},
		{"glob across slashes", Filter{Only: []string{"selinux/label:/opt/*"}}, []string{"selinux/label:/opt/myapp/bin", "selinux/label:/opt/other/lib"}},
		{"leading glob", Filter{Only: []string{"*/eol"}}, []string{"os/eol"}},
		{"dotted glob", Filter{Only: []string{"sysctl/net.ipv4.*"}}, []string{"sysctl/net.ipv4.tcp_rmem"}},
		{"several patterns keep plan order", Filter{Only: []string{"os", "sysctl/net.core.somaxconn"}}, []string{"sysctl/net.core.somaxconn", "os/eol"}},
		{"overlapping patterns do not duplicate", Filter{Only: []string{"selinux", "selinux/*", "selinux/mode"}}, []string{"selinux/mode", "selinux/label:/opt/myapp/bin", "selinux/label:/opt/other/lib", "selinux/label:/var/lib/myapp"}},
		{"skip a category", Filter{Skip: []string{"selinux", "dns"}}, []string{"sysctl/net.core.somaxconn", "sysctl/net.ipv4.tcp_rmem", "os/eol"}},
		{"only minus skip", Filter{Only: []string{"selinux"}, Skip: []string{"selinux/label:*"}}, []string{"selinux/mode"}},
		{"skip everything", Filter{Skip: []string{"*"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := filterChecks()
			got, err := tt.f.Apply(in)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); !reflect.DeepEqual(g, tt.want) && !(len(g) == 0 && len(tt.want) == 0) {
				t.Errorf("Apply = %v, want %v", g, tt.want)
			}
			if !reflect.DeepEqual(ids(in), all) {
				t.Errorf("Apply changed its input: %v", ids(in))
			}
		})
	}
}

func TestFilterPatternMatchingNothingIsAnError(t *testing.T) {
	tests := []struct {
		name string
		f    Filter
		flag string
		pat  string
	}{
		{"only typo", Filter{Only: []string{"sysclt"}}, "--only", "sysclt"},
		{"only glob matching nothing", Filter{Only: []string{"sysctl/vm.*"}}, "--only", "sysctl/vm.*"},
		{"only one of several bad", Filter{Only: []string{"sysctl", "nope/*"}}, "--only", "nope/*"},
		{"only a category prefix", Filter{Only: []string{"sys"}}, "--only", "sys"},
		{"skip typo", Filter{Skip: []string{"selinx"}}, "--skip", "selinx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.Apply(filterChecks())
			if err == nil {
				t.Fatalf("Apply = %v, want an error", ids(got))
			}
			if !strings.Contains(err.Error(), tt.flag) || !strings.Contains(err.Error(), `"`+tt.pat+`"`) {
				t.Errorf("error %q should name %s and %q", err, tt.flag, tt.pat)
			}
		})
	}
}
