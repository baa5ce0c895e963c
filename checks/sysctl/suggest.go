package sysctl

import (
	"path"
	"sort"
	"strings"

	"github.com/golive-sh/golive/internal/host"
)

// A key of the user's own profile that the kernel does not have is a
// mistake until shown otherwise: a typo, or a module that is not loaded.
// This file names the likely cause. It runs only on that failure path.

// moduleHints are key prefixes that appear only while a module is loaded
// (the module registers the sysctl table when it loads).
var moduleHints = []struct{ prefix, module string }{
	{"net.netfilter.nf_conntrack_", "nf_conntrack"},
	{"net.nf_conntrack_max", "nf_conntrack"},
	{"net.bridge.bridge-nf-", "br_netfilter"},
	{"net.ipv4.vs.", "ip_vs"},
	{"net.ipv6.", "ipv6"},
	{"net.sctp.", "sctp"},
	{"net.dccp.", "dccp"},
	{"net.tipc.", "tipc"},
	{"net.rds.", "rds"},
	{"net.netfilter.nf_flowtable_", "nf_flow_table"},
	{"fs.nfs.", "nfs"},
	{"sunrpc.", "sunrpc"},
}

// moduleFor returns the module whose loading creates key, if golive knows
// one (the longest matching prefix).
func moduleFor(key string) string {
	best, mod := 0, ""
	for _, m := range moduleHints {
		if strings.HasPrefix(key, m.prefix) && len(m.prefix) > best {
			best, mod = len(m.prefix), m.module
		}
	}
	return mod
}

// moduleLoaded reports whether /sys/module/<name> exists under the root
// (built-in modules with parameters appear there too; a module with no
// entry is neither loaded nor built in with parameters).
func moduleLoaded(h *host.Host, name string) bool {
	return h.Exists("/sys/module/" + name)
}

// maxProcKeys bounds the walk of /proc/sys: a host has a few thousand keys,
// more with many network interfaces (each has its own conf/ and neigh/).
const maxProcKeys = 20000

// procKeys lists the dotted keys under /proc/sys of the root, breadth
// first, at most limit of them.
func procKeys(h *host.Host, limit int) []string {
	var keys []string
	queue := []string{""}
	for len(queue) > 0 && len(keys) < limit {
		rel := queue[0]
		queue = queue[1:]
		entries, err := h.ReadDir(path.Join("/proc/sys", rel))
		if err != nil {
			continue
		}
		for _, e := range entries {
			child := path.Join(rel, e.Name())
			switch {
			case e.IsDir():
				if strings.Count(child, "/") < 8 {
					queue = append(queue, child)
				}
			case e.Type().IsRegular():
				keys = append(keys, swapSeparators(child))
			}
			if len(keys) >= limit {
				break
			}
		}
	}
	return keys
}

// suggest returns up to three existing keys close to key by edit distance,
// nearest first. Keys in the same directory are measured by their last
// component, so "net.core.somaxcon" finds "net.core.somaxconn" whatever
// else is close overall.
func suggest(key string, existing []string) []string {
	type cand struct {
		k string
		d int
	}
	dir, last := splitKey(key)
	maxAll := max(2, len(key)/8)
	maxSib := max(2, len(last)/3)
	var cs []cand
	for _, k := range existing {
		if k == key {
			continue
		}
		kd, kl := splitKey(k)
		if kd == dir {
			if d := editDistance(last, kl, maxSib); d <= maxSib {
				cs = append(cs, cand{k, d})
			}
			continue
		}
		if d := editDistance(key, k, maxAll); d <= maxAll {
			cs = append(cs, cand{k, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].k < cs[j].k
	})
	var out []string
	for _, c := range cs {
		if len(out) == 3 {
			break
		}
		out = append(out, c.k)
	}
	return out
}

func splitKey(key string) (dir, last string) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return "", key
	}
	return key[:i], key[i+1:]
}

// editDistance is the Levenshtein distance of a and b, or bound+1 once it
// must exceed bound.
func editDistance(a, b string, bound int) int {
	if d := len(a) - len(b); d > bound || -d > bound {
		return bound + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > bound {
			return bound + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// missingInterface names the interface of a per-interface key
// (net.ipv4.conf.<if>.x, net.ipv6.neigh.<if>.x) when that interface's
// directory does not exist while its parent does.
func missingInterface(h *host.Host, key string) string {
	parts := strings.SplitN(key, ".", 5)
	if len(parts) < 5 || parts[0] != "net" || (parts[1] != "ipv4" && parts[1] != "ipv6") || (parts[2] != "conf" && parts[2] != "neigh") {
		return ""
	}
	parent := "/proc/sys/net/" + parts[1] + "/" + parts[2]
	if !h.Exists(parent) || h.Exists(parent+"/"+strings.ReplaceAll(parts[3], "/", ".")) {
		return ""
	}
	return strings.ReplaceAll(parts[3], "/", ".")
}
