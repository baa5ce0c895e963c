package etcd

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/profile"
)

type section struct {
	Endpoints    []string `yaml:"endpoints" doc:"The cluster's client URLs (https:// or http://); at least one." example:"[https://10.0.0.11:2379]" maxItems:"64"`
	CAFile       string   `yaml:"ca_file" doc:"CA bundle for https endpoints (absolute path on the host)." example:"/etc/ssl/etcd/ca.pem"`
	CertFile     string   `yaml:"cert_file" doc:"Client certificate (with key_file)." example:"/etc/ssl/etcd/client.pem"`
	KeyFile      string   `yaml:"key_file" doc:"Client key (with cert_file)." example:"/etc/ssl/etcd/client-key.pem"`
	ServerName   string   `yaml:"server_name" doc:"TLS server name to verify instead of the endpoint's host."`
	Username     string   `yaml:"username" doc:"etcd user for authentication."`
	PasswordEnv  string   `yaml:"password_env" doc:"Environment variable holding the password (never the password itself)." example:"GOLIVE_ETCD_PASSWORD"`
	PasswordFile string   `yaml:"password_file" doc:"File holding the password (absolute path)."`
	Members      *int     `yaml:"members" doc:"How many members the cluster must have." default:"3" min:"1" max:"9"`
	QuotaBytes   *int64   `yaml:"quota_bytes" doc:"The backend quota to judge database size against; absent: the server's own." min:"1048576" max:"1099511627776"`
	DataDir      string   `yaml:"data_dir" doc:"This host is a member of the cluster: its data directory (etcd --data-dir). The disk family judges the filesystem holding it as etcd's: disk/space, disk/inodes, disk/mount, disk/rotational (fail on a rotational disk) and disk/fsync with --probe fsync." example:"/var/lib/etcd"`
}

// settings is a parsed etcd section.
type settings struct {
	endpoints     []string
	endpointNodes []*yaml.Node
	secure        bool // https:// endpoints
	tls           depcheck.TLSFiles
	serverName    string
	username      string
	passwordEnv   string
	passwordFile  string
	members       int
	quota         int64 // 0: the server's own, else DefaultQuotaBytes
}

// maxEndpoints bounds a hostile profile; real clusters have 3 to 7.
const maxEndpoints = 64

func parseSection(p *profile.Profile, sec *yaml.Node) (*settings, error) {
	// Checked before decoding so that the message says what to do instead
	// of "unknown key", and never echoes the value.
	if n := profile.FieldNode(sec, "password"); n != sec {
		return nil, p.Errorf(n, "etcd.password: a password must not be written in the profile; name an environment variable (password_env) or a file (password_file)")
	}
	var s section
	if err := p.DecodeStrict(sec, &s); err != nil {
		return nil, err
	}
	set := &settings{tls: depcheck.TLSFiles{CA: s.CAFile, Cert: s.CertFile, Key: s.KeyFile}, serverName: s.ServerName,
		username: s.Username, passwordEnv: s.PasswordEnv, passwordFile: s.PasswordFile, members: DefaultMembers}
	if err := set.parseEndpoints(p, sec); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		key string
		v   *string
	}{{"ca_file", &set.tls.CA}, {"cert_file", &set.tls.Cert}, {"key_file", &set.tls.Key}, {"password_file", &set.passwordFile}, {"data_dir", &s.DataDir}} {
		if *f.v == "" {
			continue
		}
		if !path.IsAbs(*f.v) {
			return nil, p.Errorf(profile.FieldNode(sec, f.key), "etcd.%s: %q must be an absolute path inside the host", f.key, *f.v)
		}
		*f.v = path.Clean(*f.v)
	}
	if (set.tls.Cert == "") != (set.tls.Key == "") {
		return nil, p.Errorf(firstField(sec, "cert_file", "key_file"), "etcd: cert_file and key_file go together: give both or neither")
	}
	if !set.secure && (set.tls.CA != "" || set.tls.Cert != "" || set.serverName != "") {
		return nil, p.Errorf(firstField(sec, "ca_file", "cert_file", "key_file", "server_name"), "etcd: ca_file, cert_file, key_file and server_name need https:// endpoints")
	}
	if err := set.parseAuth(p, sec); err != nil {
		return nil, err
	}
	if s.Members != nil {
		if *s.Members < 1 || *s.Members > 9 {
			return nil, p.Errorf(profile.FieldNode(sec, "members"), "etcd.members: must be between 1 and 9, not %d", *s.Members)
		}
		set.members = *s.Members
	}
	if s.QuotaBytes != nil {
		if *s.QuotaBytes < 1<<20 || *s.QuotaBytes > 1<<40 {
			return nil, p.Errorf(profile.FieldNode(sec, "quota_bytes"), "etcd.quota_bytes: must be between 1 MiB and 1 TiB, not %d", *s.QuotaBytes)
		}
		set.quota = *s.QuotaBytes
	}
	return set, nil
}

func (set *settings) parseEndpoints(p *profile.Profile, sec *yaml.Node) error {
	list := profile.FieldNode(sec, "endpoints")
	if list == sec || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		return p.Errorf(sec, "etcd.endpoints: list at least one endpoint, such as https://10.0.0.11:2379")
	}
	if len(list.Content) > maxEndpoints {
		return p.Errorf(list, "etcd.endpoints: %d endpoints, at most %d", len(list.Content), maxEndpoints)
	}
	seen := map[string]bool{}
	for i, n := range list.Content {
		u, err := parseURL(n.Value)
		if err != nil {
			return p.Errorf(n, "etcd.endpoints: %v", err)
		}
		if seen[u] {
			return p.Errorf(n, "etcd.endpoints: %s is listed twice", u)
		}
		seen[u] = true
		secure := strings.HasPrefix(u, "https://")
		if i > 0 && secure != set.secure {
			return p.Errorf(n, "etcd.endpoints: mix of http:// and https:// (the etcd client uses one scheme for all)")
		}
		set.secure = secure
		set.endpoints = append(set.endpoints, u)
		set.endpointNodes = append(set.endpointNodes, n)
	}
	return nil
}

// parseURL accepts http(s)://host:port and returns it normalised.
func parseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%q is not an http:// or https:// URL with host and port (such as https://10.0.0.11:2379)", s)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
		return "", fmt.Errorf("%q: an endpoint is scheme://host:port only", s)
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return "", fmt.Errorf("%q: give host:port (write IPv6 as [addr]:port)", s)
	}
	if pn, err := strconv.Atoi(port); err != nil || pn < 1 || pn > 65535 {
		return "", fmt.Errorf("%q: port must be a number from 1 to 65535", s)
	}
	return u.Scheme + "://" + u.Host, nil
}

func (set *settings) parseAuth(p *profile.Profile, sec *yaml.Node) error {
	both := set.passwordEnv != "" && set.passwordFile != ""
	none := set.passwordEnv == "" && set.passwordFile == ""
	switch {
	case set.username == "" && !none:
		return p.Errorf(firstField(sec, "password_env", "password_file"), "etcd: password_env/password_file need a username")
	case set.username != "" && (both || none):
		return p.Errorf(profile.FieldNode(sec, "username"), "etcd.username: give exactly one of password_env or password_file")
	}
	return nil
}

// firstField is the node of the first key present, for placing an error
// on the line that caused it (the section itself when none is).
func firstField(sec *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n := profile.FieldNode(sec, k); n != sec {
			return n
		}
	}
	return sec
}
