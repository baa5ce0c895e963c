#!/bin/sh
# Builds testdata/roots/debian-11, debian-12 and debian-13 from the real .deb
# files of each suite, as testdata/roots/README.md ("debian-11/12/13")
# documents. Run by hand (it fetches from deb.debian.org); tests never run it.
#
#   testdata/gen/debian-roots/build.sh DEBDIR ROOTS
#
# DEBDIR/<suite>/x is `dpkg-deb -x` of every package of DEBDIR/<suite>/files
# (paths under http://deb.debian.org/debian/, from
# dists/<suite>/main/binary-amd64/Packages.xz); ROOTS is testdata/roots.
set -eu
debs=$1 roots=$2
gen=$(cd "$(dirname "$0")/../fake-glibc" && pwd)/gen.sh

# build SUITE ROOTNAME KERNEL HOSTNAME MACHINEID SYSTEMD SHAREDLIBDIR CGROUPCONTROLLERS NR_OPEN GLIBC
build() {
	x=$debs/$1/x r=$roots/$2
	rm -rf "$r"
	mkdir -p "$r/etc" "$r/usr/lib" "$r/usr/sbin" "$r/usr/bin" "$r/usr/lib64"
	# Merged /usr: default for new installs since Debian 11 (debootstrap),
	# required since 12; trixie's base-files ships the links itself.
	ln -s usr/lib "$r/lib"; ln -s usr/lib64 "$r/lib64"
	ln -s usr/sbin "$r/sbin"; ln -s usr/bin "$r/bin"
	# base-files
	cp "$x/usr/lib/os-release" "$r/usr/lib/os-release"
	ln -s ../usr/lib/os-release "$r/etc/os-release"
	# procps, systemd: sysctl configuration
	mkdir -p "$r/etc/sysctl.d" "$r/usr/lib/sysctl.d"
	cp "$x/etc/sysctl.d/README.sysctl" "$r/etc/sysctl.d/"
	if [ -e "$x/etc/sysctl.conf" ]; then
		cp "$x/etc/sysctl.conf" "$r/etc/sysctl.conf"
		ln -s ../sysctl.conf "$r/etc/sysctl.d/99-sysctl.conf"
	fi
	for f in "$x"/usr/lib/sysctl.d/*.conf; do cp "$f" "$r/usr/lib/sysctl.d/"; done
	# systemd: PID 1 (systemd-sysv's init link), version from the shared
	# library's name (an empty stand-in: only the name is read)
	mkdir -p "$r/usr/lib/systemd" "$r/etc/systemd" "$r/$7"
	: > "$r/usr/lib/systemd/systemd"
	: > "$r/$7/libsystemd-shared-$6.so"
	ln -s ../lib/systemd/systemd "$r/usr/sbin/init"
	cp "$x/etc/systemd/system.conf" "$r/etc/systemd/system.conf"
	# libpam-modules, login: pam_limits
	mkdir -p "$r/etc/security/limits.d" "$r/etc/pam.d"
	cp "$x/etc/security/limits.conf" "$r/etc/security/limits.conf"
	touch "$r/etc/security/limits.d/.gitkeep"
	cp "$x/etc/pam.d/login" "$r/etc/pam.d/login"
	# glibc: libc6's layout, with testdata/gen/fake-glibc's synthetic
	# stand-ins (a few KB: soname, the release's GLIBC_* version nodes) in
	# place of the real 2 MB files; libc-bin's ld.so.conf(.d).
	cp "$x/etc/ld.so.conf" "$r/etc/ld.so.conf"
	mkdir -p "$r/etc/ld.so.conf.d" "$r/usr/lib/x86_64-linux-gnu"
	cp "$x"/etc/ld.so.conf.d/*.conf "$r/etc/ld.so.conf.d/"
	g=$(mktemp -d)
	"$gen" build "${10}" "$g" >/dev/null
	m=$r/usr/lib/x86_64-linux-gnu
	case ${10} in
	2.31) # bullseye: versioned files, absolute /lib64 link to ld-2.31.so
		cp "$g/libc.so.6" "$m/libc-2.31.so"; ln -s libc-2.31.so "$m/libc.so.6"
		cp "$g/ld-linux-x86-64.so.2" "$m/ld-2.31.so"; ln -s ld-2.31.so "$m/ld-linux-x86-64.so.2"
		ln -s /lib/x86_64-linux-gnu/ld-2.31.so "$r/usr/lib64/ld-linux-x86-64.so.2" ;;
	2.36) # bookworm: real files, absolute /lib64 link
		cp "$g/libc.so.6" "$g/ld-linux-x86-64.so.2" "$m/"
		ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/usr/lib64/ld-linux-x86-64.so.2" ;;
	*) # trixie: real files, relative /usr/lib64 link
		cp "$g/libc.so.6" "$g/ld-linux-x86-64.so.2" "$m/"
		ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$r/usr/lib64/ld-linux-x86-64.so.2" ;;
	esac
	rm -rf "$g"
	# base-passwd: the static accounts (update-passwd copies the masters)
	cp "$x/usr/share/base-passwd/passwd.master" "$r/etc/passwd"
	cp "$x/usr/share/base-passwd/group.master" "$r/etc/group"
	# libc-bin: postinst copies /usr/share/libc-bin/nsswitch.conf
	cp "$x/usr/share/libc-bin/nsswitch.conf" "$r/etc/nsswitch.conf"
	# ca-certificates: update-ca-certificates concatenates, in the order of
	# /etc/ca-certificates.conf (every mozilla/ certificate, sorted, as the
	# postinst writes it), the certificates into the bundle.
	mkdir -p "$r/etc/ssl/certs" "$r/usr/local/share/ca-certificates"
	touch "$r/usr/local/share/ca-certificates/.gitkeep"
	(cd "$x/usr/share/ca-certificates" && find mozilla -name '*.crt' | LC_ALL=C sort) |
	while read -r c; do
		sed -e '$a\' "$x/usr/share/ca-certificates/$c"
	done > "$r/etc/ssl/certs/ca-certificates.crt"
	# Installer / cloud image files (not from a package)
	printf '%s\n' "$4" > "$r/etc/hostname"
	printf '%s\n' "$5" > "$r/etc/machine-id"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n' "$4" > "$r/etc/hosts"
	printf 'domain corp.example.com\nsearch corp.example.com\nnameserver 10.0.0.2\n' > "$r/etc/resolv.conf"
	printf 'PARTUUID=5f3a7c2e-01d4-4b8a-9c6e-2a1b3c4d5e6f / ext4 rw,discard,errors=remount-ro,x-systemd.growfs 0 1\nPARTUUID=8e1d2c3b-4a5f-4e6d-8c7b-9a0b1c2d3e4f /boot/efi vfat defaults 0 0\n' > "$r/etc/fstab"
	mkdir -p "$r/etc/default"
	printf '# If you change this file, run '"'"'update-grub'"'"' afterwards to update\n# /boot/grub/grub.cfg.\n# For full documentation of the options in this file, see:\n#   info -f grub -n '"'"'Simple configuration'"'"'\n\nGRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' > "$r/etc/default/grub"
	# Runtime: a 4 GiB, 2-vCPU x86_64 VM after a boot with no admin config
	p=$r/proc/sys
	mkdir -p "$p/kernel" "$p/fs" "$p/vm" "$p/net/core" "$p/net/ipv4" "$r/proc/self"
	printf '%s\n' "$3" > "$p/kernel/osrelease"
	printf 'x86_64\n' > "$p/kernel/arch"
	printf '%s\n' "$4" > "$p/kernel/hostname"
	printf 'core\n' > "$p/kernel/core_pattern"
	printf '4194304\n' > "$p/kernel/pid_max"      # systemd 50-pid-max.conf
	printf '31366\n' > "$p/kernel/threads-max"    # totalram_pages / 32, 4 GiB
	printf '9223372036854775807\n' > "$p/fs/file-max"  # systemd >= 240 bump
	printf '%s\n' "$9" > "$p/fs/nr_open"  # kernel 1048576, or systemd's bump
	printf '60\n' > "$p/vm/swappiness"
	printf '4096\n' > "$p/net/core/somaxconn"
	printf '1000\n' > "$p/net/core/netdev_max_backlog"
	printf '212992\n' > "$p/net/core/rmem_max"
	printf '212992\n' > "$p/net/core/wmem_max"
	printf '256\n' > "$p/net/ipv4/tcp_max_syn_backlog"  # 32768 ehash / 128
	printf '4096\t131072\t6291456\n' > "$p/net/ipv4/tcp_rmem"
	printf '4096\t16384\t4194304\n' > "$p/net/ipv4/tcp_wmem"
	printf '2\n' > "$p/net/ipv4/tcp_tw_reuse"
	printf 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' > "$r/proc/swaps"
	cp "$roots/ubuntu-22.04/proc/filesystems" "$r/proc/filesystems"
	cat > "$r/proc/self/mountinfo" <<MI
22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
23 28 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=1988412k,nr_inodes=497103,mode=755
25 24 0:23 / /dev/pts rw,nosuid,noexec,relatime shared:3 - devpts devpts rw,gid=5,mode=620,ptmxmode=000
26 28 0:24 / /run rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw,size=401864k,mode=755
28 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard,errors=remount-ro
29 22 0:6 / /sys/kernel/security rw,nosuid,nodev,noexec,relatime shared:8 - securityfs securityfs rw
30 24 0:25 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw
31 26 0:26 / /run/lock rw,nosuid,nodev,noexec,relatime shared:6 - tmpfs tmpfs rw,size=5120k
32 22 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
33 22 0:28 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:10 - pstore pstore rw
34 22 0:29 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:11 - bpf bpf rw,mode=700
35 24 0:20 / /dev/mqueue rw,nosuid,nodev,noexec,relatime shared:14 - mqueue mqueue rw
36 24 0:30 / /dev/hugepages rw,relatime shared:15 - hugetlbfs hugetlbfs rw,pagesize=2M
37 22 0:7 / /sys/kernel/debug rw,nosuid,nodev,noexec,relatime shared:16 - debugfs debugfs rw
38 22 0:12 / /sys/kernel/tracing rw,nosuid,nodev,noexec,relatime shared:17 - tracefs tracefs rw
39 22 0:31 / /sys/kernel/config rw,nosuid,nodev,noexec,relatime shared:19 - configfs configfs rw
40 28 254:15 / /boot/efi rw,relatime shared:35 - vfat /dev/vda15 rw,fmask=0022,dmask=0022,codepage=437,iocharset=ascii,shortname=mixed,utf8,errors=remount-ro
MI
	mkdir -p "$r/sys/fs/cgroup" "$r/sys/devices/system/cpu" "$r/sys/module/apparmor/parameters" "$r/sys/kernel/security/apparmor"
	printf '0-1\n' > "$r/sys/devices/system/cpu/online"
	printf '%s\n' "$8" > "$r/sys/fs/cgroup/cgroup.controllers"
	printf 'cpuset cpu io memory pids\n' > "$r/sys/fs/cgroup/cgroup.subtree_control"
	printf 'Y\n' > "$r/sys/module/apparmor/parameters/enabled"
	# The profiles the apparmor package's /etc/apparmor.d loads at boot
	# (apparmor.service), with the mode their flags give.
	for f in "$x"/etc/apparmor.d/*; do
		[ -f "$f" ] || continue
		awk '/^[[:space:]]*#/ {next}
		/^[[:space:]]*profile[[:space:]]+[^[:space:]]+/ || /^\/[^[:space:]]*[[:space:]]/ {
			name = ($1 == "profile") ? $2 : $1
			if (match($0, /profile[[:space:]]+"[^"]*"/)) { name = substr($0, RSTART, RLENGTH); sub(/^profile[[:space:]]+/, "", name); gsub(/"/, "", name) }
			mode = "enforce"
			if ($0 ~ /flags=\([^)]*unconfined/) mode = "unconfined"
			else if ($0 ~ /flags=\([^)]*complain/) mode = "complain"
			print name " (" mode ")"; exit
		}' "$f"
	done > "$r/sys/kernel/security/apparmor/profiles"
}

build bullseye debian-11 5.10.0-32-amd64 d11-app01 4f0c6a1d9b2e48c7a3d5e6f708192a3b 247 usr/lib/systemd 'cpuset cpu io memory hugetlb pids rdma' 1048576 2.31
build bookworm debian-12 6.1.0-50-amd64 d12-app01 9c2d4e6f8a0b4c1d8e2f3a4b5c6d7e8f 252 usr/lib/x86_64-linux-gnu/systemd 'cpuset cpu io memory hugetlb pids rdma misc' 1048576 2.36
build trixie debian-13 6.12.117+deb13-amd64 d13-app01 1b3d5f7a9c0e4a2b8d6f1e3c5a7b9d0f 257 usr/lib/x86_64-linux-gnu/systemd 'cpuset cpu io memory hugetlb pids rdma misc' 1073741816 2.41
