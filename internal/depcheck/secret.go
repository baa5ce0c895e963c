package depcheck

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// MaxSecretSize bounds a secret file.
const MaxSecretSize = 64 << 10

// LoadSecret reads a secret from the environment variable env or from the
// file (a path inside the host root); the profile sets exactly one. One
// trailing newline is trimmed (echo adds it). Errors name the variable or
// the path, never the value.
func LoadSecret(h *host.Host, env, file string) (string, error) {
	switch {
	case env != "" && file != "":
		return "", errors.New("give the secret by an environment variable or by a file, not both")
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", env)
		}
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", env)
		}
		return v, nil
	case file != "":
		data, err := h.ReadFileLimit(file, MaxSecretSize)
		if err != nil {
			return "", fmt.Errorf("secret file %s: %w", file, err)
		}
		s := strings.TrimSuffix(string(data), "\n")
		s = strings.TrimSuffix(s, "\r")
		clear(data)
		if s == "" {
			return "", fmt.Errorf("secret file %s is empty", file)
		}
		return s, nil
	}
	return "", errors.New("no secret: give an environment variable or a file")
}

// Redact replaces every occurrence of each non-empty secret in s with ***.
// Longer secrets go first, so a secret containing another is hidden whole.
func Redact(s string, secrets ...string) string {
	sorted := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		if sec != "" {
			sorted = append(sorted, sec)
		}
	}
	if len(sorted) == 0 {
		return s
	}
	// Insertion sort by length, longest first: there are one or two.
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && len(sorted[j]) > len(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	for _, sec := range sorted {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}
