package harden

import (
	"path"
	"strings"
)

// allPerms are the access types an audit watch can name (auditctl(8) -p).
const allPerms = "rwxa"

// auditRule is one line of audit rules as auditctl reads it.
type auditRule struct {
	Line ruleLine
	// Op is the option that makes the rule: -w, -W, -a, -A, -d, -D, -e,
	// -b, -f, ... ("" for a line auditctl ignores).
	Op string
	// Watch: the path of -w/-W; Perms the -p access types ("" is all).
	Watch, Perms string
	// List and Action of -a/-A/-d ("exit", "always").
	List, Action string
	Syscalls     []string
	Fields       []ruleField
	Value        string // the argument of -e, -b, -f
}

// ruleField is one -F name<op>value.
type ruleField struct{ Name, Op, Value string }

// parseRule reads one line the way auditctl -R splits it: words separated
// by blanks, options with their argument.
func parseRule(l ruleLine) auditRule {
	r := auditRule{Line: l}
	words := strings.Fields(l.Text)
	if len(words) == 0 || strings.HasPrefix(words[0], "#") {
		return r
	}
	arg := func(i int) string {
		if i+1 < len(words) {
			return words[i+1]
		}
		return ""
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch w {
		case "-w", "-W":
			r.Op, r.Watch = w, arg(i)
			i++
		case "-p":
			r.Perms = arg(i)
			i++
		case "-a", "-A", "-d":
			r.Op = w
			r.List, r.Action = splitListAction(arg(i))
			i++
		case "-S":
			for _, s := range strings.Split(arg(i), ",") {
				if s != "" {
					r.Syscalls = append(r.Syscalls, s)
				}
			}
			i++
		case "-F":
			r.Fields = append(r.Fields, parseField(arg(i)))
			i++
		case "-e", "-b", "-f", "-r", "--backlog_wait_time", "--loginuid-immutable", "--reset-lost", "-k":
			if r.Op == "" && w != "-k" {
				r.Op = w
			}
			if w != "--loginuid-immutable" && w != "--reset-lost" {
				if w != "-k" {
					r.Value = arg(i)
				}
				i++
			}
		case "-D":
			r.Op = w
		}
	}
	return r
}

// splitListAction reads "exit,always" or "always,exit".
func splitListAction(s string) (list, action string) {
	a, b, _ := strings.Cut(s, ",")
	for _, act := range []string{"always", "never"} {
		if a == act {
			return b, a
		}
		if b == act {
			return a, b
		}
	}
	return a, b
}

func parseField(s string) ruleField {
	for _, op := range []string{"!=", ">=", "<=", "&=", "=", ">", "<", "&"} {
		if i := strings.Index(s, op); i > 0 {
			return ruleField{s[:i], op, s[i+len(op):]}
		}
	}
	return ruleField{Name: s}
}

func (r auditRule) field(name string) (ruleField, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return ruleField{}, false
}

// under reports whether p is dir or below it.
func under(p, dir string) bool {
	dir = path.Clean(dir)
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// perms are the access types a rule records for p, "" when it does not
// watch p. An -a rule counts for "x" through execve with exe= or path=,
// and for the types of perm= (all, without perm= and -S) with path= or dir=.
func (r auditRule) perms(p string) string {
	switch r.Op {
	case "-w":
		if r.Watch == "" || !under(p, r.Watch) {
			return ""
		}
		if r.Perms == "" {
			return allPerms
		}
		return r.Perms
	case "-a", "-A":
		if r.List != "exit" || r.Action != "always" {
			return ""
		}
	default:
		return ""
	}
	var onPath bool
	for _, name := range []string{"path", "dir", "exe"} {
		f, ok := r.field(name)
		if !ok {
			continue
		}
		if f.Op != "=" {
			return ""
		}
		switch name {
		case "path", "exe":
			onPath = path.Clean(f.Value) == p
		case "dir":
			onPath = under(p, f.Value)
		}
		if !onPath {
			return ""
		}
	}
	if !onPath {
		return ""
	}
	if f, ok := r.field("perm"); ok {
		if len(r.Syscalls) == 0 || r.execve() {
			return f.Value
		}
		return ""
	}
	if r.execve() {
		return "x"
	}
	if _, exeOnly := r.field("exe"); exeOnly && len(r.Syscalls) == 0 {
		return ""
	}
	if len(r.Syscalls) == 0 {
		return allPerms
	}
	return ""
}

func (r auditRule) execve() bool {
	for _, s := range r.Syscalls {
		if s == "execve" || s == "execveat" || s == "all" {
			return true
		}
	}
	return false
}

// silences reports whether r, an exit-list never rule, stops the rules
// after it from recording p: audit's exit list stops at the first rule
// that matches. Only a never rule with no syscall narrowing and no
// fields other than p's path is judged as matching.
func (r auditRule) silences(p string) bool {
	if (r.Op != "-a" && r.Op != "-A") || r.List != "exit" || r.Action != "never" {
		return false
	}
	if len(r.Syscalls) > 0 && !r.execve() {
		return false
	}
	for _, f := range r.Fields {
		switch {
		case f.Name == "arch":
		case (f.Name == "path" || f.Name == "exe") && f.Op == "=" && path.Clean(f.Value) == p:
		case f.Name == "dir" && f.Op == "=" && under(p, f.Value):
		default:
			return false
		}
	}
	return true
}

// coverage is what a rule set does about one path.
type coverage struct {
	Perms    string     // the access types recorded, in rwxa order
	By       []ruleLine // the rules that record them
	Silenced *ruleLine  // a never rule ahead of every watch
	Enabled  string     // the last -e value ("" when none)
}

// cover judges rules, in load order (-A rules first), for p.
func cover(rules []auditRule, p string) coverage {
	var c coverage
	got := map[byte]bool{}
	var ordered []auditRule
	for _, r := range rules {
		if r.Op == "-A" {
			ordered = append([]auditRule{r}, ordered...)
		} else {
			ordered = append(ordered, r)
		}
	}
	var watches []auditRule
	for _, r := range ordered {
		switch r.Op {
		case "-e":
			c.Enabled = r.Value
		case "-W":
			// auditctl -W deletes the watch with the same path (and perms).
			kept := watches[:0]
			for _, w := range watches {
				if !(w.Op == "-w" && w.Watch == r.Watch && (r.Perms == "" || r.Perms == w.Perms)) {
					kept = append(kept, w)
				}
			}
			watches = kept
		case "-w", "-a", "-A":
			if r.silences(p) && len(watches) == 0 && c.Silenced == nil {
				l := r.Line
				c.Silenced = &l
			}
			if r.perms(p) != "" {
				watches = append(watches, r)
			}
		}
	}
	for _, w := range watches {
		before := len(got)
		for _, b := range []byte(w.perms(p)) {
			got[b] = true
		}
		if len(got) > before {
			c.By = append(c.By, w.Line)
		}
	}
	for _, b := range []byte(allPerms) {
		if got[b] {
			c.Perms += string(b)
		}
	}
	return c
}

// missing is the access types of want that have is without.
func missing(want, have string) string {
	var out string
	for _, b := range []byte(want) {
		if !strings.ContainsRune(have, rune(b)) {
			out += string(b)
		}
	}
	return out
}
