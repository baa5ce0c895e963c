package etcd

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// versionCheck is etcd/version: every member on the same minor version.
// Mixed minors are normal only during a rolling upgrade, which must not
// be left half done at go-live.
type versionCheck struct {
	engine.Base
	set *settings
}

func (c *versionCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{}}
	ss, err := c.set.open(h)
	if err != nil {
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	ctx, cancel := withReserve(ctx)
	defer cancel()
	return c.judge(res, ss.survey(ctx))
}

// judge compares the versions the members reported.
func (c *versionCheck) judge(res engine.Result, s *survey) engine.Result {
	byMember := map[string]string{}
	minors := map[string][]string{}
	var unreached []string
	for _, m := range s.members {
		ver := ""
		for _, r := range s.memberURLs[m.ID] {
			if r.OK() {
				ver = r.Status.Version
				break
			}
		}
		if ver == "" {
			unreached = append(unreached, memberName(m))
			continue
		}
		byMember[memberName(m)] = ver
		minors[minor(ver)] = append(minors[minor(ver)], memberName(m)+" "+ver)
	}
	res.Details["versions"] = byMember
	if len(unreached) > 0 {
		res.Details["unreached"] = unreached
	}
	if len(byMember) == 0 {
		res.Status = engine.Error
		res.Message = "no member's version could be read"
		if r := s.firstFailure(); r != nil {
			res.Details["cause"] = r.Fail.Cause
			res.Message += "; " + r.URL + ": " + r.Fail.String()
		}
		return res
	}
	keys := make([]string, 0, len(minors))
	for k := range minors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	res.Observed = strings.Join(keys, ", ")
	note := ""
	if len(unreached) > 0 {
		note = fmt.Sprintf(" (%s not reached: see etcd/cluster)", strings.Join(unreached, ", "))
	}
	if len(minors) > 1 {
		var parts []string
		for _, k := range keys {
			parts = append(parts, strings.Join(minors[k], ", "))
		}
		res.Status = engine.Warn
		res.Message = "the members run different minor versions: " + strings.Join(parts, "; ") + note +
			"; a cluster runs at its lowest version, and a half-done upgrade should be finished (or rolled back) before go-live"
		res.Remediation = plan("finish the rolling upgrade",
			"upgrade the remaining members one at a time to "+keys[len(keys)-1]+" (check "+c.set.etcdctl()+" endpoint status -w table after each), or roll the upgraded ones back")
		return res
	}
	res.Status = engine.Pass
	res.Message = fmt.Sprintf("all %d members reached run etcd %s%s", len(byMember), keys[0], note)
	return res
}

// minor is "3.7" of "3.7.3"; an unparsable version stands for itself.
func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}
