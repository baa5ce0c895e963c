package firewall

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// nftSource is what the parser needs from the machine: a file's text and
// the names a glob matches, both under the root (internal/host reads them).
type nftSource interface {
	read(name string) ([]byte, error)
	glob(pattern string) ([]string, error)
}

// nftParser builds a ruleset from nft's configuration syntax: the files
// `nft -f` loads (/etc/nftables.conf, /etc/sysconfig/nftables.conf and
// what they include). It understands what decides the fate of a new
// connection; a rule with anything else keeps its text and is judged
// "depends" (ruleset.go), so a construct golive does not know can make a
// verdict vaguer but never wrong.
type nftParser struct {
	src     nftSource
	rs      *ruleset
	defines map[string][]token
	sets    map[string]*nftSet // family table name
	files   []string
	depth   int
	// unparsed counts rules judged as text only.
	unparsed int
}

type nftSet struct {
	elems    []token
	constant bool // no timeout, no dynamic flag: what the file says is what the kernel has
}

// includeDir is where nft looks for a relative include (nft -h: "Default
// is: /etc" for Debian's and RHEL's builds).
const includeDir = "/etc"

func parseNftFile(src nftSource, name string) (*ruleset, *nftParser, error) {
	p := &nftParser{src: src, rs: newRuleset(), defines: map[string][]token{}, sets: map[string]*nftSet{}}
	if err := p.file(name); err != nil {
		return nil, p, err
	}
	p.resolveSets()
	return p.rs, p, nil
}

func (p *nftParser) file(name string) error {
	if p.depth > 16 {
		return fmt.Errorf("%s: includes nested deeper than 16", name)
	}
	data, err := p.src.read(name)
	if err != nil {
		return err
	}
	toks, err := lex(string(data))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	p.files = append(p.files, name)
	s := &stream{toks: toks}
	for {
		s.skipEnds()
		if s.eof() {
			return nil
		}
		if err := p.topStatement(name, s); err != nil {
			return err
		}
	}
}

func (p *nftParser) errorf(file string, t token, format string, a ...any) error {
	return fmt.Errorf("%s:%d: %s", file, t.line, fmt.Sprintf(format, a...))
}

func (p *nftParser) topStatement(file string, s *stream) error {
	first := s.peek()
	switch first.text {
	case "include":
		s.next()
		t := s.next()
		if t.kind != tokString {
			return p.errorf(file, t, "include takes a quoted file name")
		}
		return p.include(file, t)
	case "define", "redefine":
		st := s.statement()
		if len(st) < 4 || st[2].text != "=" {
			return p.errorf(file, first, "define NAME = VALUE")
		}
		p.defines[st[1].text] = st[3:]
		return nil
	case "undefine":
		st := s.statement()
		if len(st) == 2 {
			delete(p.defines, st[1].text)
		}
		return nil
	case "table":
		s.next()
		return p.table(file, s, first)
	}
	// Command forms: add/create/insert/delete/flush OBJECT ...
	st := s.statement()
	if s.peek().kind == tokRBrace {
		return p.errorf(file, s.peek(), "unexpected }")
	}
	if len(st) < 2 {
		return p.errorf(file, first, "unknown statement %q", words(st))
	}
	verb, obj := st[0].text, st[1].text
	rest := st[2:]
	switch {
	case verb == "flush" && obj == "ruleset":
		p.rs = newRuleset()
		p.sets = map[string]*nftSet{}
		return nil
	case (verb == "add" || verb == "create") && obj == "table":
		_, _, err := p.tableName(file, rest, first)
		return err
	case (verb == "delete" || verb == "destroy") && obj == "table":
		fam, name, err := p.tableName(file, rest, first)
		if err == nil {
			p.rs.deleteTable(fam, name)
		}
		return err
	case verb == "flush" && (obj == "table" || obj == "chain"):
		fam, r := familyOf(rest)
		if len(r) < 1 {
			return p.errorf(file, first, "%s %s: which table?", verb, obj)
		}
		for _, c := range p.rs.order {
			if c.family == fam && c.table == r[0].text && (obj == "table" || len(r) > 1 && c.name == r[1].text) {
				c.rules = nil
			}
		}
		return nil
	case (verb == "add" || verb == "create") && obj == "chain":
		fam, r := familyOf(rest)
		if len(r) < 2 {
			return p.errorf(file, first, "add chain [FAMILY] TABLE CHAIN")
		}
		c := p.rs.chain(fam, r[0].text, r[1].text)
		c.where = fmt.Sprintf("%s:%d", file, first.line)
		if len(r) > 2 {
			return p.chainSpec(file, c, inner(r[2:]))
		}
		return nil
	case (verb == "add" || verb == "insert") && obj == "rule":
		fam, r := familyOf(rest)
		if len(r) < 2 {
			return p.errorf(file, first, "%s rule [FAMILY] TABLE CHAIN RULE", verb)
		}
		c := p.rs.chain(fam, r[0].text, r[1].text)
		body := r[2:]
		if len(body) >= 2 && (body[0].text == "position" || body[0].text == "handle" || body[0].text == "index") {
			body = body[2:] // golive does not track handles: the order of the file stands
		}
		rs := p.rules(file, fam+" "+r[0].text, body, first.line)
		if verb == "insert" {
			c.rules = slices.Insert(c.rules, 0, rs...)
		} else {
			c.rules = append(c.rules, rs...)
		}
		return nil
	case (verb == "add" || verb == "create") && (obj == "set" || obj == "map"):
		fam, r := familyOf(rest)
		if len(r) >= 3 && obj == "set" {
			p.setSpec(fam+" "+r[0].text+" "+r[1].text, inner(r[2:]))
		}
		return nil
	case verb == "add" && obj == "element":
		fam, r := familyOf(rest)
		if len(r) >= 3 {
			if set, ok := p.sets[fam+" "+r[0].text+" "+r[1].text]; ok {
				set.elems = append(set.elems, token{kind: tokComma, text: ","})
				set.elems = append(set.elems, inner(r[2:])...)
			}
		}
		return nil
	case verb == "add" || verb == "create" || verb == "delete" || verb == "destroy" || verb == "flush" || verb == "reset" || verb == "list":
		// Other objects (counters, quotas, flowtables, maps' elements):
		// none decides the fate of a packet on its own.
		return nil
	}
	return p.errorf(file, first, "unknown statement %q", words(st))
}

