package facts

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
)

func TestNextBootPrefersTheDefaultBLSEntry(t *testing.T) {
	cases := []struct {
		name         string
		files        map[string]string
		source, line string
	}{
		{"the newest entry, $kernelopts from grubenv", map[string]string{
			"etc/default/grub":                          `GRUB_CMDLINE_LINUX="from-grub-default"` + "\n",
			"boot/loader/entries/m-5.14.0-70.el9.conf":  "title old\noptions root=/dev/x ro old\n",
			"boot/loader/entries/m-5.14.0-427.el9.conf": "title new\noptions root=/dev/x ro $kernelopts new\n",
			"boot/loader/entries/m-5.14.0-99.el9.conf":  "title mid\noptions mid\n",
			"boot/grub2/grubenv":                        "# GRUB Environment Block\nkernelopts=systemd.unified_cgroup_hierarchy=0 x\n",
		}, "/boot/loader/entries/m-5.14.0-427.el9.conf", "root=/dev/x ro systemd.unified_cgroup_hierarchy=0 x new"},
		{"saved_entry wins", map[string]string{
			"boot/loader/entries/m-5.14.0-70.el9.conf":  "options saved\n",
			"boot/loader/entries/m-5.14.0-427.el9.conf": "options newest\n",
			"boot/grub2/grubenv":                        "saved_entry=m-5.14.0-70.el9\n",
		}, "/boot/loader/entries/m-5.14.0-70.el9.conf", "saved"},
		{"a saved_entry naming no entry is ignored", map[string]string{
			"boot/loader/entries/m-5.14.0-70.el9.conf":  "options old\n",
			"boot/loader/entries/m-5.14.0-427.el9.conf": "options newest\n",
			"boot/grub2/grubenv":                        "saved_entry=gone\n",
		}, "/boot/loader/entries/m-5.14.0-427.el9.conf", "newest"},
		{"grubenv on the EFI partition, ${name}, options lines joined", map[string]string{
			"boot/efi/EFI/redhat/grubenv":                    "# GRUB Environment Block\nkernelopts=root=/dev/vda1 ro\ntuned_params=skew_tick=1\n####\n",
			"boot/loader/entries/abc-4.18.0-553.el8_10.conf": "version 4.18.0\noptions $kernelopts\noptions\t${tuned_params} quiet\n",
		}, "/boot/loader/entries/abc-4.18.0-553.el8_10.conf", "root=/dev/vda1 ro skew_tick=1 quiet"},
		{"grub defaults and grub.d drop-ins, in order", map[string]string{
			"etc/default/grub":               "GRUB_CMDLINE_LINUX=\"a\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n",
			"etc/default/grub.d/50-x.cfg":    "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT c\"\n",
			"etc/default/grub.d/60-x.notcfg": "GRUB_CMDLINE_LINUX=ignored\n",
		}, GrubDefault, "a b c"},
		{"nothing configures an image", map[string]string{"etc/hostname": "x\n"}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, _ := rootWith(t, c.files)
			bl := NextBoot(h)
			if bl.Source != c.source || bl.Line != c.line || len(bl.Problems) != 0 {
				t.Errorf("%q from %q (%v), want %q from %q", bl.Line, bl.Source, bl.Problems, c.line, c.source)
			}
		})
	}
}

// On the running system without bootloader files, the next boot gets the
// line this one got: /proc/cmdline, read as it is.
func TestNextBootOnThisMachineWithoutBootloaderFiles(t *testing.T) {
	for _, f := range []string{"/etc/default/grub", "/boot/loader/entries"} {
		if _, err := os.Stat(f); err == nil {
			t.Skipf("this machine has %s: the fallback is not what it uses", f)
		}
	}
	want, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	if bl := NextBoot(h); bl.Source != ProcCmdline || bl.Line != strings.TrimRight(string(want), "\n") {
		t.Errorf("%q from %q, want /proc/cmdline's %q", bl.Line, bl.Source, want)
	}
}

