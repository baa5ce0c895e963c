package profile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

// writeFiles writes name -> content into a temp dir and returns the dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func resolveFile(t *testing.T, path string) (*Profile, error) {
	t.Helper()
	return Resolve(Request{Profile: path})
}

// wantError asserts err is a *Error at file:line whose message holds part.
func wantError(t *testing.T, err error, file string, line int, part string) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want *profile.Error", err, err)
	}
	if pe.File != file || pe.Line != line {
		t.Errorf("error at %s:%d, want %s:%d (%v)", pe.File, pe.Line, file, line, err)
	}
	prefix := fmt.Sprintf("%s:%d: ", file, line)
	if line == 0 {
		prefix = file + ": "
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("Error() = %q, want prefix %q", err.Error(), prefix)
	}
	if !strings.Contains(pe.Msg, part) {
		t.Errorf("message %q does not mention %q", pe.Msg, part)
	}
}

// nonexistentOS is an os-release no built-in profile can claim, whatever
// the built-in match rules say.
var nonexistentOS = host.OSRelease{ID: "nonexistent-distro", VersionID: "0.0.0-test", PrettyName: "Nothing"}

func TestStrictParsingErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		part    string
	}{
		{
			name:    "unknown key in facts",
			content: "name: t\nfacts:\n  distro: X\n  glibcc: \"2.17\"\n",
			line:    4, part: `unknown key "glibcc"`,
		},
		{
			name:    "unknown key in service",
			content: "service:\n  unit: a.service\n  usr: app\n",
			line:    3, part: `unknown key "usr"`,
		},
		{
			name:    "unknown key in options",
			content: "options:\n  parallell: 4\n",
			line:    2, part: `unknown key "parallell"`,
		},
		{
			name:    "unknown key in match",
			content: "match:\n  - id: centos\n    version: \"7\"\n",
			line:    3, part: `unknown key "version"`,
		},
		{
			name:    "fact as a mapping",
			content: "name: t\nfacts:\n  glibc: {version: 2.17}\n",
			line:    3, part: "expected ",
		},
		{
			name:    "fact as a block mapping",
			content: "facts:\n  distro: X\n  glibc:\n    version: 2.17\n",
			line:    4, part: "expected ",
		},
		{
			name:    "number where a list is expected",
			content: "service:\n  binaries: 5\n",
			line:    2, part: "expected ",
		},
		{
			name:    "word where a number is expected",
			content: "options:\n  format: json\n  parallel: many\n",
			line:    3, part: "expected ",
		},
		{
			name:    "facts as a scalar",
			content: "name: t\nfacts: rhel\n",
			line:    2, part: "expected ",
		},
		{
			name:    "name as a mapping",
			content: "name:\n  first: a\n",
			line:    2, part: "expected a string",
		},
		{
			name:    "extends as a list",
			content: "extends: [a, b]\n",
			line:    1, part: "expected a string",
		},
		{
			name:    "syntax error",
			content: "name: t\ndescription: d\nsysctl: a: b\n",
			line:    3, part: "mapping values are not allowed",
		},
		{
			name:    "unterminated flow sequence",
			content: "name: t\nsysctl: [\n",
			line:    2, part: "did not find expected node content",
		},
		{
			name:    "tab indentation",
			content: "name: t\nsysctl:\n\tvm.swappiness: 1\n",
			line:    3, part: "cannot start any token",
		},
		{
			name:    "duplicate top-level key",
			content: "name: t\nsysctl:\n  a: 1\nfacts: {}\nsysctl:\n  b: 2\n",
			line:    5, part: `key "sysctl" already defined at line 2`,
		},
		{
			name:    "duplicate nested key",
			content: "sysctl:\n  vm.swappiness: 1\n  net.core.somaxconn: 2\n  vm.swappiness: 3\n",
			line:    4, part: `key "vm.swappiness" already defined at line 2`,
		},
		{
			name:    "anchor",
			content: "sysctl: &base\n  a: 1\nother: 2\n",
			line:    1, part: "anchors and aliases",
		},
		{
			name:    "alias",
			content: "facts:\n  distro: X\nsysctl:\n  a: 1\n  b: *x\n",
			line:    0, part: "unknown anchor", // yaml.v3 gives no line for this one
		},
		{
			name:    "anchor and alias",
			content: "sysctl:\n  a: &v \">= 1\"\n  b: *v\n",
			line:    2, part: "anchors and aliases",
		},
		{
			name:    "merge key",
			content: "sysctl:\n  <<: {a: 1}\n",
			line:    2, part: "merge keys",
		},
		{
			name:    "non-scalar key",
			content: "sysctl:\n  ? [a, b]\n  : 1\n",
			line:    2, part: "mapping keys must be plain strings",
		},
		{
			name:    "sequence document",
			content: "- sysctl\n- facts\n",
			line:    1, part: "a profile is a mapping",
		},
		{
			name:    "scalar document",
			content: "\n\njust a string\n",
			line:    3, part: "a profile is a mapping",
		},
		{
			name:    "second document",
			content: "name: t\n---\nsysctl:\n  a: 1\n",
			line:    2, part: "one YAML document",
		},
		{
			name:    "syntax error in a second document",
			content: "name: t\n---\nsysctl: [\n",
			line:    3, part: "did not find expected node content",
		},
		{
			name:    "nested too deep",
			content: "deep: " + strings.Repeat("[", 70) + strings.Repeat("]", 70) + "\n",
			line:    1, part: "deeper than 64",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"t.yaml": tt.content})
			file := filepath.Join(dir, "t.yaml")
			p, err := resolveFile(t, file)
			if err == nil {
				t.Fatalf("Resolve succeeded (%+v), want an error", p)
			}
			wantError(t, err, file, tt.line, tt.part)
		})
	}
}

