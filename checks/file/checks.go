package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"syscall"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// Read bounds: a hashed file is streamed, a searched one read whole.
const (
	maxHashed   = 1 << 30
	maxSearched = 16 << 20
)

// check is one aspect of one path.
type check struct {
	engine.Base
	spec   *spec
	aspect aspect
}

// checks are the spec's checks: exists always, then each aspect it names.
func (s *spec) checks() []engine.Check {
	want := map[aspect]bool{
		aspExists: true, aspType: s.ftype != "", aspTarget: s.target != "", aspMode: s.hasMode,
		aspOwner: s.owner != "", aspGroup: s.group != "", aspSize: s.size != nil,
		aspSHA256: s.sha256 != "", aspSELinux: s.selinux != "", aspContains: len(s.contains) > 0,
	}
	var out []engine.Check
	for _, a := range aspects {
		if !want[a] {
			continue
		}
		m := meta(a, s.path, s.expected(a))
		m.Where = s.where
		if s.level != "" {
			m.Level = s.level
		}
		if s.severity != "" {
			m.Severity = s.severity
		}
		if s.why != "" {
			m.Why = s.why
		}
		out = append(out, &check{Base: engine.Base{M: m}, spec: s, aspect: a})
	}
	return out
}

func (c *check) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"path": c.spec.path}}
	p := c.spec.path
	lfi, err := h.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if c.aspect == aspExists {
			return c.judgeExists(res, false)
		}
		res.Status, res.Observed = engine.Skip, "absent"
		res.Message = p + " does not exist (" + engine.CheckID(kind, string(aspExists), p) + " reports it)"
		return res
	case err != nil:
		return c.readErr(res, h, err)
	}
	if c.aspect == aspExists {
		return c.judgeExists(res, true)
	}
	res.Details["type"] = typeOf(lfi.Mode())
	switch c.aspect {
	case aspType:
		return c.judgeType(res, typeOf(lfi.Mode()))
	case aspTarget:
		if lfi.Mode()&fs.ModeSymlink == 0 {
			res.Observed = "not a symlink (" + typeOf(lfi.Mode()) + ")"
			return c.miss(res, p+" is a "+typeOf(lfi.Mode())+", not a symlink", nil)
		}
		target, err := h.Readlink(p)
		if err != nil {
			return c.readErr(res, h, err)
		}
		return c.judgeTarget(res, target)
	}
	// The other aspects are the file's the path leads to.
	fi, err := h.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			res.Observed = "dangling symlink"
			res.Status = engine.MissStatus(c.M.Level)
			res.Message = p + " is a symlink to a path that does not exist"
			res.Remediation = manualPlan("make " + p + " point at an existing file")
			return res
		}
		return c.readErr(res, h, err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		res.Status, res.Message = engine.Error, "stat of "+p+" has no owner or mode"
		return res
	}
	switch c.aspect {
	case aspMode:
		return c.judgeMode(res, st.Mode&0o7777)
	case aspOwner:
		return c.judgeOwner(res, h, uint64(st.Uid))
	case aspGroup:
		return c.judgeGroup(res, h, uint64(st.Gid))
	case aspSize:
		return c.judgeSize(res, fi.Size())
	case aspSHA256:
		return c.judgeSHA256(ctx, res, h)
	case aspSELinux:
		return c.judgeSELinux(res, h)
	case aspContains:
		return c.judgeContains(res, h)
	}
	res.Status, res.Message = engine.Error, "unknown aspect "+string(c.aspect)
	return res
}

func (c *check) readErr(res engine.Result, h *host.Host, err error) engine.Result {
	if h.NeedsRoot(err) {
		return engine.SkipNeedsRoot(res, err)
	}
	res.Status, res.Message = engine.Error, err.Error()
	return res
}

// miss is the rule's miss status with message and plan.
func (c *check) miss(res engine.Result, msg string, plan *remediate.Plan) engine.Result {
	res.Status, res.Message, res.Remediation = engine.MissStatus(c.M.Level), msg, plan
	return res
}

