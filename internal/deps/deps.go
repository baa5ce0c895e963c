//go:build tools

// Package deps pins the modules that parallel work on issues 6, 7 and 8
// imports, so go.mod and go.sum are settled once. It is removed when the
// real imports land.
package deps

import (
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/prometheus/common/expfmt"
	_ "github.com/spf13/cobra/doc"
	_ "go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	_ "go.etcd.io/etcd/client/v3"
	_ "go.etcd.io/etcd/server/v3/embed"
	_ "golang.org/x/crypto/ssh"
	_ "golang.org/x/crypto/ssh/agent"
	_ "golang.org/x/crypto/ssh/knownhosts"
)
