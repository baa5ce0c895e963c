package etcd

import (
	"context"
	"fmt"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/host"
)

// clientCertWarnDays is the warning window before our client certificate
// expires: after it every request of the service is refused.
const clientCertWarnDays = 30

// endpointCheck is etcd/endpoint:<url>: connect, TLS, authenticate, Status.
type endpointCheck struct {
	engine.Base
	set *settings
	url string
}

func (c *endpointCheck) Run(ctx context.Context, h *host.Host) engine.Result {
	res := engine.Result{Details: map[string]any{"url": c.url}}
	ss, err := c.set.open(h)
	if err != nil {
		res.Status, res.Message = engine.Error, err.Error()
		return res
	}
	ctx, cancel := withReserve(ctx)
	defer cancel()
	r := ss.reach(ctx, c.url, false)
	probeDetails(res.Details, r)
	if !r.OK() {
		failed(&res, *r.Fail)
		res.Remediation = failurePlan(c.set, r)
		return res
	}
	return c.judge(res, h, ss, r)
}

func (c *endpointCheck) judge(res engine.Result, h *host.Host, ss *session, r *reach) engine.Result {
	st := r.Status
	quota, source := c.set.quotaOf(st.DbSizeQuota)
	pct := 100 * float64(st.DbSize) / float64(quota)
	d := res.Details
	d["version"] = st.Version
	d["member_id"] = memberID(st.Header.MemberID)
	d["leader"] = memberID(st.Leader)
	d["raft_term"], d["raft_index"], d["raft_applied_index"] = st.RaftTerm, st.RaftIndex, st.RaftAppliedIndex
	d["is_learner"] = st.IsLearner
	d["db_size"], d["db_size_in_use"], d["quota_bytes"], d["quota_source"] = st.DbSize, st.DbSizeInUse, quota, source
	d["db_percent"] = round1(pct)
	if len(st.Errors) > 0 {
		d["errors"] = st.Errors
	}
	res.Observed = fmt.Sprintf("etcd %s, db %s of %s (%.0f%%), term %d, index %d, Status in %.1f ms",
		st.Version, bytesIEC(st.DbSize), bytesIEC(quota), pct, st.RaftTerm, st.RaftIndex, r.StatusMS)

	var v verdict
	if st.Leader == 0 {
		v.fail("the member knows no leader: the cluster has lost quorum or this member is cut off from its peers")
		v.fix("restore the cluster's quorum", noLeaderSteps(c.set)...)
	}
	for _, e := range st.Errors {
		if e == "etcdserver: no leader" {
			continue // said above
		}
		v.fail("the member reports %q", e)
		v.fix("clear the member's alarm", alarmSteps(c.set, e)...)
	}
	switch {
	case pct >= 100:
		v.fail("the database (%s) has reached the backend quota (%s, %s): writes fail with NOSPACE", bytesIEC(st.DbSize), bytesIEC(quota), source)
		v.fix("free space in etcd's backend", spaceSteps(c.set)...)
	case pct >= QuotaWarnPercent:
		v.warn("the database (%s) uses %.0f%% of the backend quota (%s, %s); at 100%% etcd raises NOSPACE and refuses writes", bytesIEC(st.DbSize), pct, bytesIEC(quota), source)
		v.fix("free space in etcd's backend", spaceSteps(c.set)...)
	}
	if st.IsLearner {
		v.warn("this member is a learner: it does not vote and refuses most requests; promote it (etcdctl member promote) or do not list it as a client endpoint")
	}
	if cert := ss.clientCert; cert != nil {
		now := h.Now()
		days := int(cert.NotAfter.Sub(now).Hours() / 24)
		d["client_cert_days_left"] = days
		if now.AddDate(0, 0, clientCertWarnDays).After(cert.NotAfter) {
			v.warn("our client certificate %s (%s) expires on %s, within %d days: then every request is refused", c.set.tls.Cert, depcheck.CertName(cert.Subject), cert.NotAfter.UTC().Format(time.DateOnly), clientCertWarnDays)
			v.fix("renew the client certificate", "renew "+c.set.tls.Cert+" with the etcd CA, deploy it with its key, and reload the service")
		}
	}
	v.apply(&res, fmt.Sprintf("connected, authenticated and answered Status: etcd %s, leader %s, db at %.0f%% of the quota (%s)", st.Version, memberID(st.Leader), pct, source))
	return res
}

func probeDetails(d map[string]any, r *reach) {
	if r.Probe.ConnectMS > 0 {
		d["connect_ms"] = r.Probe.ConnectMS
	}
	if r.Probe.HandshakeMS > 0 {
		d["handshake_ms"] = r.Probe.HandshakeMS
		d["tls_version"] = r.Probe.TLSVersion
	}
	if r.StatusMS > 0 {
		d["status_ms"] = r.StatusMS
	}
}

// quotaOf says which backend quota the database is measured against.
func (set *settings) quotaOf(reported int64) (int64, string) {
	switch {
	case set.quota > 0:
		return set.quota, "quota_bytes in the profile"
	case reported > 0:
		return reported, "the quota the server reports"
	}
	return DefaultQuotaBytes, "etcd's default 2 GiB; set quota_bytes if --quota-backend-bytes differs"
}

func memberID(id uint64) string { return fmt.Sprintf("%x", id) }

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// bytesIEC is a size for people: 1.5 MiB.
func bytesIEC(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
