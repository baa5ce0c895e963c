package clock

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

const (
	localtime   = "/etc/localtime"
	etcTimezone = "/etc/timezone" // Debian and Ubuntu also write the name here
	zoneinfo    = "/usr/share/zoneinfo"
	// maxTZif bounds a TZif file (the largest in tzdata is under 4 KiB;
	// "right/" zones with leap seconds stay under 8 KiB).
	maxTZif = 64 << 10
)

type zoneCheck struct {
	engine.Base
	want string
}

func (c *zoneCheck) Run(_ context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	zone, how, err := localZone(h, c.want)
	if name, err := h.ReadFileLimit(etcTimezone, 4096); err == nil {
		res.Details["etc_timezone"] = strings.TrimSpace(string(name))
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No /etc/localtime: glibc and Go both use UTC.
		zone, how = "UTC", localtime+" is missing (glibc and Go then use UTC)"
	case h.NeedsRoot(err):
		return engine.SkipNeedsRoot(res, err)
	case err != nil:
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	res.Details["zone"] = zone
	res.Details["from"] = how
	res.Observed = zone
	if etc, ok := res.Details["etc_timezone"].(string); ok && etc != "" && zone != "" && etc != zone && !sameZone(etc, zone) {
		res.Details["mismatch"] = true
	}
	if sameZone(zone, c.want) {
		res.Status = engine.Pass
		res.Message = "the timezone is " + c.want + " (" + how + ")"
		return res
	}
	res.Status = engine.Fail
	if zone == "" {
		res.Observed = "unknown"
		res.Message = how + ": not the TZif data of " + c.want
	} else {
		res.Message = "the timezone is " + zone + " (" + how + "), not " + c.want
	}
	res.Remediation = &remediate.Plan{Summary: "set the timezone to " + c.want, Actions: []remediate.Action{
		remediate.Run("links /etc/localtime to the zone (and updates /etc/timezone where the distro keeps it)", "timedatectl", "set-timezone", c.want),
	}}
	return res
}

// sameZone: UTC has aliases in tzdata (Etc/UTC, UCT, Zulu, Universal).
func sameZone(a, b string) bool {
	utc := func(z string) bool {
		switch strings.TrimPrefix(z, "Etc/") {
		case "UTC", "UCT", "Universal", "Zulu":
			return true
		}
		return false
	}
	return a == b || (utc(a) && utc(b))
}

// localZone names the zone /etc/localtime holds: the path of its symlink
// under zoneinfo, or, for a copied file, want when its bytes are want's.
func localZone(h *host.Host, want string) (zone, how string, err error) {
	fi, err := h.Lstat(localtime)
	if err != nil {
		return "", "", err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := h.Readlink(localtime)
		if err != nil {
			return "", "", err
		}
		if z, ok := zoneFromPath(target); ok {
			return z, localtime + " -> " + target, nil
		}
		return "", "", fmt.Errorf("%s -> %s: not a path under zoneinfo", localtime, target)
	}
	data, err := h.ReadFileLimit(localtime, maxTZif)
	if err != nil {
		return "", "", err
	}
	if _, err := parseTZif(data); err != nil {
		return "", "", fmt.Errorf("%s: %w", localtime, err)
	}
	ref, err := h.ReadFileLimit(zoneinfo+"/"+want, maxTZif)
	if err != nil {
		// %v, not %w: a missing tzdata file is not a missing /etc/localtime.
		return "", "", fmt.Errorf("%s is a copied file and %s/%s cannot be read to compare: %v", localtime, zoneinfo, want, err)
	}
	if bytes.Equal(data, ref) {
		return want, localtime + " is a copy of " + zoneinfo + "/" + want, nil
	}
	tz, _ := parseTZif(data)
	return "", localtime + " is a copied file that differs from " + zoneinfo + "/" + want + " (its rule: " + tz.footer + ")", nil
}

// zoneFromPath takes the zone name from a link target such as
// ../usr/share/zoneinfo/Europe/Berlin or /usr/share/zoneinfo/posix/UTC.
func zoneFromPath(target string) (string, bool) {
	i := strings.LastIndex(target, "zoneinfo/")
	if i < 0 {
		return "", false
	}
	z := target[i+len("zoneinfo/"):]
	for _, p := range []string{"posix/", "right/"} {
		z = strings.TrimPrefix(z, p)
	}
	return z, z != ""
}

// tzif is what golive reads of a TZif file (RFC 8536).
type tzif struct {
	version byte   // 0, '2', '3' or '4'
	footer  string // the POSIX TZ string of version 2+ ("CET-1CEST,M3.5.0,M10.5.0/3")
}

var errNotTZif = errors.New("not a TZif file")

// parseTZif checks the header and block sizes of a TZif file, and reads
// the footer of version 2 and later. Counts are bounded by the data's own
// length, so a hostile header cannot make it allocate.
func parseTZif(data []byte) (tzif, error) {
	var t tzif
	v1, err := tzifBlock(data, 4)
	if err != nil {
		return t, err
	}
	t.version = data[4]
	if t.version == 0 {
		return t, nil
	}
	rest := data[v1:]
	v2, err := tzifBlock(rest, 8)
	if err != nil {
		return t, fmt.Errorf("version %c second header: %w", t.version, err)
	}
	footer := rest[v2:]
	if len(footer) < 2 || footer[0] != '\n' {
		return t, fmt.Errorf("%w: no footer", errNotTZif)
	}
	end := bytes.IndexByte(footer[1:], '\n')
	if end < 0 {
		return t, fmt.Errorf("%w: unterminated footer", errNotTZif)
	}
	t.footer = string(footer[1 : 1+end])
	return t, nil
}

// tzifBlock validates one header and returns the length of header and
// data; timeSize is 4 for the version 1 block, 8 for the version 2 one.
func tzifBlock(data []byte, timeSize uint64) (int, error) {
	const header = 44
	if len(data) < header || string(data[:4]) != "TZif" {
		return 0, errNotTZif
	}
	switch data[4] {
	case 0, '2', '3', '4':
	default:
		return 0, fmt.Errorf("%w: version byte %#x", errNotTZif, data[4])
	}
	var c [6]uint64
	for i := range c {
		c[i] = uint64(binary.BigEndian.Uint32(data[20+4*i:]))
	}
	isut, isstd, leap, timecnt, typecnt, charcnt := c[0], c[1], c[2], c[3], c[4], c[5]
	if typecnt == 0 || (isut != 0 && isut != typecnt) || (isstd != 0 && isstd != typecnt) {
		return 0, fmt.Errorf("%w: inconsistent counts", errNotTZif)
	}
	n := timecnt*timeSize + timecnt + typecnt*6 + charcnt + leap*(timeSize+4) + isstd + isut
	if n > uint64(len(data)-header) {
		return 0, fmt.Errorf("%w: truncated (%d data bytes declared, %d present)", errNotTZif, n, len(data)-header)
	}
	return header + int(n), nil
}
