package facts

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// Bounds on what the process table reads: a stat or status line is under
// 2 KiB; a command line is cut at MaxCmdline bytes (ps(1) shows at most a
// few KiB of one either); a table of more than MaxProcesses processes is
// read up to there and says so.
const (
	MaxCmdline   = 128 << 10
	MaxProcesses = 1 << 17
	maxStatFile  = 16 << 10
)

// ErrNoProcessTable says a root has no process table: no /proc/1, as a
// mounted image or a fixture has none (every procfs shows a PID 1, in a
// PID namespace too).
var ErrNoProcessTable = errors.New("no process table (no /proc/1)")

// Process is one process of /proc/<pid>: its name (stat's comm, at most
// 15 bytes, as the kernel keeps it), command line and user ids.
type Process struct {
	PID     int
	Comm    string
	Cmdline []string // NUL-separated arguments; empty for a kernel thread or a zombie
	// Truncated says the command line was longer than MaxCmdline.
	Truncated bool
	State     byte   // R, S, D, Z, ...
	RUID      uint64 // real uid (status "Uid:" first field)
	EUID      uint64 // effective uid (second field): ps's USER, pgrep -u
}

// CmdlineText is the command line as pgrep -f and ps -o args show it:
// arguments joined by blanks; a process without one (a kernel thread)
// shows its name.
func (p Process) CmdlineText() string {
	if len(p.Cmdline) == 0 {
		return p.Comm
	}
	return strings.Join(p.Cmdline, " ")
}

// ProcessTable is every process /proc showed when it was read, by pid. Gone
// counts processes that exited while it was read; Problems names files
// that could not be understood.
type ProcessTable struct {
	Processes []Process
	Gone      int
	Problems  []string
	Truncated bool
}

type procsKey struct{}

// Processes is the root's process table, read once per run. The error
// is ErrNoProcessTable (wrapping fs.ErrNotExist) for a root without one,
// or the listing's.
func Processes(h *host.Host) (*ProcessTable, error) {
	return memoErr(h, procsKey{}, readProcesses)
}

func readProcesses(h *host.Host) (*ProcessTable, error) {
	if _, err := h.Stat("/proc/1"); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrNoProcessTable, fs.ErrNotExist)
		}
		return nil, err
	}
	entries, err := h.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	t := &ProcessTable{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 || !e.IsDir() {
			continue
		}
		if len(t.Processes) == MaxProcesses {
			t.Truncated = true
			break
		}
		p, err := readProcess(h, pid)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, errGone):
			t.Gone++ // exited while the table was read
		case err != nil:
			if len(t.Problems) < 20 {
				t.Problems = append(t.Problems, err.Error())
			}
		default:
			t.Processes = append(t.Processes, p)
		}
	}
	sort.Slice(t.Processes, func(i, j int) bool { return t.Processes[i].PID < t.Processes[j].PID })
	return t, nil
}

// errGone is an empty stat: the process exited between listing and read.
var errGone = errors.New("process gone")

func readProcess(h *host.Host, pid int) (Process, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := h.ReadFileLimit(dir+"/stat", maxStatFile)
	if err != nil {
		return Process{}, err
	}
	if len(stat) == 0 {
		return Process{}, errGone
	}
	p, err := ParseProcStat(stat)
	if err != nil {
		return Process{}, fmt.Errorf("%s/stat: %w", dir, err)
	}
	if p.PID != pid {
		return Process{}, fmt.Errorf("%s/stat: pid %d", dir, p.PID)
	}
	status, err := h.ReadFileLimit(dir+"/status", maxStatFile)
	if err != nil {
		return Process{}, err
	}
	if p.RUID, p.EUID, err = ParseStatusUID(status); err != nil {
		return Process{}, fmt.Errorf("%s/status: %w", dir, err)
	}
	cmd, err := h.ReadFileLimit(dir+"/cmdline", MaxCmdline)
	if errors.Is(err, host.ErrTooLarge) {
		// Read what fits: the start of a very long command line is what
		// a pattern usually names.
		if f, ferr := h.Open(dir + "/cmdline"); ferr == nil {
			buf := make([]byte, MaxCmdline)
			n, _ := f.Read(buf)
			f.Close()
			cmd, err, p.Truncated = buf[:n], nil, true
		}
	}
	if err != nil {
		return Process{}, err
	}
	p.Cmdline = ParseCmdline(cmd)
	return p, nil
}

// ParseProcStat reads /proc/<pid>/stat's pid, comm and state: "1234
// (name) S ..."; the name is between the first "(" and the last ")", as
// it may hold blanks and parentheses itself.
func ParseProcStat(data []byte) (Process, error) {
	open := bytes.IndexByte(data, '(')
	shut := bytes.LastIndexByte(data, ')')
	if open < 1 || shut < open {
		return Process{}, fmt.Errorf("no (comm) field")
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data[:open])))
	if err != nil || pid <= 0 {
		return Process{}, fmt.Errorf("pid %q is not a number", clip(string(data[:open])))
	}
	rest := bytes.TrimLeft(data[shut+1:], " ")
	if len(rest) == 0 {
		return Process{}, fmt.Errorf("no state after the comm field")
	}
	comm := string(data[open+1 : shut])
	if len(comm) > 64 {
		return Process{}, fmt.Errorf("comm longer than 64 bytes")
	}
	return Process{PID: pid, Comm: comm, State: rest[0]}, nil
}

// ParseStatusUID reads the real and effective uid from /proc/<pid>/status
// ("Uid:\treal\teffective\tsaved\tfs").
func ParseStatusUID(data []byte) (ruid, euid uint64, err error) {
	for _, line := range strings.Split(string(data), "\n") {
		v, ok := strings.CutPrefix(line, "Uid:")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) < 2 {
			return 0, 0, fmt.Errorf("the Uid line %q is not uids", clip(line))
		}
		r, err1 := strconv.ParseUint(f[0], 10, 32)
		e, err2 := strconv.ParseUint(f[1], 10, 32)
		if err1 != nil || err2 != nil {
			return 0, 0, fmt.Errorf("the Uid line %q is not uids", clip(line))
		}
		return r, e, nil
	}
	return 0, 0, fmt.Errorf("no Uid line")
}

// ParseCmdline splits /proc/<pid>/cmdline at NULs; the trailing NUL ends
// the last argument (a process that rewrote its arguments into one string
// with blanks has one argument).
func ParseCmdline(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	data = bytes.TrimSuffix(data, []byte{0})
	return strings.Split(string(data), "\x00")
}
