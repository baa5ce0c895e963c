#!/usr/bin/env bash
# bench-peers.sh GOLIVE GOSS — golive side by side with goss v0.4.9 on this
# host (issue 19 §4; `make bench-peers` builds both and runs this).
#
#   a. 30 sysctl checks against goss's 30 kernel-param tests of the same keys
#   b. golive's full local profile (check --offline) against ~50 goss tests
#      of the same kind of facts (kernel-params, files, users, groups, mount)
#   c. golive version against golive check --offline
#   d. package init (GODEBUG=inittrace=1 golive version, sum of clock)
#
# Each comparison is RUNS pairs (default 21); a pair runs both commands back
# to back, in alternating order, so a load change on a shared machine hits
# both sides alike. Wall time is taken by the shell ($EPOCHREALTIME, no fork
# inside the interval); peak RSS by /usr/bin/time -v in separate paired runs.
# Figures are medians; the ratio and the difference are the medians of the
# per-pair ratios and differences. The script exits 1 when a budget is
# missed.
#
# Read-only: the expectations are generated from the live values at start,
# so both tools pass and do equal work; the profiles and gossfiles live in a
# temp dir that is removed at exit. Nothing on the host is changed.
set -euo pipefail

golive=${1:?usage: bench-peers.sh GOLIVE GOSS}
goss=${2:?usage: bench-peers.sh GOLIVE GOSS}
runs=${RUNS:-21}
[ -x /usr/bin/time ] || { echo "bench-peers: /usr/bin/time is missing (package time: make test-deps)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Single-valued keys every Linux kernel of the last decade has; the first
# 30 present on this host are benchmarked.
candidates=(
	net.core.somaxconn net.core.netdev_max_backlog net.core.rmem_max net.core.wmem_max
	net.core.rmem_default net.core.wmem_default net.core.optmem_max
	net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_fin_timeout net.ipv4.tcp_tw_reuse
	net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl net.ipv4.tcp_keepalive_probes
	net.ipv4.tcp_syncookies net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_slow_start_after_idle
	net.ipv4.tcp_sack net.ipv4.tcp_timestamps net.ipv4.tcp_window_scaling net.ipv4.ip_forward
	net.ipv4.tcp_syn_retries net.ipv4.tcp_synack_retries net.ipv4.tcp_retries2
	net.ipv4.tcp_mtu_probing net.ipv4.tcp_no_metrics_save net.ipv4.tcp_abort_on_overflow
	fs.file-max fs.nr_open fs.inotify.max_user_watches fs.inotify.max_user_instances
	fs.aio-max-nr vm.swappiness vm.overcommit_memory vm.max_map_count vm.dirty_ratio
	vm.dirty_background_ratio vm.min_free_kbytes kernel.pid_max kernel.threads-max
	kernel.panic kernel.sysrq
)

# live KEY: the key's value in /proc/sys, tabs kept (multi-field keys).
live() { cat "/proc/sys/${1//.//}"; }
# yq STRING: STRING as a double-quoted YAML scalar.
yq() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "${s//$'\t'/\\t}"; }

keys=()
for k in "${candidates[@]}"; do
	[ -r "/proc/sys/${k//.//}" ] && keys+=("$k")
	[ "${#keys[@]}" -eq 30 ] && break
done
[ "${#keys[@]}" -eq 30 ] || { echo "bench-peers: only ${#keys[@]} of the sysctl keys exist here" >&2; exit 2; }

# a. 30 sysctl rules, and the same 30 kernel-params.
{
	echo "name: bench-sysctl"
	echo "sysctl:"
	for k in "${keys[@]}"; do echo "  $k: $(yq "== $(live "$k")")"; done
} >"$tmp/sysctl30.yaml"
{
	echo "kernel-param:"
	for k in "${keys[@]}"; do echo "  $k: {value: $(yq "$(live "$k")")}"; done
} >"$tmp/sysctl30.goss.yaml"

