package etcd

import (
	"context"
	"errors"
)

// client is what golive asks of one etcd member: Status, the member list
// and the alarms, with etcd's authentication.
type client struct {
	*rpcConn
	username, password string
}

// etcd's error descriptions (api/v3/v3rpc/rpctypes): the text of a status
// is etcd's wire contract, and the only way a client tells these apart.
const (
	descUserEmpty        = "etcdserver: user name is empty"
	descAuthFailed       = "etcdserver: authentication failed, invalid user ID or password"
	descPermissionDenied = "etcdserver: permission denied"
	descAuthNotEnabled   = "etcdserver: authentication is not enabled"
	descInvalidAuthToken = "etcdserver: invalid auth token"
	descInvalidAuthMgmt  = "etcdserver: invalid auth management"
	descAuthOldRevision  = "etcdserver: revision of auth store is old"
)

// authenticate gets a token for the username, as etcd's client does: not
// without a password, and a server with authentication disabled is asked
// nothing more.
func (c *client) authenticate(ctx context.Context) error {
	c.token = ""
	if c.username == "" || c.password == "" {
		return nil
	}
	msg, err := c.call(ctx, "/etcdserverpb.Auth/Authenticate", authenticateRequest(c.username, c.password))
	if isDesc(err, descAuthNotEnabled) {
		return nil
	}
	if err != nil {
		return err
	}
	c.token, err = decodeToken(msg)
	return err
}

// unary makes a call with the token; a token the server no longer
// accepts (expired, or the auth store moved on) is renewed once and the
// call repeated, as etcd's client does.
func (c *client) unary(ctx context.Context, method string, req []byte) ([]byte, error) {
	msg, err := c.call(ctx, method, req)
	if c.password != "" && (isDesc(err, descInvalidAuthToken) || isDesc(err, descAuthOldRevision) || isDesc(err, descUserEmpty)) {
		if err := c.authenticate(ctx); err != nil {
			return nil, err
		}
		msg, err = c.call(ctx, method, req)
	}
	return msg, err
}

func isDesc(err error, desc string) bool {
	var re *rpcError
	return errors.As(err, &re) && re.msg == desc
}

func (c *client) status(ctx context.Context) (*statusResponse, error) {
	msg, err := c.unary(ctx, "/etcdserverpb.Maintenance/Status", nil)
	if err != nil {
		return nil, err
	}
	return decodeStatus(msg)
}

// memberList is serializable (MemberListRequest.linearizable false, an
// empty message): the member answers from its own view, without a quorum.
func (c *client) memberList(ctx context.Context) (*memberListResponse, error) {
	msg, err := c.unary(ctx, "/etcdserverpb.Cluster/MemberList", nil)
	if err != nil {
		return nil, err
	}
	return decodeMemberList(msg)
}

// alarms lists the active alarms: AlarmRequest{action GET}, all zero
// values, so an empty message.
func (c *client) alarms(ctx context.Context) (*alarmResponse, error) {
	msg, err := c.unary(ctx, "/etcdserverpb.Maintenance/Alarm", nil)
	if err != nil {
		return nil, err
	}
	return decodeAlarms(msg)
}
