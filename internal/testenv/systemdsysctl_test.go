package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, full)
		} else {
			err = os.WriteFile(full, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestSystemdSysctlAppliesARootsConfiguration: the real systemd-sysctl
// reads the root's directories (a missing one is empty; sysctl.conf only
// through the 99-sysctl.conf link), in its order, and writes into the given
// proc/sys; this machine's values do not change.
func TestSystemdSysctlAppliesARootsConfiguration(t *testing.T) {
	bin := NeedSystemdSysctl(t)
	root, procSys := t.TempDir(), t.TempDir()
	writeTree(t, root, map[string]string{
		"usr/lib/sysctl.d/50-vendor.conf": "net.core.somaxconn = 1000\nnet.ipv4.tcp_rmem = 9 9 9\n",
		"usr/lib/sysctl.d/60-vendor.conf": "net.ipv4.tcp_rmem = 1 2 3\n",
		"etc/sysctl.d/50-vendor.conf":     "net.core.somaxconn = 777\n", // masks the vendor file by name
		"etc/sysctl.d/99-sysctl.conf":     "->../sysctl.conf",
		"etc/sysctl.conf":                 "net.core.netdev_max_backlog = 4321\n",
		"lib":                             "->usr/lib",
	})
	writeTree(t, procSys, map[string]string{
		"net/core/somaxconn":          "128\n",
		"net/core/netdev_max_backlog": "1000\n",
		"net/ipv4/tcp_rmem":           "4096\t131072\t6291456\n",
	})
	hostBefore, err := os.ReadFile("/proc/sys/net/core/somaxconn")
	if err != nil {
		t.Fatal(err)
	}
	s := StartSystemdSysctl(t, bin, root, procSys)
	rc, stderr := s.Run(t)
	s.Close(t)
	if rc != 0 {
		t.Fatalf("systemd-sysctl exited %d:\n%s", rc, stderr)
	}
	for key, want := range map[string]string{
		"net/core/somaxconn":          "777",
		"net/core/netdev_max_backlog": "4321",
		"net/ipv4/tcp_rmem":           "1 2 3",
	} {
		data, err := os.ReadFile(filepath.Join(procSys, key))
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _ := strings.Cut(string(data), "\n"); got != want {
			t.Errorf("%s = %q after systemd-sysctl, want %q", key, got, want)
		}
	}
	if after, _ := os.ReadFile("/proc/sys/net/core/somaxconn"); string(after) != string(hostBefore) {
		t.Errorf("this machine's net.core.somaxconn changed from %q to %q", hostBefore, after)
	}
}

// fatalTB records a Fatalf and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestSystemdSysctlRefusesWhatItCannotBindTruly: a directory that is a link
// out of the root would bind this machine's files, and a split-usr root's
// own lib/sysctl.d is not read by this systemd-sysctl.
func TestSystemdSysctlRefusesWhatItCannotBindTruly(t *testing.T) {
	cases := map[string]map[string]string{
		"link out of the root": {"etc/sysctl.d": "->/etc/sysctl.d"},
		"split /usr":           {"lib/sysctl.d/10-x.conf": "a = 1\n", "usr/lib/sysctl.d/20-y.conf": "b = 2\n"},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, files)
			f := &fatalTB{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				StartSystemdSysctl(f, "/bin/false", root, t.TempDir()).Close(t)
			}()
			<-done
			if f.msg == "" {
				t.Fatal("started a namespace over it")
			}
			t.Log(f.msg)
		})
	}
}
