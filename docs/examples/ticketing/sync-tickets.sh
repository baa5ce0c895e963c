#!/usr/bin/env bash
# sync-tickets.sh REPORT.json STATE.json
#
# One ticket per finding, from golive's JSON reports: prints the actions a
# ticketing integration takes (one JSON object a line: create, comment or
# close, keyed by the finding's fingerprint) and keeps STATE.json, the
# findings that have an open ticket. Feed each action to your tracker's
# API; docs/ticketing.md shows how. Run it after every golive check.
#
# GOLIVE_TICKET_ON_WARN=1 opens tickets for warnings too.
set -euo pipefail

if [ "$#" -ne 2 ]; then
	echo "usage: $0 REPORT.json STATE.json" >&2
	exit 2
fi
report=$1
state=$2
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -s "$state" ]; then
	echo '{}' >"$state"
fi
tmp=$(mktemp "$state.XXXXXX")
trap 'rm -f "$tmp"' EXIT

jq -e '.schema == "golive/report/v1"' "$report" >/dev/null || {
	echo "$report: not a golive/report/v1 report" >&2
	exit 2
}
jq -c --slurpfile state "$state" --arg on_warn "${GOLIVE_TICKET_ON_WARN:-0}" \
	-f "$here/sync-tickets.jq" "$report" >"$tmp"
jq -c '.actions[]' "$tmp"
# The state changes only once the actions are out: a crash in between
# repeats actions rather than losing them.
jq '.state' "$tmp" >"$tmp.state"
mv "$tmp.state" "$state"
