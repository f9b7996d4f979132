#!/bin/sh
# sysreport_test.sh - sosreports and supportconfigs through the binary:
# an unpacked report folder is one input (not a folder of tickets), a
# ticket folder holding reports scans each as its own input, and the
# report says what a report lacks. Run by ctest (see CMakeLists.txt).
set -u
BIN=${LHT_BINARY:?}
FX=${LHT_FIXTURES:?}
SRC=${LHT_SOURCE_DIR:?}
T=$(mktemp -d /tmp/lht-sysreport-XXXXXX)
trap 'rm -rf "$T"' EXIT
DB=$T/t.db
fails=0 checks=0

ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
q() { "$BIN" query --db "$DB" --csv "$1" | tail -n +2 | tr -d '\r' | sed 's/^"\(.*\)"$/\1/'; }

SOS4=$SRC/fixtures/sosreport/sos-4.10-rhel9/sosreport-rke2-w1-01234567-2025-09-24-qhtcvbm

# --- an unpacked sosreport folder is one input ------------------------
"$BIN" scan --db "$DB" "$SOS4" >"$T/out"; expect_eq "sos folder exit" $? 0
expect_eq "one input" "$(q "SELECT count(*) FROM v_bundles")" "1"
grep -q "rwx-nfs4-open-state-hang confirmed node=rke2-w1 pid=123315" "$T/out"; expect_eq "confirmed line" $? 0
expect_eq "created from the name" "$(q "SELECT created_at FROM v_bundles")" "2025-09-24"
expect_eq "links are not members" "$(q "SELECT count(*) FROM v_members WHERE member IN ('ps','proc/mounts','etc/os-release','hostname','uname','proc/self')")" "0"
expect_eq "every member on the report's host" "$(q "SELECT count(*) FROM v_members WHERE case_node IS NOT 'rke2-w1'")" "0"
expect_eq "sos pid's mountstats" "$(q "SELECT count(*) FROM v_mounts WHERE origin='mountstats' AND nfs_vers='4.1'")" "2"

# --- a ticket folder: each report is its own input --------------------
mkdir -p "$T/ticket"
cp "$FX/sos-3.9-rhel7.tar.xz" "$FX/sles15-sp5.txz" "$T/ticket/"
"$BIN" scan --db "$DB" -q "$T/ticket"; expect_eq "ticket exit" $? 0
expect_eq "two more inputs" "$(q "SELECT group_concat(name, ',') FROM (SELECT name FROM v_bundles WHERE path LIKE '%ticket%' ORDER BY name)")" \
  "sles15-sp5,sos-3.9-rhel7"
expect_eq "supportconfig suspected" "$(q "SELECT confidence||'|'||node||'|'||pids FROM v_findings WHERE bundle='sles15-sp5'")" \
  "suspected|sles-w2|4242"
expect_eq "sos 3.9 says what is missing" \
  "$(q "SELECT count(*) FROM v_notes WHERE bundle='sos-3.9-rhel7' AND message LIKE 'sosreport without proc/<pid>/stack files (sos 3.9%48215%'")" "1"
"$BIN" report --db "$DB" >"$T/report.md"; expect_eq "report exit" $? 0
grep -q "supportconfig collects no kernel stacks" "$T/report.md"; expect_eq "report shows the note" $? 0

# --- a report without its proc tree -----------------------------------
"$BIN" scan --db "$DB" -q "$FX/sos-4.5-ubuntu-noproc.tar.xz"; expect_eq "noproc exit" $? 0
expect_eq "noproc notes" "$(q "SELECT count(*) FROM v_notes WHERE bundle='sos-4.5-ubuntu-noproc' AND (message LIKE '%without a process listing%' OR message LIKE '%without proc/<pid>/stack%')")" "2"
expect_eq "noproc: no finding" "$(q "SELECT count(*) FROM v_findings WHERE bundle='sos-4.5-ubuntu-noproc'")" "0"

echo "sysreport_test: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
