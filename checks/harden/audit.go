package harden

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

const (
	auditdUnit = "auditd.service"
	// maxRulesFile bounds one rules file (RHEL's STIG sample is 10 KiB).
	maxRulesFile = 1 << 20
	// maxRulesFiles bounds the rules.d files read.
	maxRulesFiles = 256
)

// auditState is what the files say auditd loads at its next start.
type auditState struct {
	UnitFound bool
	State     string   // enabled, disabled, masked, not-installed
	Links     []string //
	// Source is how the rules are assembled: "augenrules" (rules.d merged
	// into audit.rules by auditd.service's ExecStartPost=) or rulesFile.
	Source string
	Files  []string
	Rules  []auditRule
	// Stale: audit.rules is not what augenrules makes of rules.d now.
	Stale    bool
	Problems []string
	// Err is a read that stops the judgement (rules.d unreadable).
	Err error
}

type auditKey struct{}

func readAudit(h *host.Host) *auditState {
	return facts.Memo(h, auditKey{}, loadAudit)
}

func loadAudit(h *host.Host) *auditState {
	st := &auditState{State: "not-installed"}
	f, err := facts.Unit(h, auditdUnit)
	viaAugenrules := true
	switch {
	case err == nil:
		st.UnitFound = true
		st.State, st.Links = facts.Enablement(h, f)
		viaAugenrules = runsAugenrules(f)
	case !errors.Is(err, unit.ErrNotFound):
		st.Problems = append(st.Problems, err.Error())
	}
	entries, err := h.ReadDir(rulesDir)
	switch {
	case err == nil && viaAugenrules:
		st.Source = "augenrules"
		m, rerr := readRulesDir(h, entries)
		if rerr != nil {
			st.Err = rerr
			return st
		}
		st.Files = m.Files
		for _, l := range m.Lines() {
			st.Rules = append(st.Rules, parseRule(l))
		}
		if data, err := h.ReadFileLimit(rulesFile, maxRulesFile); err == nil && string(data) != m.Text() {
			st.Stale = true
		}
		return st
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		st.Err = err
		return st
	}
	st.Source = rulesFile
	data, err := h.ReadFileLimit(rulesFile, maxRulesFile)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			st.Err = err
		}
		return st
	}
	st.Files = []string{rulesFile}
	for _, l := range splitRuleLines(rulesFile, data) {
		st.Rules = append(st.Rules, parseRule(l))
	}
	return st
}

// runsAugenrules reports whether auditd.service merges rules.d at start:
// an ExecStartPost= naming augenrules (RHEL 7 and later, Debian, Ubuntu).
// A unit without one loads audit.rules as it is.
func runsAugenrules(f *unit.File) bool {
	for _, v := range f.Values("Service", "ExecStartPost") {
		if strings.Contains(v, "augenrules") {
			return true
		}
	}
	return false
}

// readRulesDir reads the *.rules files of rules.d in augenrules' order.
func readRulesDir(h *host.Host, entries []fs.DirEntry) (mergedRules, error) {
	var names []string
	for _, e := range entries {
		if rulesFileName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sortRules(names)
	if len(names) > maxRulesFiles {
		names = names[:maxRulesFiles]
	}
	var files []rulesSource
	for _, n := range names {
		p := rulesDir + "/" + n
		data, err := h.ReadFileLimit(p, maxRulesFile)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return mergedRules{}, err
			}
			// cat says so on stderr and goes on; so does augenrules.
			continue
		}
		files = append(files, rulesSource{Name: p, Data: data})
	}
	return mergeRules(files), nil
}

// splitRuleLines are the lines of a rules file auditctl -R reads.
func splitRuleLines(file string, data []byte) []ruleLine {
	var out []ruleLine
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		out = append(out, ruleLine{Text: l, File: file, Line: i + 1})
	}
	return out
}

// --- harden/audit:<path>

type auditCheck struct {
	engine.Base
	t auditTarget
}

