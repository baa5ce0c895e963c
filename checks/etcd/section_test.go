package etcd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/profile"
)

// buildErr resolves yaml and builds the etcd checks, returning the error.
func buildErr(t *testing.T, yaml string) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "golive.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Resolve(profile.Request{Profile: path})
	if err != nil {
		return err
	}
	_, err = build(p.Section(Kind), p)
	return err
}

func TestSectionErrors(t *testing.T) {
	const ep = "  endpoints: [https://10.0.0.11:2379]\n"
	cases := []struct {
		name, yaml, words string
		line              int
	}{
		{"inline password", "etcd:\n" + ep + "  username: root\n  password: hunter2-inline\n", "must not be written in the profile", 4},
		{"no endpoints", "etcd:\n  members: 3\n", "list at least one endpoint", 2},
		{"no scheme", "etcd:\n  endpoints: [10.0.0.11:2379]\n", "not an http:// or https:// URL", 2},
		{"a path", "etcd:\n  endpoints: [https://10.0.0.11:2379/v3]\n", "scheme://host:port only", 2},
		{"no port", "etcd:\n  endpoints: [https://10.0.0.11]\n", "give host:port", 2},
		{"twice", "etcd:\n  endpoints: [https://a:2379, https://a:2379]\n", "listed twice", 2},
		{"mixed schemes", "etcd:\n  endpoints: [https://a:2379, http://b:2379]\n", "mix of http:// and https://", 2},
		{"relative CA", "etcd:\n" + ep + "  ca_file: ca.pem\n", "absolute path", 3},
		{"cert without key", "etcd:\n" + ep + "  cert_file: /c.pem\n", "go together", 3},
		{"TLS files on http", "etcd:\n  endpoints: [http://a:2379]\n  ca_file: /ca.pem\n", "need https://", 3},
		{"username without password", "etcd:\n" + ep + "  username: root\n", "exactly one of password_env or password_file", 3},
		{"both password sources", "etcd:\n" + ep + "  username: root\n  password_env: A\n  password_file: /b\n", "exactly one of", 3},
		{"password without username", "etcd:\n" + ep + "  password_env: A\n", "need a username", 3},
		{"members out of range", "etcd:\n" + ep + "  members: 0\n", "out of range (1 to 9)", 3},
		{"tiny quota", "etcd:\n" + ep + "  quota_bytes: 1000\n", "out of range (1048576 to 1099511627776)", 3},
		{"unknown key", "etcd:\n" + ep + "  endpoint: https://x:1\n", "endpoint", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := buildErr(t, tc.yaml)
			var pe *profile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a profile error", err)
			}
			if !strings.Contains(pe.Msg, tc.words) || pe.Line != tc.line {
				t.Errorf("got line %d %q, want line %d with %q", pe.Line, pe.Msg, tc.line, tc.words)
			}
			if strings.Contains(err.Error(), "hunter2-inline") {
				t.Errorf("the error echoes the inline password: %v", err)
			}
		})
	}
}

func TestSectionDefaultsAndIDs(t *testing.T) {
	p := resolve(t, "etcd:\n  endpoints: [https://10.0.0.11:2379, 'https://etcd2.internal:2379/']\n")
	checks, err := build(p.Section(Kind), p)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID())
		if !c.Meta().Network {
			t.Errorf("%s: not marked Network, --offline would run it", c.ID())
		}
	}
	want := "etcd/endpoint:https://10.0.0.11:2379 etcd/endpoint:https://etcd2.internal:2379 etcd/cluster etcd/version"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("IDs %s, want %s", got, want)
	}
	if m := checks[2].Meta(); !strings.Contains(m.Expected, "3 voting members") {
		t.Errorf("default members: %s", m.Expected)
	}
	for _, id := range append(ids, "etcd/endpoint:https://x:2379") {
		if _, ok := explain(id); !ok {
			t.Errorf("explain(%s) knows nothing", id)
		}
	}
	if _, ok := explain("etcd/nope"); ok {
		t.Error("explain invents checks")
	}
}
