package dns

import (
	"bytes"
	"fmt"
	"strings"
)

// Status is what an NSS service answered for one lookup.
type Status string

// The four NSS statuses an action can name.
const (
	StatusSuccess  Status = "success"
	StatusNotFound Status = "notfound"
	StatusUnavail  Status = "unavail"
	StatusTryAgain Status = "tryagain"
)

var statuses = []Status{StatusSuccess, StatusNotFound, StatusUnavail, StatusTryAgain}

// Action is what glibc does after a service answered with a status.
type Action string

// The actions of nsswitch.conf(5). merge only means something for group
// lookups; for hosts glibc treats it like continue.
const (
	ActionReturn   Action = "return"
	ActionContinue Action = "continue"
	ActionMerge    Action = "merge"
)

// NSSRules is the glibc release line whose nsswitch.conf reader is
// modelled: glibc 2.33 replaced nss/nsswitch.c with nss/nss_database.c,
// and the two read the same file differently.
type NSSRules int

const (
	// NSSModern is glibc 2.33 and later (Rocky 9: 2.34, Ubuntu 22.04:
	// 2.35): no comments after the start of a line, the last hosts line
	// wins even when it is empty, "files dns" without one, and an action
	// list glibc cannot parse makes it reject the whole file.
	NSSModern NSSRules = iota
	// NSSLegacy is glibc 2.24 to 2.32: '#' starts a comment anywhere, the
	// last hosts line with a service wins, "dns [!UNAVAIL=return] files"
	// without one, and a bad action item drops the rest of its line.
	NSSLegacy
	// NSSLegacyNoMerge is glibc before 2.24 (CentOS 7: 2.17): the legacy
	// reader, which does not know the merge action yet.
	NSSLegacyNoMerge
)

// NSSRulesFor picks the rules for a glibc version such as "2.17"; an
// unknown version is taken to be a current glibc.
func NSSRulesFor(glibc string) NSSRules {
	var major, minor int
	if _, err := fmt.Sscanf(glibc, "%d.%d", &major, &minor); err != nil || major > 2 {
		return NSSModern
	}
	switch {
	case major < 2 || minor < 24:
		return NSSLegacyNoMerge
	case minor < 33:
		return NSSLegacy
	}
	return NSSModern
}

// DefaultHosts is the hosts line glibc uses when nsswitch.conf has none
// (or there is no nsswitch.conf).
func (r NSSRules) DefaultHosts() string {
	if r == NSSModern {
		return "files dns" // nss_database.c: nss_database_default_dns
	}
	return "dns [!UNAVAIL=return] files" // hosts-lookup.c: DEFAULT_CONFIG
}

func (r NSSRules) String() string {
	switch r {
	case NSSLegacy:
		return "glibc 2.24-2.32"
	case NSSLegacyNoMerge:
		return "glibc before 2.24"
	}
	return "glibc 2.33+"
}

// Service is one source of a database line, with its explicit actions.
type Service struct {
	Name    string
	Actions map[Status]Action
	Written string // as written: "dns [!UNAVAIL=return]"
}

// Action is what glibc does after this service answered st: explicit
// [STATUS=action] items first, then the defaults (return on success,
// continue otherwise).
func (s Service) Action(st Status) Action {
	if a, ok := s.Actions[st]; ok {
		if a == ActionMerge {
			return ActionContinue
		}
		return a
	}
	if st == StatusSuccess {
		return ActionReturn
	}
	return ActionContinue
}

// Merges reports whether this service's action after st is merge.
func (s Service) Merges(st Status) bool { return s.Actions[st] == ActionMerge }

// String renders the service as written in nsswitch.conf.
func (s Service) String() string {
	if s.Written != "" {
		return s.Written
	}
	if len(s.Actions) == 0 {
		return s.Name
	}
	var items []string
	for _, st := range statuses {
		if a, ok := s.Actions[st]; ok {
			items = append(items, strings.ToUpper(string(st))+"="+string(a))
		}
	}
	return s.Name + " [" + strings.Join(items, " ") + "]"
}

// Nsswitch is the hosts database line of nsswitch.conf.
type Nsswitch struct {
	Rules NSSRules
	// Hosts are the services glibc asks, in order. Empty when glibc asks
	// none: an empty last hosts line, or a file glibc 2.33+ rejects.
	Hosts []Service
	Line  int // the hosts line in effect; 0 when the default is
	// Default is set when there is no usable hosts line and glibc's
	// built-in Rules.DefaultHosts() applies.
	Default bool
	// Rejected is set when glibc 2.33+ cannot parse the file: it then
	// loads no database at all, and every lookup fails.
	Rejected bool
	Problems []Problem
}

