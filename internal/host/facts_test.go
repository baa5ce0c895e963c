package host

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestIdentityOnEmptyRootListsProblems(t *testing.T) {
	h := newHost(t, t.TempDir())
	id := h.Identity()
	if id.Hostname != "" || id.MachineID != "" || id.Kernel != "" || id.Arch != "" {
		t.Errorf("Identity() on an empty root = %+v, want empty fields", id)
	}
	if id.OS.ID != "linux" {
		t.Errorf("OS.ID = %q, want the os-release default linux", id.OS.ID)
	}
	for _, what := range []string{"hostname", "machine-id", "kernel", "arch", "os-release"} {
		found := false
		for _, p := range id.Problems {
			if strings.HasPrefix(p, what+": ") {
				found = true
			}
		}
		if !found {
			t.Errorf("Problems %q do not mention %s", id.Problems, what)
		}
	}
	// Arch must not come from the machine the test runs on.
	if id.Arch != "" {
		t.Errorf("Arch() on an image without proc/sys/kernel/arch = %q", id.Arch)
	}
}

func TestIdentityFromFixture(t *testing.T) {
	root := mkroot(t, map[string]string{
		"proc/sys/kernel/hostname":  "db1\n",
		"etc/hostname":              "image-name\n",
		"etc/machine-id":            "0123456789abcdef0123456789abcdef\n",
		"proc/sys/kernel/osrelease": "3.10.0-1160.119.1.el7.x86_64\n",
		"proc/sys/kernel/arch":      "x86_64\n",
		"etc/os-release":            "ID=centos\nVERSION_ID=\"7\"\n",
	})
	id := newHost(t, root).Identity()
	want := Identity{
		Hostname:  "db1",
		MachineID: "0123456789abcdef0123456789abcdef",
		Kernel:    "3.10.0-1160.119.1.el7.x86_64",
		Arch:      "x86_64",
	}
	if id.Hostname != want.Hostname || id.MachineID != want.MachineID || id.Kernel != want.Kernel || id.Arch != want.Arch {
		t.Errorf("Identity() = %+v, want %+v", id, want)
	}
	if id.OS.ID != "centos" || id.OS.VersionID != "7" {
		t.Errorf("OS = %+v, want centos 7", id.OS)
	}
	if len(id.Problems) != 0 {
		t.Errorf("Problems = %q, want none", id.Problems)
	}
}

func TestHostnameFallsBackToEtcHostname(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"image has only /etc/hostname", map[string]string{"etc/hostname": "image\n"}, "image"},
		{"empty proc hostname falls back", map[string]string{"proc/sys/kernel/hostname": "\n", "etc/hostname": "image\n"}, "image"},
		{"first non-empty line", map[string]string{"etc/hostname": "\n\n  web1  \nweb2\n"}, "web1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newHost(t, mkroot(t, tt.files)).Hostname()
			if err != nil || got != tt.want {
				t.Errorf("Hostname() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("all empty", func(t *testing.T) {
		_, err := newHost(t, mkroot(t, map[string]string{"etc/hostname": "  \n"})).Hostname()
		if err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("Hostname() error = %v, want empty", err)
		}
	})
}

func TestMachineIDValidation(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
		wantErr bool
	}{
		{"valid", "0123456789abcdef0123456789abcdef\n", "0123456789abcdef0123456789abcdef", false},
		{"valid without newline", "ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffffff", false},
		{"upper case", "0123456789ABCDEF0123456789ABCDEF\n", "", true},
		{"too short", "0123456789abcdef\n", "", true},
		{"too long", "0123456789abcdef0123456789abcdef0\n", "", true},
		{"not hex", "0123456789abcdefg123456789abcdef\n", "", true},
		{"uninitialized", "uninitialized\n", "", true},
		{"empty", "\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newHost(t, mkroot(t, map[string]string{"etc/machine-id": tt.content})).MachineID()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("MachineID() = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := newHost(t, t.TempDir()).MachineID()
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("MachineID() error = %v, want fs.ErrNotExist", err)
		}
	})
}

func TestArch(t *testing.T) {
	got, err := newHost(t, mkroot(t, map[string]string{"proc/sys/kernel/arch": "aarch64\n"})).Arch()
	if err != nil || got != "aarch64" {
		t.Errorf("Arch() = %q, %v; want aarch64 from the root", got, err)
	}
	_, err = newHost(t, mkroot(t, map[string]string{"proc/sys/kernel/arch/": ""})).Arch()
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("Arch() with a directory = %v, want ErrNotRegular", err)
	}
	_, err = newHost(t, t.TempDir()).Arch()
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Arch() on an image without it = %v, want fs.ErrNotExist (never the running machine's)", err)
	}
}

func TestKernelRelease(t *testing.T) {
	got, err := newHost(t, mkroot(t, map[string]string{"proc/sys/kernel/osrelease": "5.14.0-362.el9.x86_64\n"})).KernelRelease()
	if err != nil || got != "5.14.0-362.el9.x86_64" {
		t.Errorf("KernelRelease() = %q, %v", got, err)
	}
}
