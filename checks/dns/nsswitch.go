package dns

import (
	"strings"

	"github.com/golive-sh/golive/internal/facts"
)

// nsswitch.conf is read by internal/facts (one parser for every database
// and family); dns keeps its names for what it judges: the hosts line.

// status is what an NSS service answered for one lookup.
type status = facts.NSSStatus

// The four NSS statuses an action can name.
const (
	statusSuccess  = facts.NSSSuccess
	statusNotFound = facts.NSSNotFound
	statusUnavail  = facts.NSSUnavail
	statusTryAgain = facts.NSSTryAgain
)

var statuses = facts.NSSStatuses

// cSpace is what C's isspace accepts in the C locale.
const cSpace = " \t\n\v\f\r"

// action is what glibc does after a service answered with a status.
type action = facts.NSSAction

// The actions of nsswitch.conf(5).
const (
	actionReturn   = facts.NSSReturn
	actionContinue = facts.NSSContinue
	actionMerge    = facts.NSSMerge
)

// nssRules is the glibc release line whose nsswitch.conf reader is
// modelled (facts.NSSRules).
type nssRules = facts.NSSRules

// The glibc release lines (facts.NSSModern and the rest).
const (
	nssModern        = facts.NSSModern
	nssLegacy        = facts.NSSLegacy
	nssLegacyNoMerge = facts.NSSLegacyNoMerge
)

// nssRulesFor picks the rules for a glibc version such as "2.17".
func nssRulesFor(glibc string) nssRules { return facts.NSSRulesFor(glibc) }

// service is one source of the hosts line, with its explicit actions.
type service = facts.NSSService

// nsswitch is the hosts database line of nsswitch.conf.
type nsswitch struct {
	rules nssRules
	// hosts are the services glibc asks, in order. Empty when glibc asks
	// none: an empty last hosts line, or a file glibc 2.33+ rejects.
	hosts []service
	line  int // the hosts line in effect; 0 when the default is
	// Default is set when there is no usable hosts line and glibc's
	// built-in Rules.DefaultHosts() applies.
	Default bool
	// rejected is set when glibc 2.33+ cannot parse the file: it then
	// loads no database at all, and every lookup fails.
	rejected bool
	problems []problem
}

// hostsLine renders the services as one nsswitch.conf line.
func (n *nsswitch) hostsLine() string {
	parts := make([]string, len(n.hosts))
	for i, s := range n.hosts {
		parts[i] = s.String()
	}
	return strings.Join(parts, " ")
}

// defaultNsswitch is what glibc uses without an nsswitch.conf.
func defaultNsswitch(r nssRules) *nsswitch { return hostsOf(facts.DefaultNsswitch(r)) }

// parseNsswitch reads the hosts line of nsswitch.conf as the glibc of
// rules does (facts.ParseNsswitch).
func parseNsswitch(data []byte, r nssRules) *nsswitch { return hostsOf(facts.ParseNsswitch(data, r)) }

// hostsOf is the hosts database of a parsed nsswitch.conf.
func hostsOf(ns *facts.Nsswitch) *nsswitch {
	db := ns.Database("hosts")
	out := &nsswitch{rules: ns.Rules, hosts: db.Services, line: db.Line, Default: db.Default, rejected: ns.Rejected}
	for _, p := range db.Problems {
		out.problems = append(out.problems, problem{p.Line, p.Text})
	}
	return out
}
