package etcd

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// FuzzParseURL: an endpoint from a profile never panics the parser, and
// what it accepts is a normalised scheme://host:port that parses again to
// itself.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://10.0.0.11:2379", "http://[::1]:2379/", "https://etcd:0", "10.0.0.11:2379", "https://user:pw@h:1", "https://h:1/v3?x", "https://%zz:1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseURL(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("accepted %q as %q", s, u)
		}
		if again, err := parseURL(u); err != nil || again != u {
			t.Fatalf("%q -> %q -> %q, %v", s, u, again, err)
		}
	})
}

// FuzzSection: any etcd section resolves to checks or to a profile error,
// never a panic, and an inline password is never echoed.
func FuzzSection(f *testing.F) {
	f.Add("etcd:\n  endpoints: [https://10.0.0.11:2379]\n  ca_file: /ca.pem\n  members: 5\n")
	f.Add("etcd:\n  endpoints: [http://a:1, http://b:2]\n  username: u\n  password_env: E\n")
	f.Add("etcd:\n  endpoints: https://x:1\n")
	f.Add("etcd:\n  endpoints: [https://a:1]\n  password: zzsecretzz\n")
	f.Add("etcd: [1, 2]\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		err := buildErr(t, yaml)
		if err != nil && strings.Contains(yaml, "zzsecretzz") && strings.Contains(err.Error(), "zzsecretzz") {
			t.Fatalf("error echoes the password: %v", err)
		}
	})
}

// FuzzPreface feeds arbitrary server bytes to the HTTP/2 preface exchange:
// no panic, no wait beyond the deadline, and success exactly when the Go
// HTTP/2 library's Framer (golang.org/x/net/http2, which the probe used
// before it read the frame itself) reads a valid SETTINGS frame first.
func FuzzPreface(f *testing.F) {
	var frames bytes.Buffer
	fr := http2.NewFramer(&frames, nil)
	_ = fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	f.Add(frames.Bytes())
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Add([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 4, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 6, 4, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 6, 4, 0, 0, 0, 0, 1, 0, 4, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 4, 0x80, 0, 0, 0})
	f.Add([]byte{0, 0, 5, 4, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0})
	f.Add([]byte{0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0, 0, 0, 0x20, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0x40, 0, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 0x40, 1, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ref := http2.NewFramer(nil, bytes.NewReader(data))
		ref.SetMaxReadFrameSize(maxPrefaceFrame)
		frame, err := ref.ReadFrame()
		_, isSettings := frame.(*http2.SettingsFrame)
		want := err == nil && isSettings

		client, server := net.Pipe()
		defer client.Close()
		go func() {
			defer server.Close()
			go func() { _, _ = server.Write(data) }()
			buf := make([]byte, 1024)
			for {
				if _, err := server.Read(buf); err != nil {
					return
				}
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_ = client.SetDeadline(time.Now().Add(200 * time.Millisecond))
		ss := &session{set: &settings{}}
		fail := ss.exchangePreface(ctx, client)
		if (fail == nil) != want {
			t.Fatalf("%q: the probe accepts it: %v, the HTTP/2 library: %v (%v)", data, fail == nil, want, err)
		}
		if fail != nil && fail.Cause == "" {
			t.Fatalf("failure without a cause: %+v", fail)
		}
	})
}

// FuzzFirstFrame holds readFirstFrame to the Go HTTP/2 library's Framer on
// the bytes alone (FuzzPreface does it through a connection, slowly): the
// same frame type, and an error exactly when the Framer refuses a SETTINGS
// frame or a frame longer than maxPrefaceFrame.
func FuzzFirstFrame(f *testing.F) {
	f.Add([]byte{0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 4, 0x7f, 0xff, 0xff, 0xff})
	f.Add([]byte{0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 4, 0xff, 0, 0, 0})
	f.Add([]byte{0, 0, 2, 3, 0, 0, 0, 0, 1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		ref := http2.NewFramer(nil, bytes.NewReader(data))
		ref.SetMaxReadFrameSize(maxPrefaceFrame)
		frame, refErr := ref.ReadFrame()
		_, refSettings := frame.(*http2.SettingsFrame)
		typ, err := readFirstFrame(bytes.NewReader(data))
		if got, want := err == nil && typ == frameSettings, refErr == nil && refSettings; got != want {
			t.Fatalf("%x: settings accepted %v, the HTTP/2 library %v (%v, %v)", data, got, want, err, refErr)
		}
		// (The library names types 0xa-0xf "", not UNKNOWN_FRAME_TYPE_n.)
		if refErr == nil && err == nil && frame.Header().Type.String() != "" && frameName(typ) != frame.Header().Type.String() {
			t.Fatalf("%x: frame %s, the HTTP/2 library %s", data, frameName(typ), frame.Header().Type)
		}
	})
}
