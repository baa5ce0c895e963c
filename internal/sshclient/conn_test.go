package sshclient

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/golive-sh/golive/internal/sshclient/sshdtest"
)

// lab is one real sshd and options that trust it.
type lab struct {
	dir    string
	key    sshdtest.Key
	server *sshdtest.Server
	opts   Options
}

func newLab(t *testing.T, o sshdtest.Options) *lab {
	t.Helper()
	sshdtest.Need(t)
	dir := t.TempDir()
	key := sshdtest.NewKey(t, dir, "id")
	o.AuthorizedKeys = append(o.AuthorizedKeys, key.Public)
	s := sshdtest.Start(t, o)
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte(s.KnownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	auth, err := NewAuth([]string{key.File}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	keys, err := NewHostKeys(kh, false)
	if err != nil {
		t.Fatal(err)
	}
	return &lab{dir: dir, key: key, server: s, opts: Options{User: "root", Auth: auth, HostKeys: keys, Timeout: time.Minute}}
}

func hop(label, addr string) Hop {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return Hop{Label: label, Host: host, Port: p}
}

func (l *lab) dial(t *testing.T) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), Route{Hop: hop("h", l.server.Addr)}, &l.opts)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, l.server.Log())
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Run feeds stdin, reports the exit status as a result, and keeps no
// more of the output than asked while still draining all of it.
func TestRunBoundsOutput(t *testing.T) {
	l := newLab(t, sshdtest.Options{})
	c := l.dial(t)
	ctx := context.Background()
	res, err := c.Run(ctx, "cat; printf err >&2; head -c 100000 /dev/zero; exit 7", strings.NewReader("in"), 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Exit != 7 || string(res.Stdout) != "in\x00\x00\x00\x00\x00\x00\x00\x00" || !res.StdoutCut || string(res.Stderr) != "er" {
		t.Errorf("exit %d stdout %q cut %v stderr %q; want 7, \"in\" and NULs to 10 bytes, cut, \"er\"", res.Exit, res.Stdout, res.StdoutCut, res.Stderr)
	}
	if out, err := c.Output(ctx, "echo '  one line  '"); err != nil || out != "one line" {
		t.Errorf("Output: %q, %v", out, err)
	}
	_, err = c.Output(ctx, "echo no >&2; exit 3")
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Status != 3 || string(ee.Stderr) != "no\n" || strings.Contains(err.Error(), "no") {
		t.Errorf("failed Output: %v (%+v); want exit 3 with stderr in the field, not the message", err, ee)
	}
}

// Closing the connection from another goroutine ends a running command,
// and a cancelled context is the error.
func TestRunEndsWhenCancelled(t *testing.T) {
	l := newLab(t, sshdtest.Options{})
	c := l.dial(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("stop")
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	time.AfterFunc(200*time.Millisecond, func() { cancel(cause) })
	start := time.Now()
	_, err := c.Run(ctx, "sleep 60", nil, 0, 0)
	if !errors.Is(err, cause) || time.Since(start) > 30*time.Second {
		t.Errorf("Run after cancel: %v after %s, want the cause at once", err, time.Since(start))
	}
}

func TestUploadAndTempDir(t *testing.T) {
	l := newLab(t, sshdtest.Options{})
	c := l.dial(t)
	ctx := context.Background()
	d := NewTempDir("golive")
	if err := c.MakeTempDir(ctx, d); err != nil {
		t.Fatal(err)
	}
	if d.Path != filepath.Join(l.server.Tmp, d.Name) || !strings.HasPrefix(d.Name, "golive.") || len(d.Name) != len("golive.")+8 {
		t.Errorf("temp dir %q named %q; want $TMPDIR/golive.XXXXXXXX", d.Path, d.Name)
	}
	if fi, err := os.Stat(d.Path); err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Fatalf("temp dir: %v %v, want a 0700 dir", fi, err)
	}
	// Making it again fails, as mktemp -d would: the name is taken.
	var ee *ExitError
	if err := c.MakeTempDir(ctx, &TempDir{Name: d.Name}); !errors.As(err, &ee) {
		t.Errorf("second mkdir of %s: %v, want an exit error", d.Name, err)
	}
	// A path that is not plain components is refused before any use,
	// and the host's text is in the error's field.
	var te *TempDirError
	odd := &TempDir{Name: "golive.with space"}
	t.Cleanup(func() { os.RemoveAll(filepath.Join(l.server.Tmp, odd.Name)) })
	if err := c.MakeTempDir(ctx, odd); !errors.As(err, &te) || te.Printed != filepath.Join(l.server.Tmp, odd.Name) || odd.Path != "" {
		t.Errorf("mkdir of %q: %v (path %q), want a TempDirError holding the printed path", odd.Name, err, odd.Path)
	}
	file := d.Path + "/sub/it's here"
	data := bytes.Repeat([]byte("golive\n"), 50000)
	if err := c.Upload(ctx, bytes.NewReader(data), file, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if fi, _ := os.Stat(file); err != nil || !bytes.Equal(got, data) || fi.Mode().Perm() != 0o600 {
		t.Errorf("uploaded file: %d bytes, %v, want %d bytes mode 0600", len(got), err, len(data))
	}
	if err := c.Upload(ctx, strings.NewReader("x"), "/proc/golive/x", 0o600); !errors.As(err, &ee) {
		t.Errorf("upload to an unwritable place: %v, want an exit error", err)
	}
	if err := c.RemoveTempDir(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Path); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", d.Path, err)
	}
	// A dir whose path never came back is removed by its name alone.
	lost := &TempDir{Name: "golive.LOST2345"}
	os.Mkdir(filepath.Join(l.server.Tmp, lost.Name), 0o700)
	if err := c.RemoveTempDir(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(l.server.Tmp, lost.Name)); !os.IsNotExist(err) {
		t.Errorf("a temp dir removed by name is still there: %v", err)
	}
}

func TestDialFailuresHaveReasons(t *testing.T) {
	l := newLab(t, sshdtest.Options{})
	silent := sshdtest.StartSilent(t)
	stranger := sshdtest.NewKey(t, l.dir, "stranger")
	strangerAuth, err := NewAuth([]string{stranger.File}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	empty, err := NewHostKeys(filepath.Join(l.dir, "empty_known_hosts"), false)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		route   Route
		opts    func(*Options)
		timeout time.Duration
		reason  Reason
		want    string
	}{
		{"closed port", Route{Hop: hop("h", sshdtest.ClosedPort(t))}, nil, 0, Unreachable, "connection refused"},
		{"silent server", Route{Hop: hop("h", silent.Addr)}, func(o *Options) { o.Timeout = time.Second }, time.Second, TimedOut, "ssh handshake with " + silent.Addr + ": host timeout 1s reached"},
		{"unknown host key", Route{Hop: hop("h", l.server.Addr)}, func(o *Options) { o.HostKeys = empty }, 0, HostKeyRefused, "--accept-new-host-keys"},
		{"key not authorized", Route{Hop: hop("h", l.server.Addr)}, func(o *Options) { o.Auth = strangerAuth }, 0, AuthFailed, "authentication as root failed"},
		{"refused hop", Route{Hop: Hop{Label: "h", Host: "127.0.0.1", Port: 1, Refused: "ProxyCommand is not supported", RefusedReason: Unreachable}}, nil, 0, Unreachable, "ProxyCommand is not supported"},
		{"refused jump", Route{Jumps: []Hop{{Label: "bastion", Refused: "no", RefusedReason: HostKeyRefused}}, Hop: hop("h", l.server.Addr)}, nil, 0, HostKeyRefused, "via bastion: no"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := l.opts
			if c.opts != nil {
				c.opts(&opts)
			}
			ctx := context.Background()
			if c.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.timeout)
				defer cancel()
			}
			conn, err := Dial(ctx, c.route, &opts)
			if err == nil {
				conn.Close()
			}
			var de *DialError
			if !errors.As(err, &de) || de.Reason != c.reason || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v; want %s with %q", err, c.reason, c.want)
			}
		})
	}
	if _, total := silent.MaxOpen(); total != 1 {
		t.Errorf("%d connections to the silent server, want 1 (no retry loop)", total)
	}
}

