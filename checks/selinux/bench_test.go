package selinux

import (
	"fmt"
	"strings"
	"testing"
)

// syntheticFileContexts builds a file_contexts the size and shape of a
// RHEL 9 targeted policy (about 6,500 entries in 400 KB): most entries
// under a stem, as "/var/lib/NAME(/.*)?" or "/usr/sbin/NAME.*" with a long
// fixed prefix; some "/var/(.*/)?NAME" patterns that any path under the
// stem must be tried against; about 100 without a stem; two fifths exact
// paths. In libsemanage's order: patterns, then exact paths.
func syntheticFileContexts() []byte {
	stems := []string{"/usr", "/var", "/etc", "/opt", "/dev", "/run", "/home", "/root", "/srv", "/boot", "/lib", "/sys"}
	var patterns, exact []string
	for i := 0; i < 100; i++ {
		patterns = append(patterns, fmt.Sprintf("/top%d(/.*)?\tsystem_u:object_r:t%d_t:s0", i, i))
	}
	for _, s := range stems {
		for i := 0; i < 10; i++ {
			patterns = append(patterns, fmt.Sprintf("%s/(.*/)?any%d(/.*)?\tsystem_u:object_r:a%d_t:s0", s, i, i))
		}
		for i := 0; i < 105; i++ {
			patterns = append(patterns, fmt.Sprintf("%s/lib/pkg%d(/.*)?\tsystem_u:object_r:p%d_t:s0", s, i, i))
			patterns = append(patterns, fmt.Sprintf("%s/sbin/tool%d.*\t--\tsystem_u:object_r:tool%d_exec_t:s0", s, i, i))
			patterns = append(patterns, fmt.Sprintf("%s/share/pkg%d/.*\\.so(\\.[^/]*)*\t--\tsystem_u:object_r:lib%d_t:s0", s, i, i))
			exact = append(exact, fmt.Sprintf("%s/bin/tool%d\t--\tsystem_u:object_r:tool%d_exec_t:s0", s, i, i))
			exact = append(exact, fmt.Sprintf("%s/share/pkg%d/conf\\.d\t-d\tsystem_u:object_r:conf%d_t:s0", s, i, i))
		}
	}
	patterns = append([]string{"/.*\tsystem_u:object_r:default_t:s0", "/opt/.*\tsystem_u:object_r:usr_t:s0", "/srv/.*\tsystem_u:object_r:var_t:s0"}, patterns...)
	patterns = append(patterns, "/opt/(.*/)?bin(/.*)?\tsystem_u:object_r:bin_t:s0", "/var/lib(/.*)?\tsystem_u:object_r:var_lib_t:s0", "/etc/.*\tsystem_u:object_r:etc_t:s0")
	return []byte(strings.Join(append(patterns, exact...), "\n") + "\n")
}

// What a run with five label checks looks up.
var benchPaths = []struct {
	p  string
	ft fileType
}{
	{"/opt/myapp/bin", directory},
	{"/opt/myapp/bin/myapp", regularFile},
	{"/var/lib/myapp", directory},
	{"/etc/myapp/config.yaml", regularFile},
	{"/srv/myapp/static/index.html", regularFile},
}

// BenchmarkFileContextsCold is one run's cost: parse the policy, compile
// the regexes the lookups reach, answer five paths.
func BenchmarkFileContextsCold(b *testing.B) {
	data := syntheticFileContexts()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		specs, err := parseFileContexts("fc", data)
		if err != nil {
			b.Fatal(err)
		}
		fc := newFileContexts(specs, nil, nil)
		for _, q := range benchPaths {
			if m, err := fc.lookup(q.p, q.ft); err != nil || m.spec == nil {
				b.Fatalf("%s: %v %v", q.p, m.spec, err)
			}
		}
	}
}

// BenchmarkFileContextsLookup is one lookup once the regexes it reaches
// are compiled (label checks of one run share the table).
func BenchmarkFileContextsLookup(b *testing.B) {
	specs, err := parseFileContexts("fc", syntheticFileContexts())
	if err != nil {
		b.Fatal(err)
	}
	fc := newFileContexts(specs, nil, nil)
	for _, q := range benchPaths {
		if _, err := fc.lookup(q.p, q.ft); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range benchPaths {
			if _, err := fc.lookup(q.p, q.ft); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestSyntheticFileContextsIsRealSized(t *testing.T) {
	specs, err := parseFileContexts("fc", syntheticFileContexts())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(specs); n < 6000 || n > 7000 {
		t.Errorf("%d entries, want about 6,500 like Rocky 9's", n)
	}
	fc := newFileContexts(specs, nil, nil)
	want := map[string]string{"/opt/myapp/bin": "bin_t", "/var/lib/myapp": "var_lib_t", "/srv/myapp/static/index.html": "var_t", "/etc/myapp/config.yaml": "etc_t"}
	for p, typ := range want {
		m, err := fc.lookup(p, anyFile)
		if err != nil || m.spec == nil || !strings.Contains(m.spec.context, ":"+typ+":") {
			t.Errorf("Lookup(%s) = %v, %v; want %s", p, m.spec, err, typ)
		}
	}
}
