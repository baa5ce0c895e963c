package clock

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/unit"
)

// maxConfig bounds a daemon's configuration file (a stock chrony.conf is
// 1.5 KiB, ntp.conf 2 KiB).
const maxConfig = 256 << 10

// maxDropIns bounds timesyncd.conf.d files read.
const maxDropIns = 64

// daemonSpec is one time daemon: the unit names distros give it and where
// its configuration lives, most specific first.
type daemonSpec struct {
	name    string
	units   []string // RHEL name first, then Debian's
	configs []string // the first that exists is read
	pkg     string   // the package that ships it, for the fix
}

var daemonSpecs = []daemonSpec{
	// chrony.service on Debian/Ubuntu (Alias=chronyd.service), chronyd.service on RHEL.
	{name: "chronyd", units: []string{"chronyd.service", "chrony.service"}, configs: []string{"/etc/chrony.conf", "/etc/chrony/chrony.conf"}, pkg: "chrony"},
	// ntpd.service on RHEL 7, ntp.service on Debian <= 11, ntpsec.service on Debian 12+.
	{name: "ntpd", units: []string{"ntpd.service", "ntp.service", "ntpsec.service"}, configs: []string{"/etc/ntp.conf", "/etc/ntpsec/ntp.conf"}, pkg: "ntp"},
	{name: "systemd-timesyncd", units: []string{"systemd-timesyncd.service"}, configs: []string{timesyncdConf}, pkg: "systemd-timesyncd"},
}

func daemonByName(name string) (daemonSpec, bool) {
	for _, d := range daemonSpecs {
		if d.name == name {
			return d, true
		}
	}
	return daemonSpec{}, false
}

// daemon is what the files under the root say about one time daemon.
type daemon struct {
	Name     string
	Unit     string   // the unit file found
	State    string   // enabled, disabled, masked, not-installed
	Links    []string // the .wants links that enable it
	Config   string   // the file read
	Servers  []string // server, pool and peer names; NTP= for timesyncd
	Fallback bool
	Dirs     []string // chrony sourcedir/confdir: sources read at run time
	Problems []string
}

func (d daemon) enabled() bool { return d.State == "enabled" }

// describe is one line: "chronyd (enabled; /etc/chrony.conf: 2.rocky.pool.ntp.org)".
func (d daemon) describe() string {
	var src string
	switch {
	case len(d.Servers) > 0:
		src = strings.Join(d.Servers, ", ")
	case d.Fallback:
		src = "no NTP= (the compiled-in FallbackNTP= servers, or DHCP's)"
	case len(d.Dirs) > 0:
		src = "sources from " + strings.Join(d.Dirs, ", ")
	default:
		src = "no server"
	}
	if d.Config == "" {
		return fmt.Sprintf("%s (%s; no configuration file)", d.Name, d.State)
	}
	return fmt.Sprintf("%s (%s; %s: %s)", d.Name, d.State, d.Config, src)
}

type daemonsKey struct{}

// daemons finds every time daemon installed or configured under the root,
// read once per run.
func daemons(h *host.Host) []daemon {
	return facts.Memo(h, daemonsKey{}, func(h *host.Host) []daemon {
		var out []daemon
		for _, spec := range daemonSpecs {
			if d, ok := findDaemon(h, spec); ok {
				out = append(out, d)
			}
		}
		return out
	})
}

func findDaemon(h *host.Host, spec daemonSpec) (daemon, bool) {
	d := daemon{Name: spec.name, State: "not-installed", Servers: []string{}}
	for _, name := range spec.units {
		f, err := facts.Unit(h, name)
		if err != nil {
			if !errors.Is(err, unit.ErrNotFound) {
				d.Problems = append(d.Problems, err.Error())
			}
			continue
		}
		d.Unit = name
		d.State, d.Links = facts.Enablement(h, f)
		break
	}
	switch spec.name {
	case "systemd-timesyncd":
		readTimesyncd(h, &d)
	default:
		for _, p := range spec.configs {
			data, err := h.ReadFileLimit(p, maxConfig)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			d.Config = p
			if err != nil {
				d.Problems = append(d.Problems, err.Error())
				break
			}
			c := parseNTPConfig(data)
			d.Servers, d.Dirs = c.servers, c.dirs
			for _, pr := range c.problems {
				d.Problems = append(d.Problems, p+": "+pr)
			}
			break
		}
	}
	// timesyncd's files ship with systemd even where it is not installed
	// as a unit (RHEL): only a unit makes it a daemon of this host.
	if d.Unit == "" && (d.Config == "" || spec.name == "systemd-timesyncd") {
		return d, false
	}
	return d, true
}
