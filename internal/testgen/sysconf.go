package testgen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SystemdConfTree writes under root a random configuration of a systemd
// daemon's file name.conf (journald.conf, coredump.conf): main files in
// some of the four places systemd looks (/etc, /run, /usr/local/lib,
// /usr/lib under systemd/), drop-ins in the four name.conf.d directories
// with names that clash across them, links to /dev/null that mask, and in
// each file random assignments of keys from values (an empty value
// restores the default) in section, with comments and other sections
// mixed in.
func SystemdConfTree(r *rand.Rand, root, name, section string, values map[string][]string) error {
	dirs := []string{"etc/systemd", "run/systemd", "usr/local/lib/systemd", "usr/lib/systemd"}
	var keys []string
	for k := range values {
		keys = append(keys, k)
	}
	// Map iteration is random; the file contents must come from r alone.
	sortStrings(keys)
	body := func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "# generated\n[%s]\n", section)
		for range 1 + r.IntN(4) {
			k := keys[r.IntN(len(keys))]
			vs := values[k]
			fmt.Fprintf(&b, "%s=%s\n", k, vs[r.IntN(len(vs))])
			if r.IntN(6) == 0 {
				b.WriteString("[Other]\n" + k + "=ignored\n[" + section + "]\n")
			}
		}
		return b.String()
	}
	write := func(p, content string) error {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, []byte(content), 0o644)
	}
	// An image's /dev is empty until boot; systemd, looking under a root,
	// reads a link to /dev/null as a mask only when the root has one (an
	// empty file is "null or empty" to it as well).
	if err := write("dev/null", ""); err != nil {
		return err
	}
	for _, d := range dirs {
		if r.IntN(3) == 0 {
			if err := write(filepath.Join(d, name), body()); err != nil {
				return err
			}
		}
	}
	for _, d := range dirs {
		for range r.IntN(3) {
			p := filepath.Join(d, name+".d", fmt.Sprintf("%02d-x.conf", r.IntN(4)*10))
			if r.IntN(7) == 0 {
				full := filepath.Join(root, p)
				_ = os.MkdirAll(filepath.Dir(full), 0o755)
				_ = os.Remove(full)
				if err := os.Symlink("/dev/null", full); err != nil {
					return err
				}
				continue
			}
			if err := write(p, body()); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// CatConfig runs `systemd-analyze --root=ROOT cat-config systemd/NAME` and
// returns the files it shows, in its order, as paths inside root (masking
// links left out), and the
// values the keys of section end with when those files are applied in
// that order (the last assignment wins; an empty one removes the key).
func CatConfig(root, name, section string) (files []string, values map[string]string, err error) {
	out, err := exec.Command("systemd-analyze", "--root="+root, "cat-config", "systemd/"+name).Output()
	if err != nil {
		return nil, nil, fmt.Errorf("systemd-analyze cat-config: %w", err)
	}
	values = map[string]string{}
	cur := ""
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "# "+root):
			// cat-config shows a masking link too (as an empty file): it
			// wins its name and sets nothing; the files read are the rest.
			f := strings.TrimPrefix(l, "# "+root)
			if t, err := os.Readlink(filepath.Join(root, f)); err != nil || t != "/dev/null" {
				files = append(files, f)
			}
		case l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";"):
		case strings.HasPrefix(l, "["):
			cur = strings.Trim(l, "[]")
		case cur == section:
			k, v, ok := strings.Cut(l, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if v == "" {
				delete(values, k)
			} else {
				values[k] = v
			}
		}
	}
	return files, values, nil
}
