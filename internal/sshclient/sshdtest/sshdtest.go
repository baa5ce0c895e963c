// Package sshdtest starts real OpenSSH servers for tests: each on a free
// loopback port, with its own host key, authorized keys and config in a
// temp dir, inside a private mount namespace the test makes itself. The
// machine's own sshd, /etc and /run are never touched: sshd's privilege
// separation dir lives on a tmpfs mounted over /run inside the namespace,
// and extra users (for sudo tests) are bind-mounted copies of
// /etc/passwd, /etc/shadow and /etc/group, visible only to that sshd and
// its children.
package sshdtest

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/golive-sh/golive/internal/testenv"
)

// Sshd is the server binary; sshd insists on an absolute path.
const Sshd = "/usr/sbin/sshd"

// Need skips (or, in CI, fails) a test that cannot start sshd here: it
// needs the openssh-server package, unshare, and root for the namespace.
func Need(t testing.TB) {
	t.Helper()
	var missing string
	switch {
	case !exists(Sshd):
		missing = Sshd + " not found: install the Debian package openssh-server"
	case !onPath("unshare"):
		missing = "unshare not found: install the Debian package util-linux"
	case os.Geteuid() != 0:
		missing = "sshd test servers run in a private mount namespace: run the tests as root (make test does)"
	}
	if missing == "" {
		return
	}
	testenv.Missing(t, missing)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func onPath(c string) bool { _, err := exec.LookPath(c); return err == nil }

// Key is an Ed25519 key pair with its private half in a file (0600).
type Key struct {
	Signer ssh.Signer
	Public ssh.PublicKey
	File   string
}

// NewKey generates a key and writes it to dir/name in OpenSSH format.
func NewKey(t testing.TB, dir, name string) Key {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "golive-test")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return Key{Signer: signer, Public: signer.PublicKey(), File: file}
}

// User is an extra account that exists only inside the server's namespace.
type User struct {
	Name string
	UID  int // also its group's ID
}

// Options shape a server.
type Options struct {
	// AuthorizedKeys may log in, as root or as any of Users.
	AuthorizedKeys []ssh.PublicKey
	// HostKey is the server's key; nil generates one.
	HostKey *Key
	// Users are added to copies of passwd, shadow and group.
	Users []User
	// Sudoers, when set, is the whole /etc/sudoers the server's children
	// see ("" is a sudoers with no rule at all).
	Sudoers *string
	// AllowTCPForwarding lets clients open connections through the
	// server: a jump host (ProxyJump). Off unless set.
	AllowTCPForwarding bool
	// Env are extra NAME=value variables of the sessions (SetEnv), over
	// the defaults (TMPDIR, XDG_CACHE_HOME); a value must hold no space.
	Env []string
	// Config are extra sshd_config lines (ForceCommand...).
	Config []string
	// MachineID is the /etc/machine-id the server's sessions see; empty
	// for a random one, so each test server is a machine of its own (as
	// hosts are), and two given the same are clones.
	MachineID string
	// FileSizeLimit, when positive, is the RLIMIT_FSIZE (bytes) of the
	// server and its sessions: a host whose disk fills on upload.
	FileSizeLimit int64
}

// Server is a running sshd.
type Server struct {
	Addr    string // 127.0.0.1:port
	Port    int
	HostKey Key
	Dir     string // its temp dir: config, keys, log, users' homes
	// Tmp is the $TMPDIR of its sessions (SetEnv): each test host keeps
	// its fan-out temp dirs apart from the machine's /tmp and from the
	// other hosts', so a test can prove its own were removed.
	Tmp string
	// Cache is the $XDG_CACHE_HOME of its sessions: fleet check's binary
	// cache lands in Cache/golive, inside the test's temp dir, never in
	// the machine's /root/.cache.
	Cache string
	// MachineID is the /etc/machine-id its sessions see.
	MachineID string
	log       *syncBuffer
	cmd       *exec.Cmd
}

// PID is the process ID of the server's namespace leader (unshare, whose
// child sshd and sessions are its descendants).
func (s *Server) PID() int { return s.cmd.Process.Pid }

