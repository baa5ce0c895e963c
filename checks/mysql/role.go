package mysql

import (
	"context"
	"database/sql"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
	"github.com/golive-sh/golive/internal/remediate"
)

// showGlobals reads the named rows of SHOW GLOBAL VARIABLES or SHOW GLOBAL
// STATUS (kind). A name the server does not have (super_read_only on
// MariaDB) is absent from the map; values are clipped.
func showGlobals(ctx context.Context, conn *sql.Conn, kind string, names ...string) (map[string]string, error) {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "'" + n + "'" // golive's own constants, never input
	}
	rows, err := conn.QueryContext(ctx, "SHOW GLOBAL "+kind+" WHERE Variable_name IN ("+strings.Join(quoted, ", ")+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() && len(out) < len(names) {
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[strings.ToLower(k.String)] = clip(v.String, 64)
	}
	return out, rows.Err()
}

// isOn reads a boolean server variable: ON, 1, or one of MariaDB 11's
// read_only levels (NO_LOCK, NO_LOCK_NO_ADMIN) are on.
func isOn(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "", "OFF", "0", "FALSE":
		return false
	}
	return true
}

// judgeRole compares read_only and friends with the role.
func judgeRole(ctx context.Context, s *session, res engine.Result, role string) engine.Result {
	vars, err := showGlobals(ctx, s.conn, "VARIABLES", "read_only", "super_read_only", "innodb_read_only")
	if err != nil {
		return queryFailed(res, classifyQuery(ctx, err, nil))
	}
	if _, ok := vars["read_only"]; !ok {
		return queryFailed(res, &failure{Failure: failureOf(causeServer, "SHOW GLOBAL VARIABLES has no read_only")})
	}
	for _, k := range []string{"read_only", "super_read_only", "innodb_read_only"} {
		if v, ok := vars[k]; ok {
			res.Details[k] = v
		}
	}
	res.Observed = "read_only=" + vars["read_only"]
	if sro, ok := vars["super_read_only"]; ok {
		res.Observed += ", super_read_only=" + sro
	}
	res.Status, res.Message, res.Remediation = decideRole(role, vars)
	return res
}

// decideRole judges the read_only variables (lower-case names; a variable
// the server lacks is absent) against the role: a primary takes the
// service's writes, a replica must refuse them (a write there forks it from
// the primary and breaks replication later).
func decideRole(role string, vars map[string]string) (engine.Status, string, *remediate.Plan) {
	ro, iro := vars["read_only"], vars["innodb_read_only"]
	sro, hasSRO := vars["super_read_only"]
	if role == rolePrimary {
		if isOn(ro) || isOn(sro) || isOn(iro) {
			return engine.Fail, "the primary is read-only: the service's writes will fail (ERROR 1290 --read-only)",
				tell("make the primary writable",
					"if this is the primary now (not a replica or a demoted former primary), run SET GLOBAL super_read_only = OFF (MySQL), SET GLOBAL read_only = OFF, and remove read_only/super_read_only from the server's option file; innodb_read_only needs a restart without it")
		}
		return engine.Pass, "writable, as a primary must be", nil
	}
	switch {
	case !isOn(ro) && !isOn(sro):
		return engine.Fail, "the replica is writable (read_only=OFF): a write that reaches it forks it from the primary and stops replication later",
			tell("make the replica read-only",
				"run SET GLOBAL read_only = ON (and SET GLOBAL super_read_only = ON on MySQL), and set read_only = ON in the server's option file so it survives a restart")
	case hasSRO && !isOn(sro):
		return engine.Warn, "read_only is ON but super_read_only is OFF: accounts with SUPER or CONNECTION_ADMIN (often the service's own) can still write to the replica",
			tell("make the replica read-only for every account",
				"run SET GLOBAL super_read_only = ON and set super_read_only = ON in the server's option file")
	}
	return engine.Pass, "read-only, as a replica must be", nil
}
