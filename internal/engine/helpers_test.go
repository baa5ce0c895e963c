package engine

import (
	"errors"
	"testing"

	"github.com/golive-sh/golive/internal/profile"
)

func TestSkipNeedsRootKeepsWhatTheCheckKnew(t *testing.T) {
	res := SkipNeedsRoot(Result{Status: Fail, Expected: "65535", Details: map[string]any{"unit": "x.service"}}, errors.New("open /etc/shadow: permission denied"))
	if res.Status != Skip || res.Message != "needs root: open /etc/shadow: permission denied" {
		t.Errorf("got %s %q", res.Status, res.Message)
	}
	if res.Expected != "65535" || res.Details["unit"] != "x.service" {
		t.Errorf("lost what the check knew: %+v", res)
	}
	if got := NeedsRoot("cannot read the key /k.pem"); got != "needs root: cannot read the key /k.pem" {
		t.Errorf("NeedsRoot = %q", got)
	}
}

func TestMissStatusIsFailUnlessTheRuleSaysWarn(t *testing.T) {
	for level, want := range map[string]Status{profile.LevelWarn: Warn, profile.LevelFail: Fail, "": Fail} {
		if got := MissStatus(level); got != want {
			t.Errorf("MissStatus(%q) = %s, want %s", level, got, want)
		}
	}
}

func TestParseID(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ID
		ok   bool
	}{
		{"dns/config", ID{"dns", "config", ""}, true},
		{"sysctl/kernel.pid_max", ID{"sysctl", "kernel.pid_max", ""}, true},
		{"dns/resolve:example.com", ID{"dns", "resolve", "example.com"}, true},
		// The target keeps every "/" and ":" after the first ":".
		{"cert/file:/etc/ssl/x.pem", ID{"cert", "file", "/etc/ssl/x.pem"}, true},
		{"etcd/endpoint:https://10.0.0.1:2379", ID{"etcd", "endpoint", "https://10.0.0.1:2379"}, true},
		{"cgroup/unit:app.service/MemoryMax", ID{"cgroup", "unit", "app.service/MemoryMax"}, true},
		{"tls/endpoint:[::1]:443", ID{"tls", "endpoint", "[::1]:443"}, true},
		{"dns", ID{}, false},
		{"/config", ID{}, false},
		{"dns/", ID{}, false},
		{"dns/:x", ID{}, false},
		{"dns/resolve:", ID{}, false},
		{"", ID{}, false},
	} {
		got, ok := ParseID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseID(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("ParseID(%q).String() = %q, want the ID back", tt.in, got.String())
		}
	}
}

func TestCheckID(t *testing.T) {
	for _, tt := range []struct{ category, name, target, want string }{
		{"os", "distro", "", "os/distro"},
		{"libc", "compat", "/usr/bin/app", "libc/compat:/usr/bin/app"},
		{"rlimit", "unit", "app.service/nofile", "rlimit/unit:app.service/nofile"},
	} {
		if got := CheckID(tt.category, tt.name, tt.target); got != tt.want {
			t.Errorf("CheckID(%q, %q, %q) = %q, want %q", tt.category, tt.name, tt.target, got, tt.want)
		}
	}
}