// grub-mkconfig is a shell script: it sources /etc/default/grub and then
// /etc/default/grub.d/*.cfg, and puts "$GRUB_CMDLINE_LINUX
// $GRUB_CMDLINE_LINUX_DEFAULT" on the normal boot entry. Generated files
// (quotes, escapes, references to earlier variables, comments, export,
// drop-ins overriding the main file) are read here and by sh, which must
// agree on the line.
func TestGrubDefaultsAsShSourcesThem(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal("sh is missing")
	}
	words := []string{"quiet", "ro", "crashkernel=auto", "rd.lvm.lv=vg/root", "systemd.unified_cgroup_hierarchy=0", "sysctl.vm.swappiness=10", "console=ttyS0,115200n8", "a=b=c", "x.y"}
	// quote writes s as a shell word; case 3 writes several words, which
	// make a plain line a command (NAME stays unset) and an export line an
	// error (sh: bad variable name), so exports do not get it.
	quote := func(rng *rand.Rand, s string, export bool) string {
		n := rng.IntN(5)
		if export && n == 3 {
			n = 1
		}
		switch n {
		case 0:
			return "'" + s + "'"
		case 1:
			return `"` + s + `"`
		case 2:
			return strings.ReplaceAll(s, " ", `\ `)
		case 3:
			return `"` + strings.ReplaceAll(s, " ", `" "`) + `"`
		}
		return `"$BASE ` + s + `"`
	}
	value := func(rng *rand.Rand) string {
		var ws []string
		for range 1 + rng.IntN(3) {
			ws = append(ws, words[rng.IntN(len(words))])
		}
		return strings.Join(ws, " ")
	}
	rng := rand.New(rand.NewPCG(7, 19))
	for i := range 150 {
		dir := t.TempDir()
		var main strings.Builder
		main.WriteString("# generated\nGRUB_TIMEOUT=5\n")
		fmt.Fprintf(&main, "BASE=%s\n", quote(rng, value(rng), false))
		for _, name := range []string{"GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"} {
			if rng.IntN(6) == 0 {
				continue
			}
			prefix := ""
			if rng.IntN(4) == 0 {
				prefix = "export "
			}
			comment := ""
			if rng.IntN(3) == 0 {
				comment = " # set by the installer"
			}
			fmt.Fprintf(&main, "%s%s=%s%s\n", prefix, name, quote(rng, value(rng), prefix != ""), comment)
		}
		files := map[string]string{"etc/default/grub": main.String()}
		for j := range rng.IntN(3) {
			name := []string{"GRUB_CMDLINE_LINUX", "GRUB_CMDLINE_LINUX_DEFAULT"}[rng.IntN(2)]
			files[fmt.Sprintf("etc/default/grub.d/%02d-gen.cfg", j*10)] = fmt.Sprintf("%s=\"$%s %s\"\n", name, name, value(rng))
		}
		for name, text := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		script := `. "$1/etc/default/grub"
for f in "$1"/etc/default/grub.d/*.cfg; do [ -e "$f" ] && . "$f"; done
printf '%s' "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"`
		out, err := exec.Command(sh, "-c", script, "sh", dir).Output() // a plain A="x" "y" runs y: not found, on stderr
		if err != nil {
			t.Fatalf("case %d: sh: %v\n%s", i, err, files)
		}
		h, err := host.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		bl := NextBoot(h)
		if bl.Line != strings.TrimSpace(string(out)) {
			t.Fatalf("case %d: golive reads %q, sh %q\n%v", i, bl.Line, out, files)
		}
	}
}

