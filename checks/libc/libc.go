// Package libc answers "will this ELF binary run here?" without running it:
// file kind and architecture, the dynamic loader, the glibc (and libstdc++)
// versions it needs against what the root provides, and whether every
// shared library resolves the way ld.so would resolve it. It reads ELF files
// with debug/elf only: no ldd, nothing from the file under test executes.
//
// Binaries come from the profile's service.binaries (paths inside the root)
// and from `golive check --binary PATH` (an artifact on this machine, checked
// against the root). Profile section:
//
//	libc:
//	  targets: [centos-7, ubuntu-22.04, rocky-9]   # portability, no target host needed
//
// Without libc.targets, a checked binary is judged against every built-in
// distro profile that names its glibc (facts.glibc), in name order; an
// explicit empty list (targets: []) turns libc/targets off.
package libc

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and check category.
const kind = "libc"

type section struct {
	// Targets is nil when the profile says nothing (every built-in
	// distro), and an empty list when it turns the check off.
	Targets *[]string `yaml:"targets" doc:"Built-in profiles whose glibc the service's binaries must also run on; [] turns the check off." example:"[centos-7]"`
}

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "libc: whether service.binaries (and --binary files) can run on the host's C library.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`libc/compat:<path>`", Example: "libc/compat:/usr/local/bin/myapp"},
			{Heading: "`libc/libs:<path>`", Example: "libc/libs:/usr/local/bin/myapp"},
			{Heading: "`libc/targets:<path>`", Example: "libc/targets:/usr/local/bin/myapp"},
		},
	})
}

// target is one distro of libc.targets with the glibc it ships.
type target struct {
	Name  string `json:"profile"`
	Glibc string `json:"glibc"`
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	var s section
	if sec != nil {
		if err := p.DecodeStrict(sec, &s); err != nil {
			return nil, err
		}
	}
	var targets []target
	// The default targets cost a load of every built-in profile: only a
	// run that checks a binary pays it.
	if s.Targets == nil && len(p.Service.Binaries)+len(p.Service.Artifacts) > 0 {
		var err error
		if targets, err = builtinTargets(); err != nil {
			return nil, err
		}
	}
	if s.Targets != nil {
		targets = nil
		for _, name := range *s.Targets {
			tp, err := profile.Resolve(profile.Request{Profile: name})
			if err != nil {
				return nil, p.Errorf(profile.FieldNode(sec, "targets"), "libc.targets: %v", err)
			}
			if glibc := glibcFact.Get(tp); glibc == "" || !isVersion(glibc) {
				return nil, p.Errorf(profile.FieldNode(sec, "targets"), "libc.targets: profile %s has no glibc version (facts.glibc)", name)
			}
			targets = append(targets, target{Name: name, Glibc: glibcFact.Get(tp)})
		}
	}

	var checks []engine.Check
	seen := map[string]bool{}
	add := func(path string, local bool) {
		if path == "" || seen[path] {
			return
		}
		seen[path] = true
		b := &binary{path: path, local: local}
		checks = append(checks,
			&compatCheck{Base: engine.Base{M: metaCompat(path)}, bin: b},
			&libsCheck{Base: engine.Base{M: metaLibs(path)}, bin: b},
		)
		if len(targets) > 0 {
			m := metaTargets(path)
			names := make([]string, len(targets))
			for i, t := range targets {
				names[i] = t.Name
			}
			m.Expected = "runs on " + strings.Join(names, ", ")
			checks = append(checks, &targetsCheck{Base: engine.Base{M: m}, bin: b, targets: targets})
		}
	}
	for _, path := range p.Service.Binaries {
		if !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("service.binaries: %q must be an absolute path inside the host", path)
		}
		add(path, false)
	}
	for _, path := range p.Service.Artifacts {
		add(path, true)
	}
	return checks, nil
}

func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || parts.Target == "" {
		return engine.Meta{}, false
	}
	path := parts.Target
	switch parts.Name {
	case "compat":
		return metaCompat(path), true
	case "libs":
		return metaLibs(path), true
	case "targets":
		return metaTargets(path), true
	}
	return engine.Meta{}, false
}

