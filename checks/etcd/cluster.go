package etcd

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// clusterCheck is etcd/cluster: membership, reachability of every member,
// one leader, one term, no alarm.
type clusterCheck struct {
	engine.Base
	set *settings
}

func (c *clusterCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"endpoints": c.set.endpoints, "expected_members": c.set.members}}
	ss, err := c.set.open(h)
	if err != nil {
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	ctx, cancel := withReserve(ctx)
	defer cancel()
	s := ss.survey(ctx)
	if s.listFrom == "" {
		return c.noList(res, s)
	}
	var v verdict
	res.Details["members"] = memberDetails(s)
	c.judgeEndpoints(&v, s)
	c.judgeMembership(&v, s)
	c.judgeReachability(&v, s, res.Details)
	leader := c.judgeLeader(&v, s, res.Details)
	c.judgeAlarms(&v, s, res.Details)
	voting := votingNames(s.members)
	res.Observed = fmt.Sprintf("%d voting members (%s), leader %s", len(voting), strings.Join(voting, ", "), leader)
	v.apply(&res, fmt.Sprintf("%d voting members agree on the membership, all answer at their client URLs, one leader (%s) and one term, no alarm", len(voting), leader))
	return res
}

// noList: no endpoint gave a member list, so nothing else can be judged.
func (c *clusterCheck) noList(res engine.Result, s *survey) engine.Result {
	if r := s.listFail; r != nil {
		failed(&res, *r.ListFail)
		res.Message = "could not read the member list from " + r.URL + ": " + res.Message
		return res
	}
	r := s.firstFailure()
	if r == nil {
		res.Status, res.Message = engine.Error, "no endpoint answered and none failed"
		return res
	}
	failed(&res, *r.Fail)
	res.Message = fmt.Sprintf("no endpoint answered; %s: %s", r.URL, res.Message)
	res.Details["unreachable"] = endpointFailures(s)
	res.Remediation = failurePlan(c.set, r)
	return res
}

// judgeEndpoints: configured endpoints that are no member's client URL
// (a proxy, a DNS name) are judged here; the others with their member.
func (c *clusterCheck) judgeEndpoints(v *verdict, s *survey) {
	for _, r := range s.endpoints {
		if r.Fail != nil && memberOfURL(s.members, r.URL) == nil {
			v.fail("endpoint %s: %s", r.URL, r.Fail)
			v.fix("restore the endpoint", failurePlanSteps(c.set, r)...)
		}
	}
	for _, r := range s.endpoints {
		if r.Members == nil {
			continue
		}
		ids := memberIDs(r.Members.Members)
		if ids != memberIDs(s.members) {
			v.fail("the members disagree on the membership: %s sees %s, %s sees %s", s.listFrom, memberIDs(s.members), r.URL, ids)
			v.fix("reconcile the membership", "compare "+c.set.etcdctl()+" member list -w table from each endpoint; remove members that left (member remove) and restart the member with the stale view")
		}
	}
	cluster := map[uint64]bool{}
	for _, r := range s.answered() {
		cluster[r.Status.Header.ClusterID] = true
	}
	if len(cluster) > 1 {
		v.fail("the endpoints belong to %d different clusters (cluster IDs differ): the endpoints list mixes clusters", len(cluster))
	}
}

func (c *clusterCheck) judgeMembership(v *verdict, s *survey) {
	voting := votingNames(s.members)
	if len(voting) != c.set.members {
		v.fail("%d voting members (%s), expected %d", len(voting), strings.Join(voting, ", "), c.set.members)
		v.fix("bring the cluster to the expected size", fmt.Sprintf("add or remove members (%s member add / member remove) until %d voting members remain, one at a time", c.set.etcdctl(), c.set.members))
	}
	if len(voting)%2 == 0 && len(voting) > 0 {
		v.warn("an even number of voting members (%d) tolerates no more failures than %d and needs a larger quorum: run 3 or 5", len(voting), len(voting)-1)
	}
	for _, m := range s.members {
		if m.Name == "" && len(m.ClientURLs) == 0 {
			v.fail("%s was added (peer %s) but has not started", memberName(m), strings.Join(m.PeerURLs, ", "))
			v.fix("start the added member", "start etcd on the new member with --initial-cluster-state=existing, or remove it: "+c.set.etcdctl()+" member remove "+memberID(m.ID))
		}
	}
}

// judgeReachability: every client URL of every member must answer, since
// the service's client may be sent to any of them.
func (c *clusterCheck) judgeReachability(v *verdict, s *survey, d map[string]any) {
	var down []map[string]any
	for _, m := range s.members {
		for _, r := range s.memberURLs[m.ID] {
			if r.OK() {
				continue
			}
			f := r.Fail
			if f == nil {
				continue
			}
			down = append(down, map[string]any{"member": m.Name, "id": memberID(m.ID), "url": r.URL, "cause": f.Cause, "message": f.Message})
			v.fail("member %s does not answer at %s: %s", memberName(m), r.URL, f)
			v.fix("bring the member back", failurePlanSteps(c.set, r)...)
			if _, ok := d["cause"]; !ok {
				d["cause"] = f.Cause
				if f.TLSReason != "" {
					d["tls_reason"] = f.TLSReason
				}
			}
		}
	}
	if len(down) > 0 {
		d["unreachable"] = down
	}
}

