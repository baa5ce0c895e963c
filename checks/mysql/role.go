package mysql

import (
	"context"
	"database/sql"
	"strings"

	"github.com/golive-sh/golive/internal/engine"
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

// judgeRole compares read_only and friends with the role: a primary takes
// the service's writes, a replica must refuse them (a write there forks it
// from the primary and breaks replication later).
func judgeRole(ctx context.Context, s *session, res engine.Result, role string) engine.Result {
	vars, err := showGlobals(ctx, s.conn, "VARIABLES", "read_only", "super_read_only", "innodb_read_only")
	if err != nil {
		return queryFailed(res, classifyQuery(ctx, err, nil))
	}
	ro, sro, iro := vars["read_only"], vars["super_read_only"], vars["innodb_read_only"]
	res.Details["read_only"] = ro
	if sro != "" {
		res.Details["super_read_only"] = sro
	}
	res.Details["innodb_read_only"] = iro
	res.Observed = "read_only=" + ro
	if sro != "" {
		res.Observed += ", super_read_only=" + sro
	}
	if _, ok := vars["read_only"]; !ok {
		return queryFailed(res, &failure{Failure: failureOf(causeServer, "SHOW GLOBAL VARIABLES has no read_only")})
	}
	if role == RolePrimary {
		switch {
		case isOn(ro) || isOn(sro) || isOn(iro):
			res.Status = engine.Fail
			res.Message = "the primary is read-only: the service's writes will fail (ERROR 1290 --read-only)"
			res.Remediation = tell("make the primary writable",
				"if this is the primary now (not a replica or a demoted former primary), run SET GLOBAL super_read_only = OFF (MySQL), SET GLOBAL read_only = OFF, and remove read_only/super_read_only from the server's option file; innodb_read_only needs a restart without it")
		default:
			res.Status = engine.Pass
			res.Message = "writable, as a primary must be"
		}
		return res
	}
	switch {
	case !isOn(ro) && !isOn(sro):
		res.Status = engine.Fail
		res.Message = "the replica is writable (read_only=OFF): a write that reaches it forks it from the primary and stops replication later"
		res.Remediation = tell("make the replica read-only",
			"run SET GLOBAL read_only = ON (and SET GLOBAL super_read_only = ON on MySQL), and set read_only = ON in the server's option file so it survives a restart")
	case sro == "" || isOn(sro):
		res.Status = engine.Pass
		res.Message = "read-only, as a replica must be"
	default:
		res.Status = engine.Warn
		res.Message = "read_only is ON but super_read_only is OFF: accounts with SUPER or CONNECTION_ADMIN (often the service's own) can still write to the replica"
		res.Remediation = tell("make the replica read-only for every account",
			"run SET GLOBAL super_read_only = ON and set super_read_only = ON in the server's option file")
	}
	return res
}
