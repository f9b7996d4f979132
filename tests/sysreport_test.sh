#!/bin/sh
# sysreport_test.sh - sosreports and supportconfigs through the binary:
# an unpacked report folder is one input (not a folder of tickets), a
# ticket folder holding reports scans each as its own input of one case,
# a report's host joins the bundle's Kubernetes node (FQDN or short), a
# supportconfig is suspected, or confirmed when it carries a stack, the
# report says what a report lacks, and a ticket with nothing usable is an
# error. Run by ctest (see CMakeLists.txt).
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
"$BIN" report --db "$DB" --detail >"$T/report.md"; expect_eq "report exit" $? 0
grep -q "supportconfig collects no kernel stacks" "$T/report.md"; expect_eq "report shows the note" $? 0

# --- a report without its proc tree -----------------------------------
"$BIN" scan --db "$DB" -q "$FX/sos-4.5-ubuntu-noproc.tar.xz"; expect_eq "noproc exit" $? 0
expect_eq "noproc notes" "$(q "SELECT count(*) FROM v_notes WHERE bundle='sos-4.5-ubuntu-noproc' AND (message LIKE '%without a process listing%' OR message LIKE '%without proc/<pid>/stack%')")" "2"
expect_eq "noproc: no finding" "$(q "SELECT count(*) FROM v_findings WHERE bundle='sos-4.5-ubuntu-noproc'")" "0"
expect_eq "noproc: its mounts still read" "$(q "SELECT count(*) > 0 FROM v_mounts WHERE bundle='sos-4.5-ubuntu-noproc' AND nfs_vers='4.1'")" "1"
"$BIN" report --db "$DB" --bundle sos-4.5-ubuntu-noproc >"$T/noproc.md"; expect_eq "noproc report exit" $? 0
grep -q "without proc/&lt;pid&gt;/stack files (sos 4.5" "$T/noproc.md"; expect_eq "noproc: the report says the stacks are missing" $? 0
grep -q "without a process listing" "$T/noproc.md"; expect_eq "noproc: ... and the process listing" $? 0