func (c *auditCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"perms": c.t.perms}}
	p := c.t.path
	if p == "" {
		bin, err := execStartBinary(h, c.t.unit)
		if err != nil {
			res.Status, res.Message = engine.Error, err.Error()
			return res
		}
		p = bin
	}
	res.Details["path"] = p
	st := readAudit(h)
	res.Details["auditd"] = st.State
	res.Details["auditd_links"] = st.Links
	res.Details["source"] = st.Source
	res.Details["files"] = st.Files
	if st.Err != nil {
		if h.NeedsRoot(st.Err) {
			return engine.SkipNeedsRoot(res, st.Err)
		}
		res.Status, res.Message = engine.Error, st.Err.Error()
		return res
	}
	cov := cover(st.Rules, p)
	res.Details["recorded"] = cov.Perms
	var by []string
	for _, l := range cov.By {
		by = append(by, where(l))
	}
	res.Details["rules"] = by
	res.Details["enabled_flag"] = cov.Enabled
	res.Observed = fmt.Sprintf("auditd %s; %s records %q for %s", st.State, st.source(), cov.Perms, p)
	miss := missing(c.t.perms, cov.Perms)
	var notes []string
	if st.Stale {
		notes = append(notes, rulesFile+" differs from what augenrules makes of "+rulesDir+" (auditd's next start rewrites it; auditctl -l shows what is loaded now)")
	}
	if cov.Enabled == "2" {
		notes = append(notes, "-e 2 makes the rules immutable once loaded: a change needs a reboot")
	}
	notes = append(notes, st.Problems...)
	status := engine.MissStatus(c.t.level)
	off := auditOff(facts.NextBoot(h).Line)
	switch {
	case off != "":
		res.Status = status
		res.Message = "the next boot's kernel command line has " + off + ": the kernel audits nothing and auditd.service does not start (ConditionKernelCommandLine=!audit=0)"
		res.Remediation = &remediate.Plan{Summary: "boot with auditing", Reboot: true, Actions: []remediate.Action{remediate.Tell(
			"remove " + off + " from the kernel command line (grubby --update-kernel=ALL --remove-args=audit on RHEL; GRUB_CMDLINE_LINUX in /etc/default/grub and update-grub on Debian/Ubuntu) and reboot")}}
	case st.State != "enabled":
		res.Status = status
		res.Message = "auditd is " + strings.ReplaceAll(st.State, "-", " ") + ": nothing records executions or file access"
		res.Remediation = c.plan(p, miss, st)
	case cov.Enabled == "0":
		res.Status = status
		res.Message = "the rules end with -e 0: auditing is disabled when they load"
		res.Remediation = &remediate.Plan{Summary: "enable auditing", Actions: []remediate.Action{remediate.Tell("remove the -e 0 line from " + st.source() + " (or make it -e 1), then augenrules --load")}}
	case cov.Silenced != nil:
		res.Status = status
		res.Message = "a never rule at " + where(*cov.Silenced) + " comes first on the exit list: the kernel stops there, so no later rule records " + p
		res.Remediation = c.plan(p, c.t.perms, st)
	case miss != "":
		res.Status = status
		res.Message = fmt.Sprintf("no rule records %q access to %s", miss, p)
		if cov.Perms != "" {
			res.Message += " (" + cov.Perms + " is recorded by " + strings.Join(by, ", ") + ")"
		}
		res.Remediation = c.plan(p, miss, st)
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("auditd is enabled and %s records %q access to %s", strings.Join(by, ", "), c.t.perms, p)
	}
	// The loaded rules are compared when the files' verdict is only about
	// the rules (auditd enabled, auditing on, nothing silencing the path).
	plain := off == "" && st.State == "enabled" && cov.Enabled != "0" && cov.Silenced == nil
	if h.Live() && plain {
		c.judgeLoaded(h, &res, p, miss, status)
	} else if h.Live() {
		notes = append(notes, "the loaded rules are not compared while the files already fail")
	}
	if len(notes) > 0 {
		res.Message += "; " + strings.Join(notes, "; ")
	}
	if !h.Live() {
		res.Message += "; judged from the files (an image has no loaded rules)"
	}
	return res
}

