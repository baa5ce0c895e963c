package facts

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// SystemConf is systemd's manager configuration; its drop-ins live in the
// system.conf.d directories below, merged by file name (the earlier
// directory wins, a link to /dev/null masks) and applied in name order
// after it (systemd-system.conf(5)). /lib is searched too: split-usr
// systems (CentOS 7, Debian before 12) ship drop-ins there.
const SystemConf = "/etc/systemd/system.conf"

// SystemConfDirs are the drop-in directories, the one that wins first.
var SystemConfDirs = []string{
	"/etc/systemd/system.conf.d",
	"/run/systemd/system.conf.d",
	"/usr/local/lib/systemd/system.conf.d",
	"/usr/lib/systemd/system.conf.d",
	"/lib/systemd/system.conf.d",
}

// ManagerConfig is the [Manager] section of system.conf and its drop-ins:
// every assignment in the order systemd applies them.
type ManagerConfig struct {
	Files   []string      // the files read, in the order they apply
	Options []unit.Option // [Manager] assignments, with their file
	// Problems are files that could not be read or parsed; systemd goes
	// on without them, so the rest still counts.
	Problems []string
}

// Last is the assignment of key that wins; ok is false when none is made.
func (mc *ManagerConfig) Last(key string) (o unit.Option, ok bool) {
	for i := len(mc.Options) - 1; i >= 0; i-- {
		if mc.Options[i].Name == key {
			return mc.Options[i], true
		}
	}
	return unit.Option{}, false
}

type managerKey struct{}

// Manager is the host's manager configuration, read once per run.
func Manager(h *host.Host) *ManagerConfig {
	return Memo(h, managerKey{}, LoadManagerConfig)
}

// LoadManagerConfig reads system.conf and its drop-ins under h's root;
// use Manager, which reads them once per run.
func LoadManagerConfig(h *host.Host) *ManagerConfig {
	mc := &ManagerConfig{}
	mc.read(h, SystemConf)
	dropIns, problems := unit.DropIns(h, SystemConfDirs, 0)
	mc.Problems = append(mc.Problems, problems...)
	for _, d := range dropIns {
		if !d.Masked {
			mc.read(h, d.Path)
		}
	}
	return mc
}

func (mc *ManagerConfig) read(h *host.Host, p string) {
	data, err := h.ReadFileLimit(p, unit.MaxFileSize)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			mc.Problems = append(mc.Problems, err.Error())
		}
		return
	}
	mc.parse(p, data)
}

func (mc *ManagerConfig) parse(p string, data []byte) {
	opts, err := unit.Parse(data)
	if err != nil {
		mc.Problems = append(mc.Problems, fmt.Sprintf("parse %s: %v (golive cannot read it; systemd skips only the bad lines)", p, err))
		return
	}
	mc.Files = append(mc.Files, p)
	for _, o := range opts {
		if o.Section == "Manager" {
			o.File = p
			mc.Options = append(mc.Options, o)
		}
	}
}
