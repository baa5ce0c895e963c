package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// v1Names maps a v2 controller to its v1 name where they differ.
var v1Names = map[string]string{"io": "blkio"}

type controllersCheck struct {
	engine.Base
	want  []string
	state *stateCache
}

func (c *controllersCheck) Run(_ context.Context, h *host.Host) engine.Result {
	st := c.state.get(h)
	res := engine.Result{Details: map[string]any{"required": c.want}}
	switch {
	case st.permErr != nil:
		return engine.SkipNeedsRoot(res, st.permErr)
	case st.err != nil:
		return fail(res, engine.Error, st.err.Error())
	case !st.runtime:
		return skip(res, "image: the kernel's controllers are known only on a running system (the root has no "+mountInfoPath+")")
	}
	l := st.layout
	res.Details["mode"] = string(l.mode)
	avail := map[string]string{} // v2 name -> where it was seen
	var sources []string
	if l.unified != "" {
		file := path.Join(l.unified, "cgroup.controllers")
		data, err := h.ReadFileLimit(file, maxKnobFile)
		switch {
		case h.NeedsRoot(err):
			return engine.SkipNeedsRoot(res, err)
		case errors.Is(err, fs.ErrNotExist):
			return fail(res, engine.Error, fmt.Sprintf("%s says cgroup2 is mounted at %s, but %s does not exist", mountInfoPath, l.unified, file))
		case err != nil:
			return fail(res, engine.Error, err.Error())
		}
		for _, ctl := range strings.Fields(string(data)) {
			avail[ctl] = file
		}
		sources = append(sources, file)
		res.Details["cgroup_controllers"] = strings.Fields(string(data))
		if sub, err := h.ReadFileLimit(path.Join(l.unified, "cgroup.subtree_control"), maxKnobFile); err == nil {
			res.Details["subtree_control"] = strings.Fields(string(sub))
		}
	}
	for _, ctl := range l.v1Names() {
		v2 := ctl
		for k, v := range v1Names {
			if v == ctl {
				v2 = k
			}
		}
		if _, ok := avail[v2]; !ok {
			avail[v2] = "v1 hierarchy " + l.v1[ctl].point
		}
	}
	if len(l.v1) > 0 {
		sources = append(sources, "the v1 hierarchies in "+mountInfoPath)
	}
	var missing []string
	for _, w := range c.want {
		if _, ok := avail[w]; !ok {
			missing = append(missing, w)
		}
	}
	var readOnly []string
	for _, w := range c.want {
		if _, ok := avail[w]; ok && controllerReadOnly(l, w) {
			readOnly = append(readOnly, w)
		}
	}
	all := make([]string, 0, len(avail))
	for k := range avail {
		all = append(all, k)
	}
	sort.Strings(all)
	res.Details["available"] = avail
	res.Details["missing"] = missing
	if len(readOnly) > 0 {
		res.Details["read_only"] = readOnly
	}
	res.Observed = c.observed(l, all, avail)
	switch {
	case l.mode == none:
		res.Status = engine.Fail
		res.Message = "no cgroup hierarchy is mounted at " + root + " (cgroup/version says more)"
	case len(missing) == 0 && len(readOnly) == 0:
		res.Status = engine.Pass
		res.Message = "all required controllers are available (" + strings.Join(sources, "; ") + ")"
		if strings.HasPrefix(avail["io"], "v1 hierarchy") {
			res.Message += "; on v1 io is the blkio controller"
		}
	case len(missing) == 0:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("%s mounted read-only: systemd cannot create a unit's cgroup or write its limits there, so the limits that need %s (MemoryMax=, CPUQuota=, TasksMax=, ...) are configured but cannot be enforced", strings.Join(readOnly, ", "), plural(readOnly))
		res.Remediation = &remediate.Plan{Summary: "make the " + strings.Join(readOnly, ", ") + " controller writable for systemd", Actions: []remediate.Action{remediate.Tell(
			"the hierarchies are read-only because whoever runs this system does not delegate them (a container runtime mounts the cgroups it keeps for itself read-only); " +
				"systemctl set-property cannot help. Run the container with its cgroups delegated (cgroup v2 with a writable subtree), or set the limits on the container from the host")}}
	default:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("missing %s: limits that need %s do nothing (systemd runs the service unlimited)", strings.Join(missing, ", "), plural(missing))
		res.Remediation = &remediate.Plan{Summary: "make the " + strings.Join(missing, ", ") + " controller available", Actions: []remediate.Action{remediate.Tell(
			"check the kernel command line (/proc/cmdline) for cgroup_disable=" + strings.Join(missing, ",") + " or cgroup_no_v1=, and the kernel configuration (CONFIG_MEMCG, CONFIG_CGROUP_SCHED with CFS bandwidth, CONFIG_BLK_CGROUP, CONFIG_CGROUP_PIDS); " +
				"on a hybrid host a controller bound to a v1 hierarchy is missing from cgroup v2. Remove the argument (grubby --update-kernel=ALL --remove-args=... or /etc/default/grub and update-grub) and reboot, or upgrade the kernel")}}
	}
	if p := st.problems(); len(p) > 0 {
		res.Details["mountinfo_problems"] = p
		res.Message += fmt.Sprintf("; %s has %d malformed line(s): a hierarchy on one of them is not seen", mountInfoPath, len(st.info.problems)+st.info.skipped)
		if res.Status == engine.Pass {
			res.Status = engine.Warn
		}
	}
	return res
}

func (c *controllersCheck) observed(l layout, all []string, avail map[string]string) string {
	if l.mode == none {
		return "none (nothing mounted at " + root + ")"
	}
	shown := make([]string, len(all))
	for i, a := range all {
		shown[i] = a
		if v1, ok := v1Names[a]; ok && strings.HasPrefix(avail[a], "v1 hierarchy") {
			shown[i] = a + " (" + v1 + ")"
		}
	}
	if len(shown) == 0 {
		return "none available"
	}
	return strings.Join(shown, ", ")
}

func plural(s []string) string {
	if len(s) == 1 {
		return "it"
	}
	return "them"
}

// controllerReadOnly reports whether the hierarchy that holds a controller
// is mounted read-only.
func controllerReadOnly(l layout, ctl string) bool {
	v1 := ctl
	if n, ok := v1Names[ctl]; ok {
		v1 = n
	}
	if m, ok := l.v1[v1]; ok {
		return m.readOnly
	}
	return l.unified != "" && l.unifiedReadOnly
}
