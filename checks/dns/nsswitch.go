package dns

import (
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

// DefaultHosts is what glibc uses when nsswitch.conf has no hosts line
// (or there is no nsswitch.conf): DNS first, /etc/hosts only when DNS is
// unavailable.
const DefaultHosts = "dns [!UNAVAIL=return] files"

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
	Hosts []Service
	Line  int // the hosts line; 0 when the default is in effect
	// Default is set when there is no usable hosts line and glibc's
	// built-in DefaultHosts applies.
	Default  bool
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

// ParseNsswitch reads the hosts line of nsswitch.conf: "database:" then
// services, each optionally followed by [[!]STATUS=action ...]; '#' starts
// a comment anywhere. The first hosts line wins, as in glibc. A malformed
// action item is reported and skipped (glibc's handling of a broken line
// differs between releases).
func ParseNsswitch(data []byte) *Nsswitch {
	ns := &Nsswitch{}
	for n, line := range lines(data) {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		db, rest, ok := strings.Cut(line, ":")
		db = strings.TrimSpace(db)
		if !ok || db != "hosts" {
			if !ok && strings.HasPrefix(strings.TrimSpace(line), "hosts") {
				ns.Problems = append(ns.Problems, Problem{n, fmt.Sprintf("%q has no ':' after the database name: glibc ignores the line", clip(strings.TrimSpace(line)))})
			}
			continue
		}
		if ns.Line != 0 {
			ns.Problems = append(ns.Problems, Problem{n, fmt.Sprintf("a second hosts line: glibc uses the one on line %d", ns.Line)})
			continue
		}
		services, problems := parseServices(rest)
		for _, p := range problems {
			ns.Problems = append(ns.Problems, Problem{n, p})
		}
		if len(services) == 0 {
			ns.Problems = append(ns.Problems, Problem{n, "the hosts line names no service"})
			continue
		}
		ns.Hosts, ns.Line = services, n
	}
	if ns.Line == 0 {
		ns.Default = true
		ns.Hosts, _ = parseServices(DefaultHosts)
	}
	return ns
}

func parseServices(s string) ([]Service, []string) {
	var out []Service
	var problems []string
	for {
		s = strings.TrimLeft(s, " \t\r\v\f")
		if s == "" {
			return out, problems
		}
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				end = len(s)
				problems = append(problems, fmt.Sprintf("%q: unterminated action list", clip(s)))
			}
			block := s[1:end]
			s = s[min(end+1, len(s)):]
			if len(out) == 0 {
				problems = append(problems, fmt.Sprintf("[%s] follows no service", clip(block)))
				continue
			}
			svc := &out[len(out)-1]
			problems = append(problems, parseActions(block, svc)...)
			svc.Written += " [" + strings.Join(strings.Fields(block), " ") + "]"
			continue
		}
		end := strings.IndexAny(s, " \t\r\v\f[")
		if end < 0 {
			end = len(s)
		}
		out = append(out, Service{Name: s[:end], Written: s[:end]})
		s = s[end:]
	}
}

// parseActions applies "[!]STATUS=action" items; a negated item sets the
// action for every other status.
func parseActions(block string, svc *Service) []string {
	var problems []string
	for _, item := range strings.Fields(block) {
		neg := strings.HasPrefix(item, "!")
		st, act, ok := strings.Cut(strings.TrimPrefix(item, "!"), "=")
		status, action := Status(strings.ToLower(st)), Action(strings.ToLower(act))
		if !ok || !validStatus(status) || !validAction(action) {
			problems = append(problems, fmt.Sprintf("%q after %s is not a [STATUS=action] item: ignored", clip(item), svc.Name))
			continue
		}
		if svc.Actions == nil {
			svc.Actions = map[Status]Action{}
		}
		for _, s := range statuses {
			if (s == status) != neg {
				svc.Actions[s] = action
			}
		}
	}
	return problems
}

func validStatus(s Status) bool {
	for _, v := range statuses {
		if s == v {
			return true
		}
	}
	return false
}

func validAction(a Action) bool {
	return a == ActionReturn || a == ActionContinue || a == ActionMerge
}
