package facts

import (
	"reflect"
	"strings"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

// system.conf, then the drop-ins merged by name (/etc before /run before
// /usr/lib before /lib, a /dev/null link masks) in name order.
func TestManagerConfigWithDropIns(t *testing.T) {
	var log host.ReadLog
	h := hosttest.Root(t, map[string]string{
		"etc/systemd/system.conf":                 "[Manager]\nDefaultTasksMax=15%\nDefaultLimitNOFILE=1024\n[Other]\nDefaultTasksMax=1\n",
		"usr/lib/systemd/system.conf.d/50-a.conf": "[Manager]\nDefaultTasksMax=100\n", // /etc's 50-a.conf wins
		"etc/systemd/system.conf.d/50-a.conf":     "[Manager]\nDefaultLimitNOFILE=4096\n",
		"lib/systemd/system.conf.d/60-b.conf":     "[Manager]\nDefaultTasksMax=200\n",
		"usr/lib/systemd/system.conf.d/70-c.conf": "[Manager]\nDefaultTasksMax=300\n",
		"etc/systemd/system.conf.d/70-c.conf":     "->/dev/null", // masks /usr/lib's
		"run/systemd/system.conf.d/40-bad.conf":   "[Manager\n",
		"etc/systemd/system.conf.d/README":        "[Manager]\nDefaultTasksMax=9\n", // not *.conf
	}, host.WithReadLog(&log))
	for range 3 {
		mc := Manager(h)
		wantFiles := []string{SystemConf, "/etc/systemd/system.conf.d/50-a.conf", "/lib/systemd/system.conf.d/60-b.conf"}
		if !reflect.DeepEqual(mc.Files, wantFiles) {
			t.Errorf("files %v, want %v", mc.Files, wantFiles)
		}
		if o, ok := mc.Last("DefaultTasksMax"); !ok || o.Value != "200" || o.File != "/lib/systemd/system.conf.d/60-b.conf" {
			t.Errorf("DefaultTasksMax = %+v", o)
		}
		if o, _ := mc.Last("DefaultLimitNOFILE"); o.Value != "4096" {
			t.Errorf("DefaultLimitNOFILE = %+v", o)
		}
		if len(mc.Problems) != 1 || !strings.Contains(mc.Problems[0], "40-bad.conf") {
			t.Errorf("problems %v", mc.Problems)
		}
	}
	if n := log.Counts()[SystemConf]; n != 1 {
		t.Errorf("%s read %d times, want 1", SystemConf, n)
	}
	if _, ok := Manager(hosttest.Root(t, nil)).Last("DefaultTasksMax"); ok {
		t.Error("no system.conf: nothing is set")
	}
}
