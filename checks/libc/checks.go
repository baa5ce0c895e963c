package libc

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/facts"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// binary is one file under test; its analysis is shared by its checks.
type binary struct {
	path  string
	local bool // an artifact of this machine (--binary), not a file in the root
}

// analysis is what reading one binary found, kept for the run (facts.Memo)
// and shared by every check of that binary.
type analysis struct {
	info   *elfInfo
	script string // the #! line when the file is a script
	err    error
}

type analysisKey struct {
	path  string
	local bool
}

func (b *binary) analyze(h *host.Host) (*elfInfo, string, error) {
	a := facts.Memo(h, analysisKey{b.path, b.local}, func(h *host.Host) analysis { return b.read(h) })
	return a.info, a.script, a.err
}

func (b *binary) read(h *host.Host) analysis {
	var (
		f   *os.File
		err error
	)
	if b.local {
		f, err = host.OpenArtifact(b.path)
	} else {
		f, err = h.Open(b.path)
	}
	if err != nil {
		return analysis{err: err}
	}
	defer f.Close()
	var head [128]byte
	n, _ := f.ReadAt(head[:], 0)
	if n >= 2 && string(head[:2]) == "#!" {
		line, _, _ := strings.Cut(string(head[:n]), "\n")
		return analysis{script: strings.TrimSpace(line)}
	}
	info, err := analyze(f)
	return analysis{info: info, err: err}
}

// whereObj is the object's path for $ORIGIN: the path inside the root for
// service binaries; for an artifact, where it would be deployed is unknown,
// so its own path is used.
func (b *binary) whereObj() string { return b.path }

// fileProblem turns an open/analyse failure into a result: a missing
// service binary fails (the service cannot start), a script is skipped
// (its interpreter is what runs), anything else cannot be decided.
func fileProblem(b *binary, script string, err error) (engine.Result, bool) {
	switch {
	case script != "":
		return engine.Result{Status: engine.Skip, Observed: "script", Message: "not an ELF file but a script (" + script + "): its interpreter is what runs",
			Details: map[string]any{"script": script}}, true
	case errors.Is(err, fs.ErrNotExist):
		return engine.Result{Status: engine.Fail, Observed: "missing", Message: b.path + " does not exist"}, true
	case errors.Is(err, fs.ErrPermission):
		return engine.SkipNeedsRoot(engine.Result{}, err), true
	case err != nil:
		return engine.Result{Status: engine.Error, Message: fmt.Sprintf("%s: %v", b.path, err)}, true
	}
	return engine.Result{}, false
}

type compatCheck struct {
	engine.Base
	bin *binary
}

func (c *compatCheck) Run(_ context.Context, h *host.Host) engine.Result {
	info, script, err := c.bin.analyze(h)
	if r, done := fileProblem(c.bin, script, err); done {
		return r
	}
	res := engine.Result{Details: details(info)}
	arch, err := facts.Arch(h)
	if err != nil {
		return engine.Result{Status: engine.Error, Message: "host architecture unknown: " + err.Error(), Details: res.Details}
	}
	res.Details["host_arch"] = arch
	if !machineRuns(info.machine, arch) {
		res.Status = engine.Fail
		res.Observed = fmt.Sprintf("%s binary", machineName(info.machine))
		res.Message = fmt.Sprintf("built for %s; this host is %s (Exec format error at start)", machineName(info.machine), arch)
		res.Remediation = manual("rebuild for the host", fmt.Sprintf("build for %s (for Go: GOARCH=%s)", arch, goarch(arch)))
		return res
	}
	res.Observed = describe(info)
	var problems []string
	var fixes []string

	if info.kind == kindDynamic && !h.Exists(info.interp) {
		problems = append(problems, fmt.Sprintf("its loader %s does not exist here", info.interp))
		if info.flavour == flavourMusl {
			fixes = append(fixes, "this is a musl binary on a host without musl: rebuild against glibc, link it statically (musl-gcc -static / CGO_ENABLED=0), or install musl")
		} else {
			fixes = append(fixes, "install the C library the binary was built for, or link it statically")
		}
	}
	if info.flavour == flavourGlibc && info.glibc != "" {
		g, err := findHostGlibc(h, info.class, info.machine)
		if err != nil {
			problems = append(problems, "no glibc for it here: "+err.Error())
			fixes = append(fixes, "the binary needs glibc; build it statically or for this host's C library")
		} else {
			res.Details["host_glibc"] = g.version
			res.Details["host_libc"] = g.path
			need := strings.TrimPrefix(info.glibc, "GLIBC_")
			missing := missingVersions(info.needs["libc.so.6"], g.defines)
			if compareVersions(need, g.version) > 0 || len(missing) > 0 {
				msg := fmt.Sprintf("needs %s, host has glibc %s", info.glibc, g.version)
				if len(info.glibcSymbols) > 0 {
					msg += " (" + strings.Join(info.glibcSymbols, ", ") + ")"
				}
				if len(missing) > 0 && compareVersions(need, g.version) <= 0 {
					msg = fmt.Sprintf("needs %s, which this glibc %s does not define", strings.Join(missing, ", "), g.version)
				}
				problems = append(problems, msg)
				fixes = append(fixes, glibcFix(info, g.version))
			}
		}
	}
	if need := cxxNeeds(info); len(need) > 0 {
		if msg := c.checkLibstdcxx(h, info, need, res.Details); msg != "" {
			problems = append(problems, msg)
			fixes = append(fixes, "build with the oldest target's toolchain, or link libstdc++ statically (-static-libstdc++)")
		}
	}
	if len(problems) > 0 {
		res.Status = engine.Fail
		res.Message = strings.Join(problems, "; ")
		res.Remediation = manual("rebuild the binary for this host", fixes...)
		return res
	}
	res.Status = engine.Pass
	switch info.kind {
	case kindStatic, kindStaticPIE:
		res.Message = info.kind + ": needs no C library or loader at run time"
	default:
		res.Message = fmt.Sprintf("loader %s present", info.interp)
		if info.glibc != "" {
			res.Message += fmt.Sprintf("; needs %s, host has glibc %v", info.glibc, res.Details["host_glibc"])
		}
	}
	return res
}

