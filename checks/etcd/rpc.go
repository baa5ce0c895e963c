package etcd

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// A unary gRPC call is an HTTP/2 POST of one length-prefixed message;
// the answer is one such message and a status in the trailers. net/http
// speaks the HTTP/2 (over TLS by ALPN, over plain TCP with prior
// knowledge, which etcd's client port accepts), so golive links neither
// grpc-go nor etcd's client.

// maxMessage bounds a response message: etcd's Status or a member list is
// a few hundred bytes, and a hostile server must not make us allocate
// what its length prefix claims.
const maxMessage = 4 << 20

// maxHeaderBytes bounds response headers and trailers.
const maxHeaderBytes = 64 << 10

// gRPC status codes golive tells apart (google.golang.org/grpc/codes).
const (
	codeOK               = 0
	codeCanceled         = 1
	codeUnknown          = 2
	codeInvalidArgument  = 3
	codeDeadlineExceeded = 4
	codePermissionDenied = 7
	codeInternal         = 13
	codeUnavailable      = 14
	codeUnauthenticated  = 16
)

// rpcError is a gRPC status other than OK: the server's, or one the
// client gives a broken answer, as grpc-go would.
type rpcError struct {
	code int
	msg  string
}

func (e *rpcError) Error() string {
	return fmt.Sprintf("rpc error: code = %s desc = %s", codeName(e.code), e.msg)
}

func codeName(c int) string {
	names := map[int]string{codeOK: "OK", codeCanceled: "Canceled", codeUnknown: "Unknown", codeInvalidArgument: "InvalidArgument",
		codeDeadlineExceeded: "DeadlineExceeded", codePermissionDenied: "PermissionDenied", codeInternal: "Internal",
		codeUnavailable: "Unavailable", codeUnauthenticated: "Unauthenticated"}
	if n, ok := names[c]; ok {
		return n
	}
	return "Code(" + strconv.Itoa(c) + ")"
}

// rpcConn is one client URL's HTTP/2 connection, made on the first call.
type rpcConn struct {
	base  string // scheme://host:port
	http  *http.Transport
	token string // etcd's auth token, sent as the "token" metadata
}

func newRPCConn(u string, cfg *tls.Config) *rpcConn {
	t := &http.Transport{
		DialContext:            (&net.Dialer{}).DialContext,
		TLSClientConfig:        cfg,
		ForceAttemptHTTP2:      true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		// No proxy: the endpoint is dialled as the probe dialled it.
	}
	t.Protocols = new(http.Protocols)
	if cfg != nil {
		t.Protocols.SetHTTP2(true)
	} else {
		t.Protocols.SetUnencryptedHTTP2(true)
	}
	return &rpcConn{base: strings.TrimSuffix(u, "/"), http: t}
}

// close ends the connection at once; no call is left waiting on it.
func (c *rpcConn) close() { c.http.CloseIdleConnections() }

// call makes one unary call of method ("/etcdserverpb.Maintenance/Status")
// with req, an encoded request message, and returns the response message.
func (c *rpcConn) call(ctx context.Context, method string, req []byte) ([]byte, error) {
	body := make([]byte, 5, 5+len(req))
	binary.BigEndian.PutUint32(body[1:], uint32(len(req)))
	body = append(body, req...)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header = http.Header{"Content-Type": {"application/grpc"}, "Te": {"trailers"}, "User-Agent": {"golive"}}
	if dl, ok := ctx.Deadline(); ok {
		hr.Header.Set("Grpc-Timeout", grpcTimeout(time.Until(dl)))
	}
	if c.token != "" {
		hr.Header.Set("Token", c.token)
	}
	resp, err := c.http.RoundTrip(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return readResponse(resp)
}

// readResponse reads a unary call's answer: its status from a
// trailers-only response's headers, else its one message and then the
// status from the trailers.
func readResponse(resp *http.Response) ([]byte, error) {
	if resp.StatusCode != http.StatusOK {
		return nil, httpStatusError(resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/grpc") {
		return nil, &rpcError{codeUnknown, fmt.Sprintf("unexpected content-type %q: not a gRPC server", ct)}
	}
	if err := statusOf(resp.Header); err != nil || resp.Header.Get("Grpc-Status") != "" {
		if err == nil {
			err = &rpcError{codeInternal, "the server answered OK without a message"}
		}
		return nil, err
	}
	msg, err := readMessage(resp.Body)
	if err != nil {
		return nil, err
	}
	// The trailers arrive with the end of the body; a second message in
	// a unary answer is a protocol error.
	if n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, 1)); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, &rpcError{codeInternal, "the server sent more than one message in a unary answer"}
	}
	if resp.Trailer.Get("Grpc-Status") == "" {
		// The status may have come with the message's headers.
		return nil, &rpcError{codeInternal, "the server closed the stream without sending trailers"}
	}
	if err := statusOf(resp.Trailer); err != nil {
		return nil, err
	}
	if msg == nil {
		return nil, &rpcError{codeInternal, "the server answered OK without a message"}
	}
	return msg, nil
}

// readMessage reads one length-prefixed message: a compressed flag (we
// ask for no compression) and a big-endian length, never above
// maxMessage. A body that ends before any message gives nil.
func readMessage(r io.Reader) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, err
	}
	if hdr[0] != 0 {
		return nil, &rpcError{codeInternal, fmt.Sprintf("the server sent a message with compressed flag %d, and no compression was agreed", hdr[0])}
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxMessage {
		return nil, &rpcError{codeInternal, fmt.Sprintf("the server's message of %d bytes exceeds the limit of %d", n, maxMessage)}
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return msg, nil
}

// statusOf is the gRPC status in h, nil for OK or none.
func statusOf(h http.Header) error {
	s := h.Get("Grpc-Status")
	if s == "" || s == "0" {
		return nil
	}
	code, err := strconv.Atoi(s)
	if err != nil || code < 0 {
		return &rpcError{codeInternal, fmt.Sprintf("malformed grpc-status %q", s)}
	}
	return &rpcError{code, decodeGRPCMessage(h.Get("Grpc-Message"))}
}

// decodeGRPCMessage undoes grpc-message's percent-encoding; a malformed
// escape is kept as it is, as grpc-go does.
func decodeGRPCMessage(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// httpStatusError maps an HTTP status that is not 200 to a gRPC code, as
// grpc-go does.
func httpStatusError(status int) error {
	code := codeUnknown
	switch status {
	case http.StatusBadRequest:
		code = codeInternal
	case http.StatusUnauthorized:
		code = codeUnauthenticated
	case http.StatusForbidden:
		code = codePermissionDenied
	case http.StatusNotFound:
		code = 12 // Unimplemented
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		code = codeUnavailable
	}
	return &rpcError{code, fmt.Sprintf("unexpected HTTP status code received from server: %d (%s)", status, http.StatusText(status))}
}

// grpcTimeout is the grpc-timeout header: the server ends the call at our
// deadline too.
func grpcTimeout(d time.Duration) string {
	ms := max(d.Milliseconds(), 1)
	if ms < 1e8 {
		return strconv.FormatInt(ms, 10) + "m"
	}
	return strconv.FormatInt(min(int64(d/time.Second), 1e8-1), 10) + "S"
}
