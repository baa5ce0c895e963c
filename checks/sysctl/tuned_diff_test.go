package sysctl

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/testenv"
)

// tunedReference loads each case's profiles with tuned's own Loader
// (Locator, Factory, Merger, Variables of the installed tuned) and prints,
// per case, the sysctl values its sysctl plugin would write: the options of
// every enabled unit of type sysctl, unquoted and statically expanded as
// plugin_sysctl.py does. Values left with "${" (functions) are left out, as
// golive leaves them out; functions are never evaluated here.
const tunedReference = `
import json, sys, logging
logging.disable(logging.CRITICAL)
from tuned.profiles.locator import Locator
from tuned.profiles.loader import Loader
from tuned.profiles.factory import Factory
from tuned.profiles.merger import Merger
from tuned.profiles.variables import Variables
from tuned.utils.commands import commands
cases = json.load(open(sys.argv[1]))
cmd = commands()
out = []
for c in cases:
    variables = Variables()
    loader = Loader(Locator(c["dirs"]), Factory(), Merger(), None, variables)
    try:
        prof = loader.load(c["names"])
    except Exception as e:
        out.append({"error": str(e)})
        continue
    values = {}
    for unit in prof.units.values():
        if unit.type != "sysctl" or not unit.enabled:
            continue
        for k, v in unit.options.items():
            v = variables.expand_static(cmd.unquote(v))
            if "${" in v:
                continue
            values[k.replace("/", ".")] = v
    out.append({"values": values})
json.dump(out, sys.stdout)
`

const tunedPythonPath = "/usr/lib/python3/dist-packages"

type tunedCase struct {
	Dirs  []string `json:"dirs"`
	Names []string `json:"names"`
	files map[string]string
	label string
}

type tunedResult struct {
	Error  string            `json:"error"`
	Values map[string]string `json:"values"`
}

