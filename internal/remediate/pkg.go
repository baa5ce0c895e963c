package remediate

import (
	"errors"
	"strings"
)

var errPackage = errors.New("a package action names apt, dnf or yum, a package name, an optional version and the state present or absent")

// checkPackage vets a package action: a known manager, and a name and
// version that the manager cannot read as an option or as two words.
func checkPackage(a Action) error {
	switch {
	case a.Manager != "apt" && a.Manager != "dnf" && a.Manager != "yum":
		return errPackage
	case a.State != "present" && a.State != "absent":
		return errPackage
	case !packageWord(a.Package) || a.Version != "" && (a.State == "absent" || !packageWord(a.Version)):
		return errPackage
	}
	return nil
}

// packageWord is a package name or version: printable, no blanks, no
// shell or glob characters a manager would expand, starting with a letter
// or digit.
func packageWord(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if i == 0 && !alnum || !alnum && !strings.ContainsRune("._+~^:-", rune(c)) {
			return false
		}
	}
	return true
}

// packageSpec is the package as the manager names a version of it: apt's
// name=version, dnf's and yum's name-[epoch:]version[-release].
func packageSpec(a Action) string {
	switch {
	case a.Version == "":
		return a.Package
	case a.Manager == "apt":
		return a.Package + "=" + a.Version
	}
	return a.Package + "-" + a.Version
}

// PackageArgv is the command a package action runs.
func PackageArgv(a Action) []string {
	tool := a.Manager
	if tool == "apt" {
		tool = "apt-get"
	}
	if a.State == "absent" {
		return []string{tool, "remove", "-y", a.Package}
	}
	argv := []string{tool, "install", "-y"}
	if a.Manager == "apt" && a.Version != "" {
		argv = append(argv, "--allow-downgrades")
	}
	return append(argv, packageSpec(a))
}
