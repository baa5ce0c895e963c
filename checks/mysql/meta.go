package mysql

import (
	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/profile"
)

var dsnReads = "the DSN from dsn_env, dsn_file (under --root) or dsn, the password from password_env or password_file; ca_file, cert_file and key_file under --root"

func meta(aspect, name, title, expected, severity string) engine.Meta {
	return engine.Meta{
		ID: engine.CheckID(kind, aspect, name), Category: kind, Title: title, Expected: expected,
		Level: profile.LevelFail, Severity: severity, Network: true,
	}
}

func metaConnect(name string) engine.Meta {
	m := meta(aspectConnect, name, "MySQL "+name+": the service's login works", "logs in and answers within the check timeout", "critical")
	m.Reads = []string{dsnReads, "the server: its greeting, TLS handshake, login, SELECT VERSION(), @@version_comment, Ssl_version"}
	m.Why = "a wrong CA, an expired client certificate, a password the server does not know, a port that answers something else: each stops the service at its first query; the login is made with the service's own DSN and driver, so it fails the way the service would"
	m.Fix = "details.cause names the step: dns (the name), refused (nothing listens), timeout (a firewall drops, or the server never greets), tls (details.tls_reason: unknown CA, expired, wrong name), auth (user, password, host grant), protocol (not MySQL on that port), server (too many connections, host blocked)"
	return m
}

func metaRole(name, role string) engine.Meta {
	expected := "read_only matches the role"
	switch role {
	case rolePrimary:
		expected = "writable (read_only OFF)"
	case roleReplica:
		expected = "read-only (read_only ON)"
	}
	m := meta(aspectRole, name, "MySQL "+name+": read_only matches its role", expected, "critical")
	m.Reads = []string{dsnReads, "the server: SHOW GLOBAL VARIABLES read_only, super_read_only, innodb_read_only"}
	m.Why = "a service pointed at a read-only primary (a demoted node after failover) fails every write with ERROR 1290; a writable replica accepts stray writes that fork it from the primary and break replication later"
	m.Fix = "SET GLOBAL read_only / super_read_only as the role needs, and the same in the server's option file so a restart keeps it"
	return m
}

func metaReplication(name string) engine.Meta {
	m := meta(aspectReplication, name, "MySQL "+name+": replicating within max_lag", "IO and SQL threads running, lag <= 30s", "high")
	m.Reads = []string{dsnReads, "the server: SHOW REPLICA STATUS (MySQL 8.0.22+; SHOW ALL REPLICAS STATUS on MariaDB 10.5.1+) or SHOW SLAVE STATUS before; columns matched by name: Slave/Replica_IO_Running, Slave/Replica_SQL_Running, Seconds_Behind_Master/Source, Last_IO_Error, Last_SQL_Error, SQL_Delay"}
	m.Why = "a replica whose SQL thread stopped serves data that gets older by the second; reads of the service that go to it return stale rows, and a failover to it loses everything it has not applied; a NULL lag means the SQL thread is stopped"
	m.Fix = "read Last_IO_Error / Last_SQL_Error, fix what they name, START REPLICA IO_THREAD / SQL_THREAD; for lag, find the long transaction or the slow replica"
	return m
}

func metaCapacity(name string) engine.Meta {
	m := meta(aspectCapacity, name, "MySQL "+name+": connections to spare", "below 80% of max_connections", "high")
	m.Reads = []string{dsnReads, "the server: max_connections, Threads_connected, Max_used_connections, Connection_errors_max_connections"}
	m.Why = "a server at max_connections answers every new login with ERROR 1040 Too many connections; a new service's pool (pool_size) must fit beside the connections already there, with headroom for deploys that briefly run two copies"
	m.Fix = "raise max_connections (memory permitting), or shrink the pools of the services on the server"
	return m
}
