// Package etcd checks the etcd cluster a service depends on, speaking
// etcd's own gRPC API with the service's credentials: every endpoint
// connects, verifies TLS, authenticates and answers Status (etcd/endpoint);
// the members agree on who is in the cluster, all of them answer, there is
// one leader and no alarm (etcd/cluster); all members run the same minor
// version (etcd/version). Every step honours the check's deadline.
//
// Profile section:
//
//	etcd:
//	  endpoints: [https://10.0.0.11:2379, https://10.0.0.12:2379, https://10.0.0.13:2379]
//	  ca_file: /etc/ssl/etcd/ca.pem           # trusted CA (the host's Go roots when absent)
//	  cert_file: /etc/ssl/etcd/client.pem     # client certificate, for --client-cert-auth
//	  key_file: /etc/ssl/etcd/client-key.pem
//	  server_name: etcd.internal              # optional: the name the server certificates carry
//	  username: app                           # optional, with exactly one of:
//	  password_env: ETCD_PASSWORD             #   an environment variable
//	  password_file: /etc/myapp/etcd-password #   a file inside the root
//	  members: 3                              # expected voting members (default 3)
//	  quota_bytes: 8589934592                 # backend quota (default: what the server reports, else 2 GiB)
//
// A password written inline is a profile error: secrets come from the
// environment or a file, and never appear in any output.
package etcd

import (
	_ "embed"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// Kind is the profile section this package registers.
const Kind = "etcd"

// Defaults a profile can override.
const (
	// DefaultMembers: production etcd runs 3 or 5 voting members.
	DefaultMembers = 3
	// DefaultQuotaBytes is etcd's default backend quota (2 GiB), used when
	// the server does not report its own (before 3.6) and the profile
	// names none.
	DefaultQuotaBytes int64 = 2 << 30
	// QuotaWarnPercent: past it a NOSPACE alarm is one burst of writes away.
	QuotaWarnPercent = 80
)

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: Kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.Describe(section{}, "etcd: the cluster the service uses, checked from this host.", nil)
		},
		Checks: []engine.CheckDoc{
			{Heading: "`etcd/endpoint:<url>`", Example: "etcd/endpoint:https://10.0.0.11:2379"},
			{Heading: "`etcd/cluster`", Example: "etcd/cluster"},
			{Heading: "`etcd/version`", Example: "etcd/version"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	if sec == nil {
		return nil, nil
	}
	set, err := parseSection(p, sec)
	if err != nil {
		return nil, err
	}
	where := p.Where(sec)
	var checks []engine.Check
	for i, ep := range set.endpoints {
		m := metaEndpoint(ep, set)
		m.Where = p.Where(set.endpointNodes[i])
		checks = append(checks, &endpointCheck{Base: engine.Base{M: m}, set: set, url: ep})
	}
	cm, vm := metaCluster(set), metaVersion()
	cm.Where, vm.Where = where, where
	checks = append(checks,
		&clusterCheck{Base: engine.Base{M: cm}, set: set},
		&versionCheck{Base: engine.Base{M: vm}, set: set})
	return checks, nil
}
