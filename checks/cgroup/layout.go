package cgroup

import (
	"sort"
	"strings"
)

// mode is how cgroups are mounted: the value cgroup/version reports and
// profiles expect.
type mode string

// The modes, as systemd names them in cgroup_setup_mode: unified (v2),
// hybrid (v1 controllers, plus a cgroup2 hierarchy for systemd's own
// process tracking) and legacy (v1).
const (
	v2     mode = "v2"
	hybrid mode = "hybrid"
	v1     mode = "v1"
	// none: nothing usable is mounted at /sys/fs/cgroup (a container
	// without its cgroup mount, a damaged root).
	none mode = "none"
)

// root is where systemd mounts cgroups.
const root = "/sys/fs/cgroup"

// unifiedPoints are where a hybrid system mounts its cgroup2 hierarchy:
// /sys/fs/cgroup/unified since systemd 233, /sys/fs/cgroup/systemd in
// systemd 232's "unified-systemd" mode.
var unifiedPoints = []string{root + "/unified", root + "/systemd"}

// v1Controllers are the controllers a v1 hierarchy's superblock options can
// name; every other option (rw, xattr, release_agent=...) is not one.
var v1Controllers = map[string]bool{
	"cpuset": true, "cpu": true, "cpuacct": true, "blkio": true, "memory": true, "devices": true,
	"freezer": true, "net_cls": true, "perf_event": true, "net_prio": true, "hugetlb": true,
	"pids": true, "rdma": true, "misc": true, "debug": true,
}

// layout is what the mount table says about cgroups.
type layout struct {
	mode mode
	// top is the mount visible at /sys/fs/cgroup (nil when none).
	top *mount
	// unified is the mount point of the cgroup2 hierarchy ("" when none).
	unified string
	// unifiedReadOnly: the cgroup2 hierarchy is mounted read-only.
	unifiedReadOnly bool
	// v1 maps each v1 controller, and named hierarchies as "name=systemd",
	// to the mount of its hierarchy.
	v1 map[string]mount
}

// describe is Mode with the mounts that show it, for Observed.
func (l layout) describe() string {
	switch l.mode {
	case v2:
		return "v2 (cgroup2 on " + root + ")"
	case hybrid:
		return "hybrid (tmpfs on " + root + ", v1 controllers " + strings.Join(l.v1Names(), ", ") + ", cgroup2 on " + l.unified + ")"
	case v1:
		return "v1 (" + l.top.fsType + " on " + root + ", controllers " + strings.Join(l.v1Names(), ", ") + ")"
	}
	if l.top != nil {
		return "none (" + l.top.fsType + " on " + root + " with no cgroup hierarchy)"
	}
	return "none (nothing mounted at " + root + ")"
}

// v1Names lists the v1 controllers, sorted, without named hierarchies.
func (l layout) v1Names() []string {
	var out []string
	for c := range l.v1 {
		if !strings.HasPrefix(c, "name=") {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// detect reads the cgroup layout from a mount table, as systemd decides it
// with statfs: cgroup2 at /sys/fs/cgroup is v2; tmpfs there with a cgroup2
// hierarchy at /sys/fs/cgroup/unified is hybrid; tmpfs with only v1
// hierarchies (or a v1 hierarchy mounted there directly) is v1. When a
// mount point is mounted over, the later line is the visible one.
func detect(mounts []mount) layout {
	l := layout{mode: none, v1: map[string]mount{}}
	// The visible mount at each point below /sys/fs/cgroup: the last one.
	visible := map[string]*mount{}
	for i := range mounts {
		m := &mounts[i]
		if m.point == root || strings.HasPrefix(m.point, root+"/") {
			visible[m.point] = m
		}
	}
	l.top = visible[root]
	if l.top == nil {
		return l
	}
	switch l.top.fsType {
	case "cgroup2":
		l.mode, l.unified, l.unifiedReadOnly = v2, root, l.top.readOnly
		return l
	case "cgroup":
		l.addV1(*l.top)
		l.mode = v1
		return l
	}
	// tmpfs (or anything else) holding one directory per hierarchy. Only
	// direct children count: a cgroup mounted deeper is not systemd's.
	points := make([]string, 0, len(visible))
	for p := range visible {
		points = append(points, p)
	}
	sort.Strings(points)
	for _, p := range points {
		m := visible[p]
		if p == root || strings.Contains(strings.TrimPrefix(p, root+"/"), "/") {
			continue
		}
		switch m.fsType {
		case "cgroup":
			l.addV1(*m)
		case "cgroup2":
			for _, u := range unifiedPoints {
				if p == u && l.unified == "" {
					l.unified, l.unifiedReadOnly = p, m.readOnly
				}
			}
		}
	}
	switch {
	case l.unified != "":
		l.mode = hybrid
	case len(l.v1) > 0:
		l.mode = v1
	}
	return l
}

func (l *layout) addV1(m mount) {
	for _, o := range m.super {
		if v1Controllers[o] || strings.HasPrefix(o, "name=") {
			if _, dup := l.v1[o]; !dup {
				l.v1[o] = m
			}
		}
	}
}