func (p *nftParser) include(file string, t token) error {
	pat := t.text
	if !path.IsAbs(pat) {
		pat = path.Join(includeDir, pat)
	}
	var names []string
	if strings.ContainsAny(pat, "*?[") {
		m, err := p.src.glob(pat)
		if err != nil {
			return p.errorf(file, t, "include %q: %v", t.text, err)
		}
		names = m // nft includes a glob's files in alphabetical order; none is no error
	} else {
		names = []string{pat}
	}
	sort.Strings(names)
	p.depth++
	defer func() { p.depth-- }()
	for _, n := range names {
		if err := p.file(n); err != nil {
			return err
		}
	}
	return nil
}

// familyOf splits an optional family off a command's arguments.
func familyOf(ts []token) (string, []token) {
	if len(ts) > 0 && isFamily(ts[0].text) {
		return ts[0].text, ts[1:]
	}
	return "ip", ts
}

func isFamily(s string) bool {
	switch s {
	case "ip", "ip6", "inet", "arp", "bridge", "netdev":
		return true
	}
	return false
}

func (p *nftParser) tableName(file string, ts []token, at token) (string, string, error) {
	fam, r := familyOf(ts)
	if len(r) < 1 {
		return "", "", p.errorf(file, at, "which table?")
	}
	return fam, r[0].text, nil
}

// inner strips the braces around a block given inline.
func inner(ts []token) []token {
	if len(ts) >= 2 && ts[0].kind == tokLBrace && ts[len(ts)-1].kind == tokRBrace {
		return ts[1 : len(ts)-1]
	}
	return ts
}

// table parses `table [FAMILY] NAME { ... }` (the word table already read).
func (p *nftParser) table(file string, s *stream, at token) error {
	var head []token
	for !s.eof() && s.peek().kind == tokWord {
		head = append(head, s.next())
	}
	fam, r := familyOf(head)
	if len(r) != 1 {
		return p.errorf(file, at, "table [FAMILY] NAME { ... }")
	}
	name := r[0].text
	if s.peek().kind != tokLBrace {
		return nil // `table inet filter` alone declares it
	}
	s.next()
	for {
		s.skipEnds()
		t := s.peek()
		switch {
		case s.eof():
			return p.errorf(file, at, "table %s %s: missing }", fam, name)
		case t.kind == tokRBrace:
			s.next()
			return nil
		case t.text == "chain":
			s.next()
			n := s.next()
			c := p.rs.chain(fam, name, n.text)
			c.where = fmt.Sprintf("%s:%d", file, n.line)
			if s.peek().kind != tokLBrace {
				continue
			}
			s.next()
			if err := p.chainBody(file, s, c, fam+" "+name); err != nil {
				return err
			}
		case t.text == "set":
			s.next()
			n := s.next()
			body := s.statement()
			p.setSpec(fam+" "+name+" "+n.text, inner(body))
		case t.text == "flags":
			st := s.statement()
			if slices.ContainsFunc(st, func(t token) bool { return t.text == "dormant" }) {
				// A dormant table's chains see no packets: drop it at the end.
				defer p.rs.deleteTable(fam, name)
			}
		default:
			// map, flowtable, counter, quota, ct helper, comment, ...:
			// skip the statement and its block.
			s.statement()
		}
	}
}

