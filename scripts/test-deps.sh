#!/bin/sh
# Installs the Debian/Ubuntu packages the test suite needs, or names them.
#
# As root: installs what is missing with apt-get, says what it installs, and
# does nothing when everything is present. As another user: names what is
# missing; the tests that need it skip with that reason — except in CI
# (CI=true), where a missing package is an error, because nothing may skip.
#
# The list is in scripts/test-packages.txt: one "package command" pair a
# line (the command proves the package is installed).
set -eu

list="$(dirname "$0")/test-packages.txt"
missing=""
while read -r pkg cmd; do
	case "$pkg" in ''|'#'*) continue ;; esac
	if ! command -v "$cmd" >/dev/null 2>&1; then
		missing="$missing $pkg"
	fi
done <"$list"

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "test-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	exit 0
fi

echo "test-deps: missing system packages:$missing"
if [ "${CI:-}" = "true" ]; then
	echo "test-deps: CI must run as root so that they can be installed" >&2
	exit 1
fi
echo "test-deps: tests that need them will skip (run as root, or: sudo apt-get install$missing)"