func (c *check) pass(res engine.Result, msg string) engine.Result {
	res.Status, res.Message = engine.Pass, msg
	return res
}

func manualPlan(text string) *remediate.Plan {
	return &remediate.Plan{Summary: text, Actions: []remediate.Action{remediate.Tell(text)}}
}

func (c *check) judgeExists(res engine.Result, present bool) engine.Result {
	p := c.spec.path
	res.Observed = "absent"
	if present {
		res.Observed = "present"
	}
	res.Details["exists"] = present
	switch {
	case present == c.spec.exists:
		return c.pass(res, p+" is "+res.Observed)
	case present:
		return c.miss(res, p+" exists and must not", manualPlan("remove "+p+" (golive never deletes files: check what still uses it first)"))
	}
	return c.miss(res, p+" does not exist", manualPlan("create "+p+" (deploy the service's files)"))
}

func (c *check) judgeType(res engine.Result, got string) engine.Result {
	res.Observed = got
	if got == c.spec.ftype {
		return c.pass(res, c.spec.path+" is a "+got)
	}
	return c.miss(res, c.spec.path+" is a "+got+", not a "+c.spec.ftype, manualPlan("replace "+c.spec.path+" with a "+c.spec.ftype))
}

func (c *check) judgeTarget(res engine.Result, target string) engine.Result {
	res.Observed = target
	res.Details["target"] = target
	if target == c.spec.target {
		return c.pass(res, c.spec.path+" -> "+target)
	}
	return c.miss(res, c.spec.path+" -> "+target+", not "+c.spec.target,
		manualPlan("point the link at "+c.spec.target+": ln -sfn "+c.spec.target+" "+c.spec.path))
}

func (c *check) judgeMode(res engine.Result, mode uint32) engine.Result {
	res.Observed = octal(mode)
	res.Details["mode"] = octal(mode)
	if c.spec.mode.match(mode) {
		return c.pass(res, c.spec.path+" has mode "+octal(mode))
	}
	fix := octal(c.spec.mode.fix(mode))
	return c.miss(res, fmt.Sprintf("%s has mode %s, not %s", c.spec.path, octal(mode), c.spec.mode),
		&remediate.Plan{Summary: "chmod " + fix + " " + c.spec.path, Actions: []remediate.Action{
			remediate.SetFileMode(c.spec.path, fix, "", "")}})
}

func (c *check) judgeOwner(res engine.Result, h *host.Host, uid uint64) engine.Result {
	name, _ := userName(h, uid)
	res.Observed = idText(name, uid)
	res.Details["uid"] = uid
	if name != "" {
		res.Details["user"] = name
	}
	want, note, err := wantUID(h, c.spec.owner, c.spec.nss)
	if err != nil {
		return c.idErr(res, h, err, note)
	}
	if uid == want {
		return c.pass(res, c.spec.path+" is owned by "+res.Observed)
	}
	// The fix names the uid the root's own accounts give the owner, so
	// that it means the same under ROOT= as on the booted system.
	return c.miss(res, c.spec.path+" is owned by "+res.Observed+", not "+c.spec.owner+note,
		&remediate.Plan{Summary: fmt.Sprintf("chown %s (uid %d) %s", c.spec.owner, want, c.spec.path), Actions: []remediate.Action{
			remediate.SetFileMode(c.spec.path, "", strconv.FormatUint(want, 10), "")}})
}

func (c *check) judgeGroup(res engine.Result, h *host.Host, gid uint64) engine.Result {
	name, _ := groupName(h, gid)
	res.Observed = idText(name, gid)
	res.Details["gid"] = gid
	if name != "" {
		res.Details["group"] = name
	}
	want, note, err := wantGID(h, c.spec.group, c.spec.nss)
	if err != nil {
		return c.idErr(res, h, err, note)
	}
	if gid == want {
		return c.pass(res, c.spec.path+" has group "+res.Observed)
	}
	return c.miss(res, c.spec.path+" has group "+res.Observed+", not "+c.spec.group+note,
		&remediate.Plan{Summary: fmt.Sprintf("chgrp %s (gid %d) %s", c.spec.group, want, c.spec.path), Actions: []remediate.Action{
			remediate.SetFileMode(c.spec.path, "", "", strconv.FormatUint(want, 10))}})
}

