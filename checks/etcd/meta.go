package etcd

import (
	"fmt"

	"github.com/golive-sh/golive/internal/engine"
)

const category = "etcd"

func explain(id string) (engine.Meta, bool) {
	set := &settings{members: DefaultMembers}
	switch id {
	case "etcd/cluster":
		return metaCluster(set), true
	case "etcd/version":
		return metaVersion(), true
	}
	if parts, ok := engine.ParseID(id); ok && parts.Category == category && parts.Name == "endpoint" && parts.Target != "" {
		return metaEndpoint(parts.Target, set), true
	}
	return engine.Meta{}, false
}

func metaEndpoint(u string, set *settings) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(category, "endpoint", u), Category: category, Title: "etcd endpoint " + u + " answers with the service's credentials",
		Expected: fmt.Sprintf("connects, TLS verifies, authenticates, Status shows a leader, no alarm, db below %d%% of the quota", QuotaWarnPercent),
		Level:    "fail", Severity: "critical", Network: true,
		Reads: []string{"etcd.ca_file, cert_file, key_file and password_file under the root; password_env from golive's environment",
			u + ": TCP, TLS, the HTTP/2 preface, then etcd's Status RPC (and Authenticate with a username)"},
		Why: "the service fails at start, or at its first request, when its etcd endpoint is down, does not trust or is not trusted by it, " +
			"rejects its credentials, has lost its leader, or is out of space (NOSPACE makes every write fail)",
		Fix: "by cause: dns (make the name resolve), refused (start etcd, open the port), timeout (open the network path), " +
			"tls (ca_file, server_name, or renew the certificates), auth (check user and password), protocol (use the client URL, port 2379); " +
			"NOSPACE: compact, defrag, alarm disarm",
	}
}

func metaCluster(set *settings) engine.Meta {
	return engine.Meta{
		ID: "etcd/cluster", Category: category, Title: "etcd cluster membership, quorum and alarms",
		Expected: fmt.Sprintf("%d voting members (odd), all agreeing on the membership and answering at their client URLs, one leader, one raft term, no alarm", set.members),
		Level:    "fail", Severity: "critical", Network: true,
		Reads: []string{"every endpoint: Status, MemberList (serializable) and AlarmList",
			"every member's client URLs from the member list: Status"},
		Why: "a cluster with a member down or unreachable from this host has lost its failure margin before go-live; " +
			"an even member count tolerates no more failures than one member fewer; " +
			"disagreeing member lists, several leaders or differing terms mean a partition; a NOSPACE or CORRUPT alarm makes the cluster refuse writes",
		Fix: "start or repair unreachable members; reconcile the membership with etcdctl member add/remove to 3 or 5 voting members; " +
			"for NOSPACE compact, defrag every member and etcdctl alarm disarm; for CORRUPT replace the member's data before disarming",
	}
}

func metaVersion() engine.Meta {
	return engine.Meta{
		ID: "etcd/version", Category: category, Title: "etcd members on one minor version",
		Expected: "every member reports the same major.minor version",
		Level:    "warn", Severity: "medium", Network: true,
		Reads: []string{"every member's client URLs from the member list: Status (version)"},
		Why:   "mixed minor versions are a rolling upgrade left half done: the cluster runs at the lowest version and the next member restart changes behaviour",
		Fix:   "finish the upgrade (one member at a time) or roll it back",
	}
}
