#!/bin/sh
# host-guard.sh snapshot FILE | check FILE
#
# The tests must never change the machine they run on. .ci/run takes a
# snapshot of what they could plausibly touch before `make test` and checks
# it afterwards: /dev/null (a Ansible or a script writing through a
# link to it replaces the device with a file), the accounts and sudoers
# (the fleet tests overlay them only inside their own mount namespaces),
# the sysctl, SELinux, systemd and SSH configuration (remediation is only
# ever applied under a temporary ROOT), the firewalls' files (the firewall
# family runs ufw and firewalld only on copies, in mount namespaces), and
# root's ~/.ssh.
set -eu

snapshot() {
	stat -c '%n %F %t:%T %a' /dev/null /dev/zero
	for p in /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/sudoers /etc/sudoers.d \
		/etc/sysctl.conf /etc/sysctl.d /etc/selinux /etc/systemd/system /etc/ssh \
		/etc/security/limits.conf /etc/security/limits.d /etc/hosts /etc/resolv.conf \
		/etc/ssl/certs/ca-certificates.crt /etc/ufw /etc/default/ufw /etc/firewalld /etc/nftables.conf \
		/etc/iptables "$HOME/.ssh"; do
		[ -e "$p" ] || [ -L "$p" ] || { echo "$p absent"; continue; }
		find "$p" \( -type f -exec sha256sum {} + \) -o \( -type l -printf '%p -> %l\n' \) -o \( -type d -printf '%p/ %m\n' \) 2>/dev/null
	done | LC_ALL=C sort
}

case "${1:-}" in
snapshot)
	snapshot >"$2"
	;;
check)
	now=$(mktemp)
	trap 'rm -f "$now"' EXIT
	snapshot >"$now"
	if ! diff -u "$2" "$now"; then
		echo "host-guard: the tests changed this machine (above: before/after)" >&2
		exit 1
	fi
	echo "host-guard: the machine is as the tests found it"
	;;
*)
	echo "usage: $0 snapshot FILE | check FILE" >&2
	exit 2
	;;
esac
