package facts

import (
	"errors"
	"reflect"
	"testing"

	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/host/hosttest"
	"github.com/golive-sh/golive/internal/unit"
)

func TestUnitWithDropInsOncePerRun(t *testing.T) {
	var log host.ReadLog
	h := hosttest.Root(t, map[string]string{
		"usr/lib/systemd/system/app.service":             "[Service]\nUser=app\nEnvironmentFile=/etc/default/app\nLimitNOFILE=1024\n",
		"usr/lib/systemd/system/app.service.d/10-a.conf": "[Service]\nLimitNOFILE=4096\n",
		"etc/systemd/system/app.service.d/20-b.conf":     "[Service]\nLimitNOFILE=65536\nEnvironment=B=2\n",
		"etc/systemd/system/app.service.d/10-a.conf":     "[Service]\nEnvironment=A=1\n", // overrides /usr/lib's 10-a.conf
		"etc/default/app":                   "FROM_FILE=yes\n",
		"etc/systemd/system/masked.service": "->/dev/null",
	}, host.WithReadLog(&log))
	for range 3 {
		f, err := Unit(h, "app.service")
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := f.Last("Service", "LimitNOFILE"); v != "65536" {
			t.Errorf("LimitNOFILE %q: the last drop-in wins", v)
		}
		want := []string{"/etc/systemd/system/app.service.d/10-a.conf", "/etc/systemd/system/app.service.d/20-b.conf"}
		if !reflect.DeepEqual(f.DropIns, want) {
			t.Errorf("drop-ins %v, want %v", f.DropIns, want)
		}
		env := UnitEnvironment(h, "app.service")
		for k, v := range map[string]string{"A": "1", "B": "2", "FROM_FILE": "yes"} {
			if got, ok := env.Lookup(k); !ok || got.Value != v {
				t.Errorf("%s=%q, want %q", k, got.Value, v)
			}
		}
	}
	for p, n := range log.Counts() {
		if n != 1 {
			t.Errorf("%s read %d times, want once per run", p, n)
		}
	}
	if f, err := Unit(h, "masked.service"); err != nil || !f.Masked || UnitEnvironment(h, "masked.service") != nil {
		t.Errorf("masked: %+v, %v", f, err)
	}
	if _, err := Unit(h, "gone.service"); !errors.Is(err, unit.ErrNotFound) || UnitEnvironment(h, "gone.service") != nil {
		t.Errorf("missing unit: %v", err)
	}
}
