// Package all links every check family into the binary, as database/sql
// drivers are linked: a family registers itself from init. Adding a family
// is one folder under checks/ and one line here.
package all

import (
	_ "github.com/golive-sh/golive/checks/account"  // user/<aspect>:<name>, group/<aspect>:<name>
	_ "github.com/golive-sh/golive/checks/apparmor" // apparmor/enabled
	_ "github.com/golive-sh/golive/checks/cabundle" // cabundle/*, cert/file, tls/endpoint
	_ "github.com/golive-sh/golive/checks/cgroup"   // cgroup/version, cgroup/controllers, cgroup/unit
	_ "github.com/golive-sh/golive/checks/disk"     // disk/space, disk/inodes, disk/mount, disk/rotational, disk/fsync
	_ "github.com/golive-sh/golive/checks/dns"      // dns/config, dns/nameserver, dns/resolve, dns/reverse
	_ "github.com/golive-sh/golive/checks/etcd"     // etcd/endpoint, etcd/cluster, etcd/version
	_ "github.com/golive-sh/golive/checks/file"     // file/<aspect>:<path>
	_ "github.com/golive-sh/golive/checks/firewall" // firewall/port
	_ "github.com/golive-sh/golive/checks/harden"   // harden/lockdown, harden/audit, harden/coredump
	_ "github.com/golive-sh/golive/checks/http"     // http/<method>:<url>
	_ "github.com/golive-sh/golive/checks/kmod"     // kmod/loaded, kmod/boot
	_ "github.com/golive-sh/golive/checks/libc"     // libc/compat, libc/libs, libc/targets
	_ "github.com/golive-sh/golive/checks/log"      // log/journald, log/rotate
	_ "github.com/golive-sh/golive/checks/memory"   // memory/swap
	_ "github.com/golive-sh/golive/checks/mount"    // mount/mounted, mount/boot
	_ "github.com/golive-sh/golive/checks/mysql"    // mysql/connect, mysql/role, mysql/replication, mysql/capacity
	_ "github.com/golive-sh/golive/checks/osinfo"   // os/distro, os/eol, os/kernel
	_ "github.com/golive-sh/golive/checks/package"  // package/installed:<name>, package/version:<name>
	_ "github.com/golive-sh/golive/checks/port"     // port/free, port/listen, port/ephemeral
	_ "github.com/golive-sh/golive/checks/process"  // process/running, process/count, process/user
	_ "github.com/golive-sh/golive/checks/rlimit"   // rlimit/login, rlimit/unit, rlimit/process
	_ "github.com/golive-sh/golive/checks/selinux"  // selinux/mode, selinux/label
	_ "github.com/golive-sh/golive/checks/sysctl"   // sysctl/<key>
	_ "github.com/golive-sh/golive/checks/systemd"  // systemd/<aspect>:<unit>
	_ "github.com/golive-sh/golive/checks/time"     // time/sync, time/offset, time/timezone
)
