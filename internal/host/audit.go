package host

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The audit netlink requests auditctl makes (linux/audit.h).
const (
	auditGet       = 1000 // AUDIT_GET: struct audit_status
	auditListRules = 1013 // AUDIT_LIST_RULES: one struct audit_rule_data per rule
	// maxAuditRules bounds the answer: auditd's own backlog limits make
	// more than a few thousand rules unusual.
	maxAuditRules = 100_000
)

// AuditLoaded is the kernel audit subsystem's state as `auditctl -s` and
// `auditctl -l` read it: the enabled flag (0 off, 1 on, 2 locked) and each
// loaded rule as the kernel returns it (struct audit_rule_data).
type AuditLoaded struct {
	Enabled uint32
	Rules   [][]byte
}

// AuditRules asks the running kernel for its audit state and rules. It
// needs CAP_AUDIT_CONTROL, and the kernel answers only in the initial
// network namespace (a container gets ECONNREFUSED).
func (h *Host) AuditRules() (AuditLoaded, error) {
	if !h.Live() {
		return AuditLoaded{}, errors.New("needs the running system: a root directory has no loaded audit rules")
	}
	var out AuditLoaded
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_AUDIT)
	if err != nil {
		return out, fmt.Errorf("audit netlink: %w", err)
	}
	defer unix.Close(fd)
	tv := unix.NsecToTimeval((2 * time.Second).Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return out, fmt.Errorf("audit netlink: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return out, fmt.Errorf("audit netlink: %w", err)
	}
	status, err := auditRequest(fd, auditGet, 1)
	if err != nil {
		return out, err
	}
	if len(status) != 1 || len(status[0]) < 8 {
		return out, errors.New("audit netlink: AUDIT_GET answered without a status")
	}
	out.Enabled = binary.NativeEndian.Uint32(status[0][4:])
	out.Rules, err = auditRequest(fd, auditListRules, 2)
	return out, err
}

// auditRequest sends one request and collects the payloads of the
// answers of its type until the kernel says it is done.
func auditRequest(fd int, typ uint16, seq uint32) ([][]byte, error) {
	req := make([]byte, unix.NLMSG_HDRLEN)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], typ)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	ne.PutUint32(req[8:], seq)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("audit netlink: %w", err)
	}
	var out [][]byte
	buf := make([]byte, 1<<16)
	acked := false
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, syscall.EAGAIN) {
				if acked && typ == auditGet {
					return out, nil
				}
				return nil, errors.New("audit netlink: the kernel did not finish answering within 2 s")
			}
			return nil, fmt.Errorf("audit netlink: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, fmt.Errorf("audit netlink: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_ERROR:
				if len(m.Data) < 4 {
					return nil, errors.New("audit netlink: a short error message")
				}
				if code := int32(ne.Uint32(m.Data)); code != 0 {
					return nil, fmt.Errorf("audit netlink: %w", syscall.Errno(-code))
				}
				acked = true
				if typ == auditGet && len(out) > 0 {
					return out, nil
				}
			case unix.NLMSG_DONE:
				return out, nil
			case typ:
				if len(out) >= maxAuditRules {
					return nil, fmt.Errorf("audit netlink: more than %d answers", maxAuditRules)
				}
				out = append(out, append([]byte(nil), m.Data...))
				if typ == auditGet && acked {
					return out, nil
				}
			}
		}
	}
}
