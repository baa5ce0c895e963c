package systemd

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
	"github.com/golive-sh/golive/internal/unit"
)

// dropIn is the drop-in golive owns for one aspect of a unit:
// 90-golive-<aspect>.conf, so that each fix is a whole file of its own (the
// rlimit family owns 90-golive.conf).
func dropIn(unitName, aspect string) string {
	return "/etc/systemd/system/" + unitName + ".d/90-golive-" + aspect + ".conf"
}

// overriddenBy names a drop-in applied after golive's that sets the key,
// which golive's drop-in cannot override.
func overriddenBy(f *unit.File, file, ours string) string {
	if file == "" || file == ours || path.Base(file) <= path.Base(ours) {
		return ""
	}
	for _, d := range f.DropIns {
		if d == file {
			return file
		}
	}
	return ""
}

// --- systemd/loaded:<unit>

type loadedCheck struct {
	engine.Base
	st *shared
}

func (c *loadedCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	m, skip := c.st.prepare(h)
	if skip != nil {
		return *skip
	}
	f, bad := c.st.loadUnit(h)
	if bad != nil {
		if bad.Observed == "not found" {
			bad.Message = "not found: " + bad.Message
			bad.Remediation = &remediate.Plan{Summary: "install " + c.st.name, Actions: []remediate.Action{
				remediate.Tell("install the package or copy the unit file that provides " + c.st.name + ", then systemctl daemon-reload")}}
		}
		if bad.Observed == "masked" {
			bad.Remediation = &remediate.Plan{Summary: "unmask " + c.st.name, Actions: []remediate.Action{
				remediate.Run("remove the /dev/null link that masks the unit", "systemctl", "unmask", c.st.name)}}
		}
		return *bad
	}
	res := engine.Result{Details: unitDetails(f)}
	res.Observed = "loaded from " + f.Path
	if n := len(f.DropIns); n > 0 {
		res.Observed += fmt.Sprintf(" + %d drop-in(s)", n)
	}
	if strings.HasSuffix(c.st.name, ".service") && len(words(f, "Service", "ExecStart")) == 0 && len(words(f, "Service", "ExecStop")) == 0 {
		res.Status = engine.Fail
		res.Message = "systemd refuses to load it: the service has no ExecStart= (\"Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.\")"
		return res
	}
	res.Status = engine.Pass
	res.Message = "found at " + f.Path
	if len(f.DropIns) > 0 {
		res.Message += " with drop-ins " + strings.Join(f.DropIns, ", ")
	}
	if len(f.Problems) > 0 {
		res.Status = engine.Warn
		res.Message += "; golive could not read: " + strings.Join(f.Problems, "; ") +
			" (systemd skips an unreadable drop-in, and only the bad lines of one it can parse: what these files set is not known to golive)"
	}
	if m == modeLive {
		lp, err := c.st.liveProps(ctx, h)
		if err != nil {
			res.Details["live_error"] = err.Error()
			res.Message += "; the running systemd could not be asked: " + err.Error()
			return res
		}
		res = judgeLoadState(res, lp, f)
	}
	return res
}

// judgeLoadState adds what the running systemd says about loading the
// unit: a LoadState other than loaded, or files changed since the last
// daemon-reload. NeedDaemonReload alone misses a drop-in directory created
// after the unit was loaded (systemd 252 watches only the directories it
// saw), so the drop-ins and the fragment the files give are also compared
// with DropInPaths and FragmentPath.
func judgeLoadState(res engine.Result, lp *liveProps, f *unit.File) engine.Result {
	load := unit.PropString(lp.unit, "LoadState")
	res.Details["load_state"] = load
	reload, _ := unit.PropBool(lp.unit, "NeedDaemonReload")
	res.Details["need_daemon_reload"] = reload
	stale := ""
	if load == "loaded" && f != nil {
		stale = loadedFilesDiffer(f, unit.PropString(lp.unit, "FragmentPath"), unit.PropStrings(lp.unit, "DropInPaths"))
	}
	switch {
	case load != "" && load != "loaded":
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("the running systemd reports LoadState=%s", load)
		if load == "not-found" {
			res.Message += ": the file exists but was never loaded — run systemctl daemon-reload"
			res.Remediation = reloadPlan()
		}
	case reload || stale != "":
		if res.Status == engine.Pass {
			res.Status = engine.Warn
		}
		if stale != "" {
			res.Details["need_daemon_reload"] = true
			res.Message += "; daemon-reload needed: " + stale
		} else {
			res.Message += "; daemon-reload needed: the unit's files changed since systemd loaded them"
		}
		res.Remediation = reloadPlan()
	}
	return res
}

// loadedFilesDiffer says how the unit's files differ from the ones the
// running systemd loaded; "" when they are the same files.
func loadedFilesDiffer(f *unit.File, fragment string, dropIns []string) string {
	var parts []string
	if fragment != "" && usrPath(fragment) != usrPath(f.Path) {
		parts = append(parts, fmt.Sprintf("systemd loaded %s, the files now give %s", fragment, f.Path))
	}
	loaded := map[string]bool{}
	for _, d := range dropIns {
		loaded[usrPath(d)] = true
	}
	files := map[string]bool{}
	var added, gone []string
	for _, d := range f.DropIns {
		files[usrPath(d)] = true
		if !loaded[usrPath(d)] {
			added = append(added, d)
		}
	}
	for _, d := range dropIns {
		if !files[usrPath(d)] {
			gone = append(gone, d)
		}
	}
	if len(added) > 0 {
		parts = append(parts, "the running systemd has not loaded "+strings.Join(added, ", "))
	}
	if len(gone) > 0 {
		parts = append(parts, "the running systemd still applies "+strings.Join(gone, ", ")+", which the files no longer have")
	}
	return strings.Join(parts, "; ")
}

// usrPath maps /lib/systemd to /usr/lib/systemd: on a merged-/usr system
// systemd may name either.
func usrPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "/lib/"); ok {
		return "/usr/lib/" + rest
	}
	return p
}

func unitDetails(f *unit.File) map[string]any {
	d := map[string]any{"unit": f.Name, "fragment": f.Path, "drop_ins": f.DropIns}
	if len(f.MaskedDropIns) > 0 {
		d["masked_drop_ins"] = f.MaskedDropIns
	}
	if len(f.Problems) > 0 {
		d["problems"] = f.Problems
	}
	return d
}

func reloadPlan() *remediate.Plan {
	return &remediate.Plan{Summary: "reload systemd's unit files", Actions: []remediate.Action{
		remediate.Run("make systemd load the changed unit files", "systemctl", "daemon-reload")}}
}

// unusable is a check's result when the unit itself is missing or masked:
// systemd/loaded reports it; the others cannot decide.
func unusable(bad engine.Result) engine.Result {
	if bad.Status == engine.Skip {
		return bad
	}
	return engine.Result{Status: engine.Error, Observed: bad.Observed, Message: "cannot judge the unit: " + bad.Message}
}

// liveDiff compares a setting of the files with what the running systemd
// has loaded; "" when they agree or the live value is unknown.
func liveDiff(key, file, live string) string {
	if live == "" || live == file {
		return ""
	}
	return fmt.Sprintf("daemon-reload needed: the files say %s=%s but the running systemd has %s=%s loaded", key, file, key, live)
}
