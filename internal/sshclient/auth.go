package sshclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// maxKeyFile bounds an identity file read; real private keys are a few KiB.
const maxKeyFile = 1 << 20

// Auth is how golive proves who it is: the --identity keys, then the keys
// in ssh-agent. Key material stays in memory and never appears in output;
// errors name files, not contents.
type Auth struct {
	signers []ssh.Signer
	agent   agent.ExtendedAgent
	conn    net.Conn
	// Notes are things worth telling the user (a default key skipped).
	Notes []string
}

// ErrNoKey is NewAuth's error when there is no key at all.
var ErrNoKey = errors.New("no ssh key: pass --identity FILE or run ssh-agent (SSH_AUTH_SOCK)")

// DefaultIdentities are the files OpenSSH tries when none is given.
var DefaultIdentities = []string{"id_ed25519", "id_ecdsa", "id_rsa"}

// NewAuth loads identity files and connects to the agent at agentSock
// (SSH_AUTH_SOCK; empty for none). With no identity files, the default
// ones in ~/.ssh that exist are used; a passphrase-protected default is
// skipped with a note, an explicit one is an error.
func NewAuth(identities []string, agentSock, home string) (*Auth, error) {
	return newAuth(identities, agentSock, home, len(identities) > 0)
}

// newAuth is NewAuth; explicit files are --identity's, whose every
// problem is an error, where ssh_config's are skipped with a note.
func newAuth(identities []string, agentSock, home string, explicit bool) (*Auth, error) {
	a := &Auth{}
	if len(identities) == 0 && home != "" {
		for _, n := range DefaultIdentities {
			p := filepath.Join(home, ".ssh", n)
			if _, err := os.Stat(p); err == nil {
				identities = append(identities, p)
			}
		}
	}
	for _, p := range identities {
		s, err := loadIdentity(p)
		var pm *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &pm) && !explicit:
			a.Notes = append(a.Notes, fmt.Sprintf("%s is passphrase-protected and skipped: load it into ssh-agent (ssh-add %s)", p, p))
		case errors.As(err, &pm):
			return nil, fmt.Errorf("--identity %s is passphrase-protected: golive does not prompt; load it into ssh-agent (ssh-add %s) and leave out --identity", p, p)
		case err != nil && explicit:
			return nil, fmt.Errorf("--identity %w", err)
		case err != nil:
			a.Notes = append(a.Notes, fmt.Sprintf("%v: skipped", err))
		default:
			a.signers = append(a.signers, s)
		}
	}
	if agentSock != "" {
		conn, err := net.Dial("unix", agentSock)
		if err != nil {
			a.Notes = append(a.Notes, fmt.Sprintf("ssh-agent at SSH_AUTH_SOCK unreachable: %v", err))
		} else {
			a.conn = conn
			a.agent = agent.NewClient(conn)
		}
	}
	if len(a.signers) == 0 && a.agent == nil {
		return nil, ErrNoKey
	}
	return a, nil
}

func loadIdentity(p string) (ssh.Signer, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("%s: larger than %d bytes, not a private key", p, maxKeyFile)
	}
	s, err := ssh.ParsePrivateKey(data)
	var pm *ssh.PassphraseMissingError
	if errors.As(err, &pm) {
		return nil, err
	}
	if err != nil {
		// The parser's message never quotes the key; keep only the file.
		return nil, fmt.Errorf("%s: not a private key this ssh client reads", p)
	}
	return s, nil
}

// Methods are the ssh auth methods: files first, then the agent.
func (a *Auth) Methods() []ssh.AuthMethod {
	var m []ssh.AuthMethod
	signers := a.signers
	ag := a.agent
	m = append(m, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
		out := append([]ssh.Signer(nil), signers...)
		if ag != nil {
			if s, err := ag.Signers(); err == nil {
				out = append(out, s...)
			}
		}
		return out, nil
	}))
	return m
}

// Close releases the agent connection.
func (a *Auth) Close() error {
	if a.conn != nil {
		return a.conn.Close()
	}
	return nil
}
