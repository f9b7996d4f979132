#!/bin/sh
# batch_test.sh - group commits in a batch scan: many small cases share
# one transaction, yet each case is all-or-nothing. A scan killed with
# SIGKILL part-way leaves a database that passes SQLite's integrity check
# and holds only whole cases (every input of the ticket, findings made);
# a batch scan with two workers stores what a serial one stores, finding
# ids included.
set -u
BIN=${LHT_BINARY:?}
FX=${LHT_FIXTURES:?}
SRC=${LHT_SOURCE_DIR:?}
T=$(mktemp -d /tmp/lht-batch-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
q() { "$BIN" query --db "$1" --csv "$2" | tail -n +2 | tr -d '\r'; }

# 100 tickets of three inputs each: the bundle, the node's shell output
# pasted by the customer, and an lsof paste
N=100
i=0
while [ $i -lt $N ]; do
    d=$T/in/t$i
    mkdir -p "$d"
    cp "$FX/seed-rwx.zip" "$d/bundle.zip"
    cp "$SRC/fixtures/transcripts/seed-node-transcript.txt" "$d/node.txt"
    cp "$SRC/fixtures/evidence/lsof-writers.txt" "$d/lsof.txt"
    i=$((i + 1))
done

# Whole cases only: each stored case has its three inputs, none of them
# damaged, and findings made from them by the current rules (not stale).
whole() {
    q "$1" "PRAGMA integrity_check"
    q "$1" "SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM bundles b WHERE b.case_id = c.id AND b.status = 'ok') <> 3
                                             OR c.stale <> 0 OR c.rules_digest IS NULL
                                             OR NOT EXISTS (SELECT 1 FROM findings f WHERE f.case_id = c.id)"
    q "$1" "SELECT count(*) FROM bundles WHERE case_id IS NULL"
}

# kill -9 at two moments of a scan: early, and after some batches
for wait_cases in 1 30; do
    db=$T/kill$wait_cases.db
    "$BIN" scan -q --jobs 2 --db "$db" "$T/in" >/dev/null 2>&1 &
    pid=$!
    n=0 tries=0
    while [ "$tries" -lt 600 ]; do
        if [ -f "$db" ]; then
            n=$(q "$db" "SELECT count(*) FROM cases" 2>/dev/null)
            [ "${n:-0}" -ge "$wait_cases" ] && break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
        tries=$((tries + 1))
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    stored=$(q "$db" "SELECT count(*) FROM cases")
    if [ "${stored:-0}" -ge "$N" ]; then
        echo "note: the scan ended before the kill at $wait_cases cases; nothing mid-batch to check" >&2
    fi
    expect_eq "killed after $wait_cases cases: integrity, partial cases, loose inputs" \
        "$(whole "$db" | tr '\n' ' ')" "ok 0 0 "
    # the database goes on: a second scan completes it
    "$BIN" scan -q --jobs 2 --db "$db" "$T/in" >/dev/null 2>&1
    expect_eq "killed after $wait_cases cases, scanned again: all cases" "$(q "$db" "SELECT count(*) FROM cases")" "$N"
    expect_eq "killed after $wait_cases cases, scanned again: whole" "$(whole "$db" | tr '\n' ' ')" "ok 0 0 "
done

# Two workers and group commits store what one worker stores: the same
# cases, inputs, facts and findings under the same permanent ids.
"$BIN" scan -q --jobs 1 --db "$T/j1.db" "$T/in"; expect_eq "--jobs 1 exit" $? 0
"$BIN" scan -q --jobs 2 --db "$T/j2.db" "$T/in"; expect_eq "--jobs 2 exit" $? 0
dump() {
    q "$1" "SELECT c.name, f.id, f.rule_id, f.node, f.pids FROM findings f JOIN cases c ON c.id = f.case_id ORDER BY 1, 2"
    q "$1" "SELECT c.name, b.typed, b.id, b.dup_of, (SELECT count(*) FROM processes p WHERE p.bundle_id = b.id),
                   (SELECT count(*) FROM mounts m WHERE m.bundle_id = b.id) FROM bundles b JOIN cases c ON c.id = b.case_id ORDER BY 1, 2"
}
dump "$T/j1.db" >"$T/j1"
dump "$T/j2.db" >"$T/j2"
expect_eq "findings stored" "$(q "$T/j1.db" "SELECT count(*) > 0 FROM findings")" 1
if cmp -s "$T/j1" "$T/j2"; then ok; else bad "--jobs 2 stored other rows than --jobs 1: $(diff "$T/j1" "$T/j2" | head -5)"; fi

echo "batch: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