func (p *nftParser) chainBody(file string, s *stream, c *chain, table string) error {
	for {
		s.skipEnds()
		t := s.peek()
		if s.eof() {
			return p.errorf(file, t, "chain %s: missing }", c.name)
		}
		if t.kind == tokRBrace {
			s.next()
			return nil
		}
		st := s.statement()
		if len(st) == 0 {
			return p.errorf(file, s.peek(), "unexpected %q in chain %s", s.peek().text, c.name)
		}
		switch st[0].text {
		case "type", "policy", "comment", "devices", "device":
			if err := p.chainSpec(file, c, st); err != nil {
				return err
			}
		default:
			c.rules = append(c.rules, p.rules(file, table, st, st[0].line)...)
		}
	}
}

// chainSpec reads `type T hook H [device D] priority P; policy V;`.
func (p *nftParser) chainSpec(file string, c *chain, ts []token) error {
	for i := 0; i < len(ts); i++ {
		switch ts[i].text {
		case "hook":
			if i+1 < len(ts) {
				c.hook = ts[i+1].text
			}
		case "priority":
			if i+1 >= len(ts) {
				return p.errorf(file, ts[i], "priority takes a value")
			}
			n, used, err := priority(ts[i+1:])
			if err != nil {
				return p.errorf(file, ts[i], "%v", err)
			}
			c.priority = n
			i += used
		case "policy":
			if i+1 < len(ts) {
				switch ts[i+1].text {
				case "drop":
					c.policy = vDrop
				case "accept":
					c.policy = vAccept
				default:
					return p.errorf(file, ts[i+1], "policy %q: accept or drop", ts[i+1].text)
				}
			}
		}
	}
	return nil
}

// standardPriorities are nft's names for the filter-family priorities.
var standardPriorities = map[string]int{"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100}

// priority reads `N`, `NAME`, `NAME + N`, `NAME - N` or `NAME+N`.
func priority(ts []token) (int, int, error) {
	t := ts[0].text
	if n, err := strconv.Atoi(t); err == nil {
		return n, 1, nil
	}
	name, off, sign := t, "", 1
	if i := strings.IndexAny(t, "+-"); i > 0 {
		name, off = t[:i], t[i+1:]
		if t[i] == '-' {
			sign = -1
		}
	}
	base, ok := standardPriorities[name]
	if !ok {
		return 0, 0, fmt.Errorf("priority %q is not a number or a standard priority", t)
	}
	used := 1
	if off == "" && len(ts) >= 3 && (ts[1].text == "+" || ts[1].text == "-") {
		off, used = ts[2].text, 3
		if ts[1].text == "-" {
			sign = -1
		}
	}
	if off == "" {
		return base, used, nil
	}
	n, err := strconv.Atoi(off)
	if err != nil {
		return 0, 0, fmt.Errorf("priority offset %q is not a number", off)
	}
	return base + sign*n, used, nil
}

// setSpec reads a set's declaration: its elements and whether they are
// all the kernel will hold.
func (p *nftParser) setSpec(key string, ts []token) {
	set := &nftSet{constant: true}
	defer func() { p.sets[key] = set }()
	for i := 0; i < len(ts); i++ {
		switch ts[i].text {
		case "flags":
			for j := i + 1; j < len(ts) && ts[j].kind != tokEnd; j++ {
				if ts[j].text == "dynamic" || ts[j].text == "timeout" {
					set.constant = false
				}
			}
		case "timeout":
			set.constant = false
		case "elements":
			j := i + 1
			if j < len(ts) && ts[j].text == "=" {
				j++
			}
			if j < len(ts) && ts[j].kind == tokLBrace {
				end := closing(ts, j)
				if end < 0 {
					set.constant = false // unreadable: judged "depends"
					return
				}
				set.elems = ts[j+1 : end]
				i = end
			}
		}
	}
}

// closing returns the index of the brace closing the one at i, or -1.
func closing(ts []token, i int) int {
	depth := 0
	for j := i; j < len(ts); j++ {
		switch ts[j].kind {
		case tokLBrace:
			depth++
		case tokRBrace:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1 // unbalanced
}
