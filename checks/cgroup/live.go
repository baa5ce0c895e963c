package cgroup

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"path"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// liveState says what the running system shows for a knob.
type liveState int

const (
	liveValue       liveState = iota // Amount is what the kernel enforces
	liveNotRunning                   // the unit has no cgroup: it is not running
	liveNoView                       // no running system to ask (an image)
	liveUnsupported                  // the knob does not exist in this mode
)

type live struct {
	state  liveState
	amount amount
	raw    string // the file's text, one line
	file   string // the file read ("" when none)
	note   string
	// readOnly: the hierarchy that holds the knob is mounted read-only
	// (a container that is not delegated its cgroups): systemd cannot
	// create the unit's cgroup or write the limit, so nothing enforces it.
	readOnly bool
}

// v1Unlimited is where memory.limit_in_bytes starts meaning "no limit":
// the kernel shows PAGE_COUNTER_MAX pages, LONG_MAX rounded down to the
// page size (9223372036854771712 with 4 KiB pages; lower with 64 KiB).
var v1Unlimited = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 63), big.NewInt(1<<16))

const maxKnobFile = 4096

// cgroupPath is the unit's cgroup below the hierarchy's root:
// "system.slice/goservice.service". An instance of a template lives in
// the template's own slice unless Slice= says otherwise
// ("system.slice/system-getty.slice/getty@tty1.service").
func cgroupPath(unitName, slice string) (string, error) {
	if slice == "" {
		slice = "system.slice"
		if at := strings.IndexByte(unitName, '@'); at > 0 {
			slice = "system-" + unitName[:at] + ".slice"
		}
	}
	sp, err := slicePath(slice)
	if err != nil {
		return "", err
	}
	return path.Join(sp, unitName), nil
}

// slicePath expands a slice name into its place in the tree, as systemd's
// slice_build_subslice does: "a-b-c.slice" is "a.slice/a-b.slice/a-b-c.slice";
// "-.slice" is the root.
func slicePath(slice string) (string, error) {
	name, ok := strings.CutSuffix(slice, ".slice")
	if !ok || name == "" || strings.ContainsAny(name, "/\x00") || len(slice) > 256 {
		return "", fmt.Errorf("unit setting Slice=%q is not a slice name", clip(slice))
	}
	if name == "-" {
		return "", nil
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") || strings.Contains(name, "--") {
		return "", fmt.Errorf("unit setting Slice=%q is not a valid slice name", clip(slice))
	}
	var parts []string
	for i := 0; i < len(name); i++ {
		if name[i] == '-' {
			parts = append(parts, name[:i]+".slice")
		}
	}
	return path.Join(append(parts, slice)...), nil
}

// readLive reads the knob from the unit's live cgroup. The unit counts as
// running when its cgroup exists in the hierarchy systemd tracks processes
// in (cgroup2, or name=systemd on v1).
func readLive(h *host.Host, st *state, k knob, cg string) (live, error) {
	if !st.runtime {
		return live{state: liveNoView, note: "image: no running system"}, nil
	}
	l := st.layout
	v1Mount, onV1 := l.v1[k.Controller]
	if k.V2Only && (onV1 || l.mode == v1) {
		return live{state: liveUnsupported, note: "the " + k.Controller + " controller is on a cgroup v1 hierarchy, which has no " + k.Name}, nil
	}
	running, err := unitRunning(h, l, cg)
	if err != nil {
		return live{}, err
	}
	if !running {
		return live{state: liveNotRunning, note: "the unit has no cgroup: it is not running"}, nil
	}
	if onV1 {
		lv, err := readV1(h, v1Mount, k, cg)
		lv.readOnly = v1Mount.readOnly
		if err == nil && lv.readOnly && lv.note != "" {
			lv.note = fmt.Sprintf("the v1 %s hierarchy is mounted read-only (%s): systemd cannot create the unit's cgroup or write %s there, so nothing enforces it", k.Controller, v1Mount.point, k.Name)
		}
		return lv, err
	}
	if l.unified == "" {
		return live{state: liveNoView, note: "no hierarchy holds the " + k.Controller + " controller"}, nil
	}
	file := path.Join(l.unified, cg, k.Name)
	raw, err := readKnob(h, file)
	if errors.Is(err, fs.ErrNotExist) && l.unifiedReadOnly {
		return live{state: liveValue, amount: *unlimitedOf(k), file: file, readOnly: true,
			note: "the cgroup2 hierarchy is mounted read-only (" + l.unified + "): systemd cannot enable the " + k.Controller + " controller or write " + k.Name + ", so nothing enforces it"}, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		// The controller is not enabled for this cgroup (its parent's
		// cgroup.subtree_control lacks it): nothing limits the unit.
		return live{state: liveValue, amount: *unlimitedOf(k), file: file,
			note: "no " + k.Name + " file: the " + k.Controller + " controller is not enabled for this cgroup, so nothing limits it"}, nil
	}
	if err != nil {
		return live{}, err
	}
	a, err := parseV2(k, raw)
	if err != nil {
		return live{}, fmt.Errorf("%s: %w", file, err)
	}
	return live{state: liveValue, amount: a, raw: raw, file: file}, nil
}

