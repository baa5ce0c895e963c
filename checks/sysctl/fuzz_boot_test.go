package sysctl

import (
	"strings"
	"testing"
)

func FuzzParseTunedConf(f *testing.F) {
	f.Add([]byte("[main]\ninclude=throughput-performance\n\n[sysctl]\nvm.swappiness = 30 # low\n"))
	f.Add([]byte("[variables]\nx=1\n[net]\ntype=sysctl\nnet.core.somaxconn=${x}\n  continued\n"))
	f.Add([]byte("orphan=1\n[broken\n"))
	f.Add([]byte("[sysctl]\nreplace=1\ndrop=a,b\n;c\n#d\n=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		units, err := parseTunedConf(data)
		if err != nil {
			return
		}
		for _, u := range units {
			for _, o := range u.options {
				if o.name == "" || o.line < 1 {
					t.Fatalf("option %+v in %q", o, data)
				}
			}
		}
	})
}

func FuzzParseCmdline(f *testing.F) {
	f.Add("BOOT_IMAGE=/vmlinuz ro quiet sysctl.vm.swappiness=10")
	f.Add(`"sysctl.kernel.msg=a b" foo="x y" -- init args`)
	f.Add(`sysctl/net/core/somaxconn=1 sysctl.=1 sysctl "" "`)
	f.Add("\x00=\"\t\"=")
	f.Fuzz(func(t *testing.T, line string) {
		params := parseCmdline(line)
		for _, p := range params {
			if !p.hasValue && p.value != "" {
				t.Fatalf("value without '=': %+v", p)
			}
		}
		for k, s := range cmdlineSysctls(params, "/proc/cmdline") {
			if k == "" || k != s.key || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") {
				t.Fatalf("bad key %q from %q", k, line)
			}
		}
		_ = cmdline{params: params}.init()
	})
}

func FuzzParseKernelVersion(f *testing.F) {
	f.Add("5.14.0-427.13.1.el9_4.x86_64")
	f.Add("6.18.44-fc-v1252")
	f.Add("99999999.1")
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := parseKernelVersion(s)
		if ok && (v.major < 0 || v.minor < 0 || v.patch < 0) {
			t.Fatalf("%q: %v", s, v)
		}
	})
}