// judgeLoaded compares the rules loaded in the kernel (auditctl -l) with
// the files, like sysctl's runtime and boot values: recorded by the files
// but not loaded is not recorded now; loaded but not in the files is lost
// at the next boot.
func (c *auditCheck) judgeLoaded(h *host.Host, res *engine.Result, p, fileMiss string, status engine.Status) {
	l := readLoadedAudit(h)
	if l.Err != nil {
		if h.NeedsRoot(l.Err) || !h.Privileged() {
			res.Message += "; the loaded rules were not read (reading them needs root: " + l.Err.Error() + ")"
		} else {
			res.Message += "; the loaded rules were not read: " + l.Err.Error() + " (the kernel answers only in the initial network namespace)"
		}
		return
	}
	lcov := cover(l.Rules, p)
	lmiss := missing(c.t.perms, lcov.Perms)
	res.Details["loaded_recorded"] = lcov.Perms
	res.Details["loaded_enabled"] = l.Enabled
	var lby []string
	for _, r := range lcov.By {
		lby = append(lby, fmt.Sprintf("%q", r.Text))
	}
	switch {
	case fileMiss == "" && l.Enabled == 0:
		res.Status = status
		res.Message = "the files record it, but auditing is off in the running kernel (auditctl -s: enabled 0; auditd is not running or ran with -e 0)"
		res.Remediation = &remediate.Plan{Summary: "start auditing now", Actions: []remediate.Action{
			remediate.Run("start auditd, which loads the rules and enables auditing", "systemctl", "start", auditdUnit)}}
	case fileMiss == "" && lmiss != "":
		res.Status = status
		res.Message = fmt.Sprintf("the files record %q access to %s but the loaded rules do not record %q (not loaded since they changed)", c.t.perms, p, lmiss)
		res.Remediation = &remediate.Plan{Summary: "load the rules", Actions: []remediate.Action{
			remediate.Run("merge rules.d into audit.rules and load it", "augenrules", "--load")}}
	case fileMiss != "" && lmiss == "":
		res.Message += fmt.Sprintf("; the loaded rules record it now (%s) but the files do not: it is lost at the next boot", strings.Join(lby, ", "))
	case fileMiss == "":
		res.Message += fmt.Sprintf("; loaded too (%s)", strings.Join(lby, ", "))
	}
}

func (st *auditState) source() string {
	if st.Source == "augenrules" {
		return rulesDir + " (as augenrules merges it)"
	}
	return rulesFile
}

func where(l ruleLine) string {
	if l.File == "" {
		return fmt.Sprintf("%q", l.Text)
	}
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// watchRule is the rule the fix writes: a watch with the access types.
func watchRule(p, perms string) string {
	return fmt.Sprintf("-w %s -p %s -k golive", p, perms)
}

// rulesName is the rules.d file golive owns for a path.
func rulesName(p string) string {
	name := strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, p), "-.")
	return rulesDir + "/golive-" + name + ".rules"
}

func (c *auditCheck) plan(p, perms string, st *auditState) *remediate.Plan {
	if perms == "" {
		perms = c.t.perms
	}
	pl := &remediate.Plan{Summary: "make auditd record " + perms + " access to " + p}
	if st.State == "not-installed" {
		pl.Actions = append(pl.Actions, remediate.Tell("install auditd (RHEL: dnf install audit; Debian/Ubuntu: apt-get install auditd)"))
	}
	pl.Actions = append(pl.Actions, remediate.Action{Kind: remediate.DropIn, Path: rulesName(p),
		Content: "## golive: record " + perms + " access to " + p + " (auditctl(8) -w ... -p)\n" + watchRule(p, perms) + "\n"})
	if st.State != "enabled" {
		pl.Actions = append(pl.Actions, remediate.Run("start auditd at boot", "systemctl", "enable", auditdUnit))
	}
	pl.Actions = append(pl.Actions, remediate.Run("merge rules.d into audit.rules and load it", "augenrules", "--load"))
	return pl
}

// auditOff is the audit=0 (or audit=off) of a kernel command line, the
// last audit= winning; "" when auditing is not turned off.
func auditOff(line string) string {
	v := ""
	for _, w := range strings.Fields(line) {
		if w == "--" {
			break
		}
		if strings.HasPrefix(w, "audit=") {
			v = w
		}
	}
	if v == "audit=0" || v == "audit=off" {
		return v
	}
	return ""
}

// execStartBinary is the program of the unit's last ExecStart=.
func execStartBinary(h *host.Host, name string) (string, error) {
	f, err := facts.Unit(h, name)
	if err != nil {
		return "", err
	}
	v, ok := f.Last("Service", "ExecStart")
	if !ok {
		return "", fmt.Errorf("%s has no ExecStart=: no binary to watch", name)
	}
	words := strings.Fields(v)
	bin := strings.TrimLeft(words[0], "@-:+!|")
	if !strings.HasPrefix(bin, "/") {
		return "", fmt.Errorf("%s: ExecStart= names %q, not an absolute path; name the binary in service.binaries", name, bin)
	}
	return path.Clean(bin), nil
}
