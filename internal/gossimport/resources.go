package gossimport

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The goss → golive mapping, one function per goss resource type. Every
// attribute a function does not read is named in the entry's comment.
var converters = map[string]func(c *converter, key string, r Resource) error{
	"file":         convertFile,
	"package":      convertPackage,
	"user":         convertUser,
	"group":        convertGroup,
	"kernel-param": convertKernelParam,
	"mount":        convertMount,
	"process":      convertProcess,
	"port":         convertPort,
	"http":         convertHTTP,
	"dns":          convertDNS,
}

var errSkip = errors.New("marked skip: true in the gossfile")

func convertFile(c *converter, key string, r Resource) error {
	if !isAbs(key) {
		return fmt.Errorf("the path %q is not absolute (golive reads paths under --root)", key)
	}
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	if b, ok := a.boolean("exists"); ok {
		f = append(f, str("exists"), boolean(b))
		if !b {
			c.entry("file", key, f, r.From, a.absent())
			return nil
		}
	}
	if t, ok := a.text("filetype"); ok {
		f = append(f, str("type"), str(t))
	}
	if t, ok := a.text("linked-to"); ok {
		f = append(f, str("target"), quoted(t))
	}
	if m, ok := a.text("mode"); ok {
		f = append(f, str("mode"), quoted(m))
	}
	for _, k := range []string{"owner", "group"} {
		if v, ok := a.text(k); ok {
			f = append(f, str(k), quoted(v))
		}
	}
	if v, ok := a.text("size"); ok {
		f = append(f, str("size"), quoted(v))
	}
	if v, ok := a.text("sha256"); ok {
		f = append(f, str("sha256"), str(v))
	}
	for _, k := range []string{"contents", "contains"} {
		if v, ok := a.strings(k); ok && len(v) > 0 {
			f = append(f, str("contains"), strList(v))
		}
	}
	c.entry("file", key, f, r.From, a.dropped(map[string]string{
		"md5": "golive compares sha256 only", "sha512": "golive compares sha256 only",
		"uid": "use owner", "gid": "use group", "sha1": "golive compares sha256 only"}))
	return nil
}

func convertPackage(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	installed, set := a.boolean("installed")
	if set {
		f = append(f, str("installed"), boolean(installed))
	}
	if vs, ok := a.strings("versions"); ok {
		if set && !installed {
			a.bad = append(a.bad, "versions: a package that must not be installed has no version to check")
		} else if len(vs) == 1 {
			f = append(f, str("version"), quoted("== "+vs[0]))
		} else {
			a.bad = append(a.bad, fmt.Sprintf("versions: %v (golive checks one installed version against a constraint, not a list)", vs))
		}
	}
	c.entry("package", key, f, r.From, a.dropped(nil))
	return nil
}

func convertUser(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	if b, ok := a.boolean("exists"); ok {
		f = append(f, str("exists"), boolean(b))
		if !b {
			c.entry("user", key, f, r.From, a.absent())
			return nil
		}
	}
	for _, k := range []string{"uid", "gid", "home", "shell"} {
		if v, ok := a.text(k); ok {
			f = append(f, str(k), quoted(v))
		}
	}
	if g, ok := a.strings("groups"); ok {
		f = append(f, str("groups"), strList(g))
	}
	c.entry("user", key, f, r.From, a.dropped(nil))
	return nil
}

func convertGroup(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	if b, ok := a.boolean("exists"); ok {
		f = append(f, str("exists"), boolean(b))
		if !b {
			c.entry("group", key, f, r.From, a.absent())
			return nil
		}
	}
	if v, ok := a.text("gid"); ok {
		f = append(f, str("gid"), quoted(v))
	}
	c.entry("group", key, f, r.From, a.dropped(nil))
	return nil
}

func convertKernelParam(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	v, ok := a.text("value")
	if !ok {
		return fmt.Errorf("no value to compare (golive's sysctl rule needs one)")
	}
	k := str(key)
	k.HeadComment = "from goss " + r.From
	if d := a.dropped(nil); len(d) > 0 {
		k.HeadComment += "; not imported: " + strings.Join(d, "; ")
	}
	s := c.sec("sysctl")
	// goss compares the value as text: == keeps it so (multi-field values
	// such as tcp_rmem compare field by field in golive).
	s.entries = append(s.entries, k, quoted("== "+v))
	return nil
}

func convertMount(c *converter, key string, r Resource) error {
	if !isAbs(key) {
		return fmt.Errorf("the mount point %q is not absolute", key)
	}
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	if b, ok := a.boolean("exists"); ok {
		f = append(f, str("mounted"), boolean(b))
	}
	if v, ok := a.text("filesystem"); ok {
		f = append(f, str("fstype"), str(v))
	}
	if v, ok := a.text("source"); ok {
		f = append(f, str("source"), quoted(v))
	}
	if o, ok := a.strings("opts"); ok {
		f = append(f, str("options"), strList(o))
	}
	// golive also checks that the next boot mounts it (mount/boot), which
	// goss does not: said in the entry's comment.
	c.entry("mount", key, f, r.From+"; golive also checks the next boot's mount (mount/boot)", a.dropped(map[string]string{
		"vfs-opts": "golive's options take the per-mount and filesystem options together", "usage": "use the disk section's space thresholds"}))
	return nil
}

