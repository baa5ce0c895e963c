package unit

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"syscall"

	"github.com/golive-sh/golive/internal/host"
)

// DropIn is one drop-in file DropIns chose for its name.
type DropIn struct {
	Name   string // the file name, e.g. 50-limits.conf
	Path   string // the file that won the name
	Masked bool   // Path is a symlink to /dev/null: nothing of this name applies
}

// DropIns merges the *.conf files of dirs, given highest priority first,
// by file name, as systemd merges drop-ins (systemd.unit(5),
// systemd-system.conf(5)): for each name the file of the first directory
// that has one wins, and masks the name when it is a symlink to
// /dev/null; the winners apply in file-name order, whatever their
// directory. A directory that is missing (or no directory) counts as
// empty; one that cannot be read is a problem, and the rest still count.
// With limit > 0, names after the limit-th are not read, and each
// directory that has more is a problem.
func DropIns(h *host.Host, dirs []string, limit int) (dropIns []DropIn, problems []string) {
	chosen := map[string]DropIn{}
	for _, d := range dirs {
		entries, err := h.ReadDir(d)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				problems = append(problems, err.Error())
			}
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if _, seen := chosen[n]; seen || !strings.HasSuffix(n, ".conf") {
				continue
			}
			if limit > 0 && len(chosen) == limit {
				problems = append(problems, fmt.Sprintf("%s: more than %d drop-ins; the rest are not read", d, limit))
				break
			}
			p := d + "/" + n
			chosen[n] = DropIn{Name: n, Path: p, Masked: e.Type()&fs.ModeSymlink != 0 && isDevNull(h, p)}
		}
	}
	dropIns = make([]DropIn, 0, len(chosen))
	for _, d := range chosen {
		dropIns = append(dropIns, d)
	}
	sort.Slice(dropIns, func(i, j int) bool { return dropIns[i].Name < dropIns[j].Name })
	return dropIns, problems
}
