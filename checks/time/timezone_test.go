package clock

import (
	"os"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host/hosttest"
)

func zoneFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("/usr/share/zoneinfo/" + name)
	if err != nil {
		t.Skipf("this machine has no tzdata %s: %v", name, err)
	}
	return string(data)
}

// TestTimezone: a symlink names its zone; a copied file is compared with
// tzdata byte for byte (tzdata's own files, copied from this machine).
func TestTimezone(t *testing.T) {
	utc, berlin := zoneFile(t, "UTC"), zoneFile(t, "Europe/Berlin")
	cases := map[string]struct {
		want   string
		files  map[string]string
		status engine.Status
		words  []string
	}{
		"link":              {"UTC", map[string]string{"etc/localtime": "->../usr/share/zoneinfo/Etc/UTC"}, engine.Pass, []string{"Etc/UTC"}},
		"posix link":        {"Europe/Berlin", map[string]string{"etc/localtime": "->/usr/share/zoneinfo/posix/Europe/Berlin"}, engine.Pass, []string{"Europe/Berlin"}},
		"other zone":        {"UTC", map[string]string{"etc/localtime": "->/usr/share/zoneinfo/Europe/Berlin"}, engine.Fail, []string{"is Europe/Berlin", "not UTC"}},
		"copy":              {"Europe/Berlin", map[string]string{"etc/localtime": berlin, "usr/share/zoneinfo/Europe/Berlin": berlin}, engine.Pass, []string{"a copy of /usr/share/zoneinfo/Europe/Berlin"}},
		"copy of another":   {"UTC", map[string]string{"etc/localtime": berlin, "usr/share/zoneinfo/UTC": utc}, engine.Fail, []string{"differs", "CET-1CEST"}},
		"missing":           {"UTC", map[string]string{"etc/hostname": "x\n"}, engine.Pass, []string{"missing"}},
		"missing, not UTC":  {"Asia/Tokyo", map[string]string{"etc/hostname": "x\n"}, engine.Fail, []string{"UTC"}},
		"not TZif":          {"UTC", map[string]string{"etc/localtime": "hello\n", "usr/share/zoneinfo/UTC": utc}, engine.Error, []string{"not a TZif file"}},
		"link outside":      {"UTC", map[string]string{"etc/localtime": "->/tmp/zone"}, engine.Error, []string{"not a path under zoneinfo"}},
		"no tzdata to read": {"UTC", map[string]string{"etc/localtime": utc}, engine.Error, []string{"cannot be read to compare"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := hosttest.Root(t, c.files)
			r := run(t, testProfile(t, "time: {timezone: "+c.want+"}\n"), h, time.Second)["time/timezone"]
			want(t, r, c.status, c.words...)
			if c.status == engine.Fail && kinds(r.Remediation) != "command" {
				t.Errorf("remediation %q", kinds(r.Remediation))
			}
		})
	}
}

// TestParseTZifReadsTzdata: every tzdata file this machine has for the
// usual zones parses, with the footer zic wrote.
func TestParseTZifReadsTzdata(t *testing.T) {
	for zone, footer := range map[string]string{"UTC": "UTC0", "Europe/Berlin": "CET-1CEST,M3.5.0,M10.5.0/3", "Asia/Shanghai": "CST-8"} {
		tz, err := parseTZif([]byte(zoneFile(t, zone)))
		if err != nil || tz.footer != footer {
			t.Errorf("%s: %+v %v, want footer %q", zone, tz, err, footer)
		}
	}
	berlin := []byte(zoneFile(t, "Europe/Berlin"))
	for _, n := range []int{0, 4, 43, 44, 100, len(berlin) - 2} {
		if _, err := parseTZif(berlin[:n]); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
}