// HostsLine renders the services as one nsswitch.conf line.
func (n *Nsswitch) HostsLine() string {
	parts := make([]string, len(n.Hosts))
	for i, s := range n.Hosts {
		parts[i] = s.String()
	}
	return strings.Join(parts, " ")
}

// DefaultNsswitch is what glibc uses without an nsswitch.conf.
func DefaultNsswitch(r NSSRules) *Nsswitch {
	ns := &Nsswitch{Rules: r, Default: true}
	ns.Hosts, _ = parseServices(r.DefaultHosts(), r)
	return ns
}

// ParseNsswitch reads the hosts line of nsswitch.conf as the glibc of
// rules does: a line is "database" followed by blanks and colons, then
// services, each optionally followed by [[!]STATUS=action ...]. The last
// hosts line wins.
func ParseNsswitch(data []byte, r NSSRules) *Nsswitch {
	ns := &Nsswitch{Rules: r}
	found := false
	for n := 1; len(data) > 0; n++ {
		raw := data
		terminated := false
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data, terminated = data[:i], data[i+1:], true
		} else {
			data = nil
		}
		line := string(raw)
		newline := terminated // the newline is part of the C string glibc 2.33+ parses
		if i := strings.IndexByte(line, 0); i >= 0 {
			line, newline = line[:i], false // C sees the line end at the NUL
		}
		if r == NSSModern && !terminated {
			// nss_database.c stops at end of file before it looks at a
			// last line that has no newline.
			if db, _, _ := databaseOf(line, r, true); db == "hosts" {
				ns.Problems = append(ns.Problems, Problem{n, "the last line has no newline: glibc 2.33+ ignores it"})
			}
			break
		}
		if r != NSSModern {
			// nsswitch.c cuts every line at its first '#'; nss_database.c
			// has no comments but whole-line ones (a "#..." database).
			if c := strings.IndexByte(line, '#'); c >= 0 {
				line = line[:c]
			}
		}
		db, rest, ok := databaseOf(line, r, newline)
		if !ok || db != "hosts" {
			if ok && strings.EqualFold(db, "hosts") {
				ns.Problems = append(ns.Problems, Problem{n, fmt.Sprintf("%q: database names are case-sensitive, glibc ignores the line", clip(db))})
			}
			continue
		}
		services, problems, bad := parseServicesAt(rest, r)
		for _, p := range problems {
			ns.Problems = append(ns.Problems, Problem{n, p})
		}
		if bad && r == NSSModern {
			ns.Problems = append(ns.Problems, Problem{n, "glibc 2.33+ cannot parse this line and rejects the whole file: every lookup fails"})
			return &Nsswitch{Rules: r, Rejected: true, Line: n, Problems: ns.Problems}
		}
		if found {
			ns.Problems = append(ns.Problems, Problem{n, fmt.Sprintf("a second hosts line: glibc uses this one, not the one on line %d", ns.Line)})
		}
		found = true
		ns.Hosts, ns.Line = services, n
		if len(services) == 0 {
			if r == NSSModern {
				ns.Problems = append(ns.Problems, Problem{n, "the hosts line names no service: glibc 2.33+ asks nothing, and every lookup fails"})
			} else {
				ns.Problems = append(ns.Problems, Problem{n, fmt.Sprintf("the hosts line names no service: glibc uses %q", r.DefaultHosts())})
			}
		}
	}
	if !found || (len(ns.Hosts) == 0 && r != NSSModern) {
		ns.Hosts, ns.Default = DefaultNsswitch(r).Hosts, true
	}
	return ns
}

// cSpace is what C's isspace accepts in the C locale.
const cSpace = " \t\n\v\f\r"

// databaseOf splits a line into its database name and service list. A
// name that runs to the end of the line is no database line; in glibc
// 2.33+ the newline that ended the line still follows it.
func databaseOf(line string, r NSSRules, terminated bool) (db, rest string, ok bool) {
	line = strings.TrimLeft(line, cSpace)
	end := 0
	for end < len(line) && !isCSpace(line[end]) && line[end] != ':' {
		end++
	}
	if end == 0 || (end == len(line) && (r != NSSModern || !terminated)) {
		return "", "", false
	}
	if r == NSSModern {
		// nss_database.c skips every blank and colon after the name.
		return line[:end], strings.TrimLeft(line[end:], cSpace+":"), true
	}
	// nsswitch.c skips exactly one character: the colon or one blank.
	return line[:end], line[end+1:], true
}

