package sshclient

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is the part of an ssh_config(5) file golive follows: Host
// blocks and the keywords that say how to reach a host. It is read once,
// before the first connection, so a syntax error or an unsupported Match
// stops the run with the file and line instead of changing where some
// hosts are dialled.
type Config struct {
	items []configItem
}

// configItem is one keyword line; an Include holds the included files'
// lines in order.
type configItem struct {
	file    string
	line    int
	key     string // lower case
	args    []string
	include []configItem
}

func (it configItem) pos() string { return fmt.Sprintf("%s:%d", it.file, it.line) }

// Limits on ssh_config files, which are outside input.
const (
	maxConfigBytes  = 1 << 20
	maxConfigLine   = 8 << 10
	maxConfigFiles  = 64
	maxIncludeDepth = 16 // as OpenSSH's READCONF_MAX_DEPTH
)

// ConfigError places a bad line of an ssh_config file.
type ConfigError struct {
	File string
	Line int
	Err  error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

// configLoader reads a file and what it includes. The file system calls
// are fields so the fuzz target never reads the machine's files.
type configLoader struct {
	home  string
	files int
	read  func(string) ([]byte, error)
	glob  func(string) ([]string, error)
}

// ParseConfig reads an ssh_config file; relative Include paths are taken
// from home/.ssh, as for a user's own configuration.
func ParseConfig(path, home string) (*Config, error) {
	l := &configLoader{home: home, read: readConfigFile, glob: filepath.Glob}
	data, err := l.read(path)
	if err != nil {
		return nil, fmt.Errorf("ssh config: %w", err)
	}
	items, err := l.parse(data, path, 0)
	if err != nil {
		return nil, err
	}
	return &Config{items: items}, nil
}

func readConfigFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, maxConfigBytes)
	}
	return data, nil
}

func (l *configLoader) parse(data []byte, file string, depth int) ([]configItem, error) {
	l.files++
	if l.files > maxConfigFiles {
		return nil, fmt.Errorf("%s: more than %d ssh config files included", file, maxConfigFiles)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, maxConfigBytes)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 512), maxConfigLine)
	var out []configItem
	n := 0
	for sc.Scan() {
		n++
		fail := func(format string, a ...any) error {
			return &ConfigError{file, n, fmt.Errorf(format, a...)}
		}
		words, err := splitConfigLine(sc.Text())
		if err != nil {
			return nil, fail("%v", err)
		}
		if len(words) == 0 {
			continue
		}
		it := configItem{file: file, line: n, key: strings.ToLower(words[0]), args: words[1:]}
		if len(it.args) == 0 {
			return nil, fail("%s needs a value", words[0])
		}
		switch it.key {
		case "match":
			return nil, fail("Match is not supported by golive: write Host blocks, or pass --ssh-config none")
		case "include":
			if depth+1 > maxIncludeDepth {
				return nil, fail("Include nested deeper than %d", maxIncludeDepth)
			}
			for _, a := range it.args {
				sub, err := l.include(a, depth+1)
				if err != nil {
					var ce *ConfigError
					if errors.As(err, &ce) {
						return nil, err
					}
					return nil, fail("Include %s: %v", a, err)
				}
				it.include = append(it.include, sub...)
			}
		case "port":
			if p, err := strconv.Atoi(it.args[0]); err != nil || p < 1 || p > 65535 {
				return nil, fail("Port %q: must be 1 to 65535", it.args[0])
			}
		case "stricthostkeychecking":
			if strictMode(it.args[0]) == "" {
				return nil, fail("StrictHostKeyChecking %q: use yes, accept-new or ask", it.args[0])
			}
		case "proxyjump":
			if _, err := parseJumps(it.args); err != nil {
				return nil, fail("ProxyJump: %v", err)
			}
		}
		out = append(out, it)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ConfigError{file, n + 1, fmt.Errorf("line longer than %d bytes", maxConfigLine)}
		}
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return out, nil
}

