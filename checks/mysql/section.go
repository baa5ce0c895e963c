package mysql

import (
	"path"
	"regexp"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/golive-sh/golive/internal/depcheck"
	"github.com/golive-sh/golive/internal/profile"
)

// Roles a server plays for the service.
const (
	rolePrimary = "primary"
	roleReplica = "replica"
)

// defaultMaxLag is the replication lag that fails mysql/replication: the
// field notes of seed 001 treat Seconds_Behind_Master above 30 s as a
// problem for a service reading from the replica.
const defaultMaxLag = 30 * time.Second

// entryFields is one server of the mysql: list, as written. Password and
// the password in DSN exist only to be rejected with a clear message.
type entryFields struct {
	Name         string `yaml:"name" doc:"The server's name in check IDs (mysql/replication:<name>)." example:"primary" required:"true"`
	DSN          string `yaml:"dsn" doc:"A Go MySQL DSN without a password (one of dsn, dsn_env, dsn_file)." example:"app@tcp(10.0.0.21:3306)/"`
	DSNEnv       string `yaml:"dsn_env" doc:"Environment variable holding the DSN." example:"GOLIVE_MYSQL_PRIMARY_DSN"`
	DSNFile      string `yaml:"dsn_file" doc:"File holding the DSN (absolute path)."`
	Password     string `yaml:"password" doc:"Refused: a password is never written in a profile; use password_env or password_file."`
	PasswordEnv  string `yaml:"password_env" doc:"Environment variable holding the password."`
	PasswordFile string `yaml:"password_file" doc:"File holding the password (absolute path)."`
	Role         string `yaml:"role" doc:"What the server must be." enum:"primary,replica"`
	MaxLag       string `yaml:"max_lag" doc:"Replicas only: the most replication lag allowed." default:"30s" format:"duration"`
	CAFile       string `yaml:"ca_file" doc:"CA bundle for TLS (absolute path)."`
	CertFile     string `yaml:"cert_file" doc:"Client certificate (with key_file)."`
	KeyFile      string `yaml:"key_file" doc:"Client key (with cert_file)."`
	ServerName   string `yaml:"server_name" doc:"TLS server name to verify."`
	PoolSize     *int   `yaml:"pool_size" doc:"The service's connection pool size, judged against max_connections." min:"1" max:"1000000"`
	DataDir      string `yaml:"data_dir" doc:"This server runs on this host: its datadir (my.cnf [mysqld] datadir). The disk family judges the filesystem holding it as MySQL's: disk/space, disk/inodes, disk/mount, disk/rotational (warn on a rotational disk) and disk/fsync with --probe fsync." example:"/var/lib/mysql"`
}

// server is one validated entry: what the checks of one server share.
type server struct {
	name string
	// Exactly one of dsn (inline, password-free), dsnEnv and dsnFile.
	dsn, dsnEnv, dsnFile      string
	passwordEnv, passwordFile string
	role                      string
	maxLag                    time.Duration
	tls                       depcheck.TLSFiles
	serverName                string
	poolSize                  int // 0: not given
	where                     string
}

// tlsFromProfile reports whether the profile configures TLS itself.
func (s *server) tlsFromProfile() bool {
	return s.tls != (depcheck.TLSFiles{}) || s.serverName != ""
}

// Compiled on first use: their counted repetitions expand to 64 and 128
// states, some 2,300 allocations that every process paid at init.
var (
	validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`) })
	validEnv  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`) })
)

const secretsHint = "passwords never go in a profile: give the DSN by dsn_env or dsn_file, or the password by password_env or password_file"

// parseSection validates the mysql: list; every error names the file and
// line, and none repeats a value that could be a secret.
func parseSection(sec *yaml.Node, p *profile.Profile) ([]*server, error) {
	if sec == nil {
		return nil, nil
	}
	if sec.Kind != yaml.SequenceNode {
		return nil, p.Errorf(sec, "mysql: expected a list of servers ({name, dsn_env, role, ...})")
	}
	var out []*server
	seen := map[string]bool{}
	for _, item := range sec.Content {
		s, err := parseEntry(item, p)
		if err != nil {
			return nil, err
		}
		if seen[s.name] {
			return nil, p.Errorf(profile.FieldNode(item, "name"), "mysql: the name %q is used twice", s.name)
		}
		seen[s.name] = true
		out = append(out, s)
	}
	return out, nil
}

