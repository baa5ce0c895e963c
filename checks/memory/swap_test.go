package memory

import (
	"maps"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/remediate"
)

const (
	header   = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
	dm1      = "/dev/dm-1                               partition\t2097148\t\t10240\t\t-2\n"
	swapLine = "/dev/mapper/rl-swap     none                    swap    defaults        0 0\n"
)

func files(extra map[string]string) map[string]string {
	f := map[string]string{"proc/swaps": header, "proc/sys/vm/swappiness": "60\n"}
	maps.Copy(f, extra)
	return f
}

func kinds(p *remediate.Plan) string {
	if p == nil {
		return ""
	}
	var k []string
	for _, a := range p.Actions {
		k = append(k, string(a.Kind))
	}
	return strings.Join(k, " ")
}

func TestSwapVerdicts(t *testing.T) {
	cases := []struct {
		name    string
		profile string
		files   map[string]string
		status  engine.Status
		words   []string
		actions string
	}{
		{"no swap", "", files(nil), engine.Pass, []string{"no swap is active", "off; vm.swappiness 60"}, ""},
		{"active swap warns by default", "", files(map[string]string{"proc/swaps": header + dm1, "etc/fstab": swapLine}),
			engine.Warn, []string{"1 swap area active", "10 MiB is swapped out", "vm.swappiness is 60", "/dev/dm-1 (partition, 2 GiB, 10 MiB used)"}, "command manual sysctl-set"},
		{"level fail", "memory: {swap: {expect: \"off\", level: fail}}\n", files(map[string]string{"proc/swaps": header + dm1}),
			engine.Fail, []string{"1 swap area active"}, "command manual sysctl-set"},
		{"off now, on at the next boot", "", files(map[string]string{"etc/fstab": "# comment\n" + swapLine}),
			engine.Warn, []string{"the next boot turns it on: /etc/fstab:2 (/dev/mapper/rl-swap)"}, "manual sysctl-set"},
		{"noauto swap lines do not count", "", files(map[string]string{"etc/fstab": "/swap none swap noauto 0 0\n"}),
			engine.Pass, nil, ""},
		{"a commented-out line does not count", "", files(map[string]string{"etc/fstab": "#" + swapLine}), engine.Pass, nil, ""},
		{"low swappiness needs no sysctl", "", files(map[string]string{"proc/swaps": header + dm1, "proc/sys/vm/swappiness": "1\n"}),
			engine.Warn, nil, "command manual"},
		{"image with a swap line", "", map[string]string{"etc/fstab": swapLine},
			engine.Warn, []string{"image: the next boot activates swap from /etc/fstab:1"}, "manual"},
		{"image without swap", "", map[string]string{"etc/fstab": "/dev/sda1 / ext4 defaults 0 1\n"},
			engine.Pass, []string{"image"}, ""},
		{"swap allowed, swappiness judged", "memory: {swap: \"on\", swappiness: \"<= 10\"}\n", files(map[string]string{"proc/swaps": header + dm1}),
			engine.Fail, []string{"vm.swappiness 60 does not satisfy <= 10"}, "sysctl-set"},
		{"swap allowed, swappiness fine", "memory: {swap: \"in [on, off]\", swappiness: {expect: \"<= 10\", level: warn}}\n", files(map[string]string{"proc/swaps": header + dm1, "proc/sys/vm/swappiness": "10\n"}),
			engine.Pass, []string{"as the profile allows"}, ""},
		{"swap expected but off", "memory: {swap: \"on\"}\n", files(nil),
			engine.Fail, []string{"the profile expects swap"}, "manual"},
		{"zram", "", files(map[string]string{"proc/swaps": header + "/dev/zram0 partition 4096 0 100\n"}),
			engine.Warn, []string{"zram is compressed RAM"}, "command manual sysctl-set"},
		{"malformed lines are named", "", files(map[string]string{"proc/swaps": header + "junk\n"}),
			engine.Warn, []string{"no swap is active", "1 malformed line"}, ""},
		{"no line understood", "", files(map[string]string{"proc/swaps": "junk\nmore junk\n"}),
			engine.Error, []string{"no line understood"}, ""},
		{"a directory where /proc/swaps belongs", "", map[string]string{"proc/swaps/x": ""},
			engine.Error, []string{"not a regular file"}, ""},
		{"an unreadable fstab", "", files(map[string]string{"etc/fstab/x": ""}),
			engine.Warn, []string{"read /etc/fstab"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := swapResult(t, testProfile(t, c.profile), hosttest.Root(t, c.files))
			want(t, r, c.status, c.words...)
			if got := kinds(r.Remediation); got != c.actions {
				t.Errorf("actions %q, want %q (%+v)", got, c.actions, r.Remediation)
			}
		})
	}
}

func TestSwapRemediationNamesTheFstabLine(t *testing.T) {
	r := swapResult(t, testProfile(t, ""), hosttest.Root(t, files(map[string]string{"proc/swaps": header + dm1, "etc/fstab": "\n" + swapLine})))
	a := r.Remediation.Actions
	if strings.Join(a[0].Argv, " ") != "swapoff -a" || !strings.Contains(a[0].Why, "10 MiB is swapped out") {
		t.Errorf("swapoff: %+v", a[0])
	}
	if !strings.Contains(a[1].Text, "comment out /etc/fstab:2 (/dev/mapper/rl-swap     none") {
		t.Errorf("fstab: %+v", a[1])
	}
	if a[2].Key != "vm.swappiness" || a[2].Value != "10" {
		t.Errorf("swappiness: %+v", a[2])
	}
	// Without an fstab line the action says where else swap comes from.
	r = swapResult(t, testProfile(t, ""), hosttest.Root(t, files(map[string]string{"proc/swaps": header + dm1})))
	if !strings.Contains(r.Remediation.Actions[1].Text, "systemctl list-units --type swap") {
		t.Errorf("no fstab line: %+v", r.Remediation.Actions[1])
	}
}

func TestBadMemoryRulesAreProfileErrors(t *testing.T) {
	for rule, words := range map[string]string{
		"swap: maybe":               "expected off or on",
		"swap: \">= 1\"":            "expected off or on",
		"swappiness: \"<= 300\"":    "not a swappiness",
		"swappiness: \"in [1, x]\"": "not a swappiness",
		"swappiness: {level: warn}": "needs an expect",
		"swapiness: \"<= 10\"":      "unknown key",
	} {
		p := testProfile(t, "memory:\n  "+rule+"\n")
		if _, err := build(p.Section(kind), p); err == nil || !strings.Contains(err.Error(), words) || !strings.Contains(err.Error(), "p.yaml:2") {
			t.Errorf("%s: err %v, want a profile error at p.yaml:2 mentioning %q", rule, err, words)
		}
	}
}

func TestExplain(t *testing.T) {
	if m, ok := explain("memory/swap"); !ok || m.Why == "" || !strings.Contains(m.Why, "deployment planning") || len(m.Reads) != 3 {
		t.Errorf("%+v %v", m, ok)
	}
	if _, ok := explain("memory/other"); ok {
		t.Error("unknown ID explained")
	}
}

// TestLiveHost reads this machine's /proc/swaps, read-only: it decides.
func TestLiveHost(t *testing.T) {
	h, err := host.New("/")
	if err != nil {
		t.Fatal(err)
	}
	r := swapResult(t, testProfile(t, ""), h)
	if r.Status == engine.Error {
		t.Errorf("%s %q", r.Status, r.Message)
	}
	t.Logf("%s: %s | %s", r.Status, r.Observed, r.Message)
}
