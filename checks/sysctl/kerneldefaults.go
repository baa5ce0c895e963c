package sysctl

import (
	"fmt"
	"strconv"
	"strings"
)

// kernelVersion is a kernel release's leading major.minor.patch ("5.14.0"
// of "5.14.0-427.13.1.el9_4.x86_64").
type kernelVersion struct {
	major, minor, patch int
}

// parseKernelVersion reads the numeric prefix of a kernel release (uname -r).
func parseKernelVersion(release string) (kernelVersion, bool) {
	var n [3]int
	rest := strings.TrimSpace(release)
	for i := range n {
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 0 || j > 6 {
			return kernelVersion{}, i >= 2
		}
		n[i], _ = strconv.Atoi(rest[:j])
		rest = rest[j:]
		if i < 2 {
			if !strings.HasPrefix(rest, ".") {
				return kernelVersion{n[0], n[1], 0}, i == 1
			}
			rest = rest[1:]
		}
	}
	return kernelVersion{n[0], n[1], n[2]}, true
}

func (v kernelVersion) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// less orders versions.
func (v kernelVersion) less(o kernelVersion) bool {
	if v.major != o.major {
		return v.major < o.major
	}
	if v.minor != o.minor {
		return v.minor < o.minor
	}
	return v.patch < o.patch
}

func kv(major, minor int) kernelVersion { return kernelVersion{major, minor, 0} }

// kernelDefault is the value a key has when nothing sets it, for kernels in
// [since, until). A zero since or until is open. arch, when set, limits the
// entry to one machine (uname -m): values derived from struct sizes differ
// between architectures.
type kernelDefault struct {
	since, until kernelVersion
	arch         string
	value        string
	source       string
}

// kernelDefaults are the fixed defaults of the keys the built-in profiles
// check and the seeds tune, each with the kernel source that sets it and the
// kernel versions it holds for. Keys whose default the kernel computes from
// memory at boot (tcp_max_syn_backlog, tcp_rmem/tcp_wmem maxima, pid_max)
// are absent: golive does not guess them. fs.file-max is computed in
// fileMaxDefault. Between two entries there may be a gap: a kernel in it
// (4.18 for tcp_tw_reuse, which distributions backported differently) has
// no known default.
var kernelDefaults = map[string][]kernelDefault{
	"net.core.somaxconn": {
		{until: kv(5, 4), value: "128", source: "include/linux/socket.h SOMAXCONN 128"},
		{since: kv(5, 4), value: "4096", source: `include/linux/socket.h SOMAXCONN 4096 ("net: increase SOMAXCONN to 4096", Linux 5.4)`},
	},
	"net.ipv4.tcp_tw_reuse": {
		{until: kv(4, 18), value: "0", source: "net/ipv4/tcp_ipv4.c tcp_sk_init(): sysctl_tcp_tw_reuse = 0"},
		{since: kv(4, 19), value: "2", source: `net/ipv4/tcp_ipv4.c tcp_sk_init(): 2, loopback only (commit 79e9fed46038 "net-tcp: extend tcp_tw_reuse sysctl to enable loopback only optimization", 2018)`},
	},
	"fs.nr_open": {
		{value: "1048576", source: "fs/file.c sysctl_nr_open = 1024*1024 (Documentation/admin-guide/sysctl/fs.rst)"},
	},
	"net.core.netdev_max_backlog": {
		{value: "1000", source: "net/core/dev.c netdev_max_backlog = 1000"},
	},
	"net.core.rmem_max": {
		{until: kv(6, 18), arch: "x86_64", value: "212992", source: "net/core/sock.c sysctl_rmem_max = SK_RMEM_MAX = SKB_TRUESIZE(256) * 256"},
		{since: kv(6, 18), value: "4194304", source: `net/core/sock.c sysctl_rmem_max = 4 << 20 ("net: set net.core.rmem_max and net.core.wmem_max to 4 MB", Linux 6.18)`},
	},
	"net.core.wmem_max": {
		{until: kv(6, 18), arch: "x86_64", value: "212992", source: "net/core/sock.c sysctl_wmem_max = SK_WMEM_MAX = SKB_TRUESIZE(256) * 256"},
		{since: kv(6, 18), value: "4194304", source: `net/core/sock.c sysctl_wmem_max = 4 << 20 ("net: set net.core.rmem_max and net.core.wmem_max to 4 MB", Linux 6.18)`},
	},
	"vm.swappiness": {
		{value: "60", source: "mm/vmscan.c vm_swappiness = 60"},
	},
	"vm.max_map_count": {
		{value: "65530", source: "include/linux/mm.h DEFAULT_MAX_MAP_COUNT (USHRT_MAX - 5)"},
	},
	"net.ipv4.tcp_fin_timeout": {
		{value: "60", source: "include/net/tcp.h TCP_FIN_TIMEOUT 60*HZ"},
	},
	"net.ipv4.tcp_keepalive_time": {
		{value: "7200", source: "include/net/tcp.h TCP_KEEPALIVE_TIME 120*60*HZ"},
	},
}

// kernelDefaultFor returns the kernel's fixed default of key for a kernel
// version and architecture. known=false (the version could not be read)
// yields only the entries that hold for every version.
func kernelDefaultFor(key string, v kernelVersion, known bool, arch string) (value, source string, ok bool) {
	for _, d := range kernelDefaults[key] {
		open := d.since == (kernelVersion{}) && d.until == (kernelVersion{})
		if !known && !open {
			continue
		}
		if d.since != (kernelVersion{}) && v.less(d.since) {
			continue
		}
		if d.until != (kernelVersion{}) && !v.less(d.until) {
			continue
		}
		if d.arch != "" && d.arch != arch {
			continue
		}
		return d.value, d.source, true
	}
	return "", "", false
}

// nrFile is the kernel's floor for fs.file-max (include/linux/fs.h NR_FILE).
const nrFile = 8192

// fileMaxDefault is the fs.file-max the kernel computes at boot from memory
// (fs/file_table.c files_maxfiles_init): about 10% of RAM in KiB, less 1.5
// times the pages already in use at that point, and at least NR_FILE. The
// in-use part cannot be known afterwards, so the result is a range:
// [lo, hi] with hi = MemTotal/10 (nothing in use) and lo = 85% of it (early
// boot allocations, kernel image included, are a few percent of RAM on any
// host golive readies; docs/truth.md records the tolerance).
func fileMaxDefault(memTotalKiB uint64) (lo, hi uint64) {
	hi = memTotalKiB / 10
	lo = hi * 85 / 100
	if hi < nrFile {
		return nrFile, nrFile
	}
	if lo < nrFile {
		lo = nrFile
	}
	return lo, hi
}
