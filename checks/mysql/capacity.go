package mysql

import (
	"context"
	"fmt"
	"strconv"

	"github.com/golive-sh/golive/internal/engine"
)

// warnUsage is the share of max_connections in use (with the service's
// pool, when the profile gives one) from which mysql/capacity warns: above
// it, a deploy that briefly doubles the pools, or a burst, reaches
// "Too many connections".
const warnUsage = 0.80

// judgeCapacity compares Threads_connected (plus the service's pool) with
// max_connections.
func judgeCapacity(ctx context.Context, s *session, res engine.Result, poolSize int) engine.Result {
	vars, err := showGlobals(ctx, s.conn, "VARIABLES", "max_connections")
	if err != nil {
		return queryFailed(res, classifyQuery(ctx, err, nil))
	}
	status, err := showGlobals(ctx, s.conn, "STATUS", "Threads_connected", "Max_used_connections", "Connection_errors_max_connections")
	if err != nil {
		return queryFailed(res, classifyQuery(ctx, err, nil))
	}
	maxConn, err1 := strconv.Atoi(vars["max_connections"])
	connected, err2 := strconv.Atoi(status["threads_connected"])
	if err1 != nil || err2 != nil || maxConn <= 0 || connected < 0 {
		return queryFailed(res, &failure{Failure: failureOf(causeServer, fmt.Sprintf("unreadable max_connections %q or Threads_connected %q",
			vars["max_connections"], status["threads_connected"]))})
	}
	// golive's own session is one of them, and goes away.
	connected = max(connected-1, 0)
	res.Details["max_connections"] = maxConn
	res.Details["threads_connected"] = connected
	if used, err := strconv.Atoi(status["max_used_connections"]); err == nil {
		res.Details["max_used_connections"] = used
	}
	refused, _ := strconv.Atoi(status["connection_errors_max_connections"])
	res.Details["connection_errors_max_connections"] = refused

	projected := connected
	res.Observed = fmt.Sprintf("%d of %d connections in use", connected, maxConn)
	if poolSize > 0 {
		res.Details["pool_size"] = poolSize
		projected += poolSize
		res.Observed += fmt.Sprintf(", %d with the pool", projected)
	}
	usage := float64(projected) / float64(maxConn)
	res.Details["usage_pct"] = int(usage*100 + 0.5)
	raise := fmt.Sprintf("raise max_connections (SET GLOBAL max_connections = N, and in the option file; each connection costs memory: check that per-thread buffers times N fit), or shrink the pools of the services on this server (SHOW PROCESSLIST shows who holds the %d connections)", connected)
	switch {
	case poolSize > maxConn:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("the service's pool (%d) is larger than max_connections (%d): it can never open all its connections", poolSize, maxConn)
		res.Remediation = tell("make room for the service's pool", raise)
	case projected > maxConn:
		res.Status = engine.Fail
		res.Message = fmt.Sprintf("%d connections are in use and the service's pool needs %d more: that is %d, above max_connections %d", connected, poolSize, projected, maxConn)
		res.Remediation = tell("make room for the service's pool", raise)
	case usage >= warnUsage:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("%d%% of max_connections would be in use (warning from %d%%)", res.Details["usage_pct"], int(warnUsage*100))
		res.Remediation = tell("leave headroom in max_connections", raise)
	case refused > 0:
		res.Status = engine.Warn
		res.Message = fmt.Sprintf("the server has refused %d connections for max_connections since it started (Connection_errors_max_connections): peaks reach the limit", refused)
		res.Remediation = tell("leave headroom in max_connections", raise)
	case poolSize > 0:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%d%% of max_connections in use with the service's pool of %d", res.Details["usage_pct"], poolSize)
	default:
		res.Status = engine.Pass
		res.Message = fmt.Sprintf("%d%% of max_connections in use", res.Details["usage_pct"])
	}
	return res
}