func parseEntry(item *yaml.Node, p *profile.Profile) (*server, error) {
	if item.Kind != yaml.MappingNode {
		return nil, p.Errorf(item, "mysql: each server is a mapping with name, dsn_env (or dsn_file) and role")
	}
	// Secrets first: a type error on another key must not hide them.
	if n := profile.FieldNode(item, "password"); n != item {
		return nil, p.Errorf(n, "mysql: an inline password; "+secretsHint)
	}
	var f entryFields
	if err := p.DecodeStrict(item, &f); err != nil {
		return nil, err
	}
	at := func(key string) *yaml.Node { return profile.FieldNode(item, key) }
	if !validName().MatchString(f.Name) {
		return nil, p.Errorf(at("name"), "mysql: name must be 1 to 64 letters, digits, '.', '_' or '-' (it is part of the check IDs), not %q", clip(f.Name, 64))
	}
	s := &server{name: f.Name, dsn: f.DSN, dsnEnv: f.DSNEnv, dsnFile: f.DSNFile, passwordEnv: f.PasswordEnv,
		passwordFile: f.PasswordFile, role: f.Role, maxLag: defaultMaxLag, serverName: f.ServerName,
		tls: depcheck.TLSFiles{CA: f.CAFile, Cert: f.CertFile, Key: f.KeyFile}, where: p.Where(item)}
	if err := checkSources(p, at, f); err != nil {
		return nil, err
	}
	switch f.Role {
	case rolePrimary, roleReplica:
	case "":
		return nil, p.Errorf(item, "mysql %s: role is required: primary (must be writable) or replica (read-only, replicating)", f.Name)
	default:
		return nil, p.Errorf(at("role"), "mysql %s: role must be primary or replica, not %q", f.Name, clip(f.Role, 32))
	}
	if f.MaxLag != "" {
		d, err := time.ParseDuration(f.MaxLag)
		if err != nil || d < time.Second || d > 7*24*time.Hour {
			return nil, p.Errorf(at("max_lag"), "mysql %s: max_lag must be a duration from 1s to 168h such as \"30s\", not %q", f.Name, clip(f.MaxLag, 32))
		}
		if f.Role != roleReplica {
			return nil, p.Errorf(at("max_lag"), "mysql %s: max_lag applies to replicas; this server's role is %s", f.Name, f.Role)
		}
		s.maxLag = d
	}
	if f.PoolSize != nil {
		if *f.PoolSize < 1 || *f.PoolSize > 1_000_000 {
			return nil, p.Errorf(at("pool_size"), "mysql %s: pool_size must be between 1 and 1000000, not %d", f.Name, *f.PoolSize)
		}
		s.poolSize = *f.PoolSize
	}
	if (f.CertFile == "") != (f.KeyFile == "") {
		return nil, p.Errorf(item, "mysql %s: cert_file and key_file go together: give both or neither", f.Name)
	}
	for _, kv := range []keyValue{{"ca_file", f.CAFile}, {"cert_file", f.CertFile}, {"key_file", f.KeyFile}} {
		if kv.value != "" && !path.IsAbs(kv.value) {
			return nil, p.Errorf(at(kv.key), "mysql %s: %s must be an absolute path, not %q", f.Name, kv.key, clip(kv.value, 256))
		}
	}
	return s, nil
}

// checkSources validates where the DSN and the password come from.
func checkSources(p *profile.Profile, at func(string) *yaml.Node, f entryFields) error {
	given := 0
	for _, v := range []string{f.DSN, f.DSNEnv, f.DSNFile} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return p.Errorf(at("name"), "mysql %s: give exactly one of dsn_env, dsn_file or a password-free dsn", f.Name)
	}
	if f.DSN != "" {
		cfg, err := parseDSN(f.DSN)
		if err != nil {
			return p.Errorf(at("dsn"), "mysql %s: dsn: %v", f.Name, err)
		}
		if cfg.Passwd != "" {
			return p.Errorf(at("dsn"), "mysql %s: dsn holds a password; %s", f.Name, secretsHint)
		}
	}
	for _, kv := range []keyValue{{"dsn_env", f.DSNEnv}, {"password_env", f.PasswordEnv}} {
		if kv.value != "" && !validEnv().MatchString(kv.value) {
			// Not quoted: someone may have pasted the secret itself here.
			return p.Errorf(at(kv.key), "mysql %s: %s names an environment variable (letters, digits and _), and this is not one; %s", f.Name, kv.key, secretsHint)
		}
	}
	for _, kv := range []keyValue{{"dsn_file", f.DSNFile}, {"password_file", f.PasswordFile}} {
		if kv.value != "" && !path.IsAbs(kv.value) {
			return p.Errorf(at(kv.key), "mysql %s: %s must be an absolute path; %s", f.Name, kv.key, secretsHint)
		}
	}
	if f.DataDir != "" && !path.IsAbs(f.DataDir) {
		return p.Errorf(at("data_dir"), "mysql %s: data_dir %q must be an absolute path on this host", f.Name, f.DataDir)
	}
	if f.PasswordEnv != "" && f.PasswordFile != "" {
		return p.Errorf(at("password_file"), "mysql %s: give password_env or password_file, not both", f.Name)
	}
	return nil
}

// keyValue is a profile key with its value, checked in the order written
// here so that the first error reported is always the same.
type keyValue struct{ key, value string }
