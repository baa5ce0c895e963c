package host

import (
	"errors"
	"fmt"
	"net"

	"github.com/google/nftables"
)

// NftRuleset is the running kernel's nftables ruleset as netlink gives it:
// chains with their rules, and every set's elements (anonymous sets too,
// which is where `tcp dport { 22, 80 }` lives).
type NftRuleset struct {
	Chains []*nftables.Chain
	Rules  map[*nftables.Chain][]*nftables.Rule
	// Sets are keyed by table (family and name) and set name.
	Sets map[NftSetKey]NftSet
	// Interfaces names the interface indexes (meta iif compares indexes).
	Interfaces map[uint32]string
}

// NftSetKey names a set.
type NftSetKey struct {
	Family nftables.TableFamily
	Table  string
	Set    string
}

// NftSet is a set and its elements.
type NftSet struct {
	Set      *nftables.Set
	Elements []nftables.SetElement
}

// Nftables reads the live ruleset. It needs CAP_NET_ADMIN: reading the
// ruleset is a privileged netlink request (EPERM otherwise).
func (h *Host) Nftables() (*NftRuleset, error) {
	if !h.Live() {
		return nil, errors.New("needs the running system: a root directory has no loaded ruleset")
	}
	type result struct {
		rs  *NftRuleset
		err error
	}
	r := h.Memo(nftKey{}, func() any {
		rs, err := ReadNftables(-1)
		if err == nil {
			rs.Interfaces = interfaceNames()
		}
		return result{rs, err}
	}).(result)
	return r.rs, r.err
}

type nftKey struct{}

// ReadNftables reads the ruleset of the network namespace of netnsFD, or
// of this process's when it is negative (a test reads namespaces it made).
func ReadNftables(netnsFD int) (*NftRuleset, error) {
	var opts []nftables.ConnOption
	if netnsFD >= 0 {
		opts = append(opts, nftables.WithNetNSFd(netnsFD))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	chains, err := c.ListChains()
	if err != nil {
		return nil, fmt.Errorf("listing nftables chains: %w", err)
	}
	rs := &NftRuleset{Chains: chains, Rules: map[*nftables.Chain][]*nftables.Rule{}, Sets: map[NftSetKey]NftSet{}}
	tables := map[NftSetKey]*nftables.Table{}
	for _, ch := range chains {
		rules, err := c.GetRules(ch.Table, ch)
		if err != nil {
			return nil, fmt.Errorf("listing the rules of chain %s: %w", ch.Name, err)
		}
		rs.Rules[ch] = rules
		tables[NftSetKey{Family: ch.Table.Family, Table: ch.Table.Name}] = ch.Table
	}
	for _, t := range tables {
		sets, err := c.GetSets(t)
		if err != nil {
			return nil, fmt.Errorf("listing the sets of table %s: %w", t.Name, err)
		}
		for _, s := range sets {
			els, err := c.GetSetElements(s)
			if err != nil {
				return nil, fmt.Errorf("listing set %s: %w", s.Name, err)
			}
			rs.Sets[NftSetKey{Family: t.Family, Table: t.Name, Set: s.Name}] = NftSet{Set: s, Elements: els}
		}
	}
	return rs, nil
}

// interfaceNames maps this namespace's interface indexes to names.
func interfaceNames() map[uint32]string {
	out := map[uint32]string{}
	ifs, err := net.Interfaces()
	if err != nil {
		return out
	}
	for _, i := range ifs {
		out[uint32(i.Index)] = i.Name
	}
	return out
}

// InterfaceNames is interfaceNames for a caller already in the namespace.
func InterfaceNames() map[uint32]string { return interfaceNames() }
