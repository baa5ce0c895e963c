package host

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkroot builds a root filesystem in a temp dir from path -> content; a
// content starting with "->" makes a symlink to the rest, a path ending in
// "/" a directory.
func mkroot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(strings.TrimPrefix(content, "->"), p); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

func newHost(t *testing.T, root string) *Host {
	t.Helper()
	h, err := New(root)
	if err != nil {
		t.Fatalf("New(%s): %v", root, err)
	}
	return h
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	t.Run("missing root", func(t *testing.T) {
		_, err := New(filepath.Join(dir, "nope"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("New(missing) error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("file as root", func(t *testing.T) {
		_, err := New(file)
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("New(file) error = %v, want not a directory", err)
		}
	})
	t.Run("symlinked root is resolved once", func(t *testing.T) {
		h := newHost(t, link)
		want, _ := filepath.EvalSymlinks(dir)
		if h.Root() != want {
			t.Errorf("Root() = %s, want %s", h.Root(), want)
		}
		if h.Live() {
			t.Error("a temp root is not the live system")
		}
	})
	t.Run("empty root is the live system", func(t *testing.T) {
		h := newHost(t, "")
		if h.Root() != "/" || !h.Live() {
			t.Errorf("New(\"\") root %q live %v, want / and live", h.Root(), h.Live())
		}
	})
	t.Run("options", func(t *testing.T) {
		pinned := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
		h, err := New(dir, WithClock(func() time.Time { return pinned }), WithEUID(1000))
		if err != nil {
			t.Fatal(err)
		}
		if !h.Now().Equal(pinned) {
			t.Errorf("Now() = %v, want %v", h.Now(), pinned)
		}
		if h.Privileged() {
			t.Error("Privileged() with euid 1000")
		}
		h, _ = New(dir, WithEUID(0))
		if !h.Privileged() {
			t.Error("not Privileged() with euid 0")
		}
	})
}

func TestReadFileResolvesSymlinksInsideRoot(t *testing.T) {
	root := mkroot(t, map[string]string{
		"etc/b":                 "inside b",
		"etc/a":                 "->/etc/b",
		"etc/rel":               "->b",
		"etc/dotdot":            "->../../../../../../etc/b",
		"etc/escape-rel":        "->../../../../../../../proc/self/status",
		"usr/lib/os-release":    "ID=image",
		"etc/os-release":        "->../usr/lib/os-release",
		"etc/dirlink":           "->/usr/lib",
		"etc/chain1":            "->chain2",
		"etc/chain2":            "->/etc/chain3",
		"etc/chain3":            "->b",
		"etc/loop1":             "->loop2",
		"etc/loop2":             "->/etc/loop1",
		"etc/self":              "->self",
		"etc/dangling":          "->/nowhere",
		"opt/app/bin/tool":      "tool",
		"opt/app/current":       "->/opt/app",
		"opt/app/bin/up":        "->../../../../../../etc/b",
		"etc/host-abs-escape":   "->/proc/../../../etc/b",
		"etc/passwd-looking-in": "->/etc/../etc/./b",
	})
	h := newHost(t, root)
	tests := []struct {
		name, path, want string
	}{
		{"plain", "/etc/b", "inside b"},
		{"absolute link stays in root", "/etc/a", "inside b"},
		{"relative link", "/etc/rel", "inside b"},
		{"relative link climbing above root stops at root", "/etc/dotdot", "inside b"},
		{"link to a file via the parent", "/etc/os-release", "ID=image"},
		{"absolute link to a directory", "/etc/dirlink/os-release", "ID=image"},
		{"chain of links", "/etc/chain1", "inside b"},
		{"link in a middle element", "/opt/app/current/bin/tool", "tool"},
		{"relative link from a deep directory", "/opt/app/bin/up", "inside b"},
		{"dotdot in the name cannot climb", "/../../../etc/b", "inside b"},
		{"dot elements in a target", "/etc/passwd-looking-in", "inside b"},
		{"unclean name", "//etc//./b", "inside b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := h.ReadFile(tt.path)
			if err != nil {
				t.Fatalf("ReadFile(%s): %v", tt.path, err)
			}
			if string(data) != tt.want {
				t.Errorf("ReadFile(%s) = %q, want %q", tt.path, data, tt.want)
			}
		})
	}

	t.Run("relative link escaping the root does not read the machine", func(t *testing.T) {
		// proc/self/status exists on every Linux machine, not in the root.
		_, err := h.ReadFile("/etc/escape-rel")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("ReadFile(/etc/escape-rel) error = %v, want fs.ErrNotExist", err)
		}
	})
	for _, name := range []string{"/etc/loop1", "/etc/self"} {
		t.Run("loop "+name, func(t *testing.T) {
			_, err := h.ReadFile(name)
			if !errors.Is(err, syscall.ELOOP) {
				t.Fatalf("ReadFile(%s) error = %v, want ELOOP", name, err)
			}
			if strings.Contains(err.Error(), root) {
				t.Errorf("error %q names the temp root", err)
			}
		})
	}
	t.Run("dotdot after a missing element fails there", func(t *testing.T) {
		// /proc does not exist in the root, so /proc/.. cannot be walked:
		// a chroot answers ENOENT, and so must we.
		_, err := h.ReadFile("/etc/host-abs-escape")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("dangling link", func(t *testing.T) {
		_, err := h.ReadFile("/etc/dangling")
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("relative path refused", func(t *testing.T) {
		if _, err := h.ReadFile("etc/b"); err == nil {
			t.Fatal("ReadFile(etc/b) succeeded, want an error for a relative path")
		}
	})
}

// TestAbsoluteSymlinkNeverReadsTheMachine plants a link to a file that
// exists on every Linux machine but not in the root.
func TestAbsoluteSymlinkNeverReadsTheMachine(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this machine")
	}
	root := mkroot(t, map[string]string{"etc/status": "->/proc/self/status", "proc/": ""})
	h := newHost(t, root)
	_, err := h.ReadFile("/etc/status")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadFile through /proc/self/status link: %v, want fs.ErrNotExist (the machine's /proc was read)", err)
	}
}

func TestReadFileRefusesNonRegular(t *testing.T) {
	root := mkroot(t, map[string]string{"etc/dir/": "", "etc/dirlink": "->/etc/dir"})
	if err := syscall.Mkfifo(filepath.Join(root, "etc/fifo"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("/etc/fifo", filepath.Join(root, "etc/fifolink")); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, root)
	for _, name := range []string{"/etc/dir", "/etc/dirlink", "/", "/etc/fifo", "/etc/fifolink"} {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := h.ReadFile(name)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNotRegular) {
					t.Fatalf("ReadFile(%s) error = %v, want ErrNotRegular", name, err)
				}
				if strings.Contains(err.Error(), root) {
					t.Errorf("error %q names the temp root", err)
				}
			case <-time.After(5 * time.Second):
				// A blocked open on a FIFO never returns; fail rather than hang.
				t.Fatalf("ReadFile(%s) blocked", name)
			}
		})
	}
}