// checkLibstdcxx compares the GLIBCXX_/CXXABI_ versions needed with what the
// root's libstdc++.so.6 defines. A missing libstdc++ is libc/libs' finding.
func (c *compatCheck) checkLibstdcxx(h *host.Host, info *elfInfo, need []string, d map[string]any) string {
	s := newSearcher(h, info.class, info.machine)
	r := s.find("libstdc++.so.6", s.newObject(c.bin.whereObj(), info, nil))
	if r.Path == "" {
		return ""
	}
	f, err := h.Open(r.Path)
	if err != nil {
		return "cannot read " + r.Path + ": " + err.Error()
	}
	defer f.Close()
	defs, err := versionDefs(f)
	if err != nil {
		return r.Path + ": " + err.Error()
	}
	d["host_libstdcxx"] = r.Path
	if missing := missingVersions(need, defs); len(missing) > 0 {
		return fmt.Sprintf("needs %s, which %s does not define", strings.Join(missing, ", "), r.Path)
	}
	return ""
}

func versionDefs(f *os.File) (defs map[string]bool, err error) {
	defer func() {
		if v := recover(); v != nil {
			defs, err = nil, fmt.Errorf("malformed ELF file: %v", v)
		}
	}()
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	vs, err := ef.DynamicVersions()
	if err != nil {
		return nil, err
	}
	defs = map[string]bool{}
	for _, v := range vs {
		defs[v.Name] = true
	}
	return defs, nil
}

func cxxNeeds(info *elfInfo) []string {
	var out []string
	for _, v := range info.needs["libstdc++.so.6"] {
		if strings.HasPrefix(v, "GLIBCXX_") || strings.HasPrefix(v, "CXXABI_") {
			out = append(out, v)
		}
	}
	return out
}

