package etcd

import (
	"net/url"
	"strings"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/remediate"
)

// etcdctl is the command line that reaches the cluster as the service
// does, for the steps below. A password is never part of it: etcdctl asks
// for it.
func (set *settings) etcdctl(endpoints ...string) string {
	if len(endpoints) == 0 {
		endpoints = set.endpoints
	}
	parts := []string{"etcdctl", "--endpoints=" + strings.Join(endpoints, ",")}
	if set.tls.CA != "" {
		parts = append(parts, "--cacert="+set.tls.CA)
	}
	if set.tls.Cert != "" {
		parts = append(parts, "--cert="+set.tls.Cert, "--key="+set.tls.Key)
	}
	if set.username != "" {
		parts = append(parts, "--user="+set.username)
	}
	return strings.Join(parts, " ")
}

// failurePlan says what to do when r's URL could not be used at all.
func failurePlan(set *settings, r *reach) *remediate.Plan {
	u, f := r.URL, *r.Fail
	host, port := hostPort(u)
	var summary string
	var steps []string
	switch f.Cause {
	case depcheck.CauseDNS:
		summary = "make the endpoint's name resolve"
		steps = []string{"add a DNS record (or an /etc/hosts entry) for " + host + " that this host resolves, or list the endpoint by IP address"}
	case depcheck.CauseRefused:
		summary = "start etcd or open its client port"
		steps = []string{"on " + host + ": systemctl status etcd; journalctl -u etcd -n 100 — start the member, and check that --listen-client-urls includes " + u,
			"check that no firewall on " + host + " rejects port " + port}
	case depcheck.CauseTimeout:
		summary, steps = timeoutSteps(set, r.Probe, u)
	case depcheck.CauseUnreachable:
		summary = "open the network path to the endpoint"
		steps = []string{"check routes, firewalls and security groups between this host and " + host + ":" + port + " (packets are dropped, or the member hangs: " + set.etcdctl(u) + " endpoint status)"}
	case depcheck.CauseTLS:
		summary, steps = tlsSteps(set, u, f.TLSReason)
	case depcheck.CauseAuth:
		summary = "use credentials etcd accepts"
		steps = []string{"check the user and its password: " + set.etcdctl(u) + " auth status (the password comes from " + set.passwordSource() + ")",
			"if the user is new, create it and grant a role: etcdctl user add " + set.username + "; etcdctl user grant-role " + set.username + " <role>"}
	case depcheck.CauseProtocol:
		summary = "point the endpoint at etcd's client URL"
		steps = []string{u + " does not speak etcd's gRPC API: use the member's client URL (port 2379 by default; 2380 is the peer port) with the scheme it serves (http:// or https://)"}
	default:
		summary = "restore the connection to the endpoint"
		steps = []string{"check the member and the network path: " + set.etcdctl(u) + " endpoint status"}
	}
	return plan(summary, steps...)
}

// timeoutSteps fit how far the probe got: a path that drops the connection
// attempt, a listener that does not finish TLS, or a member that took the
// connection and does not answer its API.
func timeoutSteps(set *settings, p probe, u string) (string, []string) {
	host, port := hostPort(u)
	switch {
	case p.Prefaced:
		return "find why the member does not answer", []string{"the member at " + u + " accepted the connection and HTTP/2 but did not answer etcd's API: on " + host + ": journalctl -u etcd -n 100; " + set.etcdctl(u) + " endpoint status"}
	case p.Connected:
		return "point the endpoint at a listener that answers", []string{"something on " + host + ":" + port + " accepts TCP connections and did not answer in time: check that it is etcd's client port (--listen-client-urls) and that the member is not hung (journalctl -u etcd -n 100)"}
	}
	return "open the network path to the endpoint", []string{"check routes, firewalls and security groups between this host and " + host + ":" + port + ", and that the member runs: " + set.etcdctl(u) + " endpoint status"}
}

// plan is a manual plan of steps.
func plan(summary string, steps ...string) *remediate.Plan {
	p := &remediate.Plan{Summary: summary}
	for _, s := range steps {
		p.Actions = append(p.Actions, remediate.Tell(s))
	}
	return p
}

func tlsSteps(set *settings, u, reason string) (string, []string) {
	host, _ := hostPort(u)
	switch reason {
	case depcheck.ReasonUnknownAuthority:
		return "trust the CA that signed the etcd server certificates", []string{
			"set ca_file to the CA that issued the certificate of " + host + " (the servers' --trusted-ca-file is usually that CA), and configure the service with the same file"}
	case depcheck.ReasonExpired, depcheck.ReasonNotYetValid:
		return "renew the etcd server certificate", []string{
			"renew the server certificate of " + host + " (--cert-file) and restart the member; if the dates look right, check the clocks of this host and " + host}
	case depcheck.ReasonNameMismatch:
		return "connect with a name the certificate covers", []string{
			"set server_name to a name in the server certificate, or reissue it with " + host + " in its subject alternative names"}
	case depcheck.ReasonClientExpired:
		return "renew the client certificate", []string{"renew " + set.tls.Cert + " with the etcd CA, deploy it with its key, and reload the service"}
	case depcheck.ReasonClientUnknownAuthority, depcheck.ReasonBadCertificate, depcheck.ReasonClientCertRequired:
		return "use a client certificate the etcd servers accept", []string{
			"issue the client certificate (cert_file, key_file) from the CA in the servers' --trusted-ca-file, with extended key usage clientAuth"}
	}
	return "fix the TLS setup between this host and etcd", []string{"compare the TLS settings: " + set.etcdctl(u) + " endpoint status"}
}

func (set *settings) passwordSource() string {
	if set.passwordEnv != "" {
		return "the environment variable " + set.passwordEnv
	}
	return "the file " + set.passwordFile
}

func noLeaderSteps(set *settings) []string {
	return []string{
		"see which members are up and who leads: " + set.etcdctl() + " endpoint status -w table",
		"start the members that are down: a cluster of N members needs N/2+1 of them up, talking to each other on their peer URLs (port 2380)",
	}
}

// spaceSteps free the backend: compaction drops old revisions, defrag
// gives the space back, and only then may the alarm be disarmed.
func spaceSteps(set *settings) []string {
	c := set.etcdctl()
	return []string{
		"find the current revision: " + c + " endpoint status -w json (header.revision)",
		"compact old revisions: " + c + " compact <revision>",
		"defragment every member, one at a time: " + c + " defrag",
		"disarm the alarm once the database is below the quota: " + c + " alarm disarm",
		"if the data really needs the room, raise --quota-backend-bytes on every member (etcd advises at most 8 GiB) and set quota_bytes here",
	}
}

// alarmSteps fix one alarm (as Status reports it, "memberID:... alarm:NOSPACE").
func alarmSteps(set *settings, alarm string) []string {
	if strings.Contains(alarm, "CORRUPT") {
		return corruptSteps(set)
	}
	return spaceSteps(set)
}

func corruptSteps(set *settings) []string {
	return []string{
		"stop the corrupted member; remove it (" + set.etcdctl() + " member remove <id>) and add it back empty (member add), so it copies a healthy member's data",
		"only then disarm the alarm: " + set.etcdctl() + " alarm disarm; look for the cause (disk errors, a restored snapshot of another cluster)",
	}
}

func hostPort(u string) (string, string) {
	p, err := url.Parse(u)
	if err != nil {
		return u, ""
	}
	return p.Hostname(), p.Port()
}
