#!/bin/bash
# Rebuilds the package databases of the fixture roots (testdata/roots/README.md,
# "Package databases"): real rpm databases written by rpm itself from
# packages rpmbuild makes here, and a dpkg status file dpkg-query reads.
#
#   rocky-9/var/lib/rpm/rpmdb.sqlite   rpm's SQLite database (rpm -i --justdb),
#                                      vacuumed to 512-byte pages to stay small
#   centos-7/var/lib/rpm/Packages      the same kind of header blobs in a
#   rhel-8/var/lib/rpm/Packages        Berkeley DB hash file (db5.3_load), as
#                                      rpm 4.11's and 4.14's bdb backend store them
#   broken/var/lib/rpm/rpmdb.sqlite    rocky-9's database cut short
#   ubuntu-22.04/var/lib/dpkg/status   below, checked with dpkg-query
#
# Needs rpm (rpmbuild), sqlite3, db5.3-util and dpkg; touches nothing but a
# temp dir and those files. Run from anywhere: bash testdata/gen/package-dbs/gen.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
roots=$(cd "$here/../../roots" && pwd)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
export SOURCE_DATE_EPOCH=1733356800 LC_ALL=C HOME=$work

# build NAME LIST: makes one package per line "name epoch version release arch"
# (epoch - for none) and records them all in a new SQLite rpm database
# $work/NAME/db.
build() {
	local name=$1 n e v r a i=0
	mkdir -p "$work/$name/specs" "$work/$name/db"
	while read -r n e v r a; do
		[[ -z $n ]] && continue
		i=$((i + 1))
		{
			printf 'Name: %s\nVersion: %s\nRelease: %s\nSummary: %s fixture package\nLicense: MIT\nBuildArch: %s\n' "$n" "$v" "$r" "$n" "$a"
			if [[ $e != - ]]; then printf 'Epoch: %s\n' "$e"; fi
			printf '%%description\nA fixture package of golive'"'"'s %s root.\n%%files\n' "$name"
		} >"$work/$name/specs/p$i.spec"
	done
	rpmbuild --quiet --define "_topdir $work/$name/top" --define '_build_id_links none' \
		--define '_buildhost fixture.golive.invalid' --define 'use_source_date_epoch_as_buildtime 1' \
		--define '_binary_payload w.ufdio' -bb "$work/$name"/specs/*.spec
	rpm --initdb --dbpath "$work/$name/db"
	rpm -i --justdb --nodeps --noscripts --notriggers --ignorearch --ignoreos \
		--dbpath "$work/$name/db" "$work/$name"/top/RPMS/*/*.rpm 2>/dev/null
}

build rocky-9 <<'LIST'
openssl 1 3.0.7 27.el9 x86_64
openssl-libs 1 3.0.7 27.el9 x86_64
bash - 5.1.8 9.el9 x86_64
glibc - 2.34 100.el9_4.2 x86_64
kernel - 5.14.0 427.13.1.el9_4 x86_64
kernel - 5.14.0 362.8.1.el9_3 x86_64
chrony - 4.5 1.el9 x86_64
ca-certificates - 2023.2.60_v7.0.306 90.1.el9_2 noarch
rpm - 4.16.1.3 29.el9 x86_64
systemd - 252 32.el9_4 x86_64
tzdata - 2024a 1.el9 noarch
LIST

build centos-7 <<'LIST'
openssl 1 1.0.2k 26.el7_9 x86_64
openssl-libs 1 1.0.2k 26.el7_9 x86_64
bash - 4.2.46 35.el7_9 x86_64
glibc - 2.17 326.el7_9 x86_64
kernel - 3.10.0 1160.el7 x86_64
kernel - 3.10.0 1160.119.1.el7 x86_64
chrony - 3.4 1.el7 x86_64
ca-certificates - 2023.2.60_v7.0.306 72.el7_9 noarch
rpm - 4.11.3 48.el7_9 x86_64
systemd - 219 78.el7_9.9 x86_64
yum - 3.4.3 168.el7.centos noarch
tzdata - 2024a 1.el7 noarch
LIST

