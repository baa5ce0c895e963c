package harden

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// coredumpConf is systemd-coredump's configuration: the first of
// coredumpMains that exists (systemd ≥ 253 ships its defaults in
// /usr/lib/systemd; an admin's /etc copy replaces it whole); its drop-ins
// are merged by file name across coredumpDropInDirs (the earlier directory
// wins, a link to /dev/null masks) and applied in name order after it
// (coredump.conf(5)).
const coredumpConf = "/etc/systemd/coredump.conf"

var coredumpMains = []string{coredumpConf, "/run/systemd/coredump.conf", "/usr/local/lib/systemd/coredump.conf", "/usr/lib/systemd/coredump.conf"}

var coredumpDropInDirs = []string{
	"/etc/systemd/coredump.conf.d",
	"/run/systemd/coredump.conf.d",
	"/usr/local/lib/systemd/coredump.conf.d",
	"/usr/lib/systemd/coredump.conf.d",
}

// maxCoredumpDropIns bounds the drop-ins read.
const maxCoredumpDropIns = 64

// coredumpSettings are the [Coredump] values that decide where a core
// goes, with the file:line that set each ("" for systemd's default).
type coredumpSettings struct {
	Storage, ProcessSizeMax, MaxUse string
	From                            map[string]string
	Files                           []string
	Problems                        []string
}

// systemd's defaults (coredump.conf(5)): Storage=external,
// ProcessSizeMax=32G on 64-bit (2G before systemd 250), MaxUse= 10% of the
// filesystem, at most 4G.
func defaultCoredump() coredumpSettings {
	return coredumpSettings{Storage: "external", ProcessSizeMax: "", MaxUse: "", From: map[string]string{}}
}

type coredumpKey struct{}

func readCoredump(h *host.Host) coredumpSettings {
	return facts.Memo(h, coredumpKey{}, func(h *host.Host) coredumpSettings {
		s := defaultCoredump()
		for _, m := range coredumpMains {
			if s.apply(h, m) {
				break
			}
		}
		dropIns, problems := unit.DropIns(h, coredumpDropInDirs, maxCoredumpDropIns)
		s.Problems = append(s.Problems, problems...)
		for _, d := range dropIns {
			if !d.Masked {
				s.apply(h, d.Path)
			}
		}
		return s
	})
}

// apply reads one file; it reports whether the file exists.
func (s *coredumpSettings) apply(h *host.Host, p string) bool {
	data, err := h.ReadFileLimit(p, unit.MaxFileSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false
		}
		s.Problems = append(s.Problems, err.Error())
		return true
	}
	s.Files = append(s.Files, p)
	s.Problems = append(s.Problems, s.parse(p, data)...)
	return true
}

// parse applies one coredump.conf file: the [Coredump] keys that decide
// where a core goes; the last assignment wins, an empty one restores the
// default (systemd's config_parse_* for these keys).
func (s *coredumpSettings) parse(p string, data []byte) []string {
	opts, err := unit.Parse(data)
	if err != nil {
		return []string{fmt.Sprintf("parse %s: %v", p, err)}
	}
	var problems []string
	for _, o := range opts {
		if o.Section != "Coredump" {
			continue
		}
		v := strings.TrimSpace(o.Value)
		switch o.Name {
		case "Storage":
			switch v {
			case "", "none", "external", "journal":
			default:
				// systemd logs "Failed to parse storage setting" and keeps the value it had.
				problems = append(problems, fmt.Sprintf("%s: Storage=%s is not none, external or journal (ignored)", p, v))
				continue
			}
			if v == "" {
				v = "external"
			}
			s.Storage = v
		case "ProcessSizeMax", "MaxUse":
			if v != "" {
				if _, err := parseSize(v); err != nil {
					problems = append(problems, fmt.Sprintf("%s: %s=%s: %v (ignored)", p, o.Name, v, err))
					continue
				}
			}
			if o.Name == "MaxUse" {
				s.MaxUse = v
			} else {
				s.ProcessSizeMax = v
			}
		default:
			continue
		}
		s.From[o.Name] = p
	}
	return problems
}

// parseSize reads a systemd size in bytes (parse_size with base 1024):
// a number with an optional B, K, M, G, T, P or E suffix, or infinity
// (returned as -1).
func parseSize(s string) (int64, error) {
	if s == "infinity" {
		return -1, nil
	}
	mult := map[byte]float64{'B': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40, 'P': 1 << 50, 'E': 1 << 60}
	var total float64
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, errors.New("empty size")
	}
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("%q is not a size", s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a size", s)
		}
		rest = strings.TrimLeft(rest[i:], " ")
		m := 1.0
		if rest != "" {
			if f, ok := mult[rest[0]]; ok {
				m = f
				rest = strings.TrimLeft(rest[1:], " ")
			} else if rest[0] < '0' || rest[0] > '9' {
				return 0, fmt.Errorf("%q is not a size", s)
			}
		}
		total += n * m
		if total > 1<<62 {
			return 0, fmt.Errorf("%q is too large", s)
		}
	}
	return int64(total), nil
}