// rpmvercmp is held to rpm's own (rpm.vercmp through rpm's Lua, one
// process for every pair) on generated kernel versions and releases.
func TestRPMVercmpAgreesWithRPM(t *testing.T) {
	rpm, err := exec.LookPath("rpm")
	if err != nil {
		t.Skip("rpm is not installed (make test-deps installs it)")
	}
	// No "-" or ":": rpm.vercmp reads its arguments as [epoch:]version[-release]
	// and refuses empty ones; the entries' parts have neither.
	parts := []string{"0", "1", "9", "10", "010", "427", "a", "b", "el9", "el9_4", "rc", "~rc1", "^git1", ".", "_", "+", "x86_64", "rescue", "fc40", "Z", "~", "^"}
	rng := rand.New(rand.NewPCG(3, 5))
	gen := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		return b.String()
	}
	pairs := [][2]string{{"5.14.0", "5.14.0"}, {"1.0~rc1", "1.0"}, {"1.0^git1", "1.0"}, {"1.0^", "1.0~"}, {"a", "1"}, {"1.01", "1.1"}, {"5.14.0", "5.14.0.1"}, {"rescue", "5.14.0"}}
	for range 3000 {
		pairs = append(pairs, [2]string{gen(), gen()})
	}
	var lua strings.Builder
	lua.WriteString("%{lua: local p = {")
	for _, p := range pairs {
		fmt.Fprintf(&lua, "{%q,%q},", p[0], p[1])
	}
	lua.WriteString("} for _, x in ipairs(p) do print(rpm.vercmp(x[1], x[2]) .. '\\n') end}")
	out, err := exec.Command(rpm, "--eval", lua.String()).Output()
	if err != nil {
		t.Fatalf("rpm: %v", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(pairs) {
		t.Fatalf("rpm answered %d of %d comparisons", len(lines), len(pairs))
	}
	for i, p := range pairs {
		want, _ := strconv.Atoi(lines[i])
		if got := rpmvercmp(p[0], p[1]); got != want {
			t.Errorf("rpmvercmp(%q, %q) = %d, rpm says %d", p[0], p[1], got, want)
		}
	}
}

func TestSplitNVR(t *testing.T) {
	for id, want := range map[string][3]string{
		"90a14360370c92138793a86a5c49ad3a-5.14.0-427.13.1.el9_4.x86_64": {"90a14360370c92138793a86a5c49ad3a", "5.14.0", "427.13.1.el9_4.x86_64"},
		"m-0-rescue-abc": {"m-0", "rescue", "abc"},
		"a-b":            {"a", "", "b"},
		"plain":          {"plain", "", ""},
	} {
		n, v, r := splitNVR(id)
		if got := [3]string{n, v, r}; !reflect.DeepEqual(got, want) {
			t.Errorf("splitNVR(%q) = %q, want %q", id, got, want)
		}
	}
}

// The forms grub defaults files use, including commands, which are not run.
func TestParseShellAssignmentsForms(t *testing.T) {
	vars := map[string]string{}
	ParseShellAssignments([]byte(`# comment
GRUB_DISTRIBUTOR="$(sed 's, release .*$,,g' /etc/system-release)"
GRUB_DISTRIBUTOR2=`+"`lsb_release -i -s 2> /dev/null || echo Debian`"+`
GRUB_CMDLINE_LINUX="crashkernel=auto rd.lvm.lv=centos/root rhgb quiet"
GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX systemd.unified_cgroup_hierarchy=0"
GRUB_CMDLINE_LINUX_DEFAULT='quiet splash' # a comment
export GRUB_X=a\ b
GRUB_Y="${GRUB_X}!" ; echo
GRUB_Z=1 command
GRUB_BAD="unterminated
not an assignment
`), vars)
	want := map[string]string{
		"GRUB_DISTRIBUTOR":           "$(sed 's, release .*$,,g' /etc/system-release)",
		"GRUB_CMDLINE_LINUX":         "crashkernel=auto rd.lvm.lv=centos/root rhgb quiet systemd.unified_cgroup_hierarchy=0",
		"GRUB_CMDLINE_LINUX_DEFAULT": "quiet splash",
		"GRUB_X":                     "a b",
		"GRUB_Y":                     "a b!",
	}
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("got  %q\nwant %q", vars, want)
	}
}