func TestReadFileLimit(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 15000) // 240,000 bytes: more than one growth step
	root := mkroot(t, map[string]string{"exact": "12345", "over": "123456", "empty": "", "big": big})
	h := newHost(t, root)
	tests := []struct {
		name    string
		limit   int64
		want    string
		tooBig  bool
		wantErr bool
	}{
		{"/exact", 5, "12345", false, false},
		{"/over", 5, "", true, true},
		{"/empty", 0, "", false, false},
		{"/exact", 0, "", true, true},
		{"/big", 1 << 20, big, false, false},
		{"/big", int64(len(big)), big, false, false},
		{"/big", int64(len(big)) - 1, "", true, true},
	}
	for _, tt := range tests {
		data, err := h.ReadFileLimit(tt.name, tt.limit)
		if (err != nil) != tt.wantErr {
			t.Errorf("ReadFileLimit(%s, %d) error = %v, want error %v", tt.name, tt.limit, err, tt.wantErr)
			continue
		}
		if tt.tooBig && !errors.Is(err, ErrTooLarge) {
			t.Errorf("ReadFileLimit(%s, %d) error = %v, want ErrTooLarge", tt.name, tt.limit, err)
		}
		if err == nil && string(data) != tt.want {
			t.Errorf("ReadFileLimit(%s, %d) = %q, want %q", tt.name, tt.limit, data, tt.want)
		}
	}
}

func TestReadFileDefaultLimit(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "big")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A sparse file: DefaultLimit+1 bytes without writing them.
	if err := os.Truncate(p, DefaultLimit+1); err != nil {
		t.Fatal(err)
	}
	_, err := newHost(t, root).ReadFile("/big")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile of DefaultLimit+1 bytes: %v, want ErrTooLarge", err)
	}
}

func TestMissingFileNamesThePathInsideTheRoot(t *testing.T) {
	root := mkroot(t, map[string]string{"etc/": "", "etc/link": "->/etc/missing"})
	h := newHost(t, root)
	for _, name := range []string{"/etc/missing", "/nodir/missing", "/etc/link"} {
		t.Run(name, func(t *testing.T) {
			_, err := h.ReadFile(name)
			if !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("error = %v, want fs.ErrNotExist", err)
			}
			if strings.Contains(err.Error(), root) {
				t.Errorf("error %q names the temp root", err)
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != name {
				t.Errorf("error %#v is not a PathError for %s", err, name)
			}
		})
	}
	t.Run("stat", func(t *testing.T) {
		_, err := h.Stat("/etc/missing")
		if !errors.Is(err, fs.ErrNotExist) || strings.Contains(err.Error(), root) {
			t.Errorf("Stat error = %v, want fs.ErrNotExist naming /etc/missing", err)
		}
	})
}

