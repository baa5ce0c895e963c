package rlimit

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/host"
)

// Priorities of pam_limits' sources (LIMITS_DEF_*): a lower number wins,
// and a line of equal priority overrides an earlier one.
const (
	srcUser     = 0
	srcGroup    = 1
	srcAllGroup = 2
	srcAll      = 3
	srcDefault  = 4
	srcNone     = 6
)

var sourceNames = map[int]string{srcUser: "user", srcGroup: "group", srcDefault: "*"}

// setting is the value pam_limits holds for one side of a limit.
type setting struct {
	value uint64
	src   int
	from  entry
}

// loginLimits is what pam_limits sets for one user.
type loginLimits struct {
	soft, hard map[string]setting // by resource name; absent: not set (inherited)
	// noLimits is the "<domain> -" line that made pam_limits set nothing.
	noLimits *entry
	// files are the files read, in order; Problems the lines skipped.
	files    []string
	problems []string
	// fatal are files pam_limits cannot read: it then fails the session
	// ("error parsing the configuration file") and the login is refused.
	fatal []string
	// needsRoot are files golive may not read as a non-root user.
	needsRoot []string
}

// pamConfig is what pam_limits reads on a host: every entry in order.
type pamConfig struct {
	entries   []entry
	files     []string
	problems  []string
	fatal     []string
	needsRoot []string
	bytes     int
	syntax    lineSyntax
	flavor    pamFlavor // the build, settled for this host
	// pid1 is /proc/1/limits by resource, which Debian's pam_limits
	// starts every session from (read only for that flavor).
	pid1      map[string]Limit
	pid1State pid1State
	pid1Err   string
}

// loadPamConfig reads limits.conf and limits.d/*.conf under the root as the
// distro's pam_limits reads them.
func loadPamConfig(h *host.Host, f pamFlavor) *pamConfig {
	f = f.forHost(h)
	c := &pamConfig{syntax: f.syntax(), flavor: f}
	if f.setAll() {
		c.readPID1(h)
	}
	c.read(h, limitsConf, true)
	entries, err := h.ReadDir(limitsDir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			// glob(GLOB_ERR) fails: pam_limits reads no limits.d file.
			c.problems = append(c.problems, fmt.Sprintf("%s: %v (pam_limits reads none of its files)", limitsDir, err))
		}
		return c
	}
	count := 0
	for _, e := range entries { // ReadDir sorts by name: the C locale's order
		name := e.Name()
		if !strings.HasSuffix(name, ".conf") || strings.HasPrefix(name, ".") {
			continue
		}
		if count++; count > maxLimitsFiles {
			c.problems = append(c.problems, fmt.Sprintf("%s: more than %d files; the rest are not read", limitsDir, maxLimitsFiles))
			break
		}
		c.read(h, limitsDir+"/"+name, false)
	}
	return c
}

func (c *pamConfig) read(h *host.Host, p string, main bool) {
	if c.bytes >= maxLimitsBytes {
		c.problems = append(c.problems, p+": not read (more than 16 MiB of limits files)")
		return
	}
	data, err := h.ReadFileLimit(p, maxLimitsFile)
	c.bytes += len(data)
	switch {
	case err == nil:
	case errors.Is(err, host.ErrNotRegular) && isDir(h, p):
		// glob matches a directory called x.conf; reading it yields no line.
		return
	case h.NeedsRoot(err):
		c.needsRoot = append(c.needsRoot, err.Error())
		return
	default:
		c.fatal = append(c.fatal, fmt.Sprintf("%s (%v)", p, reason(err)))
		return
	}
	c.files = append(c.files, p)
	entries, problems := parseLimits(p, data, c.syntax)
	c.entries = append(c.entries, entries...)
	c.problems = append(c.problems, problems...)
}

// readPID1 reads /proc/1/limits under the root. An image has no running
// PID 1 (pid1Unknown); on a running system a failure is what pam_limits
// meets too.
func (c *pamConfig) readPID1(h *host.Host) {
	data, err := h.ReadFileLimit("/proc/1/limits", maxProcLimits)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist) && !h.Live():
		c.pid1State = pid1Unknown
		return
	default:
		c.pid1State, c.pid1Err = pid1Unreadable, err.Error()
		return
	}
	rows, _ := ParseProcLimits(data)
	c.pid1, c.pid1State = map[string]Limit{}, pid1Read
	for name, r := range resources {
		if l, ok := rows[r.proc]; ok {
			c.pid1[name] = l
		}
	}
}

// reason is the error without the path a *fs.PathError repeats.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isDir(h *host.Host, p string) bool {
	fi, err := h.Stat(p)
	return err == nil && fi.IsDir()
}

// resolveLogin applies the entries to a user as parse_config_file does.
// With rootExempt (Debian's patch 027, also in Ubuntu) a user of uid 0
// skips "*", "@group" and "%group" lines; a "@" or "%" domain with a range
// then falls through to the uid-range test, so "@0:" applies to root as a
// uid range. The patch leaves "<domain> -" lines alone.
func (c *pamConfig) resolveLogin(a *account, rootExempt bool) *loginLimits {
	out := &loginLimits{soft: map[string]setting{}, hard: map[string]setting{},
		files: c.files, problems: append([]string(nil), c.problems...), fatal: c.fatal, needsRoot: c.needsRoot}
	root := rootExempt && a.known && a.uid == 0
	for i := range c.entries {
		e := c.entries[i]
		if e.noLimits {
			if noLimitsFor(e.Domain, a) {
				out.noLimits = &e
				return out
			}
			continue
		}
		src, ok := matchDomain(e.Domain, a, root)
		if !ok {
			continue
		}
		if p := out.apply(e, src); p != "" {
			out.problems = append(out.problems, p)
		}
	}
	return out
}