// KnownHostsLine is the known_hosts line that trusts this server.
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{s.Addr}, s.HostKey.Public)
}

// Log is what sshd wrote so far (-e: to stderr), for failure messages.
func (s *Server) Log() string { return s.log.String() }

// Home is the home directory of an extra user.
func (s *Server) Home(u User) string { return filepath.Join(s.Dir, "home", u.Name) }

// Start runs sshd until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	return StartMany(t, 1, func(int) Options { return o })[0]
}

// StartMany runs n servers, options(i) shaping the i-th, all launched
// before any is waited for: a hundred start in about the time of a few.
// A server whose port was taken between freePort and sshd's bind (by
// another process: this one never hands a port out twice) is started
// again on another port.
func StartMany(t testing.TB, n int, options func(i int) Options) []*Server {
	t.Helper()
	servers := make([]*Server, n)
	exited := make([]<-chan struct{}, n)
	for i := range n {
		servers[i], exited[i] = launch(t, options(i))
	}
	for i := range servers {
		for attempt := 1; ; attempt++ {
			err := servers[i].waitReady(exited[i])
			if err == nil {
				break
			}
			if attempt < 4 && strings.Contains(servers[i].Log(), "Address already in use") {
				servers[i], exited[i] = launch(t, options(i))
				continue
			}
			t.Fatal(err)
		}
	}
	return servers
}