// known_hosts records only an ECDSA key; the host presents Ed25519. That
// is a host key mismatch, refused as one, not a failed negotiation.
func TestDialKeyOfAnotherTypeIsAMismatch(t *testing.T) {
	l := newLab(t, sshdtest.Options{})
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ssh.NewPublicKey(&priv.PublicKey)
	kh := filepath.Join(l.dir, "known_hosts_ecdsa")
	os.WriteFile(kh, []byte(knownhosts.Line([]string{l.server.Addr}, pub)+"\n"), 0o600)
	l.opts.HostKeys, _ = NewHostKeys(kh, true) // accept-new must not take it either
	_, err = Dial(context.Background(), Route{Hop: hop("h", l.server.Addr)}, &l.opts)
	var de *DialError
	if !errors.As(err, &de) || de.Reason != HostKeyRefused || !strings.Contains(err.Error(), "CHANGED") || !strings.Contains(err.Error(), "ecdsa-sha2-nistp256") {
		t.Errorf("%v, want a changed-key refusal naming the recorded ECDSA key", err)
	}
}

// Through a jump host the host is dialled by its own address, its key
// verified, and closing the connection closes the jump host's too.
func TestDialThroughJumpHost(t *testing.T) {
	l := newLab(t, sshdtest.Options{})
	jump := sshdtest.Start(t, sshdtest.Options{AuthorizedKeys: []ssh.PublicKey{l.key.Public}, AllowTCPForwarding: true})
	kh := filepath.Join(l.dir, "known_hosts")
	os.WriteFile(kh, []byte(l.server.KnownHostsLine()+"\n"+jump.KnownHostsLine()+"\n"), 0o600)
	var err error
	if l.opts.HostKeys, err = NewHostKeys(kh, false); err != nil {
		t.Fatal(err)
	}
	route := Route{Jumps: []Hop{hop("bastion", jump.Addr)}, Hop: hop("target", l.server.Addr)}
	c, err := Dial(context.Background(), route, &l.opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, jump.Log())
	}
	out, err := c.Output(context.Background(), `printf '%s' "$TMPDIR"`)
	if err != nil || out != l.server.Tmp {
		t.Errorf("through the jump host: %q, %v; want the target's $TMPDIR %s", out, err, l.server.Tmp)
	}
	c.Close()

	// The jump host does not forward to a port where nothing listens.
	route.Hop = hop("target", sshdtest.ClosedPort(t))
	_, err = Dial(context.Background(), route, &l.opts)
	var de *DialError
	if !errors.As(err, &de) || de.Reason != Unreachable {
		t.Errorf("a closed port behind the jump host: %v, want unreachable", err)
	}
	// A jump host whose key is unknown refuses the route, named as the jump.
	route = Route{Jumps: []Hop{hop("bastion", jump.Addr)}, Hop: hop("target", l.server.Addr)}
	l.opts.HostKeys, _ = NewHostKeys(filepath.Join(l.dir, "only_target"), false)
	_, err = Dial(context.Background(), route, &l.opts)
	if !errors.As(err, &de) || de.Reason != HostKeyRefused || !strings.HasPrefix(err.Error(), "via bastion: ") {
		t.Errorf("unknown jump host key: %v, want a host key refusal via bastion", err)
	}
}