// include reads the files a pattern names, in name order; a pattern that
// matches nothing is no error, as for ssh.
func (l *configLoader) include(pattern string, depth int) ([]configItem, error) {
	p, err := expandTilde(pattern, l.home)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.home, ".ssh", p)
	}
	names, err := l.glob(p)
	if err != nil {
		return nil, err
	}
	var out []configItem
	for _, name := range names {
		data, err := l.read(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		items, err := l.parse(data, name, depth)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// splitConfigLine splits "Keyword value..." or "Keyword=value" into
// words; double quotes group, an unquoted # starts a comment.
func splitConfigLine(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '#' {
		return nil, nil
	}
	end := strings.IndexAny(s, " \t=")
	if end < 0 {
		return []string{s}, nil
	}
	words := []string{s[:end]}
	rest := strings.TrimLeft(s[end:], " \t")
	rest = strings.TrimLeft(strings.TrimPrefix(rest, "="), " \t")
	for rest != "" {
		switch {
		case rest[0] == '#':
			return words, nil
		case rest[0] == '"':
			i := strings.IndexByte(rest[1:], '"')
			if i < 0 {
				return nil, errors.New("unterminated quote")
			}
			words = append(words, rest[1:1+i])
			rest = rest[2+i:]
		default:
			i := strings.IndexAny(rest, " \t")
			if i < 0 {
				i = len(rest)
			}
			words = append(words, rest[:i])
			rest = rest[i:]
		}
		rest = strings.TrimLeft(rest, " \t")
	}
	return words, nil
}

// strictMode normalises a StrictHostKeyChecking value: yes (ask is the
// same for a client that never prompts), accept-new, no; "" when invalid.
func strictMode(v string) string {
	switch strings.ToLower(v) {
	case "yes", "true", "ask":
		return "yes"
	case "accept-new":
		return "accept-new"
	case "no", "off", "false":
		return "no"
	}
	return ""
}

// parseJumps reads ProxyJump's value: none, or [user@]host[:port] hops
// separated by commas.
func parseJumps(args []string) ([]Dest, error) {
	v := strings.Join(args, "")
	if strings.EqualFold(v, "none") {
		return nil, nil
	}
	var out []Dest
	for _, s := range strings.Split(v, ",") {
		if strings.Contains(s, "://") {
			return nil, fmt.Errorf("%q: ssh:// addresses are not supported, write [user@]host[:port]", s)
		}
		t, err := ParseDest(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// HostConfig is what the config says about one host: for each keyword
// the first value obtained, as in ssh_config(5); IdentityFile values
// accumulate. Values are as written: tokens are expanded by the caller.
type HostConfig struct {
	HostName       string
	Port           int // 0: not set
	User           string
	IdentityFiles  []string
	Jumps          []Dest // nil: no ProxyJump (or none)
	KnownHostsFile string
	Strict         string // "", yes, accept-new or no
	ProxyCommand   string
	// Where each keyword's value came from (file:line), by lower-case
	// keyword, for messages.
	Pos map[string]string
}

// Lookup applies the config to host, the name as the operator wrote it.
func (c *Config) Lookup(host string) HostConfig {
	hc := HostConfig{Pos: map[string]string{}}
	if c != nil {
		hc.apply(c.items, strings.ToLower(host), true)
	}
	return hc
}

// apply walks items: a Host line decides whether what follows applies; an
// Include starts with the including block's state and does not change it.
func (hc *HostConfig) apply(items []configItem, host string, active bool) {
	for _, it := range items {
		if it.key == "host" {
			active = hostMatches(host, it.args)
			continue
		}
		if it.include != nil {
			if active {
				hc.apply(it.include, host, true)
			}
			continue
		}
		if !active {
			continue
		}
		if it.key == "identityfile" {
			hc.IdentityFiles = append(hc.IdentityFiles, it.args[0])
			hc.Pos[it.key] = it.pos()
			continue
		}
		if _, set := hc.Pos[it.key]; set {
			continue
		}
		switch it.key {
		case "hostname":
			hc.HostName = it.args[0]
		case "port":
			hc.Port, _ = strconv.Atoi(it.args[0])
		case "user":
			hc.User = it.args[0]
		case "proxyjump":
			hc.Jumps, _ = parseJumps(it.args)
		case "userknownhostsfile":
			hc.KnownHostsFile = it.args[0]
		case "stricthostkeychecking":
			hc.Strict = strictMode(it.args[0])
		case "proxycommand":
			if !strings.EqualFold(it.args[0], "none") {
				hc.ProxyCommand = strings.Join(it.args, " ")
			}
		default:
			continue // keywords golive does not use
		}
		hc.Pos[it.key] = it.pos()
	}
}

// hostMatches is a Host line's verdict: some pattern matches and no
// negated one does.
func hostMatches(host string, patterns []string) bool {
	matched := false
	for _, p := range patterns {
		p = strings.ToLower(p)
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if wildcardMatch(neg, host) {
				return false
			}
			continue
		}
		if wildcardMatch(p, host) {
			matched = true
		}
	}
	return matched
}

// wildcardMatch matches s against a pattern of * (any run) and ? (one
// byte), in linear time: backtracking only to the last *.
func wildcardMatch(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// expandTilde replaces a leading ~/ (or a lone ~) with home.
func expandTilde(p, home string) (string, error) {
	switch {
	case p == "~":
		return home, nil
	case strings.HasPrefix(p, "~/"):
		return filepath.Join(home, p[2:]), nil
	case strings.HasPrefix(p, "~"):
		return "", fmt.Errorf("%q: ~user is not supported", p)
	}
	return p, nil
}

// expandTokens replaces %x tokens from values; %% is a percent sign. A
// token not in values is an error, as for ssh.
func expandTokens(s string, values map[byte]string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("%q: lone %% at the end", s)
		}
		if s[i] == '%' {
			b.WriteByte('%')
			continue
		}
		v, ok := values[s[i]]
		if !ok {
			return "", fmt.Errorf("%q: token %%%c is not supported here", s, s[i])
		}
		b.WriteString(v)
	}
	return b.String(), nil
}