// judgeLeader: every member that answered names the same leader, which is
// a member, and all are in the same term. Returns the leader's name.
func (c *clusterCheck) judgeLeader(v *verdict, s *survey, d map[string]any) string {
	leaders, terms := map[uint64][]string{}, map[uint64][]string{}
	for _, r := range s.answered() {
		who := s.nameOf(r.Status.Header.MemberID)
		leaders[r.Status.Leader] = append(leaders[r.Status.Leader], who)
		terms[r.Status.RaftTerm] = append(terms[r.Status.RaftTerm], who)
	}
	if who, ok := leaders[0]; ok {
		v.fail("no leader as seen by %s", strings.Join(who, ", "))
		v.fix("restore the cluster's quorum", noLeaderSteps(c.set)...)
		delete(leaders, 0)
	}
	leader := "unknown"
	switch len(leaders) {
	case 0:
	case 1:
		for id := range leaders {
			leader = s.nameOf(id)
			d["leader"] = memberID(id)
		}
	default:
		v.fail("the members name %d different leaders: %s", len(leaders), describeViews(leaders, s.nameOf))
	}
	if len(terms) > 1 {
		v.fail("the raft terms differ: %s (a member is partitioned, or elections keep failing)", describeViews(terms, func(t uint64) string { return fmt.Sprintf("term %d", t) }))
		v.fix("restore the cluster's quorum", noLeaderSteps(c.set)...)
	}
	for t := range terms {
		d["raft_term"] = t
	}
	return leader
}

func (c *clusterCheck) judgeAlarms(v *verdict, s *survey, d map[string]any) {
	if !s.alarmsOK {
		v.warn("the alarm list could not be read from any endpoint")
		return
	}
	var list []map[string]string
	for _, a := range s.alarms {
		if a.Alarm == alarmNone {
			continue
		}
		list = append(list, map[string]string{"member": s.nameOf(a.MemberID), "alarm": a.Alarm.String()})
		switch a.Alarm {
		case alarmNoSpace:
			v.fail("alarm NOSPACE on %s: the backend quota is full and the cluster refuses writes", s.nameOf(a.MemberID))
			v.fix("free space in etcd's backend", spaceSteps(c.set)...)
		case alarmCorrupt:
			v.fail("alarm CORRUPT on %s: its data differs from the other members'", s.nameOf(a.MemberID))
			v.fix("replace the corrupted member's data", corruptSteps(c.set)...)
		default:
			v.fail("alarm %s on %s", a.Alarm, s.nameOf(a.MemberID))
		}
	}
	if len(list) > 0 {
		d["alarms"] = list
	}
}

func failurePlanSteps(set *settings, r *reach) []string {
	var out []string
	for _, a := range failurePlan(set, r).Actions {
		out = append(out, a.Text)
	}
	return out
}

func memberOfURL(members []*member, u string) *member {
	for _, m := range members {
		if slices.Contains(m.ClientURLs, u) {
			return m
		}
	}
	return nil
}

func votingNames(members []*member) []string {
	var out []string
	for _, m := range members {
		if !m.IsLearner {
			out = append(out, memberName(m))
		}
	}
	return out
}

// memberIDs is a membership as a sorted list of IDs, for comparing.
func memberIDs(members []*member) string {
	ids := make([]string, 0, len(members))
	for _, m := range members {
		ids = append(ids, memberID(m.ID))
	}
	sort.Strings(ids)
	return "[" + strings.Join(ids, " ") + "]"
}

// describeViews words a disagreement: "etcd-1, etcd-2: etcd-1; etcd-3: etcd-3".
func describeViews(views map[uint64][]string, name func(uint64) string) string {
	keys := make([]uint64, 0, len(views))
	for k := range views {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, strings.Join(views[k], ", ")+" → "+name(k))
	}
	return strings.Join(parts, "; ")
}

func memberDetails(s *survey) []map[string]any {
	out := make([]map[string]any, 0, len(s.members))
	for _, m := range s.members {
		md := map[string]any{"id": memberID(m.ID), "name": m.Name, "client_urls": m.ClientURLs, "peer_urls": m.PeerURLs, "learner": m.IsLearner}
		reachable := len(s.memberURLs[m.ID]) > 0
		for _, r := range s.memberURLs[m.ID] {
			reachable = reachable && r.OK()
			if r.OK() {
				md["version"], md["raft_term"], md["db_size"] = r.Status.Version, r.Status.RaftTerm, r.Status.DbSize
			}
		}
		md["reachable"] = reachable
		out = append(out, md)
	}
	return out
}

func endpointFailures(s *survey) []map[string]any {
	var out []map[string]any
	for _, r := range s.endpoints {
		if r.Fail != nil {
			out = append(out, map[string]any{"url": r.URL, "cause": r.Fail.Cause, "message": r.Fail.Message})
		}
	}
	return out
}