func convertProcess(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	if b, ok := a.boolean("running"); ok {
		f = append(f, str("running"), boolean(b))
	}
	c.entry("process", key, f, r.From, a.dropped(nil))
	return nil
}

func convertPort(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	proto, num, ok := strings.Cut(key, ":")
	if !ok {
		proto, num = "tcp", key
	}
	proto = strings.TrimSuffix(proto, "6")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 65535 || proto != "tcp" && proto != "udp" {
		return fmt.Errorf("%q is not PROTO:PORT with tcp or udp", key)
	}
	if c.ports == nil {
		c.ports = map[string]bool{}
	}
	if id := fmt.Sprintf("%d/%s", n, proto); c.ports[id] {
		return fmt.Errorf("golive lists %s once, for IPv4 and IPv6 alike (an earlier goss port has it)", id)
	} else {
		c.ports[id] = true
	}
	a := newAttrs(r.Attrs)
	p := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{str("port"), integer(n)}}
	if proto != "tcp" {
		p.Content = append(p.Content, str("proto"), str(proto))
	}
	listening, ok := a.boolean("listening")
	if ok && listening {
		p.Content = append(p.Content, str("expect"), str("listening"))
	}
	if ips, ok := a.strings("ip"); ok {
		if len(ips) == 1 {
			p.Content = append(p.Content, str("address"), str(ips[0]))
		} else {
			a.bad = append(a.bad, fmt.Sprintf("ip: %v (golive checks one address per port)", ips))
		}
	}
	p.HeadComment = "from goss port " + key + " (" + r.From + ")"
	if ok && !listening {
		p.HeadComment += "; listening: false is golive's expect: free (nothing else may hold it)"
	}
	if d := a.dropped(nil); len(d) > 0 {
		p.HeadComment += "; not imported: " + strings.Join(d, "; ")
	}
	s := c.sec("service")
	s.list = append(s.list, p)
	return nil
}

func convertHTTP(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	if !strings.HasPrefix(key, "http://") && !strings.HasPrefix(key, "https://") {
		return fmt.Errorf("%q is not an http:// or https:// URL", key)
	}
	a := newAttrs(r.Attrs)
	var f []*yaml.Node
	if v, ok := a.text("method"); ok {
		f = append(f, str("method"), str(strings.ToUpper(v)))
	}
	if v, ok := a.text("status"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("status %q is not a number", v)
		}
		f = append(f, str("status"), integer(n))
	}
	if b, ok := a.strings("body"); ok && len(b) > 0 {
		f = append(f, str("body"), strList(b))
	}
	for _, m := range []struct{ goss, golive string }{{"headers", "headers"}, {"request-headers", "request_headers"}} {
		if hs, ok := a.strings(m.goss); ok && len(hs) > 0 {
			n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			for _, h := range hs {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					a.bad = append(a.bad, fmt.Sprintf("%s: %q is not Name: value", m.goss, h))
					continue
				}
				n.Content = append(n.Content, str(strings.TrimSpace(k)), quoted(strings.TrimSpace(v)))
			}
			f = append(f, str(m.golive), n)
		}
	}
	if b, ok := a.boolean("no-follow-redirects"); ok && b {
		f = append(f, str("no_follow_redirects"), boolean(true))
	}
	if v, ok := a.text("timeout"); ok {
		if ms, err := strconv.Atoi(v); err == nil && ms > 0 {
			f = append(f, str("timeout"), str(fmt.Sprintf("%dms", ms)))
		}
	}
	if v, ok := a.text("ca-file"); ok {
		f = append(f, str("ca_file"), quoted(v))
	}
	c.entry("http", key, f, r.From, a.dropped(map[string]string{
		"allow-insecure": "golive always verifies TLS (give ca_file the CA instead)",
		"username":       "basic auth: put the header in secret_headers from an environment variable or a file",
		"password":       "a password is never written in a profile: use secret_headers with env or file",
		"cert-file":      "golive sends no client certificate in the http family", "key-file": "golive sends no client certificate in the http family",
		"request-body": "golive sends no request body", "proxy": "golive sends traffic only where the profile says (no proxy)"}))
	return nil
}

func convertDNS(c *converter, key string, r Resource) error {
	if skipped(r.Attrs) {
		return errSkip
	}
	name := key
	var typ string
	if t, rest, ok := strings.Cut(key, ":"); ok && strings.ToUpper(t) == t {
		typ, name = t, rest
	}
	a := newAttrs(r.Attrs)
	if b, ok := a.boolean("resolvable"); ok && !b {
		return fmt.Errorf("resolvable: false (golive checks names that must resolve)")
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{str("name"), str(name)}}
	if typ != "" {
		n.Content = append(n.Content, str("types"), strList([]string{typ}))
	}
	if addrs, ok := a.strings("addrs"); ok && len(addrs) > 0 {
		n.Content = append(n.Content, str("expect"), strList(addrs))
	}
	n.HeadComment = "from goss dns " + key + " (" + r.From + ")"
	if d := a.dropped(map[string]string{"server": "golive asks the host's own resolver (resolv.conf), as the service will",
		"timeout": "the dns section's max_lookup_time bounds lookups"}); len(d) > 0 {
		n.HeadComment += "; not imported: " + strings.Join(d, "; ")
	}
	s := c.sec("dns")
	s.list = append(s.list, n)
	return nil
}
