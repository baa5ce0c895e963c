package cabundle

import (
	"context"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

type presentCheck struct {
	engine.Base
	st       *shared
	minCerts int
}

func (c *presentCheck) Run(_ context.Context, h *host.Host) engine.Result {
	hs := c.st.on(h)
	sys := hs.systemBundle()
	res := engine.Result{Details: map[string]any{"bundle": sys.path, "from_facts": sys.fromFacts, "min_certs": c.minCerts}}
	if len(sys.links) > 1 {
		res.Details["symlinks"] = sys.links
	}
	goFile := hs.goFile()
	res.Details["go_file"] = goFile

	var v verdict
	switch classify(h, sys.err) {
	case readNeedsRoot:
		return engine.SkipNeedsRoot(res, sys.err)
	case readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read the CA bundle: %v", sys.err)
		return res
	case readMissing:
		res.Observed = "missing"
		v.fail("%s", c.missing(sys, c.scan(hs, res.Details)))
		if len(sys.links) > 1 {
			v.fix(&remediate.Plan{Summary: "rebuild the CA bundle", Actions: c.rebuild()})
		} else {
			v.fix(bundleFix(c.st.facts, "install", "install the system CA bundle"))
		}
	default:
		c.judgeBundle(&v, res.Details, sys)
		res.Observed = fmt.Sprintf("%s in %s", plural(sys.bundle.goDistinct(), "certificate"), sys.path)
		if len(sys.links) > 1 {
			res.Observed += " (-> " + sys.links[len(sys.links)-1] + ")"
		}
		c.judgeGoFile(&v, h, hs, sys, goFile, res.Details)
	}
	c.judgeServiceEnv(&v, h, hs, sys, res.Details)
	v.apply(&res, fmt.Sprintf("found at %s (%s), the file Go programs read", sys.path, sys.source()))
	return res
}

// scan runs Go's directory scan, which only some verdicts need: a host's
// /etc/ssl/certs can hold 300 files.
func (c *presentCheck) scan(hs *hostState, d map[string]any) *goRoots {
	r := hs.goRoots("", "")
	d["go_dirs"] = r.dirs
	d["go_certificates"] = len(r.certs)
	if len(r.problems) > 0 {
		d["go_problems"] = r.problems
	}
	return r
}

func (c *presentCheck) rebuild() []remediate.Action {
	if a, ok := updateAction(c.st.facts); ok {
		return []remediate.Action{a}
	}
	return []remediate.Action{remediate.Tell("rebuild the system CA bundle with the distro's tool")}
}

// missing explains a bundle that is not there, and what Go falls back to.
func (c *presentCheck) missing(sys *systemBundle, goDefault *goRoots) string {
	var msg string
	switch {
	case sys.path == "":
		msg = "no CA bundle: " + errNoBundle.Error()
	case len(sys.links) > 1:
		msg = fmt.Sprintf("%s is a link to %s, which does not exist (the bundle was never extracted)", sys.path, strings.Join(sys.links[1:], " -> "))
	default:
		msg = sys.path + " does not exist (" + sys.source() + ")"
	}
	if n := len(goDefault.certs); n > 0 {
		return msg + fmt.Sprintf("; Go programs still load %s from the files in %s, but curl and OpenSSL-based tools do not", plural(n, "certificate"), strings.Join(goDefault.dirs, ", "))
	}
	return msg + ": every TLS verification by a Go program fails with \"x509: certificate signed by unknown authority\""
}

func (c *presentCheck) judgeBundle(v *verdict, d map[string]any, sys *systemBundle) {
	b := sys.bundle
	// usable is what Go's pool holds: distinct certificates, a duplicate
	// counted once (AddCert keeps one copy).
	usable := b.goDistinct()
	d["certificates"] = usable
	d["duplicate_blocks"] = b.goUsable() - usable
	d["trusted_certificate_blocks"] = b.trusted()
	d["malformed_blocks"] = nonNilProblems(b.malformed)
	d["other_blocks"] = nonNilProblems(b.other)
	if len(b.goRejected) > 0 {
		d["go_rejected_blocks"] = b.goRejected
	}
	d["text_outside_blocks"] = b.outside
	switch {
	case len(b.certs) == 0:
		what := "the file is empty"
		if len(b.malformed) > 0 || b.outside > 0 || len(b.other) > 0 {
			what = "it holds no certificate Go can parse"
		}
		v.fail("%s: %s; Go programs get no roots from it", sys.path, what)
		v.fix(bundleFix(c.st.facts, "reinstall", "restore the system CA bundle"))
	case usable == 0 && b.der:
		v.fail("%s is one DER certificate, not PEM: Go programs read only PEM and get no roots from it", sys.path)
		v.fix(bundleFix(c.st.facts, "reinstall", "restore the system CA bundle"))
	case usable == 0:
		v.fail("%s holds only certificate blocks Go ignores (TRUSTED CERTIFICATE, OpenSSL's trust format, or blocks with headers): Go programs get no roots from it", sys.path)
		v.fix(bundleFix(c.st.facts, "reinstall", "restore the system CA bundle"))
	case usable < c.minCerts:
		v.fail("%s holds %s, fewer than min_certs %d: a distro bundle holds 100+ public roots, so it was truncated or replaced by private CAs, and public endpoints fail verification",
			sys.path, plural(usable, "certificate"), c.minCerts)
		v.fix(bundleFix(c.st.facts, "reinstall", "restore the system CA bundle"))
	}
	if len(b.malformed) > 0 {
		v.warn("%s skipped by every reader (%s)", plural(len(b.malformed), "malformed block"), problemList(b.malformed))
	}
	if len(b.other) > 0 {
		v.warn("%s that %s not a certificate (%s)", plural(len(b.other), "block"), isAre(len(b.other)), problemList(b.other))
	}
	if t := b.trusted(); t > 0 && usable > 0 {
		v.warn("%s: Go ignores them", plural(t, "TRUSTED CERTIFICATE block"))
	}
	if h := len(b.certs) - b.goUsable() - b.trusted(); h > 0 && usable > 0 && !b.der {
		v.warn("%s with PEM headers: Go ignores them", plural(h, "certificate block"))
	}
	if b.truncated {
		v.warn("more than %d certificates: only the first %d were checked", maxCerts, maxCerts)
	}
}

// judgeGoFile warns when Go programs read another file than the distro
// bundle: the distro tools keep one file current, Go reads another.
func (c *presentCheck) judgeGoFile(v *verdict, h *host.Host, hs *hostState, sys *systemBundle, goFile string, d map[string]any) {
	if !sys.fromFacts {
		return
	}
	switch {
	case goFile == "":
		r := c.scan(hs, d)
		v.warn("Go programs do not read %s: none of their candidate files exists, so they load only the files in %s (%s)",
			sys.path, strings.Join(r.dirs, ", "), plural(len(r.certs), "certificate"))
	case !sameFile(h, goFile, sys.path):
		v.warn("Go programs read %s, which comes first in their list, not the distro bundle %s", goFile, sys.path)
	}
}

// judgeServiceEnv reports SSL_CERT_FILE and SSL_CERT_DIR set in the
// service's unit: Go then reads those instead of the system's files.
func (c *presentCheck) judgeServiceEnv(v *verdict, h *host.Host, hs *hostState, sys *systemBundle, d map[string]any) {
	env := hs.serviceEnv()
	if env.unit == "" {
		return
	}
	d["service_unit"] = env.unit
	switch {
	case env.err != nil:
		d["service_unit_problem"] = env.err.Error()
		return
	case env.file.Masked:
		d["service_unit_problem"] = env.file.Path + " is masked (a link to /dev/null)"
		return
	}
	d["service_unit_files"] = env.file.Paths()
	if len(env.env.Problems) > 0 {
		d["service_env_problems"] = env.env.Problems
	}
	file, hasFile := env.lookup(envCertFile)
	dir, hasDir := env.lookup(envCertDir)
	if !hasFile && !hasDir {
		return
	}
	roots := hs.serviceRoots()
	set := map[string]any{}
	d["service_env"] = set
	d["service_certificates"] = len(roots.certs)
	if hasFile {
		set[envCertFile] = map[string]any{"value": file.Value, "source": file.Source, "read": roots.file != "", "certificates": roots.fileCerts}
		switch {
		case roots.file == "":
			v.warn("%s sets %s=%s (%s), which cannot be read: its Go TLS clients get no bundle file, only the files in %s",
				env.unit, envCertFile, file.Value, file.Source, strings.Join(roots.dirs, ", "))
		case sys.err == nil && sameFile(h, file.Value, sys.path):
			// Points at the system bundle: harmless.
		default:
			v.warn("%s sets %s=%s (%s): its Go TLS clients read that file (%s) instead of %s; with the files in %s they trust %s in all",
				env.unit, envCertFile, file.Value, file.Source, plural(roots.fileCerts, "certificate"), orNone(sys.path),
				strings.Join(roots.dirs, ", "), plural(len(roots.certs), "certificate"))
		}
	}
	if hasDir && !sameDirs(h, roots.dirs, goCertDirs) {
		set[envCertDir] = map[string]any{"value": dir.Value, "source": dir.Source}
		v.warn("%s sets %s=%s (%s): its Go TLS clients read the files in %s instead of %s",
			env.unit, envCertDir, dir.Value, dir.Source, strings.Join(roots.dirs, ", "), strings.Join(goCertDirs, ", "))
	}
	if len(roots.certs) == 0 {
		v.fail("with this environment the service trusts no certificate at all: every TLS connection it makes fails verification")
	}
	v.fix(&remediate.Plan{Summary: "let the service use the system CA bundle", Actions: []remediate.Action{remediate.Tell(
		fmt.Sprintf("remove SSL_CERT_FILE/SSL_CERT_DIR from the environment of %s (%s), or point them at the system bundle and add private CAs to the anchor directory instead",
			env.unit, strings.Join(env.file.Paths(), ", ")))}})
}

func sameDirs(h *host.Host, a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameFile(h, a[i], b[i]) {
			return false
		}
	}
	return true
}