# b. ~50 goss tests of what golive's full local profile reads: its sysctl
# keys, then others up to 25 kernel-params; the files it reads; accounts;
# the root mount.
mapfile -t profkeys < <("$golive" list --only sysctl --format json | sed -n 's/.*"id": *"sysctl\/\([^"]*\)".*/\1/p')
{
	echo "kernel-param:"
	n=0
	for k in "${profkeys[@]}" "${keys[@]}"; do
		[ "$n" -lt 25 ] || break
		grep -qx "  $k:.*" "$tmp/full.kp" 2>/dev/null && continue
		echo "  $k: {value: $(yq "$(live "$k")")}" >>"$tmp/full.kp"
		n=$((n + 1))
	done
	cat "$tmp/full.kp"
	echo "file:"
	for f in /etc/os-release /etc/resolv.conf /etc/nsswitch.conf /etc/hosts /etc/hostname \
		/etc/passwd /etc/group /etc/sysctl.conf /etc/sysctl.d /etc/security/limits.conf \
		/etc/security/limits.d /usr/local/share/ca-certificates /proc/self/mountinfo \
		/proc/swaps /sys/fs/cgroup /etc/selinux/config /etc/apparmor.d; do
		[ -e "$f" ] && echo "  $f: {exists: true}"
	done
	for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
		[ -r "$f" ] && echo "  $f: {exists: true, contents: [\"BEGIN CERTIFICATE\"]}"
	done
	echo "user:"
	awk -F: 'NR <= 5 {print "  " $1 ": {exists: true, uid: " $3 ", gid: " $4 "}"}' /etc/passwd
	echo "group:"
	awk -F: 'NR <= 5 {print "  " $1 ": {exists: true, gid: " $3 "}"}' /etc/group
	echo "mount:"
	echo "  /: {exists: true}"
} >"$tmp/full.goss.yaml"
ngoss=$(grep -c '^  [^ ]' "$tmp/full.goss.yaml")

# shellcheck disable=SC2034 # the commands are used through pair's namerefs
{
	a_golive=("$golive" check --profile "$tmp/sysctl30.yaml" --only sysctl --offline --no-color)
	a_goss=("$goss" --gossfile "$tmp/sysctl30.goss.yaml" validate --no-color)
	b_golive=("$golive" check --offline --fail-on none --no-color)
	b_goss=("$goss" --gossfile "$tmp/full.goss.yaml" validate --no-color)
	c_version=("$golive" version)
}

# Both sides must pass here, or they did not do the same work.
for cmd in a_golive a_goss b_golive b_goss c_version; do
	declare -n argv=$cmd
	if ! "${argv[@]}" >"$tmp/out" 2>&1; then
		echo "bench-peers: $cmd does not pass on this host: ${argv[*]}" >&2
		cat "$tmp/out" >&2
		exit 2
	fi
done

# wall CMD...: wall milliseconds of one run.
wall() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1
	local t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}
