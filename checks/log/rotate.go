package logs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// rotateCheck judges one log file (path), or every file the service's
// unit sends its output to (unitName).
type rotateCheck struct {
	engine.Base
	set      settings
	path     string
	unitName string
}

type logrotateKey struct{}

// logrotateConfig is the logrotate configuration, read once per run.
func logrotateConfig(h *host.Host) *Config {
	return facts.Memo(h, logrotateKey{}, loadLogrotate)
}

// verdict is one log file's judgement.
type verdict struct {
	path    string
	status  engine.Status
	message string
	cover   Cover
	lacks   []string // what the covering rule lacks
	unsure  string   // a postrotate golive cannot read the intent of
}

func (c *rotateCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	paths := []string{c.path}
	if c.unitName != "" {
		targets, err := unitLogFiles(h, c.unitName)
		switch {
		case errors.Is(err, unit.ErrNotFound):
			res.Status, res.Message = engine.Skip, c.unitName+" is not installed under this root: its log files are not known"
			return res
		case err != nil && h.NeedsRoot(err):
			return engine.SkipNeedsRoot(res, err)
		case err != nil:
			res.Status, res.Message = engine.Error, err.Error()
			return res
		}
		if len(targets) == 0 {
			res.Status, res.Observed = engine.Pass, "no file: output"
			res.Message = c.unitName + " sends StandardOutput= and StandardError= to the journal (no file:, append: or truncate: target): log/journald is what keeps them"
			return res
		}
		paths = targets
		res.Details["unit_files"] = strings.Join(targets, " ")
	}
	conf := logrotateConfig(h)
	run := logrotateRuns(h)
	res.Details["runner"] = run.describe()
	res.Details["config_files"] = len(conf.Read)
	if conf.Missing {
		res.Status = engine.MissStatus(c.M.Level)
		res.Observed = "no " + logrotateConf
		res.Message = logrotateConf + " does not exist: logrotate is not installed, so nothing rotates " + strings.Join(paths, ", ")
		res.Remediation = &remediate.Plan{Summary: "install logrotate", Actions: []remediate.Action{
			remediate.Tell("install the logrotate package (yum/dnf install logrotate, apt-get install logrotate), then run golive again"),
		}}
		return res
	}
	var vs []verdict
	for _, p := range paths {
		vs = append(vs, c.judge(h, conf, p))
	}
	return c.combine(h, res, conf, run, vs)
}