func unlimitedOf(k knob) *amount {
	if k.Unset != nil {
		return k.Unset
	}
	return &amount{Max: true}
}

func unitRunning(h *host.Host, l layout, cg string) (bool, error) {
	var dirs []string
	if l.unified != "" {
		dirs = append(dirs, path.Join(l.unified, cg))
	}
	if m, ok := l.v1["name=systemd"]; ok {
		if rel, ok := below(m.root, cg); ok {
			dirs = append(dirs, path.Join(m.point, rel))
		}
	}
	for _, d := range dirs {
		fi, err := h.Stat(d)
		switch {
		case err == nil && fi.IsDir():
			return true, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return false, err
		}
	}
	return false, nil
}

// below maps a cgroup path to a path inside a mount whose root is root (a
// container sees only its part of the tree).
func below(root, cg string) (string, bool) {
	if root == "/" {
		return cg, true
	}
	rel, ok := strings.CutPrefix("/"+cg, root+"/")
	return rel, ok
}

func readV1(h *host.Host, m mount, k knob, cg string) (live, error) {
	rel, ok := below(m.root, cg)
	if !ok {
		return live{state: liveNoView, note: fmt.Sprintf("the %s hierarchy is mounted from %s, which does not hold the unit", k.Controller, m.root)}, nil
	}
	dir := path.Join(m.point, rel)
	if _, err := h.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return live{state: liveValue, amount: amount{Max: true}, file: dir,
			note: "no cgroup of its own in the v1 " + k.Controller + " hierarchy: nothing limits it there"}, nil
	} else if err != nil {
		return live{}, err
	}
	switch k.Name {
	case "memory.max":
		file := dir + "/memory.limit_in_bytes"
		raw, err := readKnob(h, file)
		if err != nil {
			return live{}, err
		}
		n, ok := new(big.Int).SetString(raw, 10)
		if !ok || n.Sign() < 0 {
			return live{}, fmt.Errorf("%s: %q is not a number of bytes", file, clip(raw))
		}
		if n.Cmp(v1Unlimited) >= 0 {
			return live{state: liveValue, amount: amount{Max: true}, raw: raw, file: file}, nil
		}
		return live{state: liveValue, amount: amount{V: new(big.Rat).SetInt(n)}, raw: raw, file: file}, nil
	case "cpu.max":
		qf, pf := dir+"/cpu.cfs_quota_us", dir+"/cpu.cfs_period_us"
		quota, err := readKnob(h, qf)
		if err != nil {
			return live{}, err
		}
		period, err := readKnob(h, pf)
		if err != nil {
			return live{}, err
		}
		if quota == "-1" {
			return live{state: liveValue, amount: amount{Max: true}, raw: "-1 " + period, file: qf}, nil
		}
		a, err := cores(quota, period)
		if err != nil {
			return live{}, fmt.Errorf("%s: %w", qf, err)
		}
		return live{state: liveValue, amount: a, raw: quota + " " + period, file: qf}, nil
	}
	file := dir + "/" + k.Name
	raw, err := readKnob(h, file)
	if err != nil {
		return live{}, err
	}
	a, err := parseV2(k, raw)
	if err != nil {
		return live{}, fmt.Errorf("%s: %w", file, err)
	}
	return live{state: liveValue, amount: a, raw: raw, file: file}, nil
}

func readKnob(h *host.Host, file string) (string, error) {
	data, err := h.ReadFileLimit(file, maxKnobFile)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(data))
	if s == "" || strings.ContainsAny(s, "\n") {
		return "", fmt.Errorf("%s: not a single value", file)
	}
	return s, nil
}

// parseV2 reads a cgroup v2 interface file: "max" or a number; cpu.max is
// "$MAX $PERIOD" with $MAX "max" or a quota in microseconds.
func parseV2(k knob, raw string) (amount, error) {
	if k.Q == coresQ {
		f := strings.Fields(raw)
		if len(f) != 2 {
			return amount{}, fmt.Errorf("%q is not \"quota period\"", clip(raw))
		}
		if f[0] == "max" {
			if !digits(f[1]) {
				return amount{}, fmt.Errorf("period %q is not a number", clip(f[1]))
			}
			return amount{Max: true}, nil
		}
		return cores(f[0], f[1])
	}
	if raw == "max" {
		return amount{Max: true}, nil
	}
	if !digits(raw) || len(raw) > 20 {
		return amount{}, fmt.Errorf("%q is not max or a number", clip(raw))
	}
	n, _ := new(big.Int).SetString(raw, 10)
	return amount{V: new(big.Rat).SetInt(n)}, nil
}

func cores(quota, period string) (amount, error) {
	q, err1 := strconv.ParseUint(quota, 10, 64)
	p, err2 := strconv.ParseUint(period, 10, 64)
	if err1 != nil || err2 != nil || p == 0 {
		return amount{}, fmt.Errorf("quota %q / period %q are not microseconds", clip(quota), clip(period))
	}
	return amount{V: new(big.Rat).SetFrac(new(big.Int).SetUint64(q), new(big.Int).SetUint64(p))}, nil
}