// launch starts sshd and stops it when the test ends; the channel closes
// when it exits.
func launch(t testing.TB, o Options) (*Server, <-chan struct{}) {
	t.Helper()
	Need(t)
	dir, err := os.MkdirTemp("", "golive-sshd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Extra users read authorized_keys and write their homes in here.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: dir, log: &syncBuffer{}}
	if o.HostKey != nil {
		s.HostKey = *o.HostKey
	} else {
		s.HostKey = NewKey(t, dir, "host_ed25519")
	}
	var auth bytes.Buffer
	for _, k := range o.AuthorizedKeys {
		auth.Write(ssh.MarshalAuthorizedKey(k))
	}
	write(t, filepath.Join(dir, "authorized_keys"), auth.String(), 0o644)
	s.Port = freePort(t)
	s.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port))
	s.Tmp = filepath.Join(dir, "tmp")
	if err := os.Mkdir(s.Tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Tmp, 0o1777); err != nil { // umask
		t.Fatal(err)
	}
	s.Cache = filepath.Join(dir, "cache")
	if err := os.Mkdir(s.Cache, 0o1777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Cache, 0o1777); err != nil {
		t.Fatal(err)
	}
	// sshd keeps the first SetEnv line only: every variable goes on one.
	// HOME is the server's own dir: root's sessions then neither read
	// this machine's /root dotfiles (bash sources ~/.bashrc for ssh
	// commands, and a slow one costs seconds a session) nor write there.
	env := []string{"TMPDIR=" + s.Tmp, "XDG_CACHE_HOME=" + s.Cache, "HOME=" + s.Dir}
	for _, e := range o.Env {
		name, _, _ := strings.Cut(e, "=")
		env = slices.DeleteFunc(env, func(d string) bool { return strings.HasPrefix(d, name+"=") })
		env = append(env, e)
	}
	forwarding := "no"
	if o.AllowTCPForwarding {
		forwarding = "yes"
	}
	cfg := filepath.Join(dir, "sshd_config")
	write(t, cfg, strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"Port " + strconv.Itoa(s.Port),
		"HostKey " + s.HostKey.File,
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"UsePAM no",
		"StrictModes no",
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"LogLevel VERBOSE",
		"SetEnv " + strings.Join(env, " "),
		"AllowTcpForwarding " + forwarding,
		strings.Join(o.Config, "\n"),
		"",
	}, "\n"), 0o644)

	binds := s.overlays(t, o)
	// Inside the new namespace only: a tmpfs on /run for sshd's privilege
	// separation dir, then the bind mounts. Paths arrive as arguments,
	// never spliced into the script.
	script := `set -e
mount -t tmpfs -o mode=0755 golive-sshdtest /run
mkdir -m 0755 /run/sshd
cfg=$1; shift
while [ $# -gt 1 ]; do mount --bind "$1" "$2"; shift 2; done
exec ` + Sshd + ` -D -e -f "$cfg"`
	args := append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", cfg}, binds...)
	if o.FileSizeLimit > 0 {
		args = append([]string{"prlimit", fmt.Sprintf("--fsize=%d:%d", o.FileSizeLimit, o.FileSizeLimit), "--"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	s.cmd = cmd
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	return s, exited
}

// overlays writes the copies of the account files (and sudoers) and
// returns source/target pairs to bind-mount.
func (s *Server) overlays(t testing.TB, o Options) []string {
	t.Helper()
	s.MachineID = o.MachineID
	if s.MachineID == "" {
		s.MachineID = randomMachineID(t)
	}
	midPath := filepath.Join(s.Dir, "etc", "machine-id")
	write(t, midPath, s.MachineID+"\n", 0o444)
	binds := []string{midPath, "/etc/machine-id"}
	if len(o.Users) > 0 {
		add := map[string]func(User) string{
			"passwd": func(u User) string {
				return fmt.Sprintf("%s:x:%d:%d:golive test:%s:/bin/sh\n", u.Name, u.UID, u.UID, s.Home(u))
			},
			// "*": no password, yet not locked, so key logins work with
			// UsePAM no.
			"shadow": func(u User) string { return u.Name + ":*:19000:0:99999:7:::\n" },
			"group":  func(u User) string { return fmt.Sprintf("%s:x:%d:\n", u.Name, u.UID) },
		}
		for _, name := range []string{"passwd", "shadow", "group"} {
			orig, err := os.ReadFile("/etc/" + name)
			if err != nil {
				t.Fatal(err)
			}
			text := string(orig)
			if text != "" && !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			for _, u := range o.Users {
				text += add[name](u)
			}
			mode := os.FileMode(0o644)
			if name == "shadow" {
				mode = 0o640
			}
			copyPath := filepath.Join(s.Dir, "etc", name)
			write(t, copyPath, text, mode)
			binds = append(binds, copyPath, "/etc/"+name)
		}
		for _, u := range o.Users {
			home := s.Home(u)
			if err := os.MkdirAll(home, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chown(home, u.UID, u.UID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if o.Sudoers != nil {
		if !exists("/etc/sudoers") {
			t.Fatal("/etc/sudoers missing: install the Debian package sudo")
		}
		p := filepath.Join(s.Dir, "etc", "sudoers")
		write(t, p, *o.Sudoers, 0o440)
		binds = append(binds, p, "/etc/sudoers")
	}
	return binds
}

// waitReady waits until the server sends its SSH banner, or says, with
// sshd's log, that it exited or never answered.
func (s *Server) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("sshd exited during start:\n%s", s.Log())
		default:
		}
		conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			conn.SetDeadline(time.Now().Add(2 * time.Second))
			line, _ := bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if strings.HasPrefix(line, "SSH-2.0-") {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("sshd on %s did not answer:\n%s", s.Addr, s.Log())
}

// handedOut are the ports freePort gave in this process: the kernel may
// offer a port again once its probe listener is closed, and two servers
// of one StartMany (or a ClosedPort that is meant to stay closed) must not
// get the same one.
var (
	handedOutMu sync.Mutex
	handedOut   = map[int]bool{}
)

// freePort asks the kernel for a free loopback port that this process
// has not handed out before. Another process could take it before sshd
// binds; StartMany then starts that server again.
func freePort(t testing.TB) int {
	t.Helper()
	handedOutMu.Lock()
	defer handedOutMu.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !handedOut[port] {
			handedOut[port] = true
			return port
		}
	}
	t.Fatal("no loopback port this process has not handed out already")
	return 0
}

// ClosedPort is a loopback address where nothing listens: a host that is
// down.
func ClosedPort(t testing.TB) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
}

func write(t testing.TB, p, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// randomMachineID is 32 lower-case hex digits, as systemd-machine-id-setup
// writes.
func randomMachineID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b)
}
