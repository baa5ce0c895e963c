package facts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

// The running system's table holds this test process, with the name,
// command line and uids the kernel gives it.
func TestProcessesLive(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	tab, err := Processes(h)
	if err != nil {
		t.Fatal(err)
	}
	comm := filepath.Base(os.Args[0])
	if len(comm) > 15 {
		comm = comm[:15]
	}
	for _, p := range tab.Processes {
		if p.PID != os.Getpid() {
			continue
		}
		if p.Comm != comm || strings.Join(p.Cmdline, " ") != strings.Join(os.Args, " ") ||
			p.RUID != uint64(os.Getuid()) || p.EUID != uint64(os.Geteuid()) {
			t.Errorf("self: %+v, want comm %q args %q", p, comm, os.Args)
		}
		return
	}
	t.Errorf("pid %d not among %d processes", os.Getpid(), len(tab.Processes))
}

func TestParseProcStat(t *testing.T) {
	for in, want := range map[string]Process{
		"1 (systemd) S 0 1 1":       {PID: 1, Comm: "systemd", State: 'S'},
		"42 (my (odd) name) R 1 42": {PID: 42, Comm: "my (odd) name", State: 'R'},
		"7 () Z 1":                  {PID: 7, Comm: "", State: 'Z'},
		"9 (a)b) S 1":               {PID: 9, Comm: "a)b", State: 'S'},
	} {
		got, err := ParseProcStat([]byte(in))
		if err != nil || got.PID != want.PID || got.Comm != want.Comm || got.State != want.State {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "garbage", "x (a) S", "-1 (a) S", "1 (a)", "1 (a) "} {
		if _, err := ParseProcStat([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if r, e, err := ParseStatusUID([]byte("Name:\tx\nUid:\t0\t1000\t1000\t1000\n")); err != nil || r != 0 || e != 1000 {
		t.Errorf("uids %d %d %v", r, e, err)
	}
	if got := ParseCmdline([]byte("a\x00b c\x00\x00")); strings.Join(got, "|") != "a|b c|" {
		t.Errorf("cmdline %q", got)
	}
}

// FuzzProcFiles: stat, status and cmdline of any bytes give a process or
// an error, never a panic; a parsed comm is at most 64 bytes.
func FuzzProcFiles(f *testing.F) {
	f.Add("1 (systemd) S 0 1 1 0 -1", "Uid:\t0\t0\t0\t0\n", "/sbin/init\x00splash\x00")
	f.Add("42 (a (b) c) R", "Uid:\t1000\n", "")
	f.Add("((((", "Uid: x y", "\x00\x00")
	f.Fuzz(func(t *testing.T, stat, status, cmdline string) {
		if p, err := ParseProcStat([]byte(stat)); err == nil && (len(p.Comm) > 64 || p.PID <= 0) {
			t.Fatalf("%q: %+v", stat, p)
		}
		_, _, _ = ParseStatusUID([]byte(status))
		_ = ParseCmdline([]byte(cmdline))
	})
}

// BenchmarkProcessesLive reads the running system's process table, a new
// Host each time (three files per process).
func BenchmarkProcessesLive(b *testing.B) {
	n := 0
	for b.Loop() {
		h, err := host.New("/")
		if err != nil {
			b.Fatal(err)
		}
		t, err := Processes(h)
		if err != nil {
			b.Fatal(err)
		}
		n = len(t.Processes)
	}
	b.ReportMetric(float64(n), "processes")
}
