package dns

import (
	"strings"

	"github.com/golive-sh/golive/internal/facts"
)

// nsswitch.conf is read by internal/facts (one parser for every database
// and family); dns keeps its names for what it judges: the hosts line.

// Status is what an NSS service answered for one lookup.
type Status = facts.NSSStatus

// The four NSS statuses an action can name.
const (
	StatusSuccess  = facts.NSSSuccess
	StatusNotFound = facts.NSSNotFound
	StatusUnavail  = facts.NSSUnavail
	StatusTryAgain = facts.NSSTryAgain
)

var statuses = facts.NSSStatuses

// cSpace is what C's isspace accepts in the C locale.
const cSpace = " \t\n\v\f\r"

// Action is what glibc does after a service answered with a status.
type Action = facts.NSSAction

// The actions of nsswitch.conf(5).
const (
	ActionReturn   = facts.NSSReturn
	ActionContinue = facts.NSSContinue
	ActionMerge    = facts.NSSMerge
)

// NSSRules is the glibc release line whose nsswitch.conf reader is
// modelled (facts.NSSRules).
type NSSRules = facts.NSSRules

// The glibc release lines (facts.NSSModern and the rest).
const (
	NSSModern        = facts.NSSModern
	NSSLegacy        = facts.NSSLegacy
	NSSLegacyNoMerge = facts.NSSLegacyNoMerge
)

// NSSRulesFor picks the rules for a glibc version such as "2.17".
func NSSRulesFor(glibc string) NSSRules { return facts.NSSRulesFor(glibc) }

// Service is one source of the hosts line, with its explicit actions.
type Service = facts.NSSService

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
func DefaultNsswitch(r NSSRules) *Nsswitch { return hostsOf(facts.DefaultNsswitch(r)) }

// ParseNsswitch reads the hosts line of nsswitch.conf as the glibc of
// rules does (facts.ParseNsswitch).
func ParseNsswitch(data []byte, r NSSRules) *Nsswitch { return hostsOf(facts.ParseNsswitch(data, r)) }

// hostsOf is the hosts database of a parsed nsswitch.conf.
func hostsOf(ns *facts.Nsswitch) *Nsswitch {
	db := ns.Database("hosts")
	out := &Nsswitch{Rules: ns.Rules, Hosts: db.Services, Line: db.Line, Default: db.Default, Rejected: ns.Rejected}
	for _, p := range db.Problems {
		out.Problems = append(out.Problems, Problem{p.Line, p.Text})
	}
	return out
}
