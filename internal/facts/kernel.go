package facts

import "github.com/golive-sh/golive/internal/host"

type (
	hostnameKey      struct{}
	kernelReleaseKey struct{}
	archKey          struct{}
)

// Hostname is the kernel's hostname under the root, else /etc/hostname,
// read once per run.
func Hostname(h *host.Host) (string, error) {
	return memoErr(h, hostnameKey{}, (*host.Host).Hostname)
}

// KernelRelease is the running kernel's release under the root (uname -r,
// /proc/sys/kernel/osrelease), read once per run.
func KernelRelease(h *host.Host) (string, error) {
	return memoErr(h, kernelReleaseKey{}, (*host.Host).KernelRelease)
}

// Arch is the machine hardware name (uname -m), read once per run.
func Arch(h *host.Host) (string, error) {
	return memoErr(h, archKey{}, (*host.Host).Arch)
}

// Identity is host.Identity with the hostname, kernel release,
// architecture and os-release the checks of the run share, so a report's
// header reads none of them a second time.
func Identity(h *host.Host) host.Identity {
	return h.IdentityFrom(
		func() (string, error) { return Hostname(h) },
		func() (string, error) { return KernelRelease(h) },
		func() (string, error) { return Arch(h) },
		func() (host.OSRelease, error) { return OSRelease(h) },
	)
}