# --- a ticket: bundle, paste and sosreport are one case ---------------
# The sosreport names its host by FQDN (sos_commands/host/hostname) and
# lacks ps (a skipped process plugin) and proc/<pid>/status: the D state
# comes from the bundle, the stack from the report, mounts from the
# paste; the report's facts belong to the bundle's Kubernetes node.
N1=testing-jiras-pool1-rm5mw-9dx82
N2=testing-jiras-pool1-rm5mw-k4t7p
SEED=rwx-nfs4-open-state-hang
mkdir -p "$T/t1"
cp "$FX/seed-rwx.zip" "$T/t1/"
sed -n '25,$p' "$SRC/fixtures/transcripts/seed-node-transcript.txt" >"$T/t1/reply.txt"
SR=$T/t1/node1-sosreport   # unpacked and renamed by the customer; sorts first
cp -a "$SOS4" "$SR"
echo "$N1.lab.example.com" >"$SR/sos_commands/host/hostname"
sed -i "s/rke2-w1/$N1.lab.example.com/" "$SR/sos_commands/kernel/uname_-a"
rm -rf "$SR/sos_commands/process" "$SR"/proc/*/status
D1=$T/t1.db
q1() { "$BIN" query --db "$D1" --csv "$1" | tail -n +2 | tr -d '\r' | sed 's/^"\(.*\)"$/\1/'; }
"$BIN" scan --db "$D1" "$T/t1" >"$T/out"; expect_eq "ticket t1 exit" $? 0
expect_eq "t1: one case of three inputs" "$(q1 "SELECT count(*)||'|'||max(inputs) FROM v_cases")" "1|3"
expect_eq "t1: one finding, confirmed on the bundle's node" \
  "$(q1 "SELECT group_concat(confidence||'|'||node||'|'||pid) FROM v_findings WHERE rule_id='$SEED'")" "confirmed|$N1|123315"
expect_eq "t1: the stack from the sosreport" \
  "$(q1 "SELECT count(*) FROM v_finding_evidence WHERE signal='open_state_wait' AND input='$SR' AND member='proc/123315/stack'")" "1"
expect_eq "t1: the D state from the bundle" \
  "$(q1 "SELECT count(*) FROM v_finding_evidence WHERE signal='d_state' AND input='$T/t1/seed-rwx.zip'")" "1"
expect_eq "t1: the paste's mounts on the node its prompt names" \
  "$(q1 "SELECT group_concat(DISTINCT case_node) FROM v_mounts WHERE bundle_id=(SELECT bundle_id FROM v_bundles WHERE typed='$T/t1/reply.txt')")" "$N1"
expect_eq "t1: the FQDN is the node's alias" \
  "$(q1 "SELECT node||'|'||source FROM v_node_aliases WHERE alias='$N1.lab.example.com'")" "$N1|full name"
expect_eq "t1: the sosreport's host" "$(q1 "SELECT host FROM v_bundles WHERE typed='$SR'")" "$N1"
expect_eq "t1: its stacks on the node" \
  "$(q1 "SELECT group_concat(DISTINCT case_node) FROM v_stacks WHERE bundle_id=(SELECT bundle_id FROM v_bundles WHERE typed='$SR')")" "$N1"
expect_eq "t1: the report says what it lacked" \
  "$(q1 "SELECT count(*) FROM v_notes WHERE message LIKE '%without a process listing%'")" "1"

# the same report as sos ships it (4.x: tar.xz or tar.gz; 3.x also
# tar.bz2, sos/archive.py), top folder inside, next to the bundle
mkdir -p "$T/tmp" && cp -a "$SR" "$T/tmp/$(basename "$SOS4")"
for z in J:tar.xz z:tar.gz j:tar.bz2; do
  opt=${z%%:*} ext=${z#*:} TK=$T/t2-${z#*:}
  mkdir -p "$TK"
  cp "$FX/seed-rwx.zip" "$TK/"
  tar -C "$T/tmp" -c${opt}f "$TK/$(basename "$SOS4").$ext" "$(basename "$SOS4")"
  D1=$TK.db
  "$BIN" scan -q --db "$D1" "$TK"; expect_eq "t2 $ext: exit" $? 0
  expect_eq "t2 $ext: one case of two inputs" "$(q1 "SELECT count(*)||'|'||max(inputs) FROM v_cases")" "1|2"
  expect_eq "t2 $ext: confirmed from the tarball's stack" \
    "$(q1 "SELECT group_concat(f.confidence||'|'||f.node) FROM v_findings f WHERE rule_id='$SEED'")" "confirmed|$N1"
  expect_eq "t2 $ext: the tarball's host" "$(q1 "SELECT host FROM v_bundles WHERE typed LIKE '%.$ext'")" "$N1"
done
rm -rf "${T:?}/tmp"

# --- a ticket: bundle and supportconfig -------------------------------
# supportconfig names the host in its folder (scc_<host>_<yymmdd>_<hhmm>)
# and in network.txt; here it is the bundle's other node. No stacks: the
# writer is suspected on that node, and the report asks for the stack.
SCCN=scc_${N2}_250924_0705
mkdir -p "$T/t3/$SCCN"
cp -a "$SRC/fixtures/supportconfig/sles15-sp5/scc_sles-w2_250924_0705/." "$T/t3/$SCCN/"
sed -i "s/sles-w2/$N2/g" "$T/t3/$SCCN"/*.txt
tar -C "$T/t3" -cJf "$T/t3/$SCCN.txz" "$SCCN" && rm -rf "${T:?}/t3/$SCCN"
cp "$FX/seed-rwx.zip" "$T/t3/"
D1=$T/t3.db
"$BIN" scan -q --db "$D1" "$T/t3"; expect_eq "ticket t3 exit" $? 0
expect_eq "t3: one case" "$(q1 "SELECT count(*)||'|'||max(inputs) FROM v_cases")" "1|2"
expect_eq "t3: supportconfig's writer suspected on its node" \
  "$(q1 "SELECT confidence||'|'||pids FROM v_findings WHERE rule_id='$SEED' AND node='$N2'")" "suspected|4242"
expect_eq "t3: the bundle's writer stays suspected on its own" \
  "$(q1 "SELECT confidence FROM v_findings WHERE rule_id='$SEED' AND node='$N1'")" "suspected"
expect_eq "t3: supportconfig's host" "$(q1 "SELECT host FROM v_bundles WHERE typed LIKE '%.txz'")" "$N2"

# ... and confirmed when it carries a stack: the kernel's hung-task report
# (kernel/hung_task.c) of the writer in the journal messages.txt holds
mkdir -p "$T/t4/$SCCN"
cp -a "$SRC/fixtures/supportconfig/sles15-sp5/scc_sles-w2_250924_0705/." "$T/t4/$SCCN/"
J="2025-09-24T07:02:10+0000 sles-w2 kernel:"
{
  cat "$T/t4/$SCCN/messages.txt"
  printf '%s\n' \
    "$J INFO: task sh:4242 blocked for more than 491 seconds." \
    "$J       Not tainted 5.14.21-150500.55.83-default #1" \
    "$J \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message." \
    "$J task:sh              state:D stack:0     pid:4242  ppid:4201   flags:0x00000002" \
    "$J Call Trace:" \
    "$J  <TASK>" \
    "$J  __schedule+0x3a6/0x1370" \
    "$J  schedule+0x5a/0xc0" \
    "$J  nfs_set_open_stateid_locked+0x10a/0x180 [nfsv4]" \
    "$J  update_open_stateid+0x9e/0x2c0 [nfsv4]" \
    "$J  _nfs4_opendata_to_nfs4_state+0x11b/0x330 [nfsv4]" \
    "$J  _nfs4_open_and_get_state+0x79/0x3a0 [nfsv4]" \
    "$J  nfs4_do_open+0xcc/0x1e0 [nfsv4]" \
    "$J  nfs4_atomic_open+0xe9/0x100 [nfsv4]" \
    "$J  nfs4_file_open+0x107/0x260 [nfsv4]" \
    "$J  do_dentry_open+0x220/0x570" \
    "$J  </TASK>"
} >"$T/t4/msg" && mv "$T/t4/msg" "$T/t4/$SCCN/messages.txt"
sed -i "s/sles-w2/$N2/g" "$T/t4/$SCCN"/*.txt
cp "$FX/seed-rwx.zip" "$T/t4/"
D1=$T/t4.db
"$BIN" scan -q --db "$D1" "$T/t4"; expect_eq "ticket t4 exit" $? 0
expect_eq "t4: confirmed from the supportconfig's hung-task stack" \
  "$(q1 "SELECT confidence||'|'||pid FROM v_findings WHERE rule_id='$SEED' AND node='$N2'")" "confirmed|4242"
expect_eq "t4: the stack is the journal's" \
  "$(q1 "SELECT count(*) FROM v_finding_evidence WHERE signal='open_state_wait' AND member='messages.txt'")" "1"

# --- a ticket with nothing usable: said, exit 2 -----------------------
mkdir -p "$T/t5/sosreport-x9-2025-09-24-abcdefg/sos_logs"
echo "the writer hangs, please help" >"$T/t5/mail.txt"
echo "sos.log of a run that collected nothing" >"$T/t5/sosreport-x9-2025-09-24-abcdefg/sos_logs/sos.log"
"$BIN" scan -q --db "$T/t5.db" "$T/t5" 2>"$T/err"; expect_eq "t5: exit" $? 2
grep -qx "lhtriage: $T/t5: nothing usable in its 2 inputs: .*" "$T/err"; expect_eq "t5: one line naming the ticket" $? 0
expect_eq "t5: one line" "$(wc -l <"$T/err" | tr -d ' ')" "1"

# --- an encrypted sosreport (sos --encrypt-pass) is said, not skipped ---
mkdir -p "$T/t6"
cp "$FX/seed-rwx.zip" "$T/t6/"
head -c 512 /dev/urandom >"$T/t6/secured-sosreport-w1-2025-09-24-abcdefg.tar.xz.gpg"
"$BIN" scan -q --db "$T/t6.db" "$T/t6" 2>"$T/err"; expect_eq "t6: exit" $? 2
grep -qx "lhtriage: $T/t6/secured-sosreport-w1-2025-09-24-abcdefg.tar.xz.gpg: an encrypted sosreport, not read: .*" "$T/err"
expect_eq "t6: names the encrypted report" $? 0
expect_eq "t6: the bundle is still read" "$("$BIN" query --db "$T/t6.db" --csv "SELECT count(*) FROM v_bundles" | tail -1 | tr -d '\r')" "1"

echo "sysreport_test: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
