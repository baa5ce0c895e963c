package facts

import (
	"bytes"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// DpkgPackage is one stanza of dpkg's status database.
type DpkgPackage struct {
	Name, Version, Architecture string
	// Status is the Status field's three words: want, error flag, state.
	Status string
}

// Installed reports whether dpkg considers the package installed: the
// state word (the third) is "installed", whatever the selection (install
// or hold) — dpkg-query's "ii"/"hi".
func (p DpkgPackage) Installed() bool {
	f := strings.Fields(p.Status)
	return len(f) == 3 && f[2] == "installed"
}

// dpkgStatusLimit bounds the read: a full desktop's status is a few MiB.
const dpkgStatusLimit = 64 << 20

// DpkgStatus reads <root>/var/lib/dpkg/status, parsed once per run.
func DpkgStatus(h *host.Host) ([]DpkgPackage, error) {
	type result struct {
		pkgs []DpkgPackage
		err  error
	}
	r := h.Memo(dpkgStatusKey{}, func() any {
		data, err := h.ReadFileLimit("/var/lib/dpkg/status", dpkgStatusLimit)
		if err != nil {
			return result{err: err}
		}
		return result{pkgs: ParseDpkgStatus(data)}
	}).(result)
	return r.pkgs, r.err
}

type dpkgStatusKey struct{}

// ParseDpkgStatus parses dpkg's status file (deb822 stanzas separated by
// blank lines; continuation lines start with a space or tab and belong to
// fields golive does not read). Stanzas without a Package field are dropped.
func ParseDpkgStatus(data []byte) []DpkgPackage {
	var pkgs []DpkgPackage
	var cur DpkgPackage
	flush := func() {
		if cur.Name != "" {
			pkgs = append(pkgs, cur)
		}
		cur = DpkgPackage{}
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(bytes.TrimSpace(line)) == 0 {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' || line[0] == '#' {
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		v := string(bytes.TrimSpace(value))
		switch strings.ToLower(string(name)) {
		case "package":
			cur.Name = v
		case "version":
			cur.Version = v
		case "architecture":
			cur.Architecture = v
		case "status":
			cur.Status = v
		}
	}
	flush()
	return pkgs
}
