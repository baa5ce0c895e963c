package host

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// LegacyTable is one iptables-legacy (x_tables) table as the kernel hands
// it to iptables-legacy-save: the hook entry points and underflows (offsets
// into Entries) and the entries themselves (struct ipt_entry or
// ip6t_entry, each with its matches and target).
type LegacyTable struct {
	V6         bool
	Name       string
	ValidHooks uint32
	HookEntry  [5]uint32
	Underflow  [5]uint32
	Entries    []byte
}

// getsockopt numbers of linux/netfilter_ipv4/ip_tables.h and
// netfilter_ipv6/ip6_tables.h (IPT_BASE_CTL 64).
const (
	soGetInfo    = 64
	soGetEntries = 65
	// maxLegacyTable bounds one table's entries: a 10,000-rule table is
	// a few MiB.
	maxLegacyTable = 64 << 20
)

// IptablesLegacy reads the x_tables tables /proc/net/ip_tables_names and
// ip6_tables_names list, through the getsockopt calls iptables-legacy-save
// makes (CAP_NET_ADMIN). It returns nothing when no legacy table is loaded.
func (h *Host) IptablesLegacy() ([]LegacyTable, error) {
	if !h.Live() {
		return nil, errors.New("needs the running system: a root directory has no loaded ruleset")
	}
	var out []LegacyTable
	for _, fam := range []struct {
		v6    bool
		names string
	}{{false, "/proc/net/ip_tables_names"}, {true, "/proc/net/ip6_tables_names"}} {
		data, err := h.ReadFileLimit(fam.names, 4096)
		if err != nil {
			continue // the module is not loaded: no legacy table of the family
		}
		for _, name := range strings.Fields(string(data)) {
			t, err := ReadLegacyTable(fam.v6, name)
			if err != nil {
				return out, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// ReadLegacyTable reads one table of this thread's network namespace.
func ReadLegacyTable(v6 bool, name string) (LegacyTable, error) {
	t := LegacyTable{V6: v6, Name: name}
	if len(name) >= 32 {
		return t, fmt.Errorf("table name %q is too long", name)
	}
	family, level := unix.AF_INET, unix.SOL_IP
	if v6 {
		family, level = unix.AF_INET6, unix.SOL_IPV6
	}
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return t, fmt.Errorf("iptables-legacy table %s: %w", name, err)
	}
	defer unix.Close(fd)
	// struct ipt_getinfo: name[32], valid_hooks, hook_entry[5],
	// underflow[5], num_entries, size.
	info := make([]byte, 32+4+20+20+4+4)
	copy(info, name)
	if err := getsockopt(fd, level, soGetInfo, info); err != nil {
		return t, fmt.Errorf("iptables-legacy table %s: %w", name, err)
	}
	ne := binary.NativeEndian
	t.ValidHooks = ne.Uint32(info[32:])
	for i := range 5 {
		t.HookEntry[i] = ne.Uint32(info[36+4*i:])
		t.Underflow[i] = ne.Uint32(info[56+4*i:])
	}
	size := ne.Uint32(info[80:])
	if size > maxLegacyTable {
		return t, fmt.Errorf("iptables-legacy table %s: %d bytes of rules", name, size)
	}
	// struct ipt_get_entries: name[32], size, then the entries at 8-byte
	// alignment (offset 40).
	buf := make([]byte, 40+int(size))
	copy(buf, name)
	ne.PutUint32(buf[32:], size)
	if err := getsockopt(fd, level, soGetEntries, buf); err != nil {
		return t, fmt.Errorf("iptables-legacy table %s: %w", name, err)
	}
	t.Entries = buf[40:]
	return t, nil
}

func getsockopt(fd, level, opt int, buf []byte) error {
	n := uint32(len(buf))
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 {
		return e
	}
	return nil
}