func TestLstatAndReadlinkDoNotFollowTheLastLink(t *testing.T) {
	root := mkroot(t, map[string]string{
		"etc/b":       "content",
		"etc/a":       "->/etc/b",
		"lib":         "->/usr/lib",
		"usr/lib/x":   "->../../etc/b",
		"usr/lib/reg": "regular",
	})
	h := newHost(t, root)

	fi, err := h.Lstat("/etc/a")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(/etc/a) mode %v, want a symlink", fi.Mode())
	}
	fi, err = h.Stat("/etc/a")
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Size() != int64(len("content")) {
		t.Errorf("Stat(/etc/a) = %v size %d, want the regular file /etc/b", fi.Mode(), fi.Size())
	}

	// Links in the middle of the path are still followed.
	fi, err = h.Lstat("/lib/x")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(/lib/x) mode %v, want a symlink", fi.Mode())
	}

	tests := []struct {
		name, want string
		wantErr    bool
	}{
		{"/etc/a", "/etc/b", false},
		{"/lib", "/usr/lib", false},
		{"/lib/x", "../../etc/b", false},
		{"/usr/lib/reg", "", true},
		{"/missing", "", true},
	}
	for _, tt := range tests {
		got, err := h.Readlink(tt.name)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Readlink(%s) = %q, %v; want %q, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), root) {
			t.Errorf("Readlink(%s) error %q names the temp root", tt.name, err)
		}
	}
	if _, err := h.Lstat("/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lstat(/missing) error = %v, want fs.ErrNotExist", err)
	}
}

func TestReadDirIsSortedAndDoesNotFollowEntries(t *testing.T) {
	root := mkroot(t, map[string]string{
		"etc/sysctl.d/99-z.conf":    "",
		"etc/sysctl.d/10-a.conf":    "",
		"etc/sysctl.d/50-m.conf":    "->/etc/other",
		"etc/sysctl.d/00-dir/":      "",
		"etc/other":                 "",
		"etc/sysctl.d/A-upper.conf": "",
		"link":                      "->/etc/sysctl.d",
	})
	h := newHost(t, root)
	for _, dir := range []string{"/etc/sysctl.d", "/link"} {
		entries, err := h.ReadDir(dir)
		if err != nil {
			t.Fatalf("ReadDir(%s): %v", dir, err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		want := []string{"00-dir", "10-a.conf", "50-m.conf", "99-z.conf", "A-upper.conf"}
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("ReadDir(%s) = %v, want %v", dir, names, want)
		}
		if entries[2].Type()&fs.ModeSymlink == 0 {
			t.Errorf("ReadDir(%s): 50-m.conf type %v, want a symlink", dir, entries[2].Type())
		}
		if !entries[0].IsDir() {
			t.Errorf("ReadDir(%s): 00-dir is not a directory", dir)
		}
	}
	if _, err := h.ReadDir("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadDir(/nope) error = %v, want fs.ErrNotExist", err)
	}
}

func TestExists(t *testing.T) {
	root := mkroot(t, map[string]string{
		"etc/b":        "",
		"etc/a":        "->/etc/b",
		"etc/dangling": "->/nowhere",
		"etc/loop":     "->loop",
		"etc/dir/":     "",
	})
	h := newHost(t, root)
	tests := []struct {
		name string
		want bool
	}{
		{"/etc/b", true},
		{"/etc/a", true},
		{"/etc/dir", true},
		{"/", true},
		{"/etc/missing", false},
		{"/etc/dangling", false},
		// An unreadable answer counts as existing so the read reports it.
		{"/etc/loop", true},
	}
	for _, tt := range tests {
		if got := h.Exists(tt.name); got != tt.want {
			t.Errorf("Exists(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A regular file is read into one buffer of its size: a CA bundle read with
// io.ReadAll's growth touched twice its bytes in fresh heap pages.
func TestReadFileLimitAllocatesTheFileOnce(t *testing.T) {
	data := strings.Repeat("x", 240_000)
	h := newHost(t, mkroot(t, map[string]string{"bundle": data}))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := h.ReadFileLimit("/bundle", 16<<20)
	runtime.ReadMemStats(&after)
	if err != nil || len(got) != len(data) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(len(data))*11/10 {
		t.Errorf("reading %d bytes allocated %d", len(data), n)
	}
}
