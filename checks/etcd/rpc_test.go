package etcd

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/golive-sh/golive/internal/depcheck"
)

// fakeGRPC serves handler over HTTP/2 without TLS on loopback, for the
// answers a real etcd never gives.
func fakeGRPC(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, Protocols: new(http.Protocols)}
	srv.Protocols.SetUnencryptedHTTP2(true)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func grpcMessage(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))), msg...)
}

// Statuses and broken answers from servers that are not quite etcd: each
// ends as a gRPC status whose code and text classify as the server meant.
func TestCallStatuses(t *testing.T) {
	status := []byte{0x12, 0x05, '3', '.', '7', '.', '3'} // StatusResponse{version: "3.7.3"}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		code    int
		text    string // in the status message
		cause   string
	}{
		{"trailers-only Unauthenticated, percent-encoded", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			w.Header().Set("Grpc-Status", "16")
			w.Header().Set("Grpc-Message", "etcdserver: invalid auth token %E2%9C%93 100%")
		}, codeUnauthenticated, "etcdserver: invalid auth token ✓ 100%", depcheck.CauseAuth},
		{"trailers-only PermissionDenied", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			w.Header().Set("Grpc-Status", "7")
			w.Header().Set("Grpc-Message", "etcdserver: permission denied")
		}, codePermissionDenied, "permission denied", depcheck.CauseAuth},
		{"status in the trailers after no message", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
			w.WriteHeader(http.StatusOK)
			w.Header().Set("Grpc-Status", "14")
			w.Header().Set("Grpc-Message", "etcdserver: no leader")
		}, codeUnavailable, "etcdserver: no leader", depcheck.CauseNetwork},
		{"a proxy's 503", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down", http.StatusServiceUnavailable)
		}, codeUnavailable, "503 (Service Unavailable)", depcheck.CauseNetwork},
		{"not gRPC", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>"))
		}, codeUnknown, `content-type "text/html"`, depcheck.CauseNetwork},
		{"compressed without agreement", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			_, _ = w.Write([]byte{1, 0, 0, 0, 0})
		}, codeInternal, "compressed flag 1", depcheck.CauseNetwork},
		{"two messages", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			w.Header().Set("Trailer", "Grpc-Status")
			_, _ = w.Write(append(grpcMessage(status), grpcMessage(status)...))
			w.Header().Set("Grpc-Status", "0")
		}, codeInternal, "more than one message", depcheck.CauseNetwork},
		{"no trailers", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			_, _ = w.Write(grpcMessage(status))
		}, codeInternal, "without sending trailers", depcheck.CauseNetwork},
		{"OK without a message", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/grpc")
			w.Header().Set("Grpc-Status", "0")
		}, codeInternal, "without a message", depcheck.CauseNetwork},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := fakeGRPC(t, tc.handler)
			c := newRPCConn(u, nil)
			defer c.close()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			_, err := c.call(ctx, "/etcdserverpb.Maintenance/Status", nil)
			re, ok := err.(*rpcError)
			if !ok || re.code != tc.code || !strings.Contains(re.msg, tc.text) {
				t.Fatalf("got %v, want code %s with %q", err, codeName(tc.code), tc.text)
			}
			if f := classify(ctx, err, "the trusted roots"); f.Cause != tc.cause {
				t.Errorf("classified %+v, want cause %s", f, tc.cause)
			}
		})
	}
}

// What golive sends is a gRPC unary call as etcd's server reads it, with
// the token and a deadline the server can honour.
func TestCallSendsGRPC(t *testing.T) {
	seen := make(chan *http.Request, 1)
	u := fakeGRPC(t, func(w http.ResponseWriter, r *http.Request) {
		seen <- r
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status")
		_, _ = w.Write(grpcMessage([]byte{0x12, 0x01, 't'}))
		w.Header().Set("Grpc-Status", "0")
	})
	c := newRPCConn(u, nil)
	defer c.close()
	c.token = "tok.1"
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	msg, err := c.call(ctx, "/etcdserverpb.Auth/Authenticate", authenticateRequest("root", "pw"))
	if err != nil || string(msg) != "\x12\x01t" {
		t.Fatalf("got %q, %v", msg, err)
	}
	r := <-seen
	for k, v := range map[string]string{"Content-Type": "application/grpc", "Te": "trailers", "Token": "tok.1"} {
		if r.Header.Get(k) != v {
			t.Errorf("header %s: %q, want %q", k, r.Header.Get(k), v)
		}
	}
	if r.ProtoMajor != 2 || r.Method != http.MethodPost || r.URL.Path != "/etcdserverpb.Auth/Authenticate" || !strings.HasSuffix(r.Header.Get("Grpc-Timeout"), "m") {
		t.Errorf("request %s %s HTTP/%d, grpc-timeout %q", r.Method, r.URL.Path, r.ProtoMajor, r.Header.Get("Grpc-Timeout"))
	}
}

// A server whose length prefix claims 2 GiB is refused from the prefix:
// the client allocates nowhere near what it claims.
func TestHugeLengthPrefixIsRefused(t *testing.T) {
	u := fakeGRPC(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/grpc")
		_, _ = w.Write([]byte{0, 0x7f, 0xff, 0xff, 0xff})
		w.(http.Flusher).Flush()
		<-r.Context().Done() // and the rest never comes
	})
	c := newRPCConn(u, nil)
	defer c.close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.call(ctx, "/etcdserverpb.Maintenance/Status", nil)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("got %v, want the message refused", err)
	}
	if ctx.Err() != nil {
		t.Errorf("refused only at the deadline")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("the call allocated %d bytes", grew)
	}
}

// FuzzReadMessage: any body gives one message of exactly its declared
// length, never more than maxMessage, or an error; a body claiming more
// than maxMessage is refused from its 5-byte prefix alone.
func FuzzReadMessage(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 3, 1, 2})
	f.Add([]byte{1, 0, 0, 0, 1, 9})
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 0x40, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := readMessage(bytes.NewReader(b))
		if len(b) >= 5 && b[0] == 0 && binary.BigEndian.Uint32(b[1:]) > maxMessage {
			if err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
				t.Fatalf("a %d-byte claim: %v", binary.BigEndian.Uint32(b[1:]), err)
			}
			return
		}
		if err != nil {
			return
		}
		if len(b) == 0 {
			if msg != nil {
				t.Fatalf("a message from an empty body: %x", msg)
			}
			return
		}
		n := binary.BigEndian.Uint32(b[1:])
		if b[0] != 0 || uint32(len(msg)) != n || !bytes.Equal(msg, b[5:5+n]) {
			t.Fatalf("%x read as %x", b, msg)
		}
	})
}
