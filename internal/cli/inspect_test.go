package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestListShowsTheResolvedProfile(t *testing.T) {
	code, out, errb := runInProcess(t, "list", "--root", "../../testdata/roots/centos-7")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"profile centos-7 (linux -> centos-7)", "os/eol", "sysctl/net.ipv4.tcp_tw_reuse", "== 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("list misses %q:\n%s", want, out)
		}
	}
	code, out, _ = runInProcess(t, "list", "--root", "../../testdata/roots/rocky-9", "--format", "json")
	var listed struct {
		Profile string `json:"profile"`
		Checks  []struct {
			ID, Expected, Level, Source string
		} `json:"checks"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &listed) != nil || listed.Profile != "rocky-9" || len(listed.Checks) == 0 {
		t.Fatalf("list --format json: exit %d %q", code, out)
	}
	for _, c := range listed.Checks {
		if strings.HasPrefix(c.ID, "sysctl/") && !strings.HasPrefix(c.Source, "builtin:") {
			t.Errorf("%s: source %q should name the profile file and line", c.ID, c.Source)
		}
	}
}

func TestExplainGivesEveryBuiltinsExpectation(t *testing.T) {
	code, out, errb := runInProcess(t, "explain", "sysctl/net.ipv4.tcp_tw_reuse", "--root", "../../testdata/roots/rocky-9")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"Reads:", "/proc/sys/net/ipv4/tcp_tw_reuse", "Why it matters:", "How it is fixed:",
		"centos-7", "== 1", "rocky-9", "in [1, 2]", "ubuntu-22.04", "this host: linux -> rocky-9"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain misses %q:\n%s", want, out)
		}
	}
	// An ID no profile checks is still explained by its family.
	code, out, _ = runInProcess(t, "explain", "sysctl/kernel.pid_max")
	if code != 0 || !strings.Contains(out, "/proc/sys/kernel/pid_max") || !strings.Contains(out, "not checked") {
		t.Errorf("explain of an unprofiled key: exit %d\n%s", code, out)
	}
}

func TestProfilesListAndShow(t *testing.T) {
	code, out, _ := runInProcess(t, "profiles")
	for _, name := range []string{"linux", "centos-7", "ubuntu-22.04", "rocky-9"} {
		if code != 0 || !strings.Contains(out, name) {
			t.Errorf("profiles misses %s: %q", name, out)
		}
	}
	code, out, errb := runInProcess(t, "profiles", "show", "rocky-9")
	if code != 0 || !strings.Contains(out, "chain: [linux, rocky-9]") || !strings.Contains(out, "net.core.somaxconn") || !strings.Contains(out, "eol: \"2032-05-31\"") {
		t.Errorf("profiles show rocky-9: exit %d %s\n%s", code, errb, out)
	}
	code, out, _ = runInProcess(t, "profiles", "show", "auto", "--root", "../../testdata/roots/ubuntu-22.04")
	if code != 0 || !strings.Contains(out, "name: ubuntu-22.04") {
		t.Errorf("profiles show auto: exit %d\n%s", code, out)
	}
	if code, _, errb = runInProcess(t, "profiles", "show", "hpux"); code != 2 || !strings.Contains(errb, "no built-in profile") {
		t.Errorf("unknown profile: exit %d %q", code, errb)
	}
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, _ := runInProcess(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "golive") {
			t.Errorf("completion %s: exit %d", shell, code)
		}
	}
}

func TestExplainLibc(t *testing.T) {
	code, out, _ := runInProcess(t, "explain", "libc/libs:/opt/app/bin/app")
	if code != 0 || !strings.Contains(out, "ld.so.cache is not parsed") || !strings.Contains(out, "$ORIGIN") {
		t.Errorf("explain libc/libs: exit %d\n%s", code, out)
	}
}

// TestProfilesShowNeverEchoesAnInlinePassword: show validates the
// families' sections as check does, so a password written into a profile
// (a profile error) is refused with file:line, not printed back.
func TestProfilesShowNeverEchoesAnInlinePassword(t *testing.T) {
	cfg := writeConfig(t, "extends: auto\netcd:\n  endpoints: [https://127.0.0.1:2379]\n  username: root\n  password: hunter2-inline\n")
	code, out, stderr := runInProcess(t, "profiles", "show", "rocky-9", "--config", cfg)
	if code != 2 || !strings.Contains(stderr, cfg+":5") {
		t.Errorf("exit %d, stderr %q; want 2 naming %s:5", code, stderr, cfg)
	}
	if strings.Contains(out+stderr, "hunter2-inline") {
		t.Errorf("the password was printed:\n%s%s", out, stderr)
	}
}