const howFound = "ELF headers read with debug/elf (nothing is executed); libc.so.6 found as ld.so would find it"

func metaCompat(path string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "compat", path), Category: kind, Title: "binary can start here: " + path,
		Expected: "runs on this host's architecture and C library", Level: profile.LevelFail, Severity: "critical",
		Reads: []string{path + " (program headers, .dynamic, version needs, Go build info)",
			"the interpreter it names, under the root",
			"libc.so.6 and libstdc++.so.6 under the root (version definitions and the glibc banner): " + howFound},
		Why: "a binary built on a newer distro, or with cgo, dies at start with \"version 'GLIBC_2.34' not found\"; a musl binary on a glibc host fails with \"No such file or directory\" for its missing loader; a binary for another architecture gives \"Exec format error\"",
		Fix: "rebuild: CGO_ENABLED=0 for Go services; build on the oldest target distro; or link statically (or against musl with -static)",
	}
}

func metaLibs(path string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "libs", path), Category: kind, Title: "shared libraries resolve: " + path,
		Expected: "every DT_NEEDED library resolves", Level: profile.LevelFail, Severity: "critical",
		Reads: []string{path + " and, transitively, every library it needs: DT_NEEDED, DT_RPATH (only without DT_RUNPATH), DT_RUNPATH with $ORIGIN/$LIB/$PLATFORM",
			"/etc/ld.so.conf and its include globs, then the default directories (/lib64, /usr/lib64, the Debian multiarch directories, /lib, /usr/lib); /etc/ld.so.cache is not parsed — it is derived from the same directories",
			"candidates of the wrong ELF class or machine are skipped, as ld.so skips them",
			"for a musl binary, as musl's loader finds them: libc.so is the loader; RPATH/RUNPATH up the chain of loaders, then <prefix>/etc/ld-musl-<arch>.path (or /lib:/usr/local/lib:/usr/lib)"},
		Why: "a missing library stops the service at start with \"error while loading shared libraries\"; LD_LIBRARY_PATH set in the service's environment is not known here",
		Fix: "install the package that provides the library, or ship it with the binary and link with -Wl,-rpath,'$ORIGIN/../lib'",
	}
}

func metaTargets(path string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, "targets", path), Category: kind, Title: "runs on the target distros: " + path,
		Level: profile.LevelFail, Severity: "high",
		Reads: []string{path, "each target built-in profile's facts.glibc; without libc.targets, every built-in distro profile that has one (" + builtinGlibcs() + ")"},
		Why:   "a CI stage can learn that an artifact needs GLIBC_2.34 and so cannot run on CentOS 7 without a target host at hand",
		Fix:   "build on the oldest target (or in its container), or with CGO_ENABLED=0 / statically",
	}
}

// builtinTargets are the default of libc.targets: every built-in profile
// that names the glibc its distro ships (all but the generic linux), in
// name order. Resolved once, and only when a binary is checked.
var builtinTargets = sync.OnceValues(func() ([]target, error) {
	var out []target
	for _, name := range profile.Builtins() {
		p, err := profile.Resolve(profile.Request{Profile: name})
		if err != nil {
			return nil, fmt.Errorf("built-in profile %s: %w", name, err)
		}
		glibc := glibcFact.Get(p)
		if glibc == "" {
			continue
		}
		if !isVersion(glibc) {
			return nil, fmt.Errorf("built-in profile %s: facts.glibc %q is not a version", name, glibc)
		}
		out = append(out, target{Name: name, Glibc: glibc})
	}
	return out, nil
})

// builtinGlibcs lists the default targets as "centos-7 2.17, rocky-9 2.34".
func builtinGlibcs() string {
	targets, err := builtinTargets()
	if err != nil {
		return err.Error()
	}
	parts := make([]string, len(targets))
	for i, t := range targets {
		parts[i] = t.Name + " " + t.Glibc
	}
	return strings.Join(parts, ", ")
}