func TestTooLargeProfile(t *testing.T) {
	big := "# " + strings.Repeat("x", MaxProfileSize) + "\n"
	dir := writeFiles(t, map[string]string{"big.yaml": big})
	_, err := resolveFile(t, filepath.Join(dir, "big.yaml"))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("error = %v, want a *profile.Error about size", err)
	}
}

func TestMissingProfileFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := resolveFile(t, file)
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("error = %v, want a *profile.Error naming the file", err)
	}
}

func TestEmptyProfilesAreValid(t *testing.T) {
	for name, content := range map[string]string{
		"empty.yaml":    "",
		"comment.yaml":  "# nothing here yet\n",
		"nullmap.yaml":  "{}\n",
		"reserved.yaml": "name: only-a-name\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{name: content})
			p, err := resolveFile(t, filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sections) != 0 {
				t.Errorf("Sections = %v, want none", p.Sections)
			}
			if !reflect.DeepEqual(p.Chain, []string{name}) {
				t.Errorf("Chain = %v, want [%s]", p.Chain, name)
			}
			if p.Fallback {
				t.Error("Fallback set for a profile chosen by path")
			}
			if _, err := p.YAML(); err != nil {
				t.Errorf("YAML(): %v", err)
			}
		})
	}
}

func TestStandaloneProfileDecodesSharedParts(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.yaml": `name: myprofile
description: A test profile
extends: none
facts:
  distro: Test OS
  family: rhel
  ca_update_command: [update-ca-trust, extract]
  sysctl_defaults:
    net.core.somaxconn: "4096"
service:
  unit: myapp.service
  binaries: [/opt/myapp/bin/myapp]
options:
  parallel: 8
  offline: true
  only: [sysctl]
sysctl:
  net.core.somaxconn: ">= 65535"
os:
  kernel: ">= 3.10"
`})
	p, err := resolveFile(t, filepath.Join(dir, "p.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "myprofile" || p.Description != "A test profile" || p.MatchedBy != "chosen with --profile" {
		t.Errorf("Name %q Description %q MatchedBy %q", p.Name, p.Description, p.MatchedBy)
	}
	wantFacts := Facts{Distro: "Test OS", Family: "rhel"}
	if !reflect.DeepEqual(p.Facts, wantFacts) {
		t.Errorf("Facts = %+v, want %+v", p.Facts, wantFacts)
	}
	if got, want := testUpdateCommand.Get(p), []string{"update-ca-trust", "extract"}; !reflect.DeepEqual(got, want) {
		t.Errorf("facts.ca_update_command = %q, want %q", got, want)
	}
	if got, want := testSysctlDefaults.Get(p), map[string]string{"net.core.somaxconn": "4096"}; !reflect.DeepEqual(got, want) {
		t.Errorf("facts.sysctl_defaults = %v, want %v", got, want)
	}
	if p.Service.Unit != "myapp.service" || !reflect.DeepEqual(p.Service.Binaries, []string{"/opt/myapp/bin/myapp"}) {
		t.Errorf("Service = %+v", p.Service)
	}
	if p.Options.Parallel != 8 || !p.Options.Offline || !reflect.DeepEqual(p.Options.Only, []string{"sysctl"}) {
		t.Errorf("Options = %+v", p.Options)
	}
	var kinds []string
	for _, s := range p.Sections {
		kinds = append(kinds, s.Kind)
	}
	if !reflect.DeepEqual(kinds, []string{"sysctl", "os"}) {
		t.Errorf("Sections = %v, want [sysctl os] (reserved keys are not sections)", kinds)
	}
	if p.Section("os") == nil || p.Section("nope") != nil {
		t.Error("Section() lookup")
	}
	file := filepath.Join(dir, "p.yaml")
	if got := p.Where(p.Section("sysctl")); got != file+":18" {
		t.Errorf("Where(sysctl) = %q, want %s:18", got, file)
	}
	out, err := p.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name: myprofile", "chain: [p.yaml]", "net.core.somaxconn"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("YAML() lacks %q:\n%s", want, out)
		}
	}
	for _, gone := range []string{"extends:", "match:"} {
		if strings.Contains(string(out), gone) {
			t.Errorf("YAML() still has %q:\n%s", gone, out)
		}
	}
}

func TestDecodeStrictAndErrorfNameTheFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.yaml": "extends: none\nmine:\n  a: 1\n  b: 2\n"})
	file := filepath.Join(dir, "p.yaml")
	p, err := resolveFile(t, file)
	if err != nil {
		t.Fatal(err)
	}
	sec := p.Section("mine")
	var v struct {
		A int `yaml:"a"`
	}
	wantError(t, p.DecodeStrict(sec, &v), file, 4, `unknown key "b"`)
	wantError(t, p.Errorf(sec.Content[1], "bad %s", "value"), file, 3, "bad value")
}