func missingVersions(need []string, defs map[string]bool) []string {
	var out []string
	for _, v := range need {
		if !defs[v] && !strings.HasSuffix(v, "_PRIVATE") {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// glibcFix says which remedy fits the evidence.
func glibcFix(info *elfInfo, hostVersion string) string {
	if info.Go != nil {
		if info.Go.CGO == "1" {
			return fmt.Sprintf("this Go binary was built with cgo, which ties it to the build host's glibc: rebuild with CGO_ENABLED=0 (or build on a host with glibc <= %s)", hostVersion)
		}
		return fmt.Sprintf("rebuild on a host with glibc <= %s", hostVersion)
	}
	return fmt.Sprintf("build on the oldest target (glibc <= %s, e.g. in its container), or link statically / against musl", hostVersion)
}

type libsCheck struct {
	engine.Base
	bin *binary
}

func (c *libsCheck) Run(_ context.Context, h *host.Host) engine.Result {
	info, script, err := c.bin.analyze(h)
	if r, done := fileProblem(c.bin, script, err); done {
		return r
	}
	if len(info.needed) == 0 {
		return engine.Result{Status: engine.Pass, Observed: "no shared libraries", Message: info.kind + ": links no shared library",
			Details: map[string]any{"kind": info.kind, "needed": []string{}}}
	}
	resolved, search := resolveAll(h, c.bin.whereObj(), info)
	var missing []string
	for _, r := range resolved {
		if r.Path == "" {
			missing = append(missing, r.Name)
		}
	}
	res := engine.Result{Details: map[string]any{"needed": info.needed, "resolved": resolved, "missing": nonNil(missing),
		"rpath": nonNil(info.rPath), "runpath": nonNil(info.runPath)}}
	switch s := search.(type) {
	case *searcher:
		res.Details["ld_so_conf_dirs"] = nonNil(s.confDirs)
		if len(s.problems) > 0 {
			res.Details["config_problems"] = s.problems
		}
	case *muslSearcher:
		res.Details["musl_path"] = nonNil(s.dirs)
		if s.pathFile != "" {
			res.Details["musl_path_file"] = s.pathFile
		}
		if len(s.problems) > 0 {
			res.Details["config_problems"] = s.problems
		}
	}
	if len(missing) > 0 {
		res.Status = engine.Fail
		res.Observed = "missing: " + strings.Join(missing, ", ")
		res.Message = fmt.Sprintf("%d of %d libraries do not resolve: the loader stops with \"error while loading shared libraries\"", len(missing), len(resolved))
		for _, r := range resolved {
			if r.Path == "" && r.Problem != "" {
				res.Message += "; " + r.Name + ": " + r.Problem
			}
		}
		res.Remediation = manual("provide the missing libraries",
			fmt.Sprintf("install the packages that provide %s, or ship them with the binary and link with -Wl,-rpath,'$ORIGIN/../lib'", strings.Join(missing, ", ")))
		return res
	}
	res.Status = engine.Pass
	res.Observed = fmt.Sprintf("%d libraries resolve", len(resolved))
	res.Message = "every needed library resolves, transitively"
	return res
}

type targetsCheck struct {
	engine.Base
	bin     *binary
	targets []target
}

func (c *targetsCheck) Run(_ context.Context, h *host.Host) engine.Result {
	info, script, err := c.bin.analyze(h)
	if r, done := fileProblem(c.bin, script, err); done {
		return r
	}
	type verdict struct {
		target
		Runs   bool   `json:"runs"`
		Reason string `json:"reason"`
	}
	var runs, not []string
	var out []verdict
	for _, t := range c.targets {
		v := verdict{target: t, Runs: true}
		switch {
		case info.kind == kindStatic || info.kind == kindStaticPIE:
			v.Reason = info.kind
		case info.flavour == flavourMusl:
			v.Runs, v.Reason = false, "needs the musl loader "+info.interp+", which a glibc distro does not ship"
		case info.glibc != "" && compareVersions(strings.TrimPrefix(info.glibc, "GLIBC_"), t.Glibc) > 0:
			v.Runs, v.Reason = false, fmt.Sprintf("needs %s, %s has glibc %s", info.glibc, t.Name, t.Glibc)
		default:
			v.Reason = fmt.Sprintf("glibc %s is enough", t.Glibc)
		}
		if v.Runs {
			runs = append(runs, t.Name)
		} else {
			not = append(not, fmt.Sprintf("%s (glibc %s)", t.Name, t.Glibc))
		}
		out = append(out, v)
	}
	res := engine.Result{Details: map[string]any{"targets": out, "glibc_required": info.glibc, "kind": info.kind, "libc": info.flavour}}
	need := info.glibc
	if need == "" {
		need = info.kind
	}
	if info.flavour == flavourMusl {
		need = "musl"
	}
	switch {
	case len(not) == 0:
		res.Status = engine.Pass
		res.Observed = need + ": runs on " + strings.Join(runs, ", ")
		res.Message = "runs on every target"
	default:
		res.Status = engine.Fail
		res.Observed = fmt.Sprintf("needs %s: not on %s", need, strings.Join(not, ", "))
		if len(runs) > 0 {
			res.Observed = fmt.Sprintf("needs %s: runs on %s; not on %s", need, strings.Join(runs, ", "), strings.Join(not, ", "))
		}
		res.Message = "does not run on every target distro"
		oldest := c.targets[0]
		for _, t := range c.targets {
			if compareVersions(t.Glibc, oldest.Glibc) < 0 {
				oldest = t
			}
		}
		res.Remediation = manual("make the binary portable", glibcFix(info, oldest.Glibc))
	}
	return res
}

func details(info *elfInfo) map[string]any {
	d := map[string]any{
		"kind":        info.kind,
		"class":       classBits(info.class),
		"machine":     machineName(info.machine),
		"interpreter": info.interp,
		"libc":        info.flavour,
		"needed":      nonNil(info.needed),
	}
	if info.glibc != "" {
		d["glibc_required"] = info.glibc
		d["glibc_symbols"] = info.glibcSymbols
	}
	if info.glibcxx != "" {
		d["glibcxx_required"] = info.glibcxx
	}
	if info.cxxabi != "" {
		d["cxxabi_required"] = info.cxxabi
	}
	if info.Go != nil {
		d["go"] = info.Go
	}
	return d
}

func describe(info *elfInfo) string {
	s := fmt.Sprintf("%s %s", info.kind, machineName(info.machine))
	switch {
	case info.flavour == flavourMusl:
		s += ", musl"
	case info.glibc != "":
		s += ", needs " + info.glibc
	}
	if info.Go != nil {
		s += ", " + info.Go.Version
		if info.Go.CGO == "1" {
			s += " cgo"
		}
	}
	return s
}

func machineRuns(m elf.Machine, arch string) bool {
	for _, ok := range machineOf(arch) {
		if m == ok {
			return true
		}
	}
	return false
}

func goarch(arch string) string {
	switch arch {
	case "x86_64":
		return "amd64"
	case "aarch64":
		return "arm64"
	}
	return arch
}

func classBits(c elf.Class) int {
	if c == elf.ELFCLASS32 {
		return 32
	}
	return 64
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func manual(summary string, texts ...string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary}
	for _, t := range texts {
		p.Actions = append(p.Actions, remediate.Tell(t))
	}
	return p
}