# rss CMD...: peak resident set of one run, KiB.
rss() {
	/usr/bin/time -v -o "$tmp/time" "$@" >/dev/null 2>&1
	awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# pair NAME A B: RUNS alternating pairs of arrays A and B; sets NAME_a,
# NAME_b (median ms), NAME_ratio, NAME_diff (median per pair), NAME_rss_a,
# NAME_rss_b (median KiB).
pair() {
	local name=$1
	declare -n A=$2 B=$3
	local i ta tb
	: >"$tmp/wa"; : >"$tmp/wb"; : >"$tmp/ra"; : >"$tmp/rb"; : >"$tmp/ratio"; : >"$tmp/diff"
	"${A[@]}" >/dev/null 2>&1 || true # warm the page cache for both
	"${B[@]}" >/dev/null 2>&1 || true
	for ((i = 0; i < runs; i++)); do
		if ((i % 2 == 0)); then
			ta=$(wall "${A[@]}"); tb=$(wall "${B[@]}")
			rss "${A[@]}" >>"$tmp/ra"; rss "${B[@]}" >>"$tmp/rb"
		else
			tb=$(wall "${B[@]}"); ta=$(wall "${A[@]}")
			rss "${B[@]}" >>"$tmp/rb"; rss "${A[@]}" >>"$tmp/ra"
		fi
		echo "$ta" >>"$tmp/wa"; echo "$tb" >>"$tmp/wb"
		awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.4f\n", a / b }' >>"$tmp/ratio"
		awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.3f\n", a - b }' >>"$tmp/diff"
	done
	printf -v "${name}_a" '%s' "$(median <"$tmp/wa")"
	printf -v "${name}_b" '%s' "$(median <"$tmp/wb")"
	printf -v "${name}_ratio" '%s' "$(median <"$tmp/ratio")"
	printf -v "${name}_diff" '%s' "$(median <"$tmp/diff")"
	printf -v "${name}_rss_a" '%s' "$(median <"$tmp/ra")"
	printf -v "${name}_rss_b" '%s' "$(median <"$tmp/rb")"
}

# initsum: sum of the clock column of one GODEBUG=inittrace=1 golive version.
initsum() { GODEBUG=inittrace=1 "$golive" version 2>&1 >/dev/null | awk '$1 == "init" {s += $5} END {printf "%.3f\n", s}'; }

echo "bench-peers: $runs paired runs each, on $(nproc) CPUs; $("$golive" version | head -1); $goss"
pair a a_golive a_goss
pair b b_golive b_goss
pair c b_golive c_version
for ((i = 0; i < runs; i++)); do initsum; done >"$tmp/init"
init=$(median <"$tmp/init")

# The floor under d on this machine: a program that does nothing but
# import the standard-library packages golive links (go list -deps, run
# from the repository). Their init alone is what no change to golive's own
# packages can remove.
floor=n/a
if command -v go >/dev/null && [ -f go.mod ]; then
	mkdir -p "$tmp/floor"
	{
		echo "package main"
		echo "import ("
		go list -deps ./cmd/golive | grep -v '[.]' | grep -Ev '(^|/)internal(/|$)|^vendor/|^runtime|^unsafe$|^cmd/' | sed 's/.*/\t_ "&"/'
		echo ")"
		echo "func main() {}"
	} >"$tmp/floor/main.go"
	printf 'module floor\ngo 1.26\n' >"$tmp/floor/go.mod"
	if (cd "$tmp/floor" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o floor . 2>/dev/null); then
		for ((i = 0; i < runs; i++)); do
			GODEBUG=inittrace=1 "$tmp/floor/floor" 2>&1 | awk '$1 == "init" {s += $5} END {printf "%.3f\n", s}'
		done >"$tmp/finit"
		floor=$(median <"$tmp/finit")
	fi
fi

fail=0
# budget NAME OK TEXT: print a budget line; OK is 1 when it is met.
budget() {
	if [ "$2" = 1 ]; then echo "  ok    $1: $3"; else echo "  OVER  $1: $3"; fail=1; fi
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }

# The a_*, b_*, c_* figures are set by pair (printf -v).
# shellcheck disable=SC2154
report() {
	cat <<EOF

                                   golive        peer     ratio  (median ms, peak RSS KiB)
a. 30 sysctl / 30 kernel-param   $(printf '%8.1f  %10.1f  %8.2f' "$a_a" "$a_b" "$a_ratio")   rss $a_rss_a / $a_rss_b
b. check --offline / goss $ngoss tests  $(printf '%8.1f  %10.1f  %8.2f' "$b_a" "$b_b" "$b_ratio")   rss $b_rss_a / $b_rss_b
c. check --offline / version     $(printf '%8.1f  %10.1f  %+7.1f ms' "$c_a" "$c_b" "$c_diff")
d. package init (inittrace sum)  $(printf '%8.3f ms' "$init")   (its standard library alone: $floor ms)

budgets (DESIGN.md, issue 19 §4):
EOF
	budget "30 sysctl <= 0.8x goss" "$(le "$a_ratio" 0.8)" "${a_ratio}x"
	budget "full check within 5 ms of version" "$(le "$c_diff" 5)" "${c_diff} ms"
	budget "package init <= 1.5 ms" "$(le "$init" 1.5)" "${init} ms"
	budget "peak RSS of a full run <= goss" "$(le "$b_rss_a" "$b_rss_b")" "${b_rss_a} KiB vs ${b_rss_b} KiB"
}
report
exit "$fail"