// idErr reports a wanted owner or group that cannot be resolved: a miss
// when the files are all NSS asks, an error when the answer may live in
// a directory service golive cannot read or the files could not be read.
func (c *check) idErr(res engine.Result, h *host.Host, err error, note string) engine.Result {
	if h.NeedsRoot(err) {
		return engine.SkipNeedsRoot(res, err)
	}
	var unknown *unknownName
	if errors.As(err, &unknown) && note == "" {
		return c.miss(res, err.Error()+note, manualPlan(err.Error()+": create it, or name an existing one in the profile"))
	}
	res.Status, res.Message = engine.Error, err.Error()+note
	return res
}

func idText(name string, id uint64) string {
	if name == "" {
		return strconv.FormatUint(id, 10)
	}
	return fmt.Sprintf("%s (%d)", name, id)
}

func (c *check) judgeSize(res engine.Result, size int64) engine.Result {
	res.Observed = strconv.FormatInt(size, 10)
	res.Details["size"] = size
	ok, err := c.spec.size.Eval(res.Observed)
	if err != nil {
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	if ok {
		return c.pass(res, fmt.Sprintf("%s is %d bytes", c.spec.path, size))
	}
	return c.miss(res, fmt.Sprintf("%s is %d bytes, not %s", c.spec.path, size, c.spec.size),
		manualPlan("redeploy "+c.spec.path+" (its size is "+res.Observed+" bytes, wanted "+c.spec.size.String()+")"))
}

func (c *check) judgeSHA256(ctx context.Context, res engine.Result, h *host.Host) engine.Result {
	sum, err := hashFile(ctx, h, c.spec.path)
	if err != nil {
		return c.readErr(res, h, err)
	}
	res.Observed = sum
	if sum == c.spec.sha256 {
		return c.pass(res, c.spec.path+" has the expected SHA-256")
	}
	return c.miss(res, c.spec.path+" has SHA-256 "+sum+", not "+c.spec.sha256,
		manualPlan("redeploy "+c.spec.path+" from the release whose SHA-256 is "+c.spec.sha256))
}

// hashFile streams a regular file through SHA-256, at most maxHashed
// bytes, stopping when ctx is done.
func hashFile(ctx context.Context, h *host.Host, p string) (string, error) {
	f, err := h.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		k, err := f.Read(buf)
		sum.Write(buf[:k])
		if n += int64(k); n > maxHashed {
			return "", &fs.PathError{Op: "read", Path: p, Err: fmt.Errorf("%w (%d bytes)", host.ErrTooLarge, maxHashed)}
		}
		if err == io.EOF {
			return hex.EncodeToString(sum.Sum(nil)), nil
		}
		if err != nil {
			return "", &fs.PathError{Op: "read", Path: p, Err: err}
		}
	}
}

func (c *check) judgeContains(res engine.Result, h *host.Host) engine.Result {
	data, err := h.ReadFileLimit(c.spec.path, maxSearched)
	if err != nil {
		return c.readErr(res, h, err)
	}
	bad := missed(data, c.spec.contains)
	if len(bad) == 0 {
		res.Observed = "every pattern matches"
		return c.pass(res, fmt.Sprintf("%s: %d patterns match", c.spec.path, len(c.spec.contains)))
	}
	res.Observed = fmt.Sprintf("%d of %d patterns miss", len(bad), len(c.spec.contains))
	res.Details["missed"] = bad
	return c.miss(res, c.spec.path+": "+joinClipped(bad), manualPlan("edit "+c.spec.path+" so that: "+joinClipped(bad)))
}

func joinClipped(items []string) string {
	const max = 5
	out := ""
	for i, s := range items {
		if i == max {
			return out + fmt.Sprintf("; and %d more", len(items)-max)
		}
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}
