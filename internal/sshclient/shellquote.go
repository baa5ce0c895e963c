package sshclient

import "strings"

// Quote makes s one word for a POSIX shell: single quotes around it, each
// single quote inside closed, escaped and reopened. Every argument of
// every remote command goes through here; nothing else builds shell text.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Command joins argv into one shell command line, every word quoted.
func Command(argv ...string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = Quote(a)
	}
	return strings.Join(q, " ")
}