build rhel-8 <<'LIST'
openssl 1 1.1.1k 12.el8_9 x86_64
openssl-libs 1 1.1.1k 12.el8_9 x86_64
bash - 4.4.20 5.el8 x86_64
glibc - 2.28 251.el8_10.2 x86_64
kernel - 4.18.0 553.el8_10 x86_64
chrony - 4.5 1.el8 x86_64
rpm - 4.14.3 31.el8 x86_64
systemd - 239 82.el8_10.1 x86_64
dnf - 4.7.0 20.el8 noarch
tzdata - 2024a 1.el8 noarch
LIST

# rocky-9: rpm's own file, with its index tables, in 512-byte pages (headers
# then span overflow pages, which the reader must follow).
out=$roots/rocky-9/var/lib/rpm
mkdir -p "$out"
sqlite3 "$work/rocky-9/db/rpmdb.sqlite" 'PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;' >/dev/null
cp "$work/rocky-9/db/rpmdb.sqlite" "$out/rpmdb.sqlite"
rpm -qa --dbpath "$out" >/dev/null # rpm still reads it

# centos-7 and rhel-8: the header blobs as a Berkeley DB hash (rpm's
# Packages: keys are header numbers in the machine's byte order, key 0
# rpm's counter).
for name in centos-7 rhel-8; do
	out=$roots/$name/var/lib/rpm
	mkdir -p "$out"
	{
		printf 'VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=1024\nHEADER=END\n'
		last=$(sqlite3 "$work/$name/db/rpmdb.sqlite" 'SELECT max(hnum) FROM Packages')
		printf ' 00000000\n %02x000000\n' "$last"
		sqlite3 "$work/$name/db/rpmdb.sqlite" 'SELECT hnum, lower(hex(blob)) FROM Packages ORDER BY hnum' |
			while IFS='|' read -r n hex; do printf ' %02x000000\n %s\n' "$n" "$hex"; done
		printf 'DATA=END\n'
	} >"$work/dump"
	rm -f "$out/Packages"
	db5.3_load -f "$work/dump" "$out/Packages"
	rpm --define '_db_backend bdb_ro' -qa --dbpath "$out" >/dev/null 2>&1 # rpm still reads it
done

# broken: rocky-9's database cut after its first 40 pages: sqlite_schema
# is whole, the Packages b-tree points past the end.
mkdir -p "$roots/broken/var/lib/rpm"
head -c $((40 * 512)) "$roots/rocky-9/var/lib/rpm/rpmdb.sqlite" >"$roots/broken/var/lib/rpm/rpmdb.sqlite"

# ubuntu-22.04: dpkg's status file, stanzas as dpkg writes them (fields
# trimmed to those a reader meets first), with a removed package whose
# configuration files remain (rc) and one held (hi).
out=$roots/ubuntu-22.04/var/lib/dpkg
mkdir -p "$out"
pkg() { # name status arch version
	printf 'Package: %s\nStatus: %s\nPriority: optional\nSection: misc\nMaintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>\nArchitecture: %s\nVersion: %s\nDescription: %s\n fixture stanza\n\n' "$1" "$2" "$3" "$4" "$1"
}
{
	pkg bash "install ok installed" amd64 5.1-6ubuntu1.1
	pkg ca-certificates "install ok installed" all 20240203~22.04.1
	pkg libc6 "install ok installed" amd64 2.35-0ubuntu3.8
	pkg libssl3 "install ok installed" amd64 3.0.2-0ubuntu1.18
	pkg linux-image-5.15.0-126-generic "install ok installed" amd64 5.15.0-126.136
	pkg openssl "install ok installed" amd64 3.0.2-0ubuntu1.18
	pkg systemd "install ok installed" amd64 249.11-0ubuntu3.12
	pkg systemd-timesyncd "install ok installed" amd64 249.11-0ubuntu3.12
	pkg telnet "deinstall ok config-files" amd64 0.17-44build1
	pkg tzdata "hold ok installed" all 2024a-0ubuntu0.22.04.1
} >"$out/status"
dpkg-query --admindir="$out" -W -f '${Package} ${Version} ${db:Status-Abbrev}\n' >/dev/null
ls -l "$roots"/rocky-9/var/lib/rpm "$roots"/centos-7/var/lib/rpm "$roots"/rhel-8/var/lib/rpm "$roots"/broken/var/lib/rpm "$roots"/ubuntu-22.04/var/lib/dpkg