// TestTunedLoaderAgreesWithTuned: golive's reading of tuned profiles
// (include chains, /etc over /usr/lib, replace, drop, enabled, type=,
// variables, quoting, comments, repeated sections, load errors) against
// tuned 2.20's own loader on the same files.
func TestTunedLoaderAgreesWithTuned(t *testing.T) {
	testenv.NeedNamespaces(t)
	testenv.NeedCommand(t, "tuned-adm", "tuned")
	if _, err := os.Stat(filepath.Join(tunedPythonPath, "tuned", "profiles", "loader.py")); err != nil {
		testenv.Missing(t, "tuned's Python modules are not installed: "+err.Error())
	}
	work := t.TempDir()
	cases := tunedEdgeCases()
	rng := rand.New(rand.NewSource(20261204))
	for i := 0; len(cases) < 320; i++ {
		cases = append(cases, randomTunedCase(rng, i))
	}
	for i := range cases {
		base := filepath.Join(work, fmt.Sprint(i))
		cases[i].Dirs = []string{base + "/usr/lib/tuned", base + "/etc/tuned"}
		for rel, content := range cases[i].files {
			p := filepath.Join(base, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	input := filepath.Join(work, "cases.json")
	data, _ := json.Marshal(cases)
	if err := os.WriteFile(input, data, 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(work, "reference.py")
	if err := os.WriteFile(script, []byte(tunedReference), 0o644); err != nil {
		t.Fatal(err)
	}
	ns := testenv.Namespace{Net: true, Tmpfs: []string{"/etc/tuned", "/run", "/var/log"}}
	cmd := ns.Command("/usr/bin/python3", script, input)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+tunedPythonPath, "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tuned reference: %v\n%s", err, stderr.String())
	}
	var want []tunedResult
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(cases) {
		t.Fatalf("reference output (%d results for %d cases): %v", len(want), len(cases), err)
	}
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	agree, failed, withValues := 0, 0, 0
	for _, w := range want {
		if w.Error != "" {
			failed++
		} else if len(w.Values) > 0 {
			withValues++
		}
	}
	for i, c := range cases {
		got, gerr := tunedSysctls(h, c.Dirs, c.Names)
		gotValues := map[string]string{}
		for k, v := range got {
			gotValues[k] = v.value
		}
		w := want[i]
		if w.Values == nil {
			w.Values = map[string]string{}
		}
		switch {
		case (gerr != nil) != (w.Error != ""):
			t.Errorf("case %d (%s): golive error %v, tuned error %q\nfiles: %v", i, c.label, gerr, w.Error, c.files)
		case gerr == nil && !reflect.DeepEqual(gotValues, w.Values):
			t.Errorf("case %d (%s): golive %v, tuned %v\nnames %v files: %v", i, c.label, gotValues, w.Values, c.Names, c.files)
		default:
			agree++
		}
	}
	t.Logf("differential: %d cases, %d agree (tuned 2.20 Loader; %d fail to load, %d set sysctls)", len(cases), agree, failed, withValues)
	if failed > len(cases)/2 || withValues < len(cases)/4 {
		t.Errorf("the generator makes too few loadable cases to compare: %d fail, %d set values", failed, withValues)
	}
}

func tunedEdgeCases() []tunedCase {
	vg := "[main]\ninclude=throughput-performance\n\n[sysctl]\nvm.swappiness = 30\n"
	tp := "[cpu]\ngovernor=performance\n[sysctl]\nvm.dirty_ratio = 40\nvm.swappiness=10\nnet.core.somaxconn = 2048 # inline\n"
	u := func(name, content string) string { return "usr/lib/tuned/" + name + "/tuned.conf" }
	e := func(name string) string { return "etc/tuned/" + name + "/tuned.conf" }
	mk := func(label string, names []string, files map[string]string) tunedCase {
		return tunedCase{Names: names, files: files, label: label}
	}
	return []tunedCase{
		mk("RHEL default", []string{"virtual-guest"}, map[string]string{u("virtual-guest", ""): vg, u("throughput-performance", ""): tp}),
		mk("etc override includes the shipped one", []string{"virtual-guest"}, map[string]string{u("virtual-guest", ""): vg, u("throughput-performance", ""): tp, e("virtual-guest"): "[main]\ninclude=virtual-guest\n[sysctl]\nnet.core.somaxconn=65535\n"}),
		mk("replace", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=b\n[sysctl]\nreplace=1\nvm.swappiness=1\n", u("b", ""): tp}),
		mk("replace=yes is not true for tuned", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=b\n[sysctl]\nreplace=yes\nvm.swappiness=1\n", u("b", ""): tp}),
		mk("drop with ; and ,", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=b\n[sysctl]\ndrop=vm.swappiness ; net.core.somaxconn\n", u("b", ""): tp}),
		mk("enabled=0", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=b\n[sysctl]\nenabled=0\n", u("b", ""): tp}),
		mk("enabled=True re-enables", []string{"a"}, map[string]string{u("a", ""): "[sysctl]\nenabled=false\nvm.swappiness=1\n[sysctl]\nenabled=True\n"}),
		mk("type=sysctl and variables", []string{"a"}, map[string]string{u("a", ""): "[variables]\nn=5\nm=${n}0\n[net]\ntype=sysctl\nnet.core.somaxconn=${m}\nvm.x=\"${n}\"\nvm.y=\\${n}\nvm.f=${f:exec:/bin/false}\n"}),
		mk("variables defined later are not seen", []string{"a"}, map[string]string{u("a", ""): "[variables]\nm=${n}\nn=1\n[sysctl]\nvm.m=${m}\n"}),
		mk("included variables, includer wins", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=b\n[variables]\nv=2\n[sysctl]\nvm.v=${v}\n", u("b", ""): "[variables]\nv=1\nw=3\n[sysctl]\nvm.w=${w}\n"}),
		mk("two active profiles", []string{"a", "b"}, map[string]string{u("a", ""): "[sysctl]\nvm.x=1\nvm.y=1\n", u("b", ""): "[sysctl]\nvm.y=2\n"}),
		mk("missing include", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=nope\n[sysctl]\nvm.x=1\n"}),
		mk("optional include", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=-nope\n[sysctl]\nvm.x=1\n"}),
		mk("include loop", []string{"a"}, map[string]string{u("a", ""): "[main]\ninclude=b\n[sysctl]\nvm.x=1\n", u("b", ""): "[main]\ninclude=a\n[sysctl]\nvm.x=2\nvm.y=2\n"}),
		mk("line before any section", []string{"a"}, map[string]string{u("a", ""): "vm.x=1\n[sysctl]\nvm.y=1\n"}),
		mk("line without =", []string{"a"}, map[string]string{u("a", ""): "[sysctl]\nvm.x\n"}),
		mk("continuation and comments", []string{"a"}, map[string]string{u("a", ""): "[sysctl]\n# c\n; c\nnet.ipv4.tcp_rmem = 4096\n  87380 # tail\n\tx\nvm.z = a#b\n"}),
		mk("repeated section in one file", []string{"a"}, map[string]string{u("a", ""): "[sysctl]\nvm.x=1\n[cpu]\ng=1\n[sysctl]\nvm.x=2\nvm.y=3\n"}),
		mk("section header to the last bracket", []string{"a"}, map[string]string{u("a", ""): "[sys]ctl]\nvm.x=1\n[sysctl]\nvm.y=1\n"}),
		mk("slash keys and modifiers", []string{"a"}, map[string]string{u("a", ""): "[sysctl]\nvm/swappiness = >10\nnet.core.somaxconn=<4096\n"}),
		mk("PROFILE_DIR", []string{"a"}, map[string]string{u("a", ""): "[sysctl]\nkernel.core_pattern=${i:PROFILE_DIR}/core\n"}),
		mk("unsafe name filtered", []string{"../a", "b"}, map[string]string{u("b", ""): "[sysctl]\nvm.x=1\n"}),
		mk("no valid name", []string{"../a"}, map[string]string{u("b", ""): "[sysctl]\nvm.x=1\n"}),
	}
}

var (
	tunedKeys   = []string{"vm.swappiness", "net.core.somaxconn", "vm.dirty_ratio", "kernel.pid_max", "net/ipv4/tcp_rmem", "fs.file-max"}
	tunedValues = []string{"1", "30", "65535", "\"5\"", ">100", "<50", "4096 87380 6291456", "${v1}", "${v2}x", "${f:exec:/bin/true}", "7 # inline", "\\${v1}"}
	tunedNames  = []string{"a", "b", "c", "d"}
)

// randomTunedCase builds profiles a..d with random includes (some loops,
// some optional or missing), units, flags and values, placed in /usr/lib,
// /etc or both.
func randomTunedCase(rng *rand.Rand, i int) tunedCase {
	pick := func(s []string) string { return s[rng.Intn(len(s))] }
	files := map[string]string{}
	for _, n := range tunedNames {
		for _, dir := range []string{"usr/lib/tuned", "etc/tuned"} {
			if (dir == "usr/lib/tuned" && rng.Intn(10) < 8) || (dir == "etc/tuned" && rng.Intn(10) < 3) {
				files[dir+"/"+n+"/tuned.conf"] = randomTunedConf(rng, pick)
			}
		}
	}
	names := []string{pick(tunedNames)}
	if rng.Intn(4) == 0 {
		names = append(names, pick(tunedNames))
	}
	return tunedCase{Names: names, files: files, label: fmt.Sprintf("random %d", i)}
}

func randomTunedConf(rng *rand.Rand, pick func([]string) string) string {
	var b strings.Builder
	if rng.Intn(40) == 0 {
		b.WriteString("orphan = 1\n")
	}
	if rng.Intn(2) == 0 {
		b.WriteString("[main]\nsummary=x\n")
		if rng.Intn(3) > 0 {
			incs := []string{pick(tunedNames)}
			if rng.Intn(3) == 0 {
				incs = append(incs, pick(append([]string{"-opt", "zz"}, tunedNames...)))
			}
			b.WriteString("include=" + strings.Join(incs, pick([]string{",", ", ", " ; "})) + "\n")
		}
	}
	if rng.Intn(3) == 0 {
		fmt.Fprintf(&b, "[variables]\nv%d=%s\n", rng.Intn(2)+1, pick([]string{"1", "20", "${v1}5", "a b"}))
	}
	for u := rng.Intn(3); u >= 0; u-- {
		name := pick([]string{"sysctl", "sysctl", "net", "cpu"})
		fmt.Fprintf(&b, "[%s]\n", name)
		if name == "net" && rng.Intn(2) == 0 {
			b.WriteString("type=sysctl\n")
		}
		switch rng.Intn(8) {
		case 0:
			b.WriteString("replace=" + pick([]string{"1", "true", "True", "yes", "0"}) + "\n")
		case 1:
			b.WriteString("enabled=" + pick([]string{"false", "0", "true", "True", "1", "no"}) + "\n")
		case 2:
			b.WriteString("drop=" + pick(tunedKeys) + pick([]string{"", ",vm.swappiness", "; net.core.somaxconn"}) + "\n")
		}
		for k := rng.Intn(4); k > 0; k-- {
			fmt.Fprintf(&b, "%s%s=%s\n", pick(tunedKeys), pick([]string{"", " "}), pick(tunedValues))
		}
		if rng.Intn(10) == 0 {
			b.WriteString("# comment\n\n")
		}
	}
	if rng.Intn(60) == 0 {
		b.WriteString("broken line\n")
	}
	return b.String()
}
