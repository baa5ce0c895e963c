package propose

import (
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/unit"
)

// limitKeys maps systemd's Limit*= settings to the rlimits section's keys
// (systemd.exec(5); the names are limits.conf's, as checks/rlimit uses).
var limitKeys = []struct{ setting, key string }{
	{"LimitNOFILE", "nofile"}, {"LimitNPROC", "nproc"}, {"LimitMEMLOCK", "memlock"},
	{"LimitCORE", "core"}, {"LimitSTACK", "stack"}, {"LimitDATA", "data"},
	{"LimitFSIZE", "fsize"}, {"LimitAS", "as"}, {"LimitSIGPENDING", "sigpending"},
	{"LimitMSGQUEUE", "msgqueue"}, {"LimitRTPRIO", "rtprio"}, {"LimitRSS", "rss"},
	{"LimitLOCKS", "locks"},
}

// readLimits proposes `rlimits: unit:` rules for the limits the unit sets:
// at least the soft value it configures (the value every check judges a
// limit by is at least that), unlimited for infinity.
func (s *survey) readLimits(f *unit.File) {
	for _, l := range limitKeys {
		o, ok := lastOption(f, "Service", l.setting)
		if !ok {
			continue
		}
		soft, _, _ := strings.Cut(strings.TrimSpace(o.Value), ":")
		from := o.Name + "=" + o.Value + " in " + o.File
		switch {
		case soft == "infinity":
			s.limits = append(s.limits, limitProposal{l.key, "unlimited", from})
		default:
			n, ok := systemdSize(soft)
			if !ok {
				s.note("%s=%s in %s is not a value golive proposes a rule for: write rlimits.unit.%s by hand", l.setting, o.Value, o.File, l.key)
				continue
			}
			s.limits = append(s.limits, limitProposal{l.key, ">= " + strconv.FormatUint(n, 10), from})
		}
	}
}

// systemdSize parses a Limit*= value: an integer, or one with a base-1024
// suffix K, M, G, T (systemd's parse_size).
func systemdSize(v string) (uint64, bool) {
	mult := uint64(1)
	if i := len(v) - 1; i > 0 {
		switch v[i] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		}
		if mult > 1 {
			v = v[:i]
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > (1<<63)/mult {
		return 0, false
	}
	return n * mult, true
}