// matchDomain is parse_config_file's choice of source for a domain of a
// complete line, or false when the line does not apply to the user. root
// is Debian's pl->root.
func matchDomain(domain string, a *account, root bool) (int, bool) {
	rng, lo, hi, ok := parseRange(domain)
	if !ok {
		return 0, false // "invalid uid range": skipped
	}
	switch {
	case domain == a.name:
		return srcUser, true
	case strings.HasPrefix(domain, "@") && !root:
		switch rng {
		case rangeNone:
			return srcGroup, a.inGroup(domain[1:])
		case rangeOne:
			return srcGroup, a.inGID(hi)
		case rangeMinMax:
			return srcGroup, a.known && a.gid >= lo && a.gid <= hi
		case rangeMin:
			return srcGroup, a.known && a.gid >= lo
		}
	case strings.HasPrefix(domain, "%") && !root:
		// "%" and "%group" apply to maxlogins only; pam_limits ignores them
		// for every limit golive checks.
		return srcAll, false
	}
	switch rng {
	case rangeNone:
		return srcDefault, domain == "*" && !root
	case rangeOne:
		return srcUser, a.known && a.uid == hi
	case rangeMinMax:
		return srcUser, a.known && a.uid >= lo && a.uid <= hi
	case rangeMin:
		return srcUser, a.known && a.uid >= lo
	}
	return 0, false
}

// noLimitsFor is parse_config_file's test of a "<domain> -" line: the
// user's own name, a group (by name, gid or primary-gid range) or a uid
// range; never "*".
func noLimitsFor(domain string, a *account) bool {
	rng, lo, hi, ok := parseRange(domain)
	if !ok {
		return false
	}
	if domain == a.name {
		return true
	}
	if strings.HasPrefix(domain, "@") {
		switch rng {
		case rangeNone:
			return a.inGroup(domain[1:])
		case rangeOne:
			return a.inGID(hi)
		case rangeMinMax:
			return a.known && a.gid >= lo && a.gid <= hi
		case rangeMin:
			return a.known && a.gid >= lo
		}
	}
	switch rng {
	case rangeOne:
		return a.known && a.uid == hi
	case rangeMinMax:
		return a.known && a.uid >= lo && a.uid <= hi
	case rangeMin:
		return a.known && a.uid >= lo
	}
	return false
}

const (
	rangeNone = iota
	rangeOne
	rangeMin
	rangeMinMax
)

// parseRange is pam_limits' parse_uid_range: "min:max", ":exact", "min:"
// after an optional "@" or "%", each number read by strtoul (leading
// spaces and a sign allowed, the whole text must be used) and stored in a
// 32-bit uid_t. ok is false for a malformed range.
func parseRange(domain string) (kind int, lo, hi uint64, ok bool) {
	i := strings.IndexByte(domain, ':')
	if i < 0 {
		return rangeNone, 0, 0, true
	}
	r := domain
	if r[0] == '@' || r[0] == '%' {
		r = r[1:]
		i--
	}
	minText, maxText := r[:i], r[i+1:]
	kind = rangeMinMax
	if minText == "" {
		kind = rangeOne
	} else {
		v, ok := cStrtoul(minText)
		if !ok {
			return 0, 0, 0, false
		}
		lo = uint64(uint32(v))
	}
	if maxText == "" {
		if kind == rangeOne {
			return 0, 0, 0, false
		}
		return rangeMin, lo, 0, true
	}
	v, ok := cStrtoul(maxText)
	if !ok {
		return 0, 0, 0, false
	}
	hi = uint64(uint32(v))
	if kind == rangeOne {
		lo = hi
	}
	return kind, lo, hi, true
}

// cStrtoul is strtoul(s, &end, 10) that must consume all of s without
// ERANGE: leading whitespace and one sign are taken, a minus negates.
func cStrtoul(s string) (uint64, bool) {
	t := strings.TrimLeft(s, cSpace)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if t == "" {
		return 0, false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// apply is process_limit for one matching entry. It returns a problem when
// pam_limits would ignore the line.
func (l *loginLimits) apply(e entry, src int) string {
	r, ok := lookupResource(e.Item)
	if !ok {
		if knownPamItem(e.Item) {
			return ""
		}
		return fmt.Sprintf("%s: unknown item %q (pam_limits ignores the line)", e.where(), e.Item)
	}
	var soft, hard bool
	switch e.Type {
	case "soft":
		soft = true
	case "hard":
		hard = true
	case "-":
		soft, hard = true, true
	default:
		return fmt.Sprintf("%s: unknown type %q (soft, hard or -; pam_limits ignores the line)", e.where(), e.Type)
	}
	v, err := parsePamValue(e.Value)
	if err != nil {
		return fmt.Sprintf("%s: %v (pam_limits ignores the line)", e.where(), err)
	}
	if r.kib && v != Infinity {
		if v >= Infinity/1024 {
			v = Infinity
		} else {
			v *= 1024
		}
	}
	s := setting{value: v, src: src, from: e}
	// process_limit returns at the first side a stronger source holds:
	// a "-" line blocked on its soft side does not set the hard side.
	if soft {
		if cur, ok := l.soft[r.name]; ok && cur.src < src {
			return ""
		}
		l.soft[r.name] = s
	}
	if hard {
		if cur, ok := l.hard[r.name]; ok && cur.src < src {
			return ""
		}
		l.hard[r.name] = s
	}
	return ""
}

// knownPamItem reports items pam_limits knows that golive does not check.
func knownPamItem(item string) bool {
	switch item {
	case "cpu", "nice", "rttime", "maxlogins", "maxsyslogins", "priority", "nonewprivs", "chroot":
		return true
	}
	return false
}
