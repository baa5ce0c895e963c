package packages

import (
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
)

// ecosystem says whose version rules apply: the database read decides.
type ecosystem string

const (
	dpkg ecosystem = "dpkg"
	rpm  ecosystem = "rpm"
)

// clause is one "op version" of a constraint.
type clause struct{ op, version string }

// constraint is every clause a version must meet; empty means any version.
type constraint []clause

// ops in the order they are tried, longest first.
var ops = []string{">=", "<=", "==", "!=", ">", "<", "="}

// parseConstraint reads "op version[, op version...]"; a bare version is
// ==, and = is ==.
func parseConstraint(s string) (constraint, error) {
	var c constraint
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		op := "=="
		for _, o := range ops {
			if strings.HasPrefix(part, o) {
				op, part = o, strings.TrimSpace(part[len(o):])
				break
			}
		}
		if op == "=" {
			op = "=="
		}
		if err := validVersion(part); err != nil {
			return nil, err
		}
		c = append(c, clause{op, part})
	}
	if len(c) > 16 {
		return nil, fmt.Errorf("%d clauses: at most 16", len(c))
	}
	return c, nil
}

// validVersion accepts a version as dpkg and rpm write them: printable
// text without blanks or commas, starting with a letter or digit.
func validVersion(v string) error {
	if v == "" {
		return fmt.Errorf("a clause without a version (write \">= 3.0\" or \">= 1.1, < 2\")")
	}
	if len(v) > 256 {
		return fmt.Errorf("a version longer than 256 bytes")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7f || c == ',' || strings.IndexByte("<>=!", c) >= 0 {
			return fmt.Errorf("%q is not a version (letters, digits and punctuation without blanks)", v)
		}
	}
	if c := v[0]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return fmt.Errorf("%q is not a version: it must start with a letter or digit", v)
	}
	return nil
}

func (c constraint) String() string {
	parts := make([]string, len(c))
	for i, cl := range c {
		parts[i] = cl.op + " " + cl.version
	}
	return strings.Join(parts, ", ")
}

// exact is the one version the constraint allows, when it names one.
func (c constraint) exact() (string, bool) {
	if len(c) == 1 && c[0].op == "==" {
		return c[0].version, true
	}
	return "", false
}

// met reports whether an installed version meets every clause, by the
// ecosystem's rules.
func (c constraint) met(eco ecosystem, installed string) bool {
	for _, cl := range c {
		n := compare(eco, installed, cl.version)
		var ok bool
		switch cl.op {
		case ">=":
			ok = n >= 0
		case ">":
			ok = n > 0
		case "<=":
			ok = n <= 0
		case "<":
			ok = n < 0
		case "==":
			ok = n == 0
		case "!=":
			ok = n != 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// compare orders an installed version against a constraint's, by the
// parts the constraint writes: without an epoch the installed epoch is
// left out, and without a release (rpm) or revision (dpkg) the installed
// one is, so ">= 3.0" fails for CentOS 7's openssl 1:1.0.2k-26.el7_9 and
// "== 3.0.7" holds for every release of 3.0.7 (rpm's dependency ranges
// drop the release the same way; they would count the epoch, which no
// upstream version number shows: docs/truth.md). What remains is compared
// by the ecosystem's rules: dpkg --compare-versions, rpm's rpmvercmp.
func compare(eco ecosystem, installed, want string) int {
	installed = trimTo(installed, want)
	if eco == dpkg {
		return facts.CompareDpkgVersions(installed, want)
	}
	return facts.CompareRPMVersions(installed, want)
}

// trimTo drops from an installed [epoch:]version[-release] the epoch and
// the release that want does not write.
func trimTo(installed, want string) string {
	wantEpoch, wantRest := splitEpoch(want)
	instEpoch, instRest := splitEpoch(installed)
	if !strings.Contains(wantRest, "-") {
		if i := strings.LastIndexByte(instRest, '-'); i >= 0 {
			instRest = instRest[:i]
		}
	}
	if wantEpoch == "" || instEpoch == "" {
		return instRest
	}
	return instEpoch + ":" + instRest
}

// splitEpoch splits "epoch:rest" where the epoch is digits.
func splitEpoch(v string) (epoch, rest string) {
	i := strings.IndexByte(v, ':')
	if i <= 0 || strings.Trim(v[:i], "0123456789") != "" {
		return "", v
	}
	return v[:i], v[i+1:]
}
