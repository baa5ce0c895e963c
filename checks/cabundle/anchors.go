package cabundle

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// Bounds on the anchor directory walk.
const (
	maxAnchorFiles = 1024
	maxAnchorDepth = 8
	maxAnchorSize  = 1 << 20
)

// anchorFile is one file of the anchor directory.
type anchorFile struct {
	path  string
	certs []*cert
	der   bool
	// ignored: the update tool does not read it (update-ca-certificates
	// reads only *.crt), although it holds certificates.
	ignored bool
	err     error
}

type anchorSet struct {
	dir   string
	files []anchorFile
	err   error
}

func (hs *hostState) anchors() *anchorSet {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.anchorSet == nil {
		hs.anchorSet = loadAnchors(hs.h, hs.facts.CAAnchorDir, debianStyle(hs.facts), hs.certs)
	}
	return hs.anchorSet
}

// loadAnchors reads the anchor directory as the distro's tool reads it:
// update-ca-trust (p11-kit's loader_load_directory) every file of the
// directory, not its subdirectories, PEM or DER; update-ca-certificates
// every *.crt below it, following symlinks. Empty files are left out: they
// hold nothing to trust and are no finding.
func loadAnchors(h *host.Host, dir string, debian bool, cc certCache) *anchorSet {
	s := &anchorSet{dir: dir}
	if dir == "" {
		return s
	}
	var walk func(d string, depth int)
	walk = func(d string, depth int) {
		entries, err := h.ReadDir(d)
		if err != nil {
			if d == dir {
				s.err = err
			}
			return
		}
		for _, e := range entries {
			if len(s.files) >= maxAnchorFiles {
				return
			}
			p := path.Join(d, e.Name())
			fi, err := h.Stat(p)
			if err != nil {
				s.files = append(s.files, anchorFile{path: p, err: err})
				continue
			}
			if fi.IsDir() {
				if debian && depth < maxAnchorDepth {
					walk(p, depth+1)
				}
				continue
			}
			a := anchorFile{path: p, ignored: debian && !strings.HasSuffix(e.Name(), ".crt")}
			data, err := h.ReadFileLimit(p, maxAnchorSize)
			if err != nil {
				a.err = err
			} else {
				b := parseBundle(data, cc)
				a.certs, a.der = b.certs, b.der
			}
			if a.ignored && len(a.certs) == 0 || a.err == nil && fi.Size() == 0 {
				continue // a README next to the CAs, a .keep
			}
			s.files = append(s.files, a)
		}
	}
	walk(dir, 0)
	return s
}

type anchorsCheck struct {
	engine.Base
	st *shared
}

// anchorEntry is an anchor certificate as details show it.
type anchorEntry struct {
	File    string `json:"file"`
	Subject string `json:"subject"`
	SHA256  string `json:"fingerprint"`
}

