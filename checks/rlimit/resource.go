package rlimit

import (
	"sort"
	"strings"
)

// resource is one RLIMIT_* as each source names it. Values are always held
// in the kernel's unit (bytes, files, processes): limits.conf's KiB are
// converted when read, systemd's size suffixes when parsed.
type resource struct {
	name    string // limits.conf item and profile key: nofile
	systemd string // unit setting: LimitNOFILE
	proc    string // /proc/<pid>/limits row: Max open files
	unit    string // what the value counts
	kib     bool   // limits.conf gives it in KiB (pam_limits multiplies by 1024)
	size    bool   // systemd parses it with size suffixes (K, M, G, base 1024)
	why     string
}

// resources are the limits golive checks. cpu, nice and rttime are left
// out: each source writes them in different units (minutes, seconds,
// microseconds; nice as 20-n), and no seed asks for them.
var resources = map[string]resource{
	"nofile": {name: "nofile", systemd: "LimitNOFILE", proc: "Max open files", unit: "files",
		why: "every socket, file and pipe is a descriptor; at the soft limit accept() and open() fail with EMFILE (\"too many open files\") and the service drops connections"},
	"nproc": {name: "nproc", systemd: "LimitNPROC", proc: "Max processes", unit: "processes",
		why: "counts every thread of the user, not only processes; a Go service's OS threads (blocking syscalls, cgo) count too, and at the limit fork and thread creation fail with EAGAIN"},
	"memlock": {name: "memlock", systemd: "LimitMEMLOCK", proc: "Max locked memory", unit: "bytes", kib: true, size: true,
		why: "bounds mlock(2) and io_uring / eBPF buffers; services that lock memory fail to start or fall back silently below it"},
	"core": {name: "core", systemd: "LimitCORE", proc: "Max core file size", unit: "bytes", kib: true, size: true,
		why: "0 means a crash leaves no core dump to debug (GOTRACEBACK=crash needs it); unlimited on a small disk can fill it"},
	"stack": {name: "stack", systemd: "LimitSTACK", proc: "Max stack size", unit: "bytes", kib: true, size: true,
		why: "the main thread's stack and, through glibc, the default stack of C threads; Go's own goroutine stacks do not use it"},
	"data": {name: "data", systemd: "LimitDATA", proc: "Max data size", unit: "bytes", kib: true, size: true,
		why: "bounds the data segment and, since Linux 4.7, private mappings: the Go heap fails to grow past it"},
	"fsize": {name: "fsize", systemd: "LimitFSIZE", proc: "Max file size", unit: "bytes", kib: true, size: true,
		why: "a write past it raises SIGXFSZ, which kills a process that does not handle it"},
	"as": {name: "as", systemd: "LimitAS", proc: "Max address space", unit: "bytes", kib: true, size: true,
		why: "bounds virtual memory; the Go runtime reserves large address ranges and fails to start under a tight limit"},
	"rss": {name: "rss", systemd: "LimitRSS", proc: "Max resident set", unit: "bytes", kib: true, size: true,
		why: "ignored by Linux since 2.6 (kept for completeness)"},
	"locks": {name: "locks", systemd: "LimitLOCKS", proc: "Max file locks", unit: "locks",
		why: "ignored by Linux since 2.4.25 (kept for completeness)"},
	"sigpending": {name: "sigpending", systemd: "LimitSIGPENDING", proc: "Max pending signals", unit: "signals",
		why: "queued signals per user; real-time signal senders block at the limit"},
	"msgqueue": {name: "msgqueue", systemd: "LimitMSGQUEUE", proc: "Max msgqueue size", unit: "bytes", size: true,
		why: "bytes in POSIX message queues per user"},
	"rtprio": {name: "rtprio", systemd: "LimitRTPRIO", proc: "Max realtime priority", unit: "priority",
		why: "the highest real-time priority an unprivileged process may request"},
}

// resourceNames lists the known resources, sorted, for error messages.
func resourceNames() string {
	names := make([]string, 0, len(resources))
	for n := range resources {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// lookupResource finds a resource by its limits.conf / profile name.
func lookupResource(name string) (resource, bool) {
	r, ok := resources[strings.ToLower(strings.TrimSpace(name))]
	return r, ok
}
