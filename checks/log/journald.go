package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// journald.conf(5): the main file is the first of these that exists
// (systemd 254 and later also read it from /run and /usr; older ones only
// from /etc), then the journald.conf.d drop-ins of every directory,
// highest priority first.
var (
	journaldMains   = []string{"/etc/systemd/journald.conf", "/run/systemd/journald.conf", "/usr/local/lib/systemd/journald.conf", "/usr/lib/systemd/journald.conf"}
	journaldDropIns = []string{"/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d", "/usr/local/lib/systemd/journald.conf.d", "/usr/lib/systemd/journald.conf.d"}
)

// Where journald keeps the journal (journald.conf(5), Storage=).
const (
	persistentDir = "/var/log/journal"
	volatileDir   = "/run/log/journal"
)

const (
	maxJournaldFile = 64 << 10
	maxDropIns      = 64
)

// setting is one [Journal] key's winning value and the file that set it.
type setting struct {
	Value, File string
}

// journaldConfig is journald's [Journal] section after every file.
type journaldConfig struct {
	Keys     map[string]setting
	Files    []string
	Problems []string
}

// journaldKeys are the keys golive reads.
var journaldKeys = []string{"Storage", "SystemMaxUse", "SystemKeepFree", "SystemMaxFileSize", "RuntimeMaxUse", "MaxRetentionSec"}

type journaldKey struct{}

// readJournald reads journald.conf and its drop-ins once per run.
func readJournald(h *host.Host) journaldConfig {
	return facts.Memo(h, journaldKey{}, func(h *host.Host) journaldConfig {
		c := journaldConfig{Keys: map[string]setting{}}
		for _, p := range journaldMains {
			if c.apply(h, p) {
				break
			}
		}
		dropIns, problems := unit.DropIns(h, journaldDropIns, maxDropIns)
		c.Problems = append(c.Problems, problems...)
		for _, d := range dropIns {
			if !d.Masked {
				c.apply(h, d.Path)
			}
		}
		return c
	})
}

// apply reads one file; it reports whether the file exists.
func (c *journaldConfig) apply(h *host.Host, p string) bool {
	data, err := h.ReadFileLimit(p, maxJournaldFile)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	c.Files = append(c.Files, p)
	if err != nil {
		c.Problems = append(c.Problems, err.Error())
		return true
	}
	opts, err := unit.Parse(data)
	if err != nil {
		c.Problems = append(c.Problems, fmt.Sprintf("%s: %v", p, err))
		return true
	}
	for _, o := range parseJournald(opts) {
		if o.Value == "" {
			delete(c.Keys, o.Name) // an empty assignment restores the default
			continue
		}
		c.Keys[o.Name] = setting{Value: o.Value, File: p}
	}
	return true
}

// parseJournald keeps the [Journal] assignments golive reads.
func parseJournald(opts []unit.Option) []unit.Option {
	var out []unit.Option
	for _, o := range opts {
		if o.Section == "Journal" && isJournaldKey(o.Name) {
			out = append(out, o)
		}
	}
	return out
}

func isJournaldKey(k string) bool {
	for _, j := range journaldKeys {
		if j == k {
			return true
		}
	}
	return false
}

// parseJournaldSize reads a size as journald does (config_parse_iec_uint64:
// systemd's parse_size with base 1024, unit.ParseSize).
func parseJournaldSize(s string) (int64, error) {
	n, err := unit.ParseSize(strings.TrimSpace(s))
	if err != nil || n > 1<<62 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return int64(n), nil
}

// storage is what journald does with Storage=: the value in force, the
// file that set it ("" for the compiled-in default), and the storage it
// comes to on this root.
type storage struct {
	Value, From, Effective string
	Why                    string
}

func effectiveStorage(h *host.Host, c journaldConfig, def string) storage {
	s := storage{Value: def}
	if v, ok := c.Keys["Storage"]; ok {
		s.Value, s.From = v.Value, v.File
	}
	switch s.Value {
	case "persistent":
		s.Effective, s.Why = "persistent", "Storage=persistent: "+persistentDir+" (journald creates it)"
	case "volatile":
		s.Effective, s.Why = "volatile", "Storage=volatile: "+volatileDir+" only, lost at every reboot"
	case "none":
		s.Effective, s.Why = "none", "Storage=none: journald keeps nothing (it only forwards)"
	case "auto":
		if st, err := h.Stat(persistentDir); err == nil && st.IsDir() {
			s.Effective, s.Why = "persistent", "Storage=auto and "+persistentDir+" exists"
		} else {
			s.Effective, s.Why = "volatile", "Storage=auto and "+persistentDir+" does not exist: the journal stays in "+volatileDir+" and is lost at every reboot"
		}
	default:
		// journald logs the bad value and keeps its default.
		s.Effective, s.Why = "unknown", fmt.Sprintf("Storage=%s is not a value journald knows (persistent, volatile, auto, none)", s.Value)
	}
	return s
}

// journalUsage sums the journal files under dir (two levels: the
// machine-id directories and their *.journal files), bounded.
func journalUsage(h *host.Host, dir string) (bytes int64, files int, err error) {
	const maxEntries = 4096
	top, err := h.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, 0, nil
		}
		return 0, 0, err
	}
	seen := 0
	for _, e := range top {
		if seen++; seen > maxEntries {
			break
		}
		p := dir + "/" + e.Name()
		if e.IsDir() {
			sub, serr := h.ReadDir(p)
			if serr != nil {
				if err == nil {
					err = serr
				}
				continue
			}
			for _, f := range sub {
				if seen++; seen > maxEntries {
					break
				}
				if n, ok := journalFileSize(h, p+"/"+f.Name(), f); ok {
					bytes += n
					files++
				}
			}
			continue
		}
		if n, ok := journalFileSize(h, p, e); ok {
			bytes += n
			files++
		}
	}
	return bytes, files, err
}

func journalFileSize(h *host.Host, p string, e fs.DirEntry) (int64, bool) {
	if !e.Type().IsRegular() || !(strings.HasSuffix(e.Name(), ".journal") || strings.HasSuffix(e.Name(), ".journal~")) {
		return 0, false
	}
	st, err := h.Lstat(p)
	if err != nil {
		return 0, false
	}
	return st.Size(), true
}
