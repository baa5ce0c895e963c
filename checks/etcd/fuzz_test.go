package etcd

import (
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
// no panic, no wait beyond the deadline, and success only for a SETTINGS
// frame.
func FuzzPreface(f *testing.F) {
	var frames strings.Builder
	fr := http2.NewFramer(&frames, nil)
	_ = fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	f.Add([]byte(frames.String()))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
	f.Add([]byte("SSH-2.0-OpenSSH_9.6\r\n"))
	f.Add([]byte{0, 0, 0, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
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
		isSettings := len(data) >= 9 && data[3] == byte(http2.FrameSettings)
		if fail == nil && !isSettings {
			t.Fatalf("accepted %q as an HTTP/2 server", data)
		}
		if fail != nil && fail.Cause == "" {
			t.Fatalf("failure without a cause: %+v", fail)
		}
	})
}
