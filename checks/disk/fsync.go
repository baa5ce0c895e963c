package disk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
	"github.com/golive-sh/golive/internal/remediate"
)

// The probe follows etcd's recipe for its WAL (fio --rw=write
// --ioengine=sync --fdatasync=1 --bs=2300): small appends, each made
// durable before the next. 1000 of them write 2.2 MiB at most.
const (
	probeWrites = 1000
	probeBlock  = 2300
	probeBudget = 3 * time.Second
	minSamples  = 100
)

type fsyncCheck struct {
	engine.Base
	rule rule
	set  settings
}

func (c *fsyncCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	if !h.Live() {
		return engine.Result{Status: engine.Skip, Message: host.ErrProbeNotLive.Error()}
	}
	at, err := existing(h, c.rule.Path)
	if err != nil {
		return readFailure(h, err)
	}
	lat, err := h.FsyncProbe(ctx, at, probeWrites, probeBlock, probeBudget)
	if err != nil {
		if h.NeedsRoot(err) {
			return engine.SkipNeedsRoot(engine.Result{}, err)
		}
		if ctx.Err() != nil {
			return engine.Result{Status: engine.Error, Message: fmt.Sprintf("the probe was stopped after %d writes: %v (the temp file was removed)", len(lat), err)}
		}
		return engine.Result{Status: engine.Error, Message: "fsync probe in " + at + ": " + err.Error()}
	}
	p50, p99 := percentile(lat, 50), percentile(lat, 99)
	res := engine.Result{
		Observed: fmt.Sprintf("fdatasync p50 %s, p99 %s over %d writes of %d bytes", roundDur(p50), roundDur(p99), len(lat), probeBlock),
		Details: map[string]any{"path": at, "writes": len(lat), "block_bytes": probeBlock,
			"p50_ms": ms(p50), "p99_ms": ms(p99), "max_ms": ms(percentile(lat, 100))},
	}
	switch {
	case p99 > c.set.fsyncP99:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("the 99th percentile of fdatasync in %s is %s, above %s: etcd's WAL sync would be this slow, and its heartbeats and leader elections suffer", at, roundDur(p99), c.set.fsyncP99)
		res.Remediation = &remediate.Plan{Summary: "faster storage for " + at, Actions: []remediate.Action{remediate.Tell(
			"move " + at + " to a dedicated SSD or NVMe device (a cloud volume with provisioned IOPS), away from other writers; confirm with fio --rw=write --ioengine=sync --fdatasync=1 --bs=2300 --size=22m --directory=" + at)}}
	case len(lat) < minSamples:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("only %d fdatasyncs finished in %s: too few for a 99th percentile", len(lat), probeBudget)
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("fdatasync in %s: p99 %s is within %s (the probe wrote and removed a temp file)", at, roundDur(p99), c.set.fsyncP99)
	}
	return res
}

// percentile is the nearest-rank percentile of lat (p in 0..100).
func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return s[rank-1]
}

func roundDur(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
