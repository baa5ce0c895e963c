#!/bin/sh
# systemd-root.sh: print the path of a Debian bookworm root filesystem with
# systemd, building it first when it is missing. The live tests of the
# rlimit, systemd and cgroup families boot it with systemd-nspawn (a real
# systemd as PID 1); they never write to it: each run boots a throwaway copy.
#
# The root is cached in $GOLIVE_NSPAWN_CACHE (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/golive/bookworm-systemd), built with
# debootstrap from the Debian mirror apt already uses on this machine into a
# temporary directory beside it and renamed into place, so a half-built root
# is never taken for a finished one. Needs root, debootstrap and the network
# (the mirror only) on the first run; later runs only print the path.
set -eu

cache=${GOLIVE_NSPAWN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/golive/bookworm-systemd}
ready() { [ -x "$cache/lib/systemd/systemd" ] && [ -e "$cache/.golive-root-complete" ]; }
if ready; then
	echo "$cache"
	exit 0
fi

# The mirror apt uses here: the first Debian URI of a deb822 source or a
# one-line source that serves bookworm; Debian's own otherwise.
mirror=$(
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] && awk '/^URIs:/ && $2 ~ /debian\/?$/ && $2 !~ /security/ {print $2; exit}' "$f"
		done
		[ -r /etc/apt/sources.list ] && awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list
	} 2>/dev/null | head -n 1
)
mirror=${mirror:-http://deb.debian.org/debian}

parent=$(dirname "$cache")
mkdir -p "$parent"
# One builder at a time: a second caller waits, then finds the root ready.
exec 9>"$parent/.bookworm-systemd.lock"
flock 9
if ready; then
	echo "$cache"
	exit 0
fi
tmp=$(mktemp -d "$parent/.bookworm-systemd.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "systemd-root: debootstrap bookworm from $mirror into $tmp (about a minute)" >&2
debootstrap --variant=minbase \
	--include=systemd,systemd-sysv,dbus,procps,libpam-systemd \
	bookworm "$tmp/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 || {
	tail -n 30 "$tmp/debootstrap.log" >&2
	exit 1
}
# Smaller copies per test run: no package cache, no lists.
rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*
# A machine ID of its own, so journald and D-Bus start without a first-boot
# setup; systemd would otherwise invent a transient one each boot.
[ -s "$tmp/root/etc/machine-id" ] || systemd-machine-id-setup --root="$tmp/root" >/dev/null 2>&1 ||
	tr -dc 0-9a-f </dev/urandom | head -c 32 >"$tmp/root/etc/machine-id"
touch "$tmp/root/.golive-root-complete"
rm -rf "$cache"
mv "$tmp/root" "$cache"
echo "$cache"
