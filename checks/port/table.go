package port

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
)

// socketTable is the listeners of the four /proc/net tables, read once per
// run for every port check.
type socketTable struct {
	listeners []listener
	bad       int   // lines that were not sockets
	err       error // a table could not be read (or was truncated)
}

type tableKey struct{}

// sockets reads the socket tables of the running kernel. Only a live host
// has them: under --root, <root>/proc/net is not the image's (an image has
// no sockets), so the caller skips before asking.
func sockets(h *host.Host) *socketTable {
	return facts.Memo(h, tableKey{}, func(h *host.Host) *socketTable {
		t := &socketTable{}
		for _, tb := range tables {
			f, err := h.Open(tb.path)
			if errors.Is(err, fs.ErrNotExist) && tb.v6 {
				continue // a kernel without IPv6 (ipv6.disable=1) has no tcp6/udp6
			}
			if err != nil {
				t.err = err
				return t
			}
			ls, bad, truncated, err := parseTable(f, tb.proto, tb.v6)
			f.Close()
			if err != nil {
				t.err = fmt.Errorf("read %s: %w", tb.path, err)
				return t
			}
			if truncated {
				t.err = fmt.Errorf("%s has more than %d sockets: %w", tb.path, maxSockets, errTruncated)
			}
			t.listeners = append(t.listeners, ls...)
			t.bad += bad
		}
		return t
	})
}

// on returns the listeners of one port and transport.
func (t *socketTable) on(port uint16, proto string) []listener {
	var out []listener
	for _, l := range t.listeners {
		if l.Port == port && l.Proto == proto {
			out = append(out, l)
		}
	}
	return out
}

// owner is the process that holds a socket.
type owner struct {
	PID  int
	Comm string // /proc/<pid>/comm
	Unit string // the systemd unit of its cgroup; "" outside any
}

func (o owner) String() string {
	s := fmt.Sprintf("%s (pid %d)", o.Comm, o.PID)
	if o.Unit != "" {
		s += " of " + o.Unit
	}
	return s
}

// owners maps socket inodes to the processes holding them, through the
// "socket:[inode]" links of /proc/<pid>/fd, for every listener of the
// table. refused counts processes whose fd directory golive may not read:
// another user's processes, unless golive runs as root.
type owners struct {
	by      map[uint64]owner
	refused int
	err     error // the first refusal, for the needs-root message
}

type ownersKey struct{}

func socketOwners(h *host.Host, t *socketTable) *owners {
	return facts.Memo(h, ownersKey{}, func(h *host.Host) *owners {
		want := map[uint64]bool{}
		for _, l := range t.listeners {
			want[l.Inode] = true
		}
		o := &owners{by: map[uint64]owner{}}
		procs, err := h.ReadDir("/proc")
		if err != nil {
			o.err = err
			return o
		}
		for _, p := range procs {
			pid, err := strconv.Atoi(p.Name())
			if err != nil || pid <= 0 {
				continue
			}
			o.scan(h, pid, want)
			if len(o.by) == len(want) {
				break
			}
		}
		return o
	})
}

// scan records the wanted sockets process pid holds.
func (o *owners) scan(h *host.Host, pid int, want map[uint64]bool) {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	fds, err := h.ReadDir(dir)
	if err != nil {
		if h.NeedsRoot(err) {
			o.refused++
			if o.err == nil {
				o.err = err
			}
		}
		return // or the process has exited
	}
	var who *owner
	for _, fd := range fds {
		target, err := h.Readlink(dir + "/" + fd.Name())
		if err != nil || !strings.HasPrefix(target, "socket:[") {
			continue
		}
		inode, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(target, "socket:["), "]"), 10, 64)
		if err != nil || !want[inode] {
			continue
		}
		if _, seen := o.by[inode]; seen {
			continue // shared across a fork: the first (lowest) pid names it
		}
		if who == nil {
			who = &owner{PID: pid, Comm: comm(h, pid), Unit: unitOf(h, pid)}
		}
		o.by[inode] = *who
	}
}

func comm(h *host.Host, pid int) string {
	b, err := h.ReadFileLimit(fmt.Sprintf("/proc/%d/comm", pid), 64)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// unitOf is the systemd unit whose cgroup holds pid: the innermost
// .service or .scope of its /proc/<pid>/cgroup path (the unified line
// "0::" on cgroup v2, the "name=systemd" line on v1).
func unitOf(h *host.Host, pid int) string {
	b, err := h.ReadFileLimit(fmt.Sprintf("/proc/%d/cgroup", pid), 64<<10)
	if err != nil {
		return ""
	}
	return unitFromCgroup(b)
}

func unitFromCgroup(b []byte) string {
	var path string
	for _, line := range bytes.Split(b, []byte("\n")) {
		parts := strings.SplitN(string(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" || parts[1] == "name=systemd" {
			path = parts[2]
		}
	}
	segs := strings.Split(path, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if strings.HasSuffix(segs[i], ".service") || strings.HasSuffix(segs[i], ".scope") {
			return segs[i]
		}
	}
	return ""
}
