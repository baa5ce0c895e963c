# sync-tickets.jq — decide ticket actions from a golive/report/v1 report and
# the open tickets (keyed by fingerprint). Called by sync-tickets.sh:
#   jq --slurpfile state STATE --arg on_warn 0|1 -f sync-tickets.jq REPORT
# Emits {"actions": [...], "state": {...}}.

def finding_statuses: if $on_warn == "1" then ["fail", "error", "warn"] else ["fail", "error"] end;
# A check the run's end (--timeout, a signal) cut short found nothing: no
# ticket is opened, commented or closed for it.
def interrupted: .status == "error" and .details.cause == "interrupted";

. as $r
| ($state[0] // {}) as $open
| ($r.host.hostname) as $host
| [ $r.checks[] | {key: .fingerprint, value: .} ] | from_entries as $now
| [ $r.checks[] | select(interrupted | not) | select(.status as $s | finding_statuses | index($s)) ] as $findings
| ($findings | map({key: .fingerprint, value: {
      id, host: $host, status, observed, expected,
      ticket_title: "golive: \($host): \(.id) is \(.status)"
  }}) | from_entries) as $want
| [
    # create: a finding no ticket tracks yet
    ($findings[] | select($open[.fingerprint] == null) | {
      action: "create", fingerprint, id, host: $host,
      title: "golive: \($host): \(.id) is \(.status)",
      body: ([
        "Host: \($host) (\($r.host.distro.pretty_name)), profile \($r.profile.name)",
        "Check: \(.id) — \(.title)",
        "Expected: \(.expected)",
        "Observed: \(.observed)",
        "Why: \(.message)",
        (if .remediation then "Fix: \(.remediation.summary)" else empty end),
        "Seen: \($r.started_at) by golive \($r.tool.version)"
      ] | join("\n"))
    }),
    # comment: still a finding, but its status or observed value moved
    ($findings[] | select($open[.fingerprint] != null)
      | . as $c | $open[.fingerprint] as $o
      | select($o.status != $c.status or $o.observed != $c.observed)
      | {action: "comment", fingerprint, id, host: $host,
         body: "now \($c.status), observed \($c.observed) (was \($o.status), observed \($o.observed)) at \($r.started_at)"}),
    # close: a tracked finding whose check ran and no longer finds anything.
    # A check missing from the report (a run with --only, an aborted run)
    # closes nothing.
    ($open | to_entries[] | select($want[.key] == null)
      | $now[.key] as $c
      | select($c != null and ($c | interrupted | not) and $r.verdict != "aborted")
      | {action: "close", fingerprint: .key, id: .value.id, host: .value.host,
         body: (if $c.status == "waived"
                then "waived: \($c.message)"
                else "\($c.status) at \($r.started_at): observed \($c.observed)" end)})
  ] as $actions
| ($actions | map(select(.action == "close") | .fingerprint)) as $closed
| {
    actions: $actions,
    state: (($open | with_entries(select(.key as $k | $closed | index($k) | not)))
            + ($want | with_entries(.value |= del(.ticket_title))))
  }
