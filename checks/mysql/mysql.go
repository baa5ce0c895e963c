// Package mysql checks the MySQL and MariaDB servers a service depends on,
// speaking their protocol (github.com/go-sql-driver/mysql, the driver Go
// services use): that the service's DSN logs in, over TLS verified with the
// profile's CA; that each server's read_only matches its role; that
// replicas replicate, within max_lag; and that max_connections leaves room
// for the service's pool.
//
// Every failure names its cause (dns, refused, timeout, tls, auth,
// protocol, server) in the message and in details.cause. Passwords come
// from the environment or a file named in the profile, never from the
// profile itself, and appear in no output: DSNs are shown with ***.
//
// Profile section:
//
//	mysql:
//	  - name: primary
//	    dsn_env: GOLIVE_MYSQL_PRIMARY_DSN   # or dsn_file: /etc/golive/primary.dsn
//	    role: primary
//	    ca_file: /etc/ssl/mysql/ca.pem      # TLS verified against it
//	    pool_size: 50                       # the service's connections to this server
//	  - name: replica
//	    dsn: "golive@tcp(db2.internal:3306)/"   # a DSN without password ...
//	    password_env: GOLIVE_MYSQL_PASSWORD     # ... and the password apart
//	    role: replica
//	    max_lag: 30s
package mysql

import (
	"context"
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

// kind is the profile section and check category.
const kind = "mysql"

// The aspects checked per server: mysql/<aspect>:<name>.
const (
	aspectConnect     = "connect"
	aspectRole        = "role"
	aspectReplication = "replication"
	aspectCapacity    = "capacity"
)

// doc is the family's section of docs/checks.md.
//
//go:embed doc.md
var doc string

func init() {
	engine.Register(engine.Family{
		Name: kind, Build: build, Explain: explain, Doc: doc,
		Section: func() *profile.Shape {
			return profile.ListOf("MySQL/MariaDB servers the service uses, checked from this host; secrets come from the environment or a file, never inline.", "", profile.Of(entryFields{}, "One server."))
		},
		Checks: []engine.CheckDoc{
			{Heading: "`mysql/connect:<name>`", Example: "mysql/connect:primary"},
			{Heading: "`mysql/role:<name>`", Example: "mysql/role:primary"},
			{Heading: "`mysql/replication:<name>`", Example: "mysql/replication:replica"},
			{Heading: "`mysql/capacity:<name>`", Example: "mysql/capacity:primary"},
		},
	})
}

func build(sec *yaml.Node, p *profile.Profile) ([]engine.Check, error) {
	servers, err := parseSection(sec, p)
	if err != nil {
		return nil, err
	}
	var checks []engine.Check
	for _, s := range servers {
		checks = append(checks, checksOf(s)...)
	}
	return checks, nil
}

// checksOf builds a server's checks: replication only for replicas.
func checksOf(s *server) []engine.Check {
	at := func(m engine.Meta) engine.Meta {
		m.Where = s.where
		return m
	}
	role := s.role
	connect := metaConnect(s.name)
	if s.tlsFromProfile() {
		connect.Expected = "logs in over TLS verified with ca_file, within the check timeout"
	}
	out := []engine.Check{
		&serverCheck{Base: engine.Base{M: at(connect)}, srv: s, connect: true, judge: judgeConnect},
		&serverCheck{Base: engine.Base{M: at(metaRole(s.name, role))}, srv: s, judge: func(ctx context.Context, ss *session, r engine.Result) engine.Result {
			return judgeRole(ctx, ss, r, role)
		}},
	}
	if role == roleReplica {
		maxLag := s.maxLag
		m := metaReplication(s.name)
		m.Expected = "IO and SQL threads running, lag <= " + maxLag.String()
		out = append(out, &serverCheck{Base: engine.Base{M: at(m)}, srv: s, judge: func(ctx context.Context, ss *session, r engine.Result) engine.Result {
			return judgeReplication(ctx, ss, r, maxLag)
		}})
	}
	pool := s.poolSize
	m := metaCapacity(s.name)
	if pool > 0 {
		m.Expected = fmt.Sprintf("a pool of %d fits below 80%% of max_connections", pool)
	}
	out = append(out, &serverCheck{Base: engine.Base{M: at(m)}, srv: s, judge: func(ctx context.Context, ss *session, r engine.Result) engine.Result {
		return judgeCapacity(ctx, ss, r, pool)
	}})
	return out
}

// explain describes any mysql ID, also one no profile names.
func explain(id string) (engine.Meta, bool) {
	parts, ok := engine.ParseID(id)
	if !ok || parts.Category != kind || !validName().MatchString(parts.Target) {
		return engine.Meta{}, false
	}
	name := parts.Target
	switch parts.Name {
	case aspectConnect:
		return metaConnect(name), true
	case aspectRole:
		return metaRole(name, ""), true
	case aspectReplication:
		return metaReplication(name), true
	case aspectCapacity:
		return metaCapacity(name), true
	}
	return engine.Meta{}, false
}
