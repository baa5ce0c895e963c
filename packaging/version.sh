#!/bin/sh
# Prints the package version for a golive version (the Makefile's VERSION,
# from `git describe --tags --always --dirty`): one that dpkg and rpm both
# accept and that both order the way the builds happened.
#
#   v1.2.3                   1.2.3
#   v1.2.3-rc.1              1.2.3~rc.1              ~ sorts before 1.2.3
#   v1.2.3-4-gabc1234        1.2.3+4.gabc1234        4 commits after v1.2.3
#   v1.2.3-rc.1-4-gabc1234   1.2.3~rc.1+4.gabc1234
#   v1.2.3-dirty             1.2.3+dirty
#   abc1234 (no tag yet)     0.0.0~git.abc1234       before any release
#   dev                      0.0.0~dev
#
# Anything else is an error: a package must never get a version that
# sorts wrongly against the releases around it.
set -eu

usage="usage: version.sh GIT_DESCRIBE"
v=${1:?$usage}

dirty=""
case $v in
*-dirty)
	dirty=dirty
	v=${v%-dirty}
	;;
esac

matches() { printf '%s\n' "$1" | grep -Eq -e "$2"; }

if matches "$v" '^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?(-[0-9]+-g[0-9a-f]+)?$'; then
	v=${v#v}
	since=""
	if matches "$v" '-[0-9]+-g[0-9a-f]+$'; then
		since=$(printf '%s\n' "$v" | sed -E 's/.*-([0-9]+)-g([0-9a-f]+)$/\1.g\2/')
		v=$(printf '%s\n' "$v" | sed -E 's/-[0-9]+-g[0-9a-f]+$//')
	fi
	out=${v%%-*}
	case $v in *-*) out="$out~${v#*-}" ;; esac
	[ -z "$since" ] || out="$out+$since"
	if [ -n "$dirty" ]; then
		case $out in *+*) out="$out.dirty" ;; *) out="$out+dirty" ;; esac
	fi
elif matches "$v" '^[0-9a-f]{4,40}$'; then
	out="0.0.0~git.$v"
	[ -z "$dirty" ] || out="$out.dirty"
elif [ "$v" = dev ] && [ -z "$dirty" ]; then
	out="0.0.0~dev"
else
	echo "version.sh: cannot make a package version of \"$1\": tag releases vX.Y.Z or vX.Y.Z-PRERELEASE" >&2
	exit 1
fi
printf '%s\n' "$out"
