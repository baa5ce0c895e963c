package depcheck

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

func TestLoadSecret(t *testing.T) {
	const secret = "s3cr3t-Pa55word"
	t.Setenv("GOLIVE_TEST_ETCD_PASSWORD", secret)
	t.Setenv("GOLIVE_TEST_EMPTY", "")
	h := hosttest.Root(t, map[string]string{
		"etc/golive/pw":       secret + "\n",
		"etc/golive/pw-crlf":  secret + "\r\n",
		"etc/golive/pw-two":   secret + "\n\n",
		"etc/golive/empty":    "\n",
		"etc/golive/huge":     strings.Repeat("x", MaxSecretSize+1),
		"etc/golive/link":     "->pw",
		"etc/golive/dir/file": "x",
	})
	good := []struct {
		name, env, file, want string
	}{
		{"environment", "GOLIVE_TEST_ETCD_PASSWORD", "", secret},
		{"file, one newline trimmed", "", "/etc/golive/pw", secret},
		{"file, CRLF", "", "/etc/golive/pw-crlf", secret},
		{"file, only one newline trimmed", "", "/etc/golive/pw-two", secret + "\n"},
		{"file through a symlink inside the root", "", "/etc/golive/link", secret},
	}
	for _, c := range good {
		got, err := LoadSecret(h, c.env, c.file)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v", c.name, got, err)
		}
	}
	bad := []struct {
		name, env, file, words string
		is                     error
	}{
		{"both", "GOLIVE_TEST_ETCD_PASSWORD", "/etc/golive/pw", "not both", nil},
		{"neither", "", "", "no secret", nil},
		{"unset variable", "GOLIVE_TEST_UNSET_VARIABLE", "", "GOLIVE_TEST_UNSET_VARIABLE is not set", nil},
		{"empty variable", "GOLIVE_TEST_EMPTY", "", "GOLIVE_TEST_EMPTY is empty", nil},
		{"missing file", "", "/etc/golive/nope", "secret file /etc/golive/nope", fs.ErrNotExist},
		{"empty file", "", "/etc/golive/empty", "is empty", nil},
		{"file over the limit", "", "/etc/golive/huge", "secret file /etc/golive/huge", host.ErrTooLarge},
		{"directory", "", "/etc/golive/dir", "secret file /etc/golive/dir", host.ErrNotRegular},
	}
	for _, c := range bad {
		_, err := LoadSecret(h, c.env, c.file)
		if err == nil || !strings.Contains(err.Error(), c.words) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.words)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error holds the secret: %v", c.name, err)
		}
	}
}

func TestRedact(t *testing.T) {
	cases := []struct {
		in      string
		secrets []string
		want    string
	}{
		{"user root password hunter2 failed", []string{"hunter2"}, "user root password *** failed"},
		{"a=pw b=pw", []string{"pw"}, "a=*** b=***"},
		{"nothing here", []string{""}, "nothing here"},
		{"pass and password", []string{"pass", "password"}, "*** and ***"},
		{"unchanged", nil, "unchanged"},
	}
	for _, c := range cases {
		if got := Redact(c.in, c.secrets...); got != c.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", c.in, c.secrets, got, c.want)
		}
	}
}
