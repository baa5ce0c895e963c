package sysctl

import globmatch "github.com/golive-sh/golive/internal/fnmatch"

// fnmatch matches one file name against one component of a glob as glibc's
// glob(3) does for systemd-sysctl (fnmatch.Match: FNM_PERIOD, backslash
// escapes, the C locale).
func fnmatch(pattern, name string) bool { return globmatch.Match(pattern, name) }