func (c *anchorsCheck) Run(_ context.Context, h *host.Host) engine.Result {
	f := c.st.facts
	if f.CAAnchorDir == "" {
		return engine.Result{Status: engine.Skip, Message: "the profile names no anchor directory (facts.ca_anchor_dir)"}
	}
	hs := c.st.on(h)
	set := hs.anchors()
	res := engine.Result{Details: map[string]any{"anchor_dir": set.dir}}
	switch {
	case errors.Is(set.err, fs.ErrNotExist):
		res.Status, res.Message = engine.Skip, set.dir+" does not exist: no local CAs"
		return res
	case set.err != nil && classify(h, set.err) == readNeedsRoot:
		return engine.SkipNeedsRoot(res, set.err)
	case set.err != nil:
		res.Status, res.Message = engine.Error, "cannot read the anchor directory: "+set.err.Error()
		return res
	case len(set.files) == 0:
		res.Status, res.Message = engine.Skip, set.dir+" is empty: no local CAs"
		return res
	}
	sys := hs.systemBundle()
	res.Details["bundle"] = sys.path
	var v verdict
	var missing, present []anchorEntry
	var unreadable, notCerts, ignored []string
	for _, a := range set.files {
		switch {
		case a.err != nil:
			unreadable = append(unreadable, a.err.Error())
			continue
		case len(a.certs) == 0:
			notCerts = append(notCerts, a.path)
			continue
		case a.ignored:
			ignored = append(ignored, a.path)
			continue
		}
		for _, cert := range a.certs {
			e := anchorEntry{File: a.path, Subject: name(cert.Subject), SHA256: cert.fingerprint()}
			if sys.bundle != nil && findCert(sys.bundle.certs, cert.Certificate) != nil {
				present = append(present, e)
			} else {
				missing = append(missing, e)
			}
		}
	}
	res.Details["in_bundle"] = nonNilEntries(present)
	res.Details["missing"] = nonNilEntries(missing)
	res.Details["ignored"] = nonNilStrings(ignored)
	res.Details["not_certificates"] = nonNilStrings(notCerts)
	res.Details["unreadable"] = nonNilStrings(unreadable)
	update := strings.Join(f.CAUpdateCommand, " ")
	if update == "" {
		update = "the distro's update command"
	}

	switch rc := classify(h, sys.err); {
	case rc == readBroken:
		res.Status, res.Message = engine.Error, fmt.Sprintf("cannot read the CA bundle: %v", sys.err)
		return res
	case rc == readNeedsRoot:
		return engine.SkipNeedsRoot(res, sys.err)
	case rc == readMissing && len(missing) > 0:
		v.fail("%s does not exist, so none of the %s in %s is trusted: run %s", orNone(sys.path), plural(len(missing), "local CA"), set.dir, update)
		v.fix(updatePlan(f, "build the CA bundle"))
	case len(missing) > 0:
		v.fail("the bundle is stale: %s in %s %s not in %s (%s); run %s",
			plural(len(missing), "certificate"), set.dir, isAre(len(missing)), sys.path, anchorNames(missing), update)
		v.fix(updatePlan(f, "rebuild the stale CA bundle"))
	}
	if len(ignored) > 0 {
		v.warn("%s not read by update-ca-certificates, which takes only *.crt files: %s", plural(len(ignored), "file"), strings.Join(ignored, ", "))
		v.fix(renamePlan(f, ignored))
	}
	if len(notCerts) > 0 {
		v.warn("%s with no certificate (not PEM or DER): %s", plural(len(notCerts), "file"), strings.Join(notCerts, ", "))
	}
	if len(unreadable) > 0 {
		v.warn("%s: %s", plural(len(unreadable), "unreadable file"), strings.Join(unreadable, "; "))
	}
	res.Observed = fmt.Sprintf("%d of %s in the bundle", len(present), plural(len(present)+len(missing), "anchor certificate"))
	v.apply(&res, fmt.Sprintf("every certificate in %s is in %s", set.dir, sys.path))
	return res
}

// updatePlan rebuilds the bundle with the distro's own command.
func updatePlan(f distroFacts, summary string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary}
	if a, ok := updateAction(f); ok {
		p.Actions = []remediate.Action{a}
	} else {
		p.Actions = []remediate.Action{remediate.Tell("rebuild the system CA bundle with the distro's tool")}
	}
	return p
}

// renamePlan gives ignored anchors the .crt name update-ca-certificates
// reads, then rebuilds.
func renamePlan(f distroFacts, files []string) *remediate.Plan {
	p := &remediate.Plan{Summary: "rename the local CAs to *.crt"}
	for _, old := range files {
		p.Actions = append(p.Actions, remediate.Run("update-ca-certificates reads only *.crt files",
			"mv", old, strings.TrimSuffix(old, path.Ext(old))+".crt"))
	}
	if a, ok := updateAction(f); ok {
		p.Actions = append(p.Actions, a)
	}
	return p
}

func anchorNames(es []anchorEntry) string {
	var parts []string
	for i, e := range es {
		if i == maxNamed {
			parts = append(parts, fmt.Sprintf("and %d more", len(es)-maxNamed))
			break
		}
		parts = append(parts, e.Subject+" from "+path.Base(e.File))
	}
	return strings.Join(parts, ", ")
}

func nonNilEntries(e []anchorEntry) []anchorEntry {
	if e == nil {
		return []anchorEntry{}
	}
	return e
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
