package unit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	sddbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/golive-sh/golive/internal/host"
)

// Booted reports whether h's running system was booted with systemd, the
// way sd_booted(3) decides it: /run/systemd/system is a directory. When
// /proc/1/comm is readable and names another program (a container's tini,
// a VM's own init), that wins: systemd is not PID 1 there even if a
// leftover directory says otherwise. why says what was found, for a skip
// message. Only meaningful for a live host (h.Live()): an image's /run is
// empty.
func Booted(h *host.Host) (ok bool, why string) {
	comm := ""
	if data, err := h.ReadFileLimit("/proc/1/comm", 256); err == nil {
		comm = strings.TrimSpace(string(data))
	}
	if comm != "" && comm != "systemd" && comm != "init" {
		return false, fmt.Sprintf("PID 1 is %q, not systemd", comm)
	}
	fi, err := h.Stat("/run/systemd/system")
	switch {
	case err == nil && fi.IsDir():
		return true, "systemd is PID 1 (/run/systemd/system exists)"
	case err == nil:
		return false, "/run/systemd/system is not a directory: the system was not booted with systemd"
	case errors.Is(err, fs.ErrNotExist):
		return false, "no /run/systemd/system: the system was not booted with systemd"
	}
	return false, "cannot tell whether systemd is PID 1: " + err.Error()
}

// Bus is a connection to the running systemd over D-Bus, for the live
// properties of units: what systemd has loaded (which differs from the
// files until `systemctl daemon-reload`) and what is running.
type Bus struct {
	conn *sddbus.Conn
}

// DialBus connects to systemd: the system bus, or as root systemd's
// private socket when there is no bus daemon. ctx bounds the connection:
// when it ends, the connection closes.
func DialBus(ctx context.Context) (*Bus, error) {
	c, err := sddbus.NewWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to systemd over D-Bus: %w", err)
	}
	return &Bus{conn: c}, nil
}

// Close closes the connection.
func (b *Bus) Close() { b.conn.Close() }

// UnitProperties returns the org.freedesktop.systemd1.Unit properties of a
// unit (LoadState, ActiveState, SubState, UnitFileState, NeedDaemonReload,
// FragmentPath, DropInPaths, ...).
func (b *Bus) UnitProperties(ctx context.Context, name string) (map[string]any, error) {
	return b.conn.GetUnitPropertiesContext(ctx, name)
}

// ServiceProperties returns the org.freedesktop.systemd1.Service
// properties of a service (Restart, User, DynamicUser, MainPID,
// NRestarts, LimitNOFILE, LimitNOFILESoft, ...).
func (b *Bus) ServiceProperties(ctx context.Context, name string) (map[string]any, error) {
	return b.conn.GetUnitTypePropertiesContext(ctx, name, "Service")
}

// PropString returns a string property, "" when absent or of another type.
func PropString(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

// PropUint64 returns an unsigned property (D-Bus t, u, q or y); ok is false
// when it is absent or of another type.
func PropUint64(props map[string]any, key string) (uint64, bool) {
	switch v := props[key].(type) {
	case uint64:
		return v, true
	case uint32:
		return uint64(v), true
	case uint16:
		return uint64(v), true
	case uint8:
		return uint64(v), true
	}
	return 0, false
}

// PropBool returns a boolean property; ok is false when absent.
func PropBool(props map[string]any, key string) (value, ok bool) {
	v, ok := props[key].(bool)
	return v, ok
}

// PropStrings returns a string-array property (After, Wants, DropInPaths).
func PropStrings(props map[string]any, key string) []string {
	v, _ := props[key].([]string)
	return v
}