// unitLogFiles are the files the unit's StandardOutput= and
// StandardError= name (file:, append:, truncate:; systemd.exec(5)).
func unitLogFiles(h *host.Host, name string) ([]string, error) {
	f, err := facts.Unit(h, name)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, key := range []string{"StandardOutput", "StandardError"} {
		v, ok := f.Last("Service", key)
		if !ok {
			continue
		}
		kind, p, found := strings.Cut(v, ":")
		if !found || (kind != "file" && kind != "append" && kind != "truncate") || !strings.HasPrefix(p, "/") {
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// reopens matches a postrotate script that signals or restarts the
// writer: kill/pkill/killall with a signal, systemctl reload or
// restart, invoke-rc.d, a service's own reopen command.
var reopens = regexp.MustCompile(`\b(kill|pkill|killall|reload|restart|try-restart|reload-or-restart|invoke-rc\.d|reopen|reopen-logs|flush-logs|graceful|rsyslog-rotate|SIGHUP|SIGUSR1|SIGUSR2|HUP|USR1|USR2)\b`)

// firstLine is a script's first non-blank line, for messages.
func firstLine(script string) string {
	for _, l := range strings.Split(script, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return "empty"
}

// judge finds the rule that covers p and what it lacks.
func (c *rotateCheck) judge(h *host.Host, conf *Config, p string) verdict {
	v := verdict{path: p}
	cov, ok := conf.covering(h, p)
	if !ok {
		v.status = engine.MissStatus(c.M.Level)
		v.message = "no logrotate rule covers " + p
		if why := cutBy(conf, p); why != "" {
			v.message += " (" + why + ")"
		}
		return v
	}
	v.cover = cov
	s := cov.Block.Settings
	where := fmt.Sprintf("%q at %s", strings.Join(cov.Block.Patterns, " "), cov.Block.Where())
	switch {
	case s.CopyTruncate:
	case s.HasPostRotate && c.unitName != "" && !restartsUnit(s.PostRotate, c.unitName):
		v.lacks = append(v.lacks, fmt.Sprintf("copytruncate: systemd opened %s for the unit and only a restart reopens it, which the postrotate script does not do", p))
	case s.HasPostRotate && !reopens.MatchString(s.PostRotate):
		v.unsure = fmt.Sprintf("golive cannot tell whether the postrotate script (%s) makes the writer reopen the log", firstLine(s.PostRotate))
	case s.HasPostRotate:
	case s.Copy:
		v.lacks = append(v.lacks, "copytruncate: copy leaves the log itself to grow")
	case c.unitName != "":
		v.lacks = append(v.lacks, fmt.Sprintf("copytruncate: systemd opened %s for the unit when it started, and nothing reopens it, so the service keeps writing to the rotated file", p))
	default:
		v.lacks = append(v.lacks, "copytruncate or a postrotate that reopens the file: the service keeps writing to the rotated file, and its space is not freed")
	}
	if s.Rotate < 0 && s.MaxAge == 0 {
		v.lacks = append(v.lacks, "a bound on the rotated files: rotate -1 without maxage keeps every one")
	}
	var warns []string
	if v.unsure != "" {
		warns = append(warns, v.unsure)
	}
	if s.Rotate == 0 {
		warns = append(warns, "rotate 0 keeps no rotated copy: the previous log is deleted at each rotation")
	}
	if s.Criterion != "size" && s.MaxSize == 0 {
		warns = append(warns, fmt.Sprintf("no size bound (size or maxsize): between two %s runs the log grows unbounded", s.Criterion))
	}
	switch {
	case len(v.lacks) > 0:
		v.status = engine.MissStatus(c.M.Level)
		v.message = fmt.Sprintf("%s is rotated by %s, which lacks %s", p, where, strings.Join(v.lacks, "; and "))
	case len(warns) > 0:
		v.status = engine.Warn
		v.message = fmt.Sprintf("%s is rotated by %s, but %s", p, where, strings.Join(warns, "; "))
	default:
		v.status = engine.Pass
		v.message = fmt.Sprintf("%s is rotated by %s (%s)", p, where, describeSettings(s))
	}
	if cov.Pending {
		v.message += "; the file does not exist yet, the rule matches it once it does"
	}
	return v
}

// restartsUnit reports whether a script restarts the unit (systemctl
// restart NAME, with or without .service).
func restartsUnit(script, unitName string) bool {
	base := strings.TrimSuffix(unitName, ".service")
	return strings.Contains(script, "restart") && strings.Contains(script, base)
}

// cutBy says why a path matched by a pattern is not covered: an entry's
// list ended at a duplicate before reaching it.
func cutBy(conf *Config, p string) string {
	for _, b := range append(slices.Clone(conf.Blocks), conf.Dropped...) {
		for _, pat := range b.Patterns {
			if !matchesPattern(pat, p) && pat != p {
				continue
			}
			if slices.Contains(conf.Dropped, b) {
				return fmt.Sprintf("the entry at %s names it but logrotate drops that entry for an error in it", b.Where())
			}
			if b.Cut {
				return fmt.Sprintf("the entry at %s names it but a duplicate log entry ended that entry's list first", b.Where())
			}
		}
	}
	return ""
}

func describeSettings(s Settings) string {
	var parts []string
	if s.Criterion == "size" {
		parts = append(parts, fmt.Sprintf("size %s", humanBytes(s.Size)))
	} else {
		parts = append(parts, s.Criterion)
	}
	if s.MaxSize > 0 {
		parts = append(parts, "maxsize "+humanBytes(s.MaxSize))
	}
	parts = append(parts, fmt.Sprintf("rotate %d", s.Rotate))
	if s.MaxAge > 0 {
		parts = append(parts, fmt.Sprintf("maxage %d", s.MaxAge))
	}
	if s.CopyTruncate {
		parts = append(parts, "copytruncate")
	} else if s.HasPostRotate {
		parts = append(parts, "postrotate")
	}
	return strings.Join(parts, ", ")
}

// combine folds the files' verdicts and logrotate's runner into one result.
func (c *rotateCheck) combine(h *host.Host, res engine.Result, conf *Config, run runner, vs []verdict) engine.Result {
	res.Status = engine.Pass
	var msgs, observed, uncovered []string
	rules := []any{}
	for _, v := range vs {
		msgs = append(msgs, v.message)
		if worse(v.status, res.Status) {
			res.Status = v.status
		}
		if v.cover.Block == nil {
			observed = append(observed, v.path+": no rule")
			uncovered = append(uncovered, v.path)
			rules = append(rules, map[string]any{"path": v.path})
			continue
		}
		b := v.cover.Block
		observed = append(observed, fmt.Sprintf("%s: %s (%s)", v.path, b.Where(), describeSettings(b.Settings)))
		rules = append(rules, map[string]any{"path": v.path, "rule": strings.Join(b.Patterns, " "), "at": b.Where(),
			"settings": describeSettings(b.Settings), "pending": v.cover.Pending})
	}
	res.Details["rules"] = rules
	if len(conf.Problems) > 0 {
		res.Details["logrotate_errors"] = strings.Join(conf.Problems, "; ")
	}
	res.Observed = strings.Join(observed, "; ")
	res.Message = strings.Join(msgs, "; ")
	if !run.runs() {
		res.Status = engine.MissStatus(c.M.Level)
		res.Message += "; and logrotate never runs: " + run.describe()
	}
	res.Remediation = c.plan(h, conf, vs, uncovered, run)
	if res.Status != engine.Pass && len(conf.Denied) > 0 {
		// A rule golive could not read may be the one that covers the
		// file: only root can tell.
		return engine.SkipNeedsRoot(res, conf.Denied[0])
	}
	return res
}

// worse orders statuses for a check over several files.
func worse(a, b engine.Status) bool {
	rank := map[engine.Status]int{engine.Pass: 0, engine.Warn: 1, engine.Fail: 2, engine.Error: 3}
	return rank[a] > rank[b]
}

// plan: a golive-owned logrotate file for the uncovered paths, a manual
// step for rules that lack something, and the runner.
func (c *rotateCheck) plan(h *host.Host, conf *Config, vs []verdict, uncovered []string, run runner) *remediate.Plan {
	var acts []remediate.Action
	if len(uncovered) > 0 {
		// One file for the service: every check that finds a file
		// uncovered writes the same content, listing all of them.
		file := goliveRotateFile(h, conf, c.set.service)
		acts = append(acts, remediate.Action{Kind: remediate.DropIn, Path: file, Content: safeRule(allUncovered(h, conf, c.set, file))})
	}
	for _, v := range vs {
		if v.cover.Block == nil {
			continue
		}
		if len(v.lacks) > 0 {
			acts = append(acts, remediate.Tell(fmt.Sprintf("in %s, the entry for %s: add copytruncate (or a postrotate that reopens the log) and a bound (rotate N, maxsize); it lacks %s",
				v.cover.Block.Where(), v.path, strings.Join(v.lacks, "; "))))
		} else if v.status == engine.Warn {
			acts = append(acts, remediate.Tell(fmt.Sprintf("in %s, the entry for %s: keep a few rotated copies (rotate 7) and bound the size (maxsize 100M)", v.cover.Block.Where(), v.path)))
		}
	}
	if !run.runs() {
		acts = append(acts, run.fix(c.set.runner))
	}
	if len(acts) == 0 {
		return nil
	}
	return &remediate.Plan{Summary: "rotate " + strings.Join(pathsOf(vs), ", ") + " with logrotate", Actions: acts}
}

func pathsOf(vs []verdict) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.path)
	}
	return out
}

// safeRule is the entry golive writes for files no rule covers: rotated
// daily and at 100M, seven copies, copied and truncated in place so the
// writer keeps its file descriptor (logrotate(8)).
func safeRule(paths []string) string {
	var b strings.Builder
	b.WriteString(goliveMark + " for checks log/rotate:*: the service's log files (logrotate(8)).\n")
	b.WriteString(strings.Join(paths, " "))
	b.WriteString(" {\n    daily\n    rotate 7\n    maxsize 100M\n    missingok\n    notifempty\n    compress\n    delaycompress\n    copytruncate\n}\n")
	return b.String()
}

// goliveMark starts every file golive writes.
const goliveMark = "# Written by golive"

// goliveRotateFile is the logrotate file golive writes for the service:
// /etc/logrotate.d/<service>, unless a file of that name is someone
// else's (a package's or the admin's, which the fix must not replace):
// then golive-<service>.
func goliveRotateFile(h *host.Host, conf *Config, service string) string {
	p := "/etc/logrotate.d/" + service
	if _, err := h.Lstat(p); err != nil || conf.Golive[p] {
		return p
	}
	return "/etc/logrotate.d/golive-" + service
}

// allUncovered are the service's log files (log.paths and the unit's
// output files) that no rule covers, or that golive's own file (which the
// fix rewrites whole) covers, in that order.
func allUncovered(h *host.Host, conf *Config, set settings, own string) []string {
	paths := slices.Clone(set.paths)
	if set.unit != "" {
		if targets, err := unitLogFiles(h, set.unit); err == nil {
			for _, t := range targets {
				if !slices.Contains(paths, t) {
					paths = append(paths, t)
				}
			}
		}
	}
	var out []string
	for _, p := range paths {
		if cov, ok := conf.covering(h, p); !ok || cov.Block.File == own {
			out = append(out, p)
		}
	}
	return out
}
