package profile

import (
	"path/filepath"
	"strings"
	"testing"
)

// What a new profile author gets wrong first, and what golive says back:
// the line of the mistake and the fix, never a YAML tag or a Go type.
func TestErrorsThatTeach(t *testing.T) {
	tests := []struct {
		name, content string
		line          int
		want          []string
	}{
		{"unquoted >= expectation", "sysctl:\n  vm.swappiness: 10\n  net.core.somaxconn: >= 65535\n", 3,
			[]string{"must be quoted", `net.core.somaxconn: ">= 65535"`}},
		{"unquoted >= with a comment", "sysctl:\n  net.core.somaxconn: >= 65535   # the backlog\n", 2,
			[]string{`net.core.somaxconn: ">= 65535"   # the backlog`}},
		// YAML reads "!= 5" as the tag != on 5: without the check the rule
		// would silently become "== 5".
		{"unquoted != expectation", "sysctl:\n  vm.swappiness: != 5\n", 2,
			[]string{"must be quoted", `vm.swappiness: "!= 5"`}},
		{"unquoted * expectation", "sysctl:\n  vm.swappiness: * 5\n", 2, []string{`vm.swappiness: "* 5"`}},
		{"unquoted > in a flow mapping", "sysctl:\n  vm.swappiness: {expect: >= 5, level: warn}\n", 2,
			[]string{`vm.swappiness: {expect: ">= 5", level: warn}`}},
		{"a word where a number is expected", "options:\n  parallel: fifty\n", 2,
			[]string{"expected a whole number, got the text `fifty`"}},
		{"a list where text is expected", "service:\n  unit: [a, b]\n", 2, []string{"expected a text value, got a list"}},
		{"a mapping where a list is expected", "service:\n  binaries: {a: b}\n", 2,
			[]string{"expected a list of text values, got a mapping"}},
		{"key indented too little", "service:\n  unit: a.service\n user: app\n", 3,
			[]string{`"user" is indented 1 columns`}},
		{"key indented too far", "sysctl:\n  vm.swappiness: 10\n   net.core.somaxconn: 5\n", 3,
			[]string{`"net.core.somaxconn" is indented 3 columns`}},
		{"negative timeout in options", "options:\n  format: json\n  timeout: -5s\n", 3,
			[]string{`timeout: "-5s" is not a positive duration`}},
		{"unknown fail_on in options", "options:\n  fail_on: sometimes\n", 2,
			[]string{`fail_on: "sometimes" is not one of fail, warn, none`}},
		{"parallel out of range", "options:\n  parallel: 20000\n", 2, []string{"parallel: 20000 is out of range (0 to 10000)"}},
		{"misspelt option", "options:\n  timout: 5s\n", 2, []string{`unknown key "timout": did you mean "timeout"?`, "check_timeout, fail_on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"golive.yaml": "extends: none\n" + tt.content})
			file := filepath.Join(dir, "golive.yaml")
			_, err := resolveFile(t, file)
			if err == nil {
				t.Fatal("Resolve succeeded, want an error")
			}
			wantError(t, err, file, tt.line+1, tt.want[0])
			for _, w := range tt.want[1:] {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
			for _, jargon := range []string{"!!", "yaml.Node", "unmarshal", "int64", "[]string"} {
				if strings.Contains(err.Error(), jargon) {
					t.Errorf("%q speaks the parser's language (%s)", err, jargon)
				}
			}
		})
	}
}

func TestQuotedExpectationsAndBlockTextStayValid(t *testing.T) {
	dir := writeFiles(t, map[string]string{"golive.yaml": "extends: none\nsysctl:\n  net.core.somaxconn: \">= 65535\"\n" +
		"  vm.swappiness:\n    expect: '<= 10'\n    why: >\n      latency matters\n"})
	if _, err := resolveFile(t, filepath.Join(dir, "golive.yaml")); err != nil {
		t.Fatal(err)
	}
}

func TestNearest(t *testing.T) {
	keys := []string{"description", "extends", "rlimits", "sysctl", "name"}
	for in, want := range map[string]string{"descripton": "description", "rlimit": "rlimits", "sysctll": "sysctl", "Extends": "extends", "zzzzzz": "", "nme": "name"} {
		if got := Nearest(in, keys); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}
