package facts

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// NSSStatus is what an NSS service answered for one lookup.
type NSSStatus string

// The four NSS statuses an action can name.
const (
	NSSSuccess  NSSStatus = "success"
	NSSNotFound NSSStatus = "notfound"
	NSSUnavail  NSSStatus = "unavail"
	NSSTryAgain NSSStatus = "tryagain"
)

// NSSStatuses are the statuses in the order nsswitch.conf(5) lists them.
var NSSStatuses = []NSSStatus{NSSSuccess, NSSNotFound, NSSUnavail, NSSTryAgain}

// NSSAction is what glibc does after a service answered with a status.
type NSSAction string

// The actions of nsswitch.conf(5). merge only merges group entries. In a
// hosts lookup (getaddrinfo) it is continue, as Action says; in a passwd
// lookup glibc tries to merge and cannot: a success whose action is merge
// becomes unavail, whose action then applies, and a later service's
// success becomes unavail too (TestNsswitchDifferentialGlibc).
const (
	NSSReturn   NSSAction = "return"
	NSSContinue NSSAction = "continue"
	NSSMerge    NSSAction = "merge"
)

// NSSRules is the glibc release line whose nsswitch.conf reader is
// modelled: glibc 2.33 replaced nss/nsswitch.c with nss/nss_database.c,
// and the two read the same file differently.
type NSSRules int