// parseServices parses a service list; what glibc would drop is dropped.
func parseServices(s string, r NSSRules) ([]Service, []string) {
	out, problems, _ := parseServicesAt(s, r)
	return out, problems
}

// parseServicesAt reads "( <source> ( "[" "!"? (<status> "=" <action>)+ "]" )? )*"
// as glibc's parsers do. bad is set when an action list does not parse:
// glibc 2.33+ then rejects the file, older glibc keeps the services
// before the broken one.
func parseServicesAt(s string, r NSSRules) (out []Service, problems []string, bad bool) {
	for {
		s = strings.TrimLeft(s, cSpace)
		if s == "" {
			return out, problems, false
		}
		end := 0
		for end < len(s) && !isCSpace(s[end]) && s[end] != '[' {
			end++
		}
		if end == 0 { // a '[' where a service name belongs: glibc stops reading the line
			problems = append(problems, fmt.Sprintf("%q follows no service: glibc ignores the rest of the line", clip(s)))
			return out, problems, false
		}
		svc := Service{Name: s[:end], Written: s[:end]}
		s = strings.TrimLeft(s[end:], cSpace)
		if strings.HasPrefix(s, "[") {
			rest, written, err := parseActions(s[1:], &svc, r)
			if err != "" {
				problems = append(problems, fmt.Sprintf("%s after %s: %s", err, clip(svc.Name), dropNote(r)))
				return out, problems, true
			}
			svc.Written += " [" + written + "]"
			s = rest
		}
		out = append(out, svc)
	}
}

func dropNote(r NSSRules) string {
	if r == NSSModern {
		return "glibc 2.33+ rejects the whole file"
	}
	return "glibc drops this service and the rest of the line"
}

// parseActions reads the items of one action list, up to and including
// its ']'. It returns the text after the list, the items as written, or
// why the list does not parse.
func parseActions(s string, svc *Service, r NSSRules) (rest, written, problem string) {
	var items []string
	s = strings.TrimLeft(s, cSpace)
	for {
		item := ""
		neg := strings.HasPrefix(s, "!")
		if neg {
			s, item = s[1:], "!"
		}
		end := wordEnd(s)
		st, ok := parseStatus(s[:end])
		if !ok {
			return "", "", fmt.Sprintf("%q is not a status", clip(s[:end]))
		}
		item += s[:end]
		s = strings.TrimLeft(s[end:], cSpace)
		if !strings.HasPrefix(s, "=") {
			return "", "", fmt.Sprintf("%s is not followed by '='", item)
		}
		s = strings.TrimLeft(s[1:], cSpace)
		end = wordEnd(s)
		act, ok := parseAction(s[:end], r)
		if !ok {
			return "", "", fmt.Sprintf("%q is not an action", clip(s[:end]))
		}
		items = append(items, item+"="+s[:end])
		s = strings.TrimLeft(s[end:], cSpace)
		if svc.Actions == nil {
			svc.Actions = map[Status]Action{}
		}
		for _, other := range statuses {
			if (other == st) != neg {
				svc.Actions[other] = act
			}
		}
		if strings.HasPrefix(s, "]") {
			return s[1:], strings.Join(items, " "), ""
		}
	}
}

// wordEnd is where a status or action name ends: at a blank, '=', ']'
// or the end of the line.
func wordEnd(s string) int {
	i := 0
	for i < len(s) && !isCSpace(s[i]) && s[i] != '=' && s[i] != ']' {
		i++
	}
	return i
}

func parseStatus(s string) (Status, bool) {
	for _, st := range statuses {
		if strings.EqualFold(s, string(st)) {
			return st, true
		}
	}
	return "", false
}

func parseAction(s string, r NSSRules) (Action, bool) {
	switch {
	case strings.EqualFold(s, string(ActionReturn)):
		return ActionReturn, true
	case strings.EqualFold(s, string(ActionContinue)):
		return ActionContinue, true
	case strings.EqualFold(s, string(ActionMerge)) && r != NSSLegacyNoMerge:
		return ActionMerge, true
	}
	return "", false
}