const (
	// NSSModern is glibc 2.33 and later (Rocky 9: 2.34, Ubuntu 22.04:
	// 2.35): no comments after the start of a line, the last line of a
	// database wins even when it is empty, "files dns" for hosts without
	// one, and an action list glibc cannot parse makes it reject the
	// whole file.
	NSSModern NSSRules = iota
	// NSSLegacy is glibc 2.24 to 2.32: '#' starts a comment anywhere, the
	// last line of a database wins (an empty one means the default),
	// "dns [!UNAVAIL=return] files" for hosts without one, and a bad
	// action item drops the rest of its line.
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
func (r NSSRules) DefaultHosts() string { return r.Default("hosts") }

// Default is the service line glibc uses for a database nsswitch.conf
// does not configure. glibc 2.33+ (nss_database.c) uses "files" but for
// hosts; older glibc has a line per database (hosts-lookup.c,
// pwd-lookup.c, grp-lookup.c): before 2.24 passwd and group fall back to
// "compat [NOTFOUND=return] files" (later releases build that only with
// the obsolete NSL, which the distros modelled here do not).
func (r NSSRules) Default(db string) string {
	switch {
	case db == "hosts" && r == NSSModern:
		return "files dns" // nss_database.c: nss_database_default_dns
	case db == "hosts":
		return "dns [!UNAVAIL=return] files" // hosts-lookup.c: DEFAULT_CONFIG
	case (db == "passwd" || db == "group") && r == NSSLegacyNoMerge:
		return "compat [NOTFOUND=return] files"
	}
	return "files"
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

// NSSService is one source of a database line, with its explicit actions.
type NSSService struct {
	Name    string
	Actions map[NSSStatus]NSSAction
	Written string // as written: "dns [!UNAVAIL=return]"
}

// Action is what glibc does after this service answered st: explicit
// [STATUS=action] items first, then the defaults (return on success,
// continue otherwise). Merge is reported as continue (see NSSMerge).
func (s NSSService) Action(st NSSStatus) NSSAction {
	if a, ok := s.Actions[st]; ok {
		if a == NSSMerge {
			return NSSContinue
		}
		return a
	}
	if st == NSSSuccess {
		return NSSReturn
	}
	return NSSContinue
}

// Merges reports whether this service's action after st is merge.
func (s NSSService) Merges(st NSSStatus) bool { return s.Actions[st] == NSSMerge }

// String renders the service as written in nsswitch.conf.
func (s NSSService) String() string {
	if s.Written != "" {
		return s.Written
	}
	if len(s.Actions) == 0 {
		return s.Name
	}
	var items []string
	for _, st := range NSSStatuses {
		if a, ok := s.Actions[st]; ok {
			items = append(items, strings.ToUpper(string(st))+"="+string(a))
		}
	}
	return s.Name + " [" + strings.Join(items, " ") + "]"
}

// NSSProblem is something on a line of nsswitch.conf glibc reads
// differently from how it looks; Line 0 is the file as a whole.
type NSSProblem struct {
	Line int
	Text string
}

// NSSDatabase is one database's services as glibc sees them.
type NSSDatabase struct {
	// Services glibc asks, in order. Empty when it asks none: an empty
	// last line (glibc 2.33+), or a file glibc 2.33+ rejects.
	Services []NSSService
	Line     int // the line in effect; 0 when the default is
	// Default is set when no usable line configures the database and
	// glibc's built-in Rules.Default(db) applies.
	Default  bool
	Problems []NSSProblem
}

// Names are the services' names, in order.
func (d NSSDatabase) Names() []string {
	out := make([]string, len(d.Services))
	for i, s := range d.Services {
		out[i] = s.Name
	}
	return out
}

// String renders the services as one nsswitch.conf line.
func (d NSSDatabase) String() string {
	parts := make([]string, len(d.Services))
	for i, s := range d.Services {
		parts[i] = s.String()
	}
	return strings.Join(parts, " ")
}

// Nsswitch is nsswitch.conf as one glibc reads it.
type Nsswitch struct {
	Rules NSSRules
	// Rejected is set when glibc 2.33+ cannot parse a line of a database
	// it knows: it then loads no database at all, and every lookup fails.
	Rejected     bool
	RejectedLine int
	dbs          map[string]*nssLine
	// rejection are the problems of the line that made glibc reject the
	// file, which every database shares.
	rejection []NSSProblem
}

// nssLine is the parse state of one database.
type nssLine struct {
	services []NSSService
	line     int
	found    bool
	problems []NSSProblem
}

// knownDatabases are the databases glibc 2.33+ parses (nss_database.c's
// nss_database_name_array); a line of another database is not its
// business, so a bad action list there rejects nothing.
var knownDatabases = map[string]bool{
	"aliases": true, "ethers": true, "group": true, "gshadow": true, "hosts": true, "initgroups": true,
	"netgroup": true, "networks": true, "passwd": true, "protocols": true, "publickey": true,
	"rpc": true, "services": true, "shadow": true,
}

// DefaultNsswitch is what glibc uses without an nsswitch.conf.
func DefaultNsswitch(r NSSRules) *Nsswitch { return &Nsswitch{Rules: r} }

// Database is how glibc configures db (hosts, passwd, group, ...).
func (n *Nsswitch) Database(db string) NSSDatabase {
	if n.Rejected {
		var d NSSDatabase
		if l := n.dbs[db]; l != nil {
			d.Problems = append(d.Problems, l.problems...)
		}
		d.Problems = append(d.Problems, n.rejection...)
		d.Line = n.RejectedLine
		return d
	}
	l := n.dbs[db]
	if l == nil {
		l = &nssLine{}
	}
	d := NSSDatabase{Services: l.services, Line: l.line, Problems: l.problems}
	if !l.found || (len(l.services) == 0 && n.Rules != NSSModern) {
		d.Services, _ = parseServices(n.Rules.Default(db), n.Rules)
		d.Default = true
	}
	return d
}

// ParseNsswitch reads nsswitch.conf as the glibc of rules does: a line is
// "database" followed by blanks and colons, then services, each optionally
// followed by [[!]STATUS=action ...]. The last line of a database wins.
func ParseNsswitch(data []byte, r NSSRules) *Nsswitch {
	ns := &Nsswitch{Rules: r, dbs: map[string]*nssLine{}}
	at := func(db string) *nssLine {
		l := ns.dbs[db]
		if l == nil {
			l = &nssLine{}
			ns.dbs[db] = l
		}
		return l
	}
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
			if db, _, ok := databaseOf(line, r, true); ok {
				l := at(db)
				l.problems = append(l.problems, NSSProblem{n, "the last line has no newline: glibc 2.33+ ignores it"})
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
		if !ok {
			continue
		}
		if lower := strings.ToLower(db); lower != db && knownDatabases[lower] {
			l := at(lower)
			l.problems = append(l.problems, NSSProblem{n, fmt.Sprintf("%q: database names are case-sensitive, glibc ignores the line", clip(db))})
			continue
		}
		if r == NSSModern && !knownDatabases[db] {
			continue
		}
		services, problems, bad := parseServicesAt(rest, r)
		if bad && r == NSSModern {
			ns.Rejected, ns.RejectedLine = true, n
			for _, p := range problems {
				ns.rejection = append(ns.rejection, NSSProblem{n, p})
			}
			ns.rejection = append(ns.rejection, NSSProblem{n, "glibc 2.33+ cannot parse this line and rejects the whole file: every lookup fails"})
			return ns
		}
		l := at(db)
		for _, p := range problems {
			l.problems = append(l.problems, NSSProblem{n, p})
		}
		if l.found {
			l.problems = append(l.problems, NSSProblem{n, fmt.Sprintf("a second %s line: glibc uses this one, not the one on line %d", db, l.line)})
		}
		l.found = true
		l.services, l.line = services, n
		if len(services) == 0 {
			if r == NSSModern {
				l.problems = append(l.problems, NSSProblem{n, fmt.Sprintf("the %s line names no service: glibc 2.33+ asks nothing, and every lookup fails", db)})
			} else {
				l.problems = append(l.problems, NSSProblem{n, fmt.Sprintf("the %s line names no service: glibc uses %q", db, r.Default(db))})
			}
		}
	}
	return ns
}

// cSpace is what C's isspace accepts in the C locale.
const cSpace = " \t\n\v\f\r"

func isCSpace(c byte) bool { return strings.IndexByte(cSpace, c) >= 0 }

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
func parseServices(s string, r NSSRules) ([]NSSService, []string) {
	out, problems, _ := parseServicesAt(s, r)
	return out, problems
}

// parseServicesAt reads "( <source> ( "[" "!"? (<status> "=" <action>)+ "]" )? )*"
// as glibc's parsers do. bad is set when an action list does not parse:
// glibc 2.33+ then rejects the file, older glibc keeps the services
// before the broken one.
func parseServicesAt(s string, r NSSRules) (out []NSSService, problems []string, bad bool) {
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
		svc := NSSService{Name: s[:end], Written: s[:end]}
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
func parseActions(s string, svc *NSSService, r NSSRules) (rest, written, problem string) {
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
			svc.Actions = map[NSSStatus]NSSAction{}
		}
		for _, other := range NSSStatuses {
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

func parseStatus(s string) (NSSStatus, bool) {
	for _, st := range NSSStatuses {
		if strings.EqualFold(s, string(st)) {
			return st, true
		}
	}
	return "", false
}

func parseAction(s string, r NSSRules) (NSSAction, bool) {
	switch {
	case strings.EqualFold(s, string(NSSReturn)):
		return NSSReturn, true
	case strings.EqualFold(s, string(NSSContinue)):
		return NSSContinue, true
	case strings.EqualFold(s, string(NSSMerge)) && r != NSSLegacyNoMerge:
		return NSSMerge, true
	}
	return "", false
}

// clip keeps a hostile value short and printable in a message.
func clip(s string) string {
	const limit = 80
	s = strings.ToValidUTF8(s, "\uFFFD")
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}

// NsswitchPath is glibc's name service switch configuration.
const NsswitchPath = "/etc/nsswitch.conf"

// maxNsswitch bounds the read: the file is a few hundred bytes.
const maxNsswitch = 1 << 20

type nsswitchFileKey struct{}

type nsswitchKey struct{ rules NSSRules }

// NsswitchOf is the host's nsswitch.conf as the glibc of rules reads it:
// the file is read once per run and parsed once per rules. The error is
// the read's; glibc then uses DefaultNsswitch(rules).
func NsswitchOf(h *host.Host, r NSSRules) (*Nsswitch, error) {
	return memoErr(h, nsswitchKey{r}, func(h *host.Host) (*Nsswitch, error) {
		data, err := memoErr(h, nsswitchFileKey{}, func(h *host.Host) ([]byte, error) {
			return h.ReadFileLimit(NsswitchPath, maxNsswitch)
		})
		if err != nil {
			return nil, err
		}
		return ParseNsswitch(data, r), nil
	})
}
