#!/bin/sh
# cli_test.sh - lhtriage as a user runs it: scans of the packed fixtures
# fill the views with the right rows; bad input gives one clear line and
# exit 2 without harming what is stored. Run by ctest (see CMakeLists.txt).
set -u
BIN=${LHT_BINARY:?}
FX=${LHT_FIXTURES:?}
SRC=${LHT_SOURCE_DIR:?}
T=$(mktemp -d /tmp/lht-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
DB=$T/t.db
fails=0 checks=0

ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
q() { "$BIN" query --db "$DB" --csv "$1" | tail -n +2 | tr -d '\r' | sed 's/^"\(.*\)"$/\1/'; }

# --- usage -------------------------------------------------------------
"$BIN" --help >/dev/null; expect_eq "--help exit" $? 0
"$BIN" --version | grep -q '^lhtriage [0-9]'; expect_eq "--version" $? 0
"$BIN" scan --help | grep -q 'usage: lhtriage scan'; expect_eq "scan --help" $? 0
"$BIN" query --help | grep -q 'usage: lhtriage query'; expect_eq "query --help" $? 0
"$BIN" frobnicate 2>"$T/err"; expect_eq "unknown command exit" $? 2
grep -q "^lhtriage: unknown command 'frobnicate'" "$T/err"; expect_eq "unknown command msg" $? 0
"$BIN" scan --db "$DB" 2>/dev/null; expect_eq "scan without input" $? 2

# --- the seed bundle as a zip: ps + proc_mounts from the nested node zip
"$BIN" scan --db "$DB" "$FX/seed-rwx.zip" >"$T/out"; expect_eq "scan zip exit" $? 0
grep -qF "$FX/seed-rwx.zip: ok, " "$T/out"
expect_eq "scan summary line names the input as typed" $? 0
N1=testing-jiras-pool1-rm5mw-9dx82
SB=supportbundle_5b0a5f3e-2c1d-4f7b-9e8a-1c2d3e4f5a6b_2025-09-24T07-05-12Z
expect_eq "D process row" "$(q "SELECT node||'|'||pid||'|'||stat||'|'||member||'|'||line FROM v_processes WHERE stat LIKE 'D%'")" \
  "$N1|123315|Ds+|$SB/nodes/$N1.zip!$N1/hostinfos/processes_info|18"
expect_eq "nfs mounts from proc_mounts" "$(q "SELECT count(*)||'|'||min(nfs_vers)||'|'||min(fstype) FROM v_mounts WHERE node='$N1' AND nfs_vers IS NOT NULL")" "3|4.1|nfs4"
expect_eq "no stacks in a bare bundle" "$(q "SELECT count(*) FROM v_stacks")" "0"
expect_eq "bundle status" "$(q "SELECT status||'|'||(sha256 IS NOT NULL) FROM v_bundles")" "ok|1"
expect_eq "kernel per node" "$(q "SELECT value FROM v_facts WHERE node='$N1' AND key='kernel_release' LIMIT 1")" "6.8.0-51-generic"
expect_eq "longhorn version" "$(q "SELECT value FROM v_facts WHERE node IS NULL AND key='longhorn_version'")" "v1.10.1"
expect_eq "evidence kinds" "$(q "SELECT group_concat(kind, ',') FROM (SELECT DISTINCT kind FROM v_evidence WHERE kind IN ('ps','proc_mounts','hostinfo','kernel_log') ORDER BY kind)")" "hostinfo,kernel_log,proc_mounts,ps"

# --- the same bundle as tar.gz gives the same rows ---------------------
"$BIN" scan --db "$DB" -q "$FX/seed-rwx.tar.gz"; expect_eq "scan tar.gz exit" $? 0
expect_eq "tar.gz = zip" "$(q "SELECT group_concat(n, ',') FROM (SELECT count(*) AS n FROM processes GROUP BY bundle_id)")" "29,29"
expect_eq "the same bundle as tar.gz joins the zip's case, counted once" \
  "$(q "SELECT count(*)||'|'||sum(duplicate_of IS NOT NULL)||'|'||count(DISTINCT case_id) FROM v_bundles")" "2|1|1"

# --- unpacked folder + pasted transcript: the stack, nfsstat -----------
"$BIN" scan --db "$DB" -q "$FX/seed-rwx-unpacked"; expect_eq "scan folder exit" $? 0
B="(SELECT name FROM v_bundles WHERE path LIKE '%seed-rwx-unpacked')"
BID="(SELECT bundle_id FROM v_bundles WHERE path LIKE '%seed-rwx-unpacked')"
expect_eq "stack frames of 123315" "$(q "SELECT count(*)||'|'||min(node) FROM v_stacks WHERE pid=123315 AND origin='proc'")" "18|$N1"
expect_eq "innermost frame" "$(q "SELECT symbol||'|'||module||'|'||line||'|'||member FROM v_stacks WHERE pid=123315 AND depth=0")" \
  "nfs_set_open_stateid_locked|nfsv4|7|$SB/customer-transcript.txt"
expect_eq "nfsstat mounts" "$(q "SELECT count(*)||'|'||min(nfs_vers)||'|'||min(line) FROM v_mounts WHERE origin='nfsstat'")" "3|4.1|26"
expect_eq "transcript ps rows" "$(q "SELECT count(*) FROM v_processes WHERE member LIKE '%customer-transcript.txt'")" "4"

# --- negatives fill the views too ------------------------------------
"$BIN" scan --db "$DB" -q "$FX/disk-hang.zip" "$FX/nfsv3-client.zip" "$FX/healthy-v40.zip" "$FX/legacy-1.5.zip"
expect_eq "negatives exit" $? 0
expect_eq "hung tasks (RHEL 8 syslog)" "$(q "SELECT group_concat(task||':'||pid||':'||blocked_seconds, ',') FROM (SELECT * FROM v_hung_tasks WHERE bundle LIKE '%7c1d2e3f%' ORDER BY line)")" \
  "jbd2/sdb-8:1187:120,postgres:48211:120"
expect_eq "hung task trace" "$(q "SELECT count(*) FROM v_stacks s WHERE s.origin='hung_task' AND s.pid=48211 AND symbol='jbd2_log_wait_commit'")" "1"
expect_eq "nfsv3 mount" "$(q "SELECT nfs_vers||'|'||fstype FROM v_mounts WHERE target='/mnt/backup'")" "3|nfs"
# three messages, two of them the same one again: two events, three messages
expect_eq "nfs not responding" "$(q "SELECT count(*)||'|'||sum(1 + coalesce(repeats, 0)) FROM v_kernel_events WHERE kind='nfs_not_responding' AND server='nas01.corp.example'")" "2|3"
expect_eq "v4.0 mount" "$(q "SELECT nfs_vers FROM v_mounts WHERE source LIKE '10.43.201.7:%'")" "4.0"
expect_eq "legacy bundle has no ps" "$(q "SELECT count(*) FROM v_evidence WHERE bundle LIKE 'supportbundle_0a1b2c3d%' AND kind='ps'")" "0"

# --- loose transcripts in other formats -------------------------------
"$BIN" scan --db "$DB" -q "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt" "$SRC/fixtures/transcripts/sles-healthy-v40.txt"
expect_eq "loose transcripts exit" $? 0
expect_eq "rhel header-less ps -eo rows" "$(q "SELECT group_concat(pid||':'||stat||':'||node, ',') FROM v_processes WHERE bundle='rhel8-rpc-wait'")" \
  "88412:D:ocp-worker-07,88455:D:ocp-worker-07"
expect_eq "old-style stack" "$(q "SELECT count(*)||'|'||min(node) FROM v_stacks WHERE bundle='rhel8-rpc-wait' AND pid=88412")" "16|ocp-worker-07"
expect_eq "mount cmd v4.2" "$(q "SELECT nfs_vers||'|'||origin FROM v_mounts WHERE bundle='rhel8-rpc-wait'")" "4.2|mount"
expect_eq "dmesg -T timed out, the second folded into the first" \
  "$(q "SELECT count(*)||'|'||repeats||'|'||last_line||'|'||last_logged_at FROM v_kernel_events WHERE bundle='rhel8-rpc-wait' AND kind='nfs_timed_out'")" \
  "1|1|$(grep -n 'timed out' "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt" | tail -1 | cut -d: -f1)|$(grep 'timed out' "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt" | tail -1 | sed 's/^\[\([^]]*\)\].*/\1/')"
expect_eq "suse ps -ef" "$(q "SELECT count(*)||'|'||min(node) FROM v_processes WHERE bundle='sles-healthy-v40'")" "3|sles-node-b"
expect_eq "uname -r" "$(q "SELECT value FROM v_facts WHERE bundle='sles-healthy-v40' AND key='kernel_release'")" "5.14.21-150500.55.39-default"

# --- bad input: one line, exit 2, nothing lost --------------------------
before=$(q "SELECT count(*) FROM processes")
# ("" = "" would pass if every query failed: the count must be real)
[ "${before:-0}" -gt 50 ]; expect_eq "facts before bad input are counted" $? 0
KEEP="SELECT count(*) FROM processes p JOIN bundles b ON b.id=p.bundle_id WHERE b.path NOT LIKE '%cut.zip'"
head -c 3000 "$FX/seed-rwx.zip" >"$T/cut.zip"
"$BIN" scan --db "$DB" "$T/cut.zip" >/dev/null 2>"$T/err"; expect_eq "truncated zip exit" $? 2
expect_eq "truncated zip: one line" "$(wc -l <"$T/err" | tr -d ' ')" "1"
grep -q "^lhtriage: .*cut.zip" "$T/err"; expect_eq "error names the file" $? 0
"$BIN" scan --db "$DB" "$T/nope.zip" 2>"$T/err"; expect_eq "missing file exit" $? 2
grep -q "nope.zip" "$T/err"; expect_eq "missing file named" $? 0
: >"$T/empty.zip"
"$BIN" scan --db "$DB" "$T/empty.zip" 2>"$T/err"; expect_eq "empty file exit" $? 2
expect_eq "facts intact after bad input" "$(q "$KEEP")" "$before"
expect_eq "bad bundles recorded" "$(q "SELECT group_concat(status, ',') FROM (SELECT status FROM v_bundles WHERE path LIKE '%cut.zip' OR path LIKE '%empty.zip' ORDER BY path)")" "partial,failed"
printf 'not a db' >"$T/bad.db"
"$BIN" query --db "$T/bad.db" "SELECT 1" 2>"$T/err"; expect_eq "bad db exit" $? 2
"$BIN" query --db "$DB" "DELETE FROM bundles" 2>"$T/err"; expect_eq "query is read-only" $? 2
expect_eq "still there" "$(q "$KEEP")" "$before"
"$BIN" query --db "$DB" "SELEC nonsense" 2>"$T/err"; expect_eq "bad sql exit" $? 2
grep -q "^lhtriage: query: " "$T/err"; expect_eq "bad sql msg" $? 0

# --- rules and findings --------------------------------------------------
"$BIN" rules list | grep -q '^rwx-nfs4-open-state-hang  *error'; expect_eq "rules list" $? 0
"$BIN" rules lint >/dev/null; expect_eq "rules lint" $? 0
"$BIN" rules fields >"$T/fields"; expect_eq "rules fields" $? 0
grep -qx 'process        pid ppid tid user stat wchan command' "$T/fields"; expect_eq "rules fields: process, from the registry" $? 0
grep -q '^kernel_event ' "$T/fields"; expect_eq "rules fields: the rule names of types" $? 0
"$BIN" rules test >"$T/rt"; expect_eq "rules test exit" $? 0
grep -q '^[1-9][0-9]* passed, 0 failed$' "$T/rt"; expect_eq "rules test summary: examples ran, none failed" $? 0
# nothing run is a failure, never a pass: a misspelt id, or options after the action
"$BIN" rules test no-such-rule >"$T/rt" 2>"$T/err"; expect_eq "rules test of an unknown rule exit" $? 2
grep -q "no rule 'no-such-rule'" "$T/err"; expect_eq "rules test of an unknown rule says so" $? 0
# options may follow the action, as in git: "test --rules DIR" reads DIR
# (it once took "--rules" and DIR for rule ids, and tested nothing)
"$BIN" rules test --rules "$SRC/rules" >"$T/rt" 2>"$T/err"; expect_eq "rules test with an option after the action exit" $? 0
grep -q '^[1-9][0-9]* passed, 0 failed$' "$T/rt"; expect_eq "rules test with an option after the action uses it" $? 0
mkdir -p "$T/noexamples"
sed '/^examples:/,$d' "$SRC/rules/rwx-nfs4-open-state-hang.yaml" >"$T/noexamples/x.yaml"
"$BIN" rules --rules "$T/noexamples" test >/dev/null 2>"$T/err"; expect_eq "rules test with no examples exit" $? 1
grep -q "no examples ran" "$T/err"; expect_eq "rules test with no examples says so" $? 0
S="rwx-nfs4-open-state-hang"
expect_eq "seed folder: confirmed" "$(q "SELECT confidence||'|'||node||'|'||pid||'|'||severity FROM v_findings WHERE rule_id='$S' AND bundle_id=$BID")" \
  "confirmed|$N1|123315|error"
expect_eq "seed zip: suspected" "$(q "SELECT confidence||'|'||pids FROM v_findings f JOIN v_bundles b ON b.case_id = f.case_id WHERE rule_id='$S' AND b.path LIKE '%seed-rwx.zip'")" \
  "suspected|123315"
expect_eq "confirmed evidence: the stack frame" "$(q "SELECT member||'|'||line FROM v_finding_evidence e JOIN v_findings f USING (finding_id) WHERE f.bundle_id=$BID AND f.rule_id='$S' AND e.signal='open_state_wait'")" \
  "$SB/customer-transcript.txt|7"
expect_eq "confirmed evidence: sibling writer" "$(q "SELECT count(*) FROM v_finding_evidence e JOIN v_findings f USING (finding_id) WHERE f.bundle_id=$BID AND e.signal='sibling_writer' AND e.role='supporting'")" "2"
expect_eq "no seed finding on look-alikes" "$(q "SELECT count(*) FROM v_findings WHERE rule_id='$S' AND bundle NOT LIKE '%5b0a5f3e%' AND bundle NOT LIKE 'seed-node%'")" "0"
"$BIN" scan --db "$DB" --fail-on error "$FX/seed-rwx-unpacked" >"$T/out"; expect_eq "--fail-on error exit" $? 1
grep -q "^  error    $S confirmed node=$N1 pid=123315: " "$T/out"; expect_eq "finding line" $? 0
"$BIN" scan --db "$DB" -q --fail-on critical "$FX/seed-rwx-unpacked"; expect_eq "--fail-on critical exit" $? 0
"$BIN" scan --db "$DB" --fail-on loud "$FX/seed-rwx-unpacked" 2>/dev/null; expect_eq "--fail-on bad value" $? 2
mkdir "$T/badrules"
printf 'id: x\ntitle: t\nseverity: error\ndescription: d\nsubject: process\nsignals:\n  - name: a\n    fact: process\n    field: stat\n    pattern: "(D"\nlevels:\n  - name: c\n    all: [a]\n' >"$T/badrules/x.yaml"
"$BIN" scan --db "$DB" --rules "$T/badrules" "$FX/seed-rwx.zip" 2>"$T/err"; expect_eq "bad rule exit" $? 2
grep -q "x.yaml:10:14: signal 'a': bad pattern at offset 2: missing closing parenthesis" "$T/err"; expect_eq "bad rule message" $? 0
LHTRIAGE_RULES="$T/badrules" "$BIN" rules lint 2>/dev/null; expect_eq "LHTRIAGE_RULES" $? 2

# --- report, explain, named queries ------------------------------------
RDB=$T/r.db
# A ticket (the seed bundle as zip and tar.gz, the customer's reply with
# the stack) and two bundles on their own, typed relative to their folder
# so the golden files name no machine's paths.
G=$T/golden
mkdir -p "$G/ticket-1234"
cp "$FX/seed-rwx.zip" "$FX/seed-rwx.tar.gz" "$G/ticket-1234/"
cp "$SRC/fixtures/transcripts/seed-node-transcript.txt" "$G/ticket-1234/customer-reply.txt"
cp "$FX/disk-hang.zip" "$FX/legacy-1.5.zip" "$G/"
(cd "$G" && "$BIN" scan -q --db "$RDB" ticket-1234 disk-hang.zip legacy-1.5.zip >/dev/null)
norm() { sed -e 's/^- Scanned: .*$/- Scanned: (scan time)/' \
             -e 's/"scanned_at":"[^"]*"/"scanned_at":"(scan time)"/g'; }
# (--detail: every case in detail; over several cases the default is the
# fleet summary, checked below)
"$BIN" report --db "$RDB" --detail | norm >"$T/report.md"; expect_eq "report exit" $? 0
"$BIN" report --db "$RDB" --detail --format json | norm >"$T/report.json"; expect_eq "report json exit" $? 0
if [ -n "${LHT_UPDATE_GOLDEN:-}" ]; then
    cp "$T/report.md" "$SRC/tests/golden/report.md"
    cp "$T/report.json" "$SRC/tests/golden/report.json"
fi
cmp -s "$T/report.md" "$SRC/tests/golden/report.md"; expect_eq "report.md matches the golden file" $? 0
cmp -s "$T/report.json" "$SRC/tests/golden/report.json"; expect_eq "report.json matches the golden file" $? 0
sh "$SRC/tests/md_check.sh" "$T/report.md" >&2; expect_eq "report.md structure" $? 0
grep -q '"confidence":"confirmed"' "$T/report.json"; expect_eq "json finding" $? 0
"$BIN" report --db "$RDB" --case ticket-1234 -o "$T/one.md"; expect_eq "report -o" $? 0
grep -c '^## Case' "$T/one.md" | grep -qx 1; expect_eq "--case selects one" $? 0
"$BIN" report --db "$RDB" --bundle seed-rwx.tar.gz | grep -c '^## Case `ticket-1234`' | grep -qx 1
expect_eq "--bundle selects the case of an input" $? 0
grep -q '^## Fleet' "$T/report.md"; expect_eq "fleet section with several cases" $? 0
# (a missing or empty one.md has no fleet section either: the case must be there)
grep -q '^## Case' "$T/one.md" && ! grep -q '^## Fleet' "$T/one.md"; expect_eq "no fleet section for one case" $? 0
grep -q 'No rule fired on this case' "$T/report.md"; expect_eq "nothing-found is said plainly" $? 0
"$BIN" report --db "$RDB" --bundle no-such-bundle 2>"$T/err"; expect_eq "unknown bundle exit" $? 2
grep -q "no bundle named 'no-such-bundle'" "$T/err"; expect_eq "unknown bundle message" $? 0
"$BIN" report --db "$RDB" --detail --redact >"$T/red.md"; expect_eq "redact exit" $? 0
# (an empty report has no names either: the report must be there)
grep -q '^## Case' "$T/red.md" && ! grep -qE 'testing-jiras|10\.43\.58\.194|10\.136\.183' "$T/red.md"
expect_eq "redact removes hosts and IPs" $? 0
t1=$(grep -o 'host-[0-9a-f]\{16\}' "$T/red.md" | head -1)
[ -n "$t1" ] && "$BIN" report --db "$RDB" --detail --redact --format json | grep -q "$t1"
expect_eq "redaction tokens are stable across formats" $? 0
# timestamps are not addresses: every one the plain report shows survives
"$BIN" report --db "$RDB" --detail >"$T/plain.md"
grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z' "$T/plain.md" | sort -u >"$T/times"
grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z' "$T/red.md" | sort -u >"$T/rtimes"
[ -s "$T/times" ] && cmp -s "$T/times" "$T/rtimes"; expect_eq "redaction keeps timestamps" $? 0
"$BIN" explain --db "$RDB" 1 >"$T/explain"; expect_eq "explain exit" $? 0
grep -q '\[x\] open_state_wait' "$T/explain"; expect_eq "explain marks matched signals" $? 0
grep -q '\[ \] rpc_wait' "$T/explain"; expect_eq "explain marks unmatched signals" $? 0
grep -q '^ >      7  nfs_set_open_stateid_locked+0x100/0x380 \[nfsv4\]$' "$T/explain"; expect_eq "explain shows context" $? 0
grep -q '^ >      7  ' "$T/explain" && ! grep -q '^        6  root@testing-jiras-pool1-rm5mw-9dx82:' "$T/explain"
expect_eq "explain context holds no prompt (not a fact)" $? 0
"$BIN" explain --db "$RDB" 999 2>/dev/null; expect_eq "explain unknown id" $? 2
"$BIN" query --db "$RDB" --csv stuck-processes | grep -q '123315'; expect_eq "named query" $? 0
# hostile bundle text cannot break the page
"$BIN" scan -q --db "$T/h.db" "$FX/hostile.zip"
"$BIN" report --db "$T/h.db" >"$T/h.md"; expect_eq "hostile report exit" $? 0
sh "$SRC/tests/md_check.sh" "$T/h.md" >&2; expect_eq "hostile report structure" $? 0
grep -q '^````text$' "$T/h.md"; expect_eq "fence outgrows backtick runs" $? 0
grep -q '&lt;script&gt;' "$T/h.md"; expect_eq "html escaped outside fences" $? 0
"$BIN" report --db "$T/h.db" --format json | grep -q '"findings":\[{'; expect_eq "hostile json" $? 0


# --- host evidence only (--no-logs) ---------------------------------------
# Node logs are left unread, ps + /proc stack + mounts still confirm the
# seed; a later full scan is not mistaken for "unchanged"; and a rule set
# that reads no kernel logs turns the mode on by itself.
NDB=$T/nologs.db
"$BIN" scan -q --no-logs --db "$NDB" "$FX/seed-rwx-unpacked"; expect_eq "--no-logs exit" $? 0
nq() { "$BIN" query --db "$NDB" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "--no-logs: node logs skipped, none parsed" \
  "$(nq "SELECT sum(status='skipped')>0, sum(status='parsed') FROM members WHERE kind IN ('kernel_log','journal')")" "1,0"
expect_eq "--no-logs: seed still confirmed" \
  "$(nq "SELECT confidence FROM v_findings WHERE rule_id='rwx-nfs4-open-state-hang'")" "confirmed"
"$BIN" scan -q --no-logs --db "$NDB" "$FX/seed-rwx.zip"; expect_eq "--no-logs zip exit" $? 0
"$BIN" scan --db "$NDB" "$FX/seed-rwx.zip" | grep -qF "$FX/seed-rwx.zip: ok, "
expect_eq "a full scan after a --no-logs scan re-reads the bundle" $? 0
"$BIN" scan --db "$NDB" "$FX/seed-rwx.zip" | tail -1 | grep -q '^0 scanned, 1 skipped'
expect_eq "then it is unchanged" $? 0
mkdir -p "$T/hostrules"
cat >"$T/hostrules/d-on-nfs4.yaml" <<'EOF'
id: d-on-nfs4
title: D-state process on a node with an NFSv4.1+ mount
severity: warning
references: [https://github.com/longhorn/longhorn/issues/11568]
description: Host evidence only.
subject: process
signals:
  - name: d_state
    fact: process
    field: stat
    scope: subject
    pattern: '^D'
  - name: nfs41
    fact: mount
    field: nfs_vers
    scope: same_node
    version: '>= 4.1'
levels:
  - name: suspected
    all: [d_state, nfs41]
remediation:
  - text: Collect cat /proc/PID/stack.
examples:
  - name: d on nfs4.1
    expect: suspected
    files:
      - path: nodes/n1.zip!n1/hostinfos/processes_info
        text: |
          USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND
          root 7 0.0 0.0 1 1 ? D 10:00 0:00 sh
      - path: nodes/n1.zip!n1/hostinfos/proc_mounts
        text: |
          10.0.0.1:/pvc-1 /mnt nfs4 rw,vers=4.1 0 0
EOF
"$BIN" rules --rules "$T/hostrules" test >"$T/rt"; expect_eq "host-only rule's example passes" $? 0
grep -qx '1 passed, 0 failed' "$T/rt"; expect_eq "host-only rule's example ran" $? 0
ADB=$T/auto.db
"$BIN" scan -q --rules "$T/hostrules" --db "$ADB" "$FX/seed-rwx-unpacked"; expect_eq "host-only rules scan exit" $? 0
expect_eq "host-only rules: logs skipped by themselves" \
  "$("$BIN" query --db "$ADB" --csv "SELECT sum(status='parsed') FROM members WHERE kind IN ('kernel_log','journal')" | tail -1 | tr -d '\r')" "0"
expect_eq "host-only rules: finding" \
  "$("$BIN" query --db "$ADB" --csv "SELECT count(*) FROM v_findings WHERE rule_id='d-on-nfs4'" | tail -1 | tr -d '\r')" "1"

# --- batch: folders of tickets, incremental, jobs, shards ---------------
TK=$T/tickets
mkdir -p "$TK/a" "$TK/b/c" "$TK/d"
cp "$FX/seed-rwx.zip" "$TK/a/"
cp "$FX/disk-hang.tar.gz" "$FX/nfsv3-client.zip" "$TK/b/c/"
cp "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt" "$TK/b/paste.txt"
cp -r "$FX/seed-rwx-unpacked" "$TK/d/"
printf 'not evidence\n' >"$TK/d/ignored.pdf"
BDB=$T/batch.db
"$BIN" scan --db "$BDB" -j 2 "$TK" >"$T/b1"; expect_eq "batch exit" $? 0
tail -1 "$T/b1" | grep -q '^5 scanned, 0 skipped (unchanged), 0 failed, 3 cases; findings: 0 critical, [0-9]* error'
expect_eq "batch summary: three ticket folders are three cases" $? 0
grep -q "^case b ($TK/b): 3 inputs$" "$T/b1"; expect_eq "a ticket folder holds what is below it" $? 0
"$BIN" scan --db "$BDB" -q "$TK"; expect_eq "re-scan exit" $? 0
"$BIN" scan --db "$BDB" "$TK" | tail -1 | grep -q '^1 scanned, 4 skipped (unchanged)'
expect_eq "unchanged files are skipped (folders are re-read)" $? 0
touch -d "2020-01-02 03:04:05" "$TK/a/seed-rwx.zip"
"$BIN" scan --db "$BDB" "$TK" | tail -1 | grep -q '^1 scanned, 4 skipped'
expect_eq "a touched but unchanged file is skipped (sha256 confirms)" $? 0
printf 'root@n9:~# uname -r\n6.1.0-9-amd64\n' >>"$TK/b/paste.txt"
"$BIN" scan --db "$BDB" "$TK" | tail -1 | grep -q '^2 scanned, 3 skipped'
expect_eq "a changed file is re-scanned" $? 0
"$BIN" scan --db "$BDB" --rescan "$TK" | tail -1 | grep -q '^5 scanned, 0 skipped'
expect_eq "--rescan" $? 0
# (a failing query would hash "" twice and pass: the row count must be real)
dump() { "$BIN" query --db "$1" --csv "SELECT b.path, p.node, p.pid, p.stat, m.path, p.line FROM processes p JOIN bundles b ON b.id = p.bundle_id JOIN members m ON m.id = p.member_id ORDER BY 1, 5, 6" | md5sum; }
rows() { "$BIN" query --db "$1" --csv "SELECT count(*) FROM processes" | tail -1 | tr -d '\r'; }
"$BIN" scan --db "$T/j1.db" -q -j 1 "$TK"
"$BIN" scan --db "$T/j4.db" -q -j 4 "$TK"
expect_eq "--jobs 1 and --jobs 4 store the same" "$(dump "$T/j1.db")" "$(dump "$T/j4.db")"
[ "$(rows "$T/j1.db")" -gt 20 ]; expect_eq "--jobs comparison sees the processes" $? 0
for k in 1 2 3; do "$BIN" scan --db "$T/s$k.db" -q --shard $k/3 "$TK"; done
(for k in 1 2 3; do "$BIN" query --db "$T/s$k.db" --csv "SELECT path FROM bundles" | tail -n +2; done) | sort | tr -d '\r' >"$T/shards"
"$BIN" query --db "$T/j1.db" --csv "SELECT path FROM bundles" | tail -n +2 | sort | tr -d '\r' >"$T/whole"
expect_eq "shards partition the inputs" "$(wc -l <"$T/whole" | tr -d ' '):$(md5sum <"$T/shards")" "5:$(md5sum <"$T/whole")"
"$BIN" scan --db "$BDB" --shard 4/3 "$TK" 2>/dev/null; expect_eq "bad shard" $? 2
"$BIN" merge -q "$T/merged.db" "$T/s1.db" "$T/s2.db" "$T/s3.db"; expect_eq "merge exit" $? 0
facts() { "$BIN" query --db "$1" --csv "SELECT b.path, (SELECT count(*) FROM processes p WHERE p.bundle_id = b.id), (SELECT count(*) FROM stack_frames f JOIN stacks s ON s.id = f.stack_id WHERE s.bundle_id = b.id), (SELECT count(*) FROM mount_options o JOIN mounts m ON m.id = o.mount_id WHERE m.bundle_id = b.id), (SELECT count(*) FROM k8s_fields f JOIN k8s_objects o ON o.id = f.object_id WHERE o.bundle_id = b.id), (SELECT group_concat(f.rule_id || f.confidence || (SELECT count(*) FROM finding_evidence e WHERE e.finding_id = f.id)) FROM findings f WHERE f.bundle_id = b.id) FROM bundles b ORDER BY 1" | md5sum; }
expect_eq "N shards merged equal one full scan" "$(facts "$T/merged.db")" "$(facts "$T/j1.db")"
expect_eq "the merge comparison sees the bundles" "$("$BIN" query --db "$T/merged.db" --csv "SELECT path FROM bundles" | tail -n +2 | wc -l | tr -d ' ')" "5"
"$BIN" query --db "$T/merged.db" --csv "PRAGMA foreign_key_check" >"$T/fk"; expect_eq "merged: foreign key check runs" $? 0
expect_eq "merged: foreign keys" "$(tail -n +2 "$T/fk" | wc -l | tr -d ' ')" "0"
# the redaction key is the database's own: merge does not copy it, and a
# merged database redacts with the key it was made with
rkey() { "$BIN" query --db "$1" --csv "SELECT hex(value) FROM secrets WHERE name = 'redact_key'" | tail -n +2 | tr -d '\r'; }
MKEY=$(rkey "$T/merged.db")
[ ${#MKEY} -eq 64 ] && [ "$MKEY" != "$(rkey "$T/s1.db")" ]; expect_eq "merge does not copy the redaction key" $? 0
"$BIN" report --db "$T/merged.db" --detail --redact >"$T/mred.md"; expect_eq "merged: redacted report exit" $? 0
grep -q '^## Case' "$T/mred.md" && ! grep -q 'testing-jiras' "$T/mred.md"; expect_eq "merged: redacted report hides hosts" $? 0
"$BIN" merge -q "$T/merged.db" "$T/s1.db"; expect_eq "merge again" $? 0
expect_eq "merge again keeps the merged database's key" "$(rkey "$T/merged.db")" "$MKEY"
expect_eq "merge again keeps one row per path" "$("$BIN" query --db "$T/merged.db" --csv "SELECT count(*) - count(DISTINCT path) FROM bundles" | tail -1 | tr -d '\r')" "0"
"$BIN" merge -q "$T/merged.db" "$T/nope.db" 2>/dev/null; expect_eq "merge missing input" $? 2

# --- cases: a ticket is the unit ------------------------------------------
# A paste next to the bundle in a ticket folder is read with it: the stack
# it holds confirms the D-state writer the bundle shows, one finding with
# evidence from both inputs and no suspected twin.
CDB=$T/cases.db
cq() { "$BIN" query --db "$CDB" --csv "$1" | tail -n +2 | tr -d '\r' | sed 's/^"\(.*\)"$/\1/'; }
TF=$T/tickets2/ticket-1234
mkdir -p "$TF"
cp "$FX/seed-rwx.zip" "$TF/"
cp "$SRC/fixtures/transcripts/seed-node-transcript.txt" "$TF/customer-reply.txt"
"$BIN" scan --db "$CDB" --fail-on error "$TF" >"$T/c1"; expect_eq "ticket: --fail-on error exit" $? 1
grep -qx "case ticket-1234 ($TF): 2 inputs" "$T/c1"; expect_eq "ticket: one case, named after its folder" $? 0
expect_eq "ticket: one case of two inputs" "$(cq "SELECT name||'|'||inputs FROM v_cases")" "ticket-1234|2"
expect_eq "ticket: confirmed, no suspected twin" \
  "$(cq "SELECT group_concat(confidence||'|'||node||'|'||pids, ',') FROM v_findings WHERE rule_id='$S'")" "confirmed|$N1|123315"
expect_eq "ticket: evidence from both inputs" \
  "$(cq "SELECT group_concat(input, ',') FROM (SELECT DISTINCT input FROM v_finding_evidence WHERE rule_id='$S' ORDER BY input)")" \
  "$TF/customer-reply.txt,$TF/seed-rwx.zip"
expect_eq "ticket: the stack is the paste's" "$(cq "SELECT input||'|'||line FROM v_finding_evidence WHERE signal='open_state_wait'")" \
  "$TF/customer-reply.txt|7"
FID=$(cq "SELECT finding_id FROM v_findings WHERE rule_id='$S'")
# a cached result prints the same findings and exits the same
"$BIN" scan --db "$CDB" --fail-on error "$TF" >"$T/c2"; expect_eq "cached: --fail-on error exit" $? 1
grep -q "^  error    $S confirmed node=$N1 pid=123315: .* (finding $FID)$" "$T/c2"; expect_eq "cached: the same finding line" $? 0
tail -1 "$T/c2" | grep -q "^0 scanned, 2 skipped (unchanged), 0 failed, 1 case; findings: 0 critical, 1 error"
expect_eq "cached: nothing re-read, the finding counted" $? 0
# ids stay: another case with findings scanned in between, this one read again
"$BIN" scan -q --db "$CDB" "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt"
[ "$(cq "SELECT count(*) FROM v_findings WHERE finding_id <> $FID")" -gt 0 ]; expect_eq "ids: another case has findings" $? 0
"$BIN" scan -q --db "$CDB" --rescan "$TF"; expect_eq "ids: re-scan exit" $? 0
expect_eq "finding id stable across re-scans" "$(cq "SELECT finding_id FROM v_findings WHERE rule_id='$S'")" "$FID"
"$BIN" explain --db "$CDB" "$FID" >"$T/ex"; expect_eq "explain ID after re-scans" $? 0
grep -qx "  case ticket-1234 (2 inputs)" "$T/ex"; expect_eq "explain names the case" $? 0
grep -q "^-- open_state_wait (stack, required) $TF/customer-reply.txt: customer-reply.txt:7$" "$T/ex"
expect_eq "explain names the input of each piece of evidence" $? 0
# scanned on their own, a bundle and a paste are two cases (--ticket joins them)
"$BIN" scan -q --db "$T/lone.db" "$FX/seed-rwx.zip" "$SRC/fixtures/transcripts/seed-node-transcript.txt"
expect_eq "lone inputs: two cases" "$("$BIN" query --db "$T/lone.db" --csv "SELECT count(*) FROM v_cases" | tail -1 | tr -d '\r')" "2"
"$BIN" scan --db "$T/tk.db" --ticket T-42 "$FX/seed-rwx.zip" "$SRC/fixtures/transcripts/seed-node-transcript.txt" >"$T/tk"
expect_eq "--ticket exit" $? 0
grep -qx "case T-42: 2 inputs" "$T/tk"; expect_eq "--ticket: one case" $? 0
grep -q "^  error    $S confirmed node=$N1 pid=123315: " "$T/tk"; expect_eq "--ticket: confirmed" $? 0

# the same bundle as zip, tar.gz and unpacked counts once, in a ticket and in the fleet
DF=$T/tickets2/ticket-dup
mkdir -p "$DF" "$T/unp"
cp "$FX/seed-rwx.zip" "$FX/seed-rwx.tar.gz" "$DF/"
cp -r "$SRC/fixtures/bundles/seed-rwx/$SB" "$T/unp/"
for d in "$T/unp/$SB"/nodes/*.zip.d; do mv "$d" "${d%.zip.d}"; done   # node zips unpacked in place
"$BIN" scan --db "$T/dup.db" "$DF" >"$T/d1"; expect_eq "dup ticket exit" $? 0
grep -qx "  $DF/seed-rwx.zip: same content as $DF/seed-rwx.tar.gz, read once" "$T/d1"; expect_eq "dup: said" $? 0
dq() { "$BIN" query --db "$T/dup.db" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "dup: evidence from one copy" "$(dq "SELECT count(*) FROM v_finding_evidence WHERE signal='d_state'")" "1"
FDB=$T/fleet.db
"$BIN" scan -q --db "$FDB" "$FX/seed-rwx.zip" "$FX/disk-hang.zip"
"$BIN" scan -q --db "$FDB" "$FX/seed-rwx.tar.gz" "$FX/legacy-1.5.zip" "$T/unp/$SB"
fq() { "$BIN" query --db "$FDB" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "fleet: 5 inputs are 3 cases" "$(fq "SELECT count(*) FROM v_bundles")|$(fq "SELECT count(*) FROM v_cases")|$(fq "SELECT sum(duplicates) FROM v_cases")" "5|3|2"
"$BIN" report --db "$FDB" >"$T/fleet.md"; expect_eq "fleet report exit" $? 0
grep -qx 'Generated by lhtriage [0-9.]* from 3 cases (5 inputs).' "$T/fleet.md"; expect_eq "fleet: 3 cases" $? 0
grep -q '^| `rwx-nfs4-open-state-hang` | error | 1 | 1 |' "$T/fleet.md"; expect_eq "fleet: the seed in one case" $? 0
sh "$SRC/tests/md_check.sh" "$T/fleet.md" >&2; expect_eq "fleet report structure" $? 0
# over several cases the default report is the summary, not every case
grep -q '^# lhtriage fleet report$' "$T/fleet.md" && ! grep -q '^## Case' "$T/fleet.md"
expect_eq "fleet: a summary, no per-case detail" $? 0
grep -q '^| `rwx-nfs4-open-state-hang` | v1.10.1 | 6.8.0-51-generic | 4.1 | 1 | 1 |' "$T/fleet.md"
expect_eq "fleet: Longhorn x kernel x NFS version of the seed" $? 0
grep -q '^| `[^`]*seed-rwx.zip` | [0-9]* | error | 1 | 3 | v1.10.1 |' "$T/fleet.md"; expect_eq "fleet: top tickets" $? 0
"$BIN" report --db "$FDB" --top 1 | grep -c '^| `[^`]*` | [0-9]* | [a-z]* | [0-9]* |' | grep -qx 1; expect_eq "fleet: --top 1" $? 0
"$BIN" report --db "$FDB" --top 0 2>"$T/err"; expect_eq "fleet: --top 0" $? 2
"$BIN" report --db "$FDB" --detail | grep -c '^## Case' | grep -qx 3; expect_eq "fleet: --detail shows every case" $? 0
"$BIN" report --db "$FDB" --json >"$T/fleet.json"; expect_eq "fleet json exit" $? 0
grep -q '^{"lhtriage":"[0-9.]*","report":"fleet","cases":3,"inputs":5,' "$T/fleet.json"; expect_eq "fleet json" $? 0
grep -q '"settings":\[{"rule_id":"rwx-nfs4-open-state-hang","longhorn_version":"v1.10.1","kernel_release":"6.8.0-51-generic","nfs_vers":"4.1","cases":1' "$T/fleet.json"
expect_eq "fleet json: settings" $? 0
if python3 -c 'import jsonschema' 2>/dev/null; then
    FSCHEMA=$SRC/analyzer/report/fleet.schema.json
    python3 "$SRC/tests/report_schema.py" "$FSCHEMA" "$T/fleet.json"; expect_eq "fleet json: valid by fleet.schema.json" $? 0
    sed 's/"report":"fleet"/"report":"fleet","extra":1/' "$T/fleet.json" >"$T/fbad.json"
    python3 "$SRC/tests/report_schema.py" "$FSCHEMA" "$T/fbad.json" 2>/dev/null; expect_eq "fleet schema refuses an unknown key" $? 1
fi
# bounded at any size: 12 settings of one rule are 7 rows and one folded
# row, and a long name is cut
CAPDB=$T/cap.db
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do mkdir -p "$T/cap/cap-$i"; cp "$FX/seed-rwx.zip" "$T/cap/cap-$i/"; done
"$BIN" scan -q --db "$CAPDB" "$T/cap" || bad "cap scan"
sqlite3 "$CAPDB" "UPDATE kv_facts SET value = value || '-' || bundle_id WHERE key = 'kernel_release';
                  UPDATE cases SET name = printf('%.300c', 'x') WHERE name = 'cap-1'"
"$BIN" report --db "$CAPDB" >"$T/cap.md"; expect_eq "fleet caps: exit" $? 0
expect_eq "fleet caps: settings rows" "$(grep -c '^| `rwx-nfs4-open-state-hang` | v1.10.1 |' "$T/cap.md")" "7"
grep -q '^| `rwx-nfs4-open-state-hang` | (5 more settings) | | | 5 | 5 |' "$T/cap.md"; expect_eq "fleet caps: folded row" $? 0
grep -q "^| \`$(printf '%.120s' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)...\` |" "$T/cap.md"
expect_eq "fleet caps: a long name is cut" $? 0
sh "$SRC/tests/md_check.sh" "$T/cap.md" >&2; expect_eq "fleet caps: structure" $? 0
# the HTML page is the same summary: its tables, no case's detail, the
# long name cut and escaped (a case named like markup stays text)
sqlite3 "$CAPDB" "UPDATE cases SET name = '<script>alert(1)</script>' WHERE name = 'cap-2'"
"$BIN" report --db "$CAPDB" --format html >"$T/cap.html"; expect_eq "fleet html: exit" $? 0
grep -q '^<h1>lhtriage fleet report</h1>$' "$T/cap.html" && grep -q '^<h2>Where they fired</h2>$' "$T/cap.html" &&
  ! grep -q '<section' "$T/cap.html" && ! grep -q 'id="case-' "$T/cap.html"
expect_eq "fleet html: a summary, no per-case detail" $? 0
expect_eq "fleet html: settings rows" \
  "$(grep -c '^<tr><td><code>rwx-nfs4-open-state-hang</code></td><td>v1.10.1</td>' "$T/cap.html")" "7"
grep -q '<td colspan="3">(5 more settings)</td><td>5</td><td>5</td>' "$T/cap.html"; expect_eq "fleet html: folded row" $? 0
grep -q "<code>$(printf '%.120s' xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)...</code>" "$T/cap.html"
expect_eq "fleet html: a long name is cut" $? 0
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/cap.html" && ! grep -q '<script' "$T/cap.html"
expect_eq "fleet html: a name like markup is escaped" $? 0
tail -1 "$T/cap.html" | grep -qx '</html>'; expect_eq "fleet html: a whole page" $? 0
if python3 -c 'import jsonschema' 2>/dev/null; then
    "$BIN" report --db "$CAPDB" --json >"$T/cap.json"
    python3 "$SRC/tests/report_schema.py" "$SRC/analyzer/report/fleet.schema.json" "$T/cap.json"
    expect_eq "fleet json with folded rows and cut names: valid" $? 0
fi
"$BIN" report --db "$CAPDB" --format html --detail | grep -c 'id="case-' | grep -qx 12
expect_eq "fleet html: --detail shows every case" $? 0
# redacted, the summary shows no host: a ticket named after one is a token
"$BIN" scan -q --db "$FDB" --ticket testing-jiras-pool1-rm5mw-9dx82 "$FX/nfsv3-client.zip"
"$BIN" report --db "$FDB" --redact >"$T/fred.md"; expect_eq "fleet: redacted exit" $? 0
grep -q '^# lhtriage fleet report' "$T/fred.md" && ! grep -q 'testing-jiras' "$T/fred.md" && grep -q '`host-[0-9a-f]\{16\}`' "$T/fred.md"
expect_eq "fleet: redacted hides host names" $? 0

# a WARNING printed again and again is one anomaly that says how often
mkdir -p "$T/storm/sb/nodes/n1/logs"
for i in 1 2 3; do
    printf '[%d.0] WARNING: CPU: 1 PID: 77 at fs/nfs/write.c:100 nfs_page_group_lock+0x10/0x20 [nfs]\n[%d.0] Call Trace:\n[%d.0]  nfs_updatepage+0x100/0x9b0 [nfs]\n[%d.0]  </TASK>\n' $i $i $i $i
done >"$T/storm/sb/nodes/n1/logs/syslog"
"$BIN" scan -q --db "$T/storm.db" "$T/storm"; expect_eq "warning storm: exit" $? 0
expect_eq "warning storm: one event of three reports" \
  "$("$BIN" query --db "$T/storm.db" --csv "SELECT count(*)||'|'||max(repeats)||'|'||max(last_line) FROM v_kernel_events WHERE kind = 'warning'" | tail -n +2 | tr -d '\r')" "1|2|9"
"$BIN" report --db "$T/storm.db" | grep -q '`WARNING: CPU: 1 PID: 77 at fs/nfs/write.c:100 nfs_page_group_lock+0x10/0x20 \[nfs\]`, and 2 more to line 9 ('
expect_eq "warning storm: the anomaly says how often" $? 0
"$BIN" report --db "$T/storm.db" --json | grep -q '"repeats":2,"last_line":9}'
expect_eq "warning storm: the JSON anomaly too" $? 0

# names as typed, relative; a folder typed with its '/' is not doubled
"$BIN" scan --db "$T/slash.db" "$T/tickets2/" >"$T/slash"; expect_eq "folder of tickets with a slash exit" $? 0
grep -qx "case ticket-dup ($T/tickets2/ticket-dup): 2 inputs" "$T/slash"; expect_eq "folder of tickets: paths as typed" $? 0
mkdir -p "$T/rel/in"
cp "$FX/seed-rwx.zip" "$T/rel/in/"
(cd "$T/rel" && "$BIN" scan --db rel.db in/seed-rwx.zip >out); expect_eq "relative input exit" $? 0
grep -q '^in/seed-rwx.zip: ok, ' "$T/rel/out"; expect_eq "scan names the input as typed" $? 0
(cd "$T/rel" && "$BIN" report --db rel.db) | grep -q '^  - `in/seed-rwx.zip` `supportbundle_5b0a5f3e'
expect_eq "report names the input as typed" $? 0
(cd "$T" && "$BIN" scan -q --db rel/rel.db rel/in/seed-rwx.zip)
expect_eq "a lone input's case takes the name typed last" \
  "$("$BIN" query --db "$T/rel/rel.db" --csv "SELECT c.name||'|'||b.typed FROM v_cases c JOIN v_bundles b USING (case_id)" | tail -1 | tr -d '\r')" \
  "rel/in/seed-rwx.zip|rel/in/seed-rwx.zip"

# a ticket folder with nothing to read
mkdir -p "$T/empty-ticket" "$T/no-ticket/sub"
printf 'not evidence\n' >"$T/empty-ticket/notes.pdf"
"$BIN" scan --db "$T/e.db" "$T/empty-ticket" 2>"$T/err"; expect_eq "empty ticket exit" $? 2
grep -qx "lhtriage: no bundle, sosreport or text evidence in $T/empty-ticket" "$T/err"; expect_eq "empty ticket message" $? 0
"$BIN" scan --db "$T/e.db" "$T/no-ticket" "$FX/disk-hang.zip" >/dev/null 2>"$T/err"; expect_eq "empty folder beside an input exit" $? 2
grep -qx "lhtriage: no bundle, sosreport or text evidence in $T/no-ticket" "$T/err"; expect_eq "empty folder message" $? 0
expect_eq "the other input is scanned" "$("$BIN" query --db "$T/e.db" --csv "SELECT count(*) FROM v_bundles" | tail -1 | tr -d '\r')" "1"

# a damaged re-upload at the same path never replaces the complete scan (--replace does)
UP=$T/upload
mkdir -p "$UP"
uq() { "$BIN" query --db "$T/up.db" --csv "$1" | tail -n +2 | tr -d '\r'; }
cp "$FX/seed-rwx.zip" "$UP/bundle.zip"
"$BIN" scan -q --db "$T/up.db" "$UP/bundle.zip"; expect_eq "upload: first scan" $? 0
head -c 3000 "$FX/seed-rwx.zip" >"$UP/bundle.zip"
"$BIN" scan --db "$T/up.db" "$UP/bundle.zip" >/dev/null 2>"$T/err"; expect_eq "damaged re-upload exit" $? 2
grep -q "^lhtriage: $UP/bundle.zip: .*; kept its complete scan of .* (--replace stores this partial one instead)$" "$T/err"
expect_eq "damaged re-upload: says the good scan is kept" $? 0
expect_eq "damaged re-upload: good facts kept" "$(uq "SELECT status||'|'||(SELECT count(*) FROM v_processes)||'|'||(SELECT count(*) FROM v_findings) FROM v_bundles")" "ok|29|1"
"$BIN" scan --db "$T/up.db" --replace "$UP/bundle.zip" >/dev/null 2>&1; expect_eq "--replace exit (still damaged)" $? 2
expect_eq "--replace stores the partial scan" "$(uq "SELECT status||'|'||((SELECT count(*) FROM v_processes) < 29) FROM v_bundles")" "partial|1"

# node identity from an input's own facts: a sosreport whose uname -a says
# the node's FQDN (layout: sos_commands/<plugin>/<command> as mangled by
# sos/report/plugins/__init__.py, https://github.com/sosreport/sos), its
# folder name naming no node, confirms the bundle's suspected writer
SOS=$T/tickets3/ticket-77
SR=$SOS/sosreport-node9-01234567-2025-09-24-kqmzvfd
mkdir -p "$SR/sos_commands/host" "$SR/sos_commands/kernel" "$SR/proc/123315"
cp "$FX/seed-rwx.zip" "$SOS/"
echo "$N1.lab.example" >"$SR/sos_commands/host/hostname"
echo "Linux $N1.lab.example 6.8.0-51-generic #52-Ubuntu SMP PREEMPT_DYNAMIC Thu Dec  5 13:09:44 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux" >"$SR/sos_commands/kernel/uname_-a"
sed -n '7,24p' "$SRC/fixtures/transcripts/seed-node-transcript.txt" >"$SR/proc/123315/stack"
"$BIN" scan -q --db "$T/sos.db" "$SOS"; expect_eq "sosreport ticket exit" $? 0
sq() { "$BIN" query --db "$T/sos.db" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "sosreport: confirmed" "$(sq "SELECT confidence||'|'||node FROM v_findings WHERE rule_id='$S'")" "confirmed|$N1"
expect_eq "sosreport: the stack is its" "$(sq "SELECT input FROM v_finding_evidence WHERE signal='open_state_wait'")" "$SR"
expect_eq "sosreport: its host" "$(sq "SELECT host FROM v_bundles WHERE typed = '$SR'")" "$N1"
expect_eq "sosreport: the FQDN is an alias of the node" "$(sq "SELECT node||'|'||source FROM v_node_aliases WHERE alias = '$N1.lab.example'")" "$N1|full name"
expect_eq "sosreport: the stack's node in the view" "$(sq "SELECT DISTINCT case_node FROM v_stacks WHERE pid = 123315")" "$N1"
# the same pid's stack from another node's sosreport is not this writer's
SOS2=$T/tickets3/ticket-78
SR2=$SOS2/sosreport-other-01234567-2025-09-24-kqmzvfd
mkdir -p "$SR2/sos_commands/kernel" "$SR2/proc/123315"
cp "$FX/seed-rwx.zip" "$SOS2/"
echo "Linux testing-jiras-pool1-rm5mw-k4t7p 6.8.0-51-generic #52-Ubuntu SMP PREEMPT_DYNAMIC Thu Dec  5 13:09:44 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux" >"$SR2/sos_commands/kernel/uname_-a"
cp "$SR/proc/123315/stack" "$SR2/proc/123315/stack"
"$BIN" scan -q --db "$T/sos2.db" "$SOS2"; expect_eq "other node's sosreport exit" $? 0
s2q() { "$BIN" query --db "$T/sos2.db" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "other node's stack does not confirm" \
  "$(s2q "SELECT confidence FROM v_findings WHERE rule_id='$S' AND node='$N1'")" "suspected"
# that stack is still about a process of its own node: a lower-confidence
# finding there, asking for the D state, and nothing confirmed anywhere
expect_eq "other node's stack: its own node, asks for ps" \
  "$(s2q "SELECT node||'|'||confidence||'|'||(next_steps LIKE 'Confirm the D state with ps%') FROM v_findings WHERE rule_id='$S' AND node<>'$N1'")" \
  "testing-jiras-pool1-rm5mw-k4t7p|likely|1"

# --- cases and dressed pastes: which node a paste's stack is about -------
# The bundle shows pid 123315 on both nodes: on N1 the D-state writer, on
# the other node an unrelated python app, also in D. A stack pasted with
# nothing naming its host (mail-quoted, no prompt) confirms neither: it
# binds only within its own paste, a lower-confidence finding of its own
# that asks for ps. A paste whose prompt names N1 by its FQDN binds to N1
# (node_aliases: full name) and confirms the writer there, and only there.
N2=testing-jiras-pool1-rm5mw-k4t7p
PB=$T/pidclash/bundle
mkdir -p "$PB"
cp -r "$SRC/fixtures/bundles/seed-rwx/$SB" "$PB/"
for d in "$PB/$SB"/nodes/*.zip.d; do mv "$d" "${d%.zip.d}"; done
echo "root      123315  3.1  2.2 912344 181220 ?       D    06:40   1:12 python3 /srv/app.py" \
  >>"$PB/$SB/nodes/$N2/$N2/hostinfos/processes_info"
stack_lines() { sed -n '7,24p' "$SRC/fixtures/transcripts/seed-node-transcript.txt"; }
PQ=$T/pidclash/quoted
mkdir -p "$PQ"
cp -r "$PB" "$PQ/"   # the unpacked bundle in a folder of its own: two inputs
{ echo "On Tue, Sep 24, 2025, a customer wrote:"
  echo "> the writer is stuck again, here is its stack:"
  echo ">"
  echo "> cat /proc/123315/stack"
  stack_lines | sed 's/^/> /'; } >"$PQ/reply.txt"
"$BIN" scan -q --db "$T/pq.db" "$PQ"; expect_eq "node-less paste ticket exit" $? 0
pqq() { "$BIN" query --db "$T/pq.db" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "node-less paste: a case of two inputs" "$(pqq "SELECT inputs FROM v_cases")" "2"
expect_eq "node-less paste: nothing confirmed" "$(pqq "SELECT count(*) FROM v_findings WHERE confidence='confirmed'")" "0"
expect_eq "node-less paste: the writer stays suspected, the python app is no finding" \
  "$(pqq "SELECT group_concat(coalesce(node,'none')||'|'||confidence, ';') FROM (SELECT node, confidence FROM v_findings WHERE rule_id='$S' ORDER BY node)")" \
  "none|likely;$N1|suspected"
expect_eq "node-less paste: its finding cites the quoted line as written" \
  "$(pqq "SELECT member||'|'||line FROM v_finding_evidence WHERE signal='open_state_wait'")" "reply.txt|5"
expect_eq "node-less paste: no host lent" "$(pqq "SELECT coalesce(host,'none') FROM v_bundles WHERE name='reply'")" "none"
PF=$T/pidclash/fqdn
mkdir -p "$PF"
cp -r "$PB" "$PF/"
{ echo "    root@$N1.lab.example:~# cat /proc/123315/stack"
  stack_lines | sed 's/^/    /'; } >"$PF/reply.txt"
"$BIN" scan -q --db "$T/pf.db" "$PF"; expect_eq "FQDN paste ticket exit" $? 0
pfq() { "$BIN" query --db "$T/pf.db" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "FQDN paste: confirmed on N1 only" \
  "$(pfq "SELECT group_concat(node||'|'||confidence, ',') FROM v_findings WHERE rule_id='$S'")" "$N1|confirmed"
expect_eq "FQDN paste: its FQDN is N1's full name" \
  "$(pfq "SELECT node||'|'||source FROM v_node_aliases WHERE alias='$N1.lab.example'")" "$N1|full name"
expect_eq "FQDN paste: the stack is the indented paste's, line 2" \
  "$(pfq "SELECT member||'|'||line FROM v_finding_evidence WHERE signal='open_state_wait'")" "reply.txt|2"

# a database the user cannot write is still read (WAL: no -shm can be made
# in a folder they cannot write; it is read as an immutable file)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    RO=$(mktemp -d /tmp/lht-ro-XXXXXX)
    cp "$CDB" "$RO/ro.db"
    chmod 755 "$RO"
    chmod 644 "$RO/ro.db"
    AS="setpriv --reuid=65534 --regid=65534 --clear-groups --"
    expect_eq "read-only db: query" "$($AS "$BIN" query --db "$RO/ro.db" --csv "SELECT name FROM v_cases WHERE name = 'ticket-1234'" 2>&1 | tail -1 | tr -d '\r')" "ticket-1234"
    $AS "$BIN" report --db "$RO/ro.db" --detail >"$T/ro.md" 2>&1; expect_eq "read-only db: report exit" $? 0
    grep -q '^## Case `ticket-1234`' "$T/ro.md"; expect_eq "read-only db: report" $? 0
    $AS "$BIN" explain --db "$RO/ro.db" "$FID" >/dev/null 2>&1; expect_eq "read-only db: explain" $? 0
    expect_eq "read-only db: nothing written beside it" "$(ls "$RO")" "ro.db"
    rm -rf "$RO"
else
    echo "note: read-only database case skipped (needs root and setpriv)"
fi

# --- output formats ----------------------------------------------------
"$BIN" query --db "$DB" --json "SELECT pid, stat FROM v_processes WHERE pid=123315 LIMIT 1" >"$T/j"
grep -q '"pid": 123315, "stat": "Ds+"' "$T/j"; expect_eq "json row" $? 0
"$BIN" query --db "$DB" "SELECT 'a'||char(10)||'b' AS x" | tail -1 >"$T/t"
expect_eq "table escapes newlines" "$(cat "$T/t")" 'a\nb'

# --- command-line conventions: the first five minutes ------------------
# every mistake is one line: what is wrong, the nearest right name, and
# where the help is; nothing else follows it
one_line() { [ "$(wc -l <"$T/err" | tr -d ' ')" = 1 ] && grep -q -- "$1" "$T/err"; }
for c in scan query report explain merge rules; do
    "$BIN" $c --bogus >"$T/out" 2>"$T/err"; expect_eq "$c: unknown option exit" $? 2
    one_line "^lhtriage: $c: unknown option '--bogus'; see 'lhtriage $c --help'\$"; expect_eq "$c: unknown option, one line" $? 0
    [ -s "$T/out" ]; expect_eq "$c: no help dumped on a mistake" $? 1
done
"$BIN" scan --rescna x 2>"$T/err"; one_line "unknown option '--rescna' (did you mean '--rescan'?)"; expect_eq "option: did you mean" $? 0
"$BIN" scan --db 2>"$T/err"; one_line "^lhtriage: scan: option '--db' needs a value; see"; expect_eq "option needs a value" $? 0
"$BIN" scan --rescan=yes x 2>"$T/err"; one_line "option '--rescan' takes no value"; expect_eq "option takes no value" $? 0
"$BIN" scan --no x 2>"$T/err"; one_line "ambiguous option '--no' (--no-logs, --no-progress)"; expect_eq "ambiguous option" $? 0
"$BIN" scan -Z x 2>"$T/err"; one_line "unknown option '-Z'"; expect_eq "unknown short option" $? 0
"$BIN" scna x 2>"$T/err"; expect_eq "mistyped command exit" $? 2
one_line "^lhtriage: unknown command 'scna' (did you mean 'scan'?); see 'lhtriage --help'\$"; expect_eq "command: did you mean" $? 0
"$BIN" query --db "$DB" stuck-process 2>"$T/err"; expect_eq "mistyped named query exit" $? 2
one_line "'stuck-process' is neither SQL nor a named query (did you mean 'stuck-processes'?)"; expect_eq "named query: did you mean" $? 0
"$BIN" query --db "$DB" v_findings 2>"$T/err"; one_line "'v_findings' is a table or view, not a query: try \"SELECT \* FROM v_findings\""
expect_eq "a view named alone" $? 0
"$BIN" rules test seed-rul >"$T/out" 2>"$T/err"; expect_eq "unknown rule id exit" $? 2
one_line "no rule 'seed-rul'"; expect_eq "unknown rule id message" $? 0
[ -s "$T/out" ]; expect_eq "unknown rule id: no '0 passed' summary" $? 1
"$BIN" rules test rwx-nfs4-open-state-hagn 2>"$T/err"; one_line "(did you mean 'rwx-nfs4-open-state-hang'?)"; expect_eq "rule id: did you mean" $? 0
"$BIN" rules lnit 2>"$T/err"; one_line "unknown action 'lnit' (did you mean 'lint'?)"; expect_eq "rules verb: did you mean" $? 0
"$BIN" help scan >"$T/h1"; expect_eq "help scan exit" $? 0
"$BIN" scan --help >"$T/h2"; cmp -s "$T/h1" "$T/h2"; expect_eq "help scan = scan --help" $? 0
"$BIN" help sacn 2>"$T/err"; one_line "did you mean 'scan'"; expect_eq "help: did you mean" $? 0
"$BIN" --help | grep -q "^  lhtriage scan .*paste.txt"; expect_eq "--help shows the first steps" $? 0

# a folder with nothing to scan is an error that says so, and leaves no database
mkdir "$T/emptydir" "$T/notabundle"
printf 'minutes of the call\n' >"$T/notabundle/notes.pdf"
for d in emptydir notabundle; do
    ( cd "$T" && "$BIN" scan --db "$T/none.db" "$d" ) >"$T/out" 2>"$T/err"; expect_eq "scan $d exit" $? 2
    one_line "^lhtriage: no bundle, sosreport or text evidence in $d\$"; expect_eq "scan $d message" $? 0
done
[ -e "$T/none.db" ]; expect_eq "no database created for nothing" $? 1
"$BIN" scan --db "$T/mix.db" -q "$T/emptydir" "$FX/seed-rwx.zip" 2>"$T/err"; expect_eq "an empty folder among inputs: exit 2" $? 2
expect_eq "the other inputs are still scanned" "$("$BIN" query --db "$T/mix.db" --csv "SELECT count(*) FROM bundles" | tail -1 | tr -d '\r')" "1"

# errors name inputs as typed, not by their absolute path
( cd "$T" && "$BIN" scan --db "$T/rel.db" cut.zip ) 2>"$T/err"
grep -q "^lhtriage: cut.zip: " "$T/err"; expect_eq "relative input named as typed" $? 0
grep -q "$T" "$T/err"; expect_eq "no absolute path in the error" $? 1

# '-' is stdin: a bundle through a pipe, a paste, a redirected file
SDB=$T/stdin.db
cat "$FX/seed-rwx.zip" | "$BIN" scan --db "$SDB" - >"$T/out"; expect_eq "zip from a pipe exit" $? 0
sq() { "$BIN" query --db "$SDB" --csv "$1" | tail -n +2 | tr -d '\r'; }
expect_eq "zip from a pipe: stored as (stdin)" "$(sq "SELECT path||'|'||name||'|'||status FROM v_bundles")" "(stdin)|$SB|ok"
expect_eq "zip from a pipe: the nested node zips read" "$(sq "SELECT count(*) FROM v_processes WHERE member LIKE '%/nodes/%.zip!%'")" "29"
expect_eq "zip from a pipe: the finding" "$(sq "SELECT confidence FROM v_findings WHERE rule_id='$S'")" "suspected"
"$BIN" scan --db "$SDB" --name ticket-4711 - <"$SRC/fixtures/transcripts/rhel8-rpc-wait.txt" >"$T/out"; expect_eq "paste on stdin exit" $? 0
expect_eq "paste on stdin: --name names it" "$(sq "SELECT count(*)||'|'||min(member) FROM v_processes WHERE bundle='ticket-4711'")" "2|ticket-4711"
"$BIN" scan --db "$SDB" -q - <"$FX/seed-rwx.tar.gz"; expect_eq "tar.gz redirected" $? 0
expect_eq "a later scan under the same name replaces it" "$(sq "SELECT count(*) FROM v_bundles WHERE path='(stdin)'")" "1"
: | "$BIN" scan --db "$SDB" - 2>"$T/err"; expect_eq "empty stdin exit" $? 2
grep -q "^lhtriage: (stdin): empty" "$T/err"; expect_eq "empty stdin named (stdin)" $? 0
"$BIN" scan --db "$SDB" - - </dev/null 2>"$T/err"; expect_eq "stdin twice" $? 2
"$BIN" scan --db "$SDB" --name x "$FX/seed-rwx.zip" 2>"$T/err"; expect_eq "--name without -" $? 2
( cd "$T" && "$BIN" report --db "$RDB" --detail -o - >"$T/dash.md" ); expect_eq "report -o - exit" $? 0
[ -e "$T/-" ]; expect_eq "report -o - makes no file named -" $? 1
cmp -s "$T/dash.md" "$T/report.md" || norm <"$T/dash.md" | cmp -s - "$T/report.md"; expect_eq "report -o - is stdout" $? 0

# report: --json, and -o through a private temp file renamed into place
"$BIN" report --db "$RDB" --detail --json | norm | cmp -s - "$T/report.json"; expect_eq "report --json = --format json" $? 0
( umask 022 && "$BIN" report --db "$RDB" -o "$T/mode.md" ); expect_eq "report -o exit" $? 0
expect_eq "report -o: a normal file mode, not mkstemp's 0600" "$(stat -c %a "$T/mode.md")" "644"
# A file size limit cuts the write short (SIGXFSZ ignored: write fails with
# EFBIG). The database is put in rollback-journal mode first, so reading
# it writes no WAL index under that limit.
printf 'old report\n' >"$T/keep.md"
cp "$RDB" "$T/del.db"
sqlite3 "$T/del.db" 'PRAGMA journal_mode=DELETE' >/dev/null; expect_eq "sqlite3 journal_mode" $? 0
( ulimit -f 8; trap '' XFSZ; "$BIN" report --db "$T/del.db" --detail -o "$T/keep.md" ) 2>"$T/err"; expect_eq "short write: exit" $? 2
one_line "^lhtriage: report: $T/keep.md: File too large\$"; expect_eq "short write: names the target, not a temp file" $? 0
expect_eq "short write: the old report is intact" "$(cat "$T/keep.md")" "old report"
expect_eq "short write: no temp file left" "$(ls -a "$T" | grep -c 'lhtriage-\|\.tmp')" "0"

# progress: on a terminal (a pseudo-terminal from script(1)), never off one
if command -v script >/dev/null 2>&1; then
    script -qfec "'$BIN' scan --db '$T/p.db' -j 1 '$FX/seed-rwx.zip' '$FX/disk-hang.zip'" /dev/null >"$T/pty" 2>&1
    expect_eq "scan on a terminal exit" $? 0
    tr '\r' '\n' <"$T/pty" | grep -q "^\[1/2\] [0-9.]* of [0-9.]* KiB  $FX/seed-rwx.zip: [^ ]*$(printf '\033')\[K\$"
    expect_eq "progress line: batch position, bytes of total, input and member" $? 0
    tr '\r' '\n' <"$T/pty" | grep -qF "$(printf '\033')[K$FX/seed-rwx.zip: ok, "
    expect_eq "progress line cleared before the bundle line" $? 0
    script -qfec "'$BIN' scan --db '$T/p.db' --rescan --no-progress '$FX/seed-rwx.zip'" /dev/null >"$T/pty" 2>&1
    grep -q ' KiB  ' "$T/pty"; expect_eq "--no-progress" $? 1
    script -qfec "'$BIN' scan --db '$T/p.db' --rescan -q '$FX/seed-rwx.zip'" /dev/null >"$T/pty" 2>&1
    grep -q ' KiB  ' "$T/pty"; expect_eq "-q shows no progress" $? 1
    # a paste typed into the terminal: how to end it, no progress line over it
    (sleep 0.3; printf 'root@n1:~# uname -r\n6.1.0-9-amd64\n'; sleep 0.3; printf '\004'; sleep 0.3) |
        script -qfec "'$BIN' scan --db '$T/tty.db' -" /dev/null >"$T/pty" 2>&1
    grep -q "^lhtriage: reading (stdin) from the terminal; end it with Ctrl-D" "$T/pty"; expect_eq "stdin on a terminal: the hint" $? 0
    grep -q ' KiB  ' "$T/pty"; expect_eq "stdin on a terminal: no progress line" $? 1
    expect_eq "stdin on a terminal: the paste read" \
      "$("$BIN" query --db "$T/tty.db" --csv "SELECT value FROM v_facts WHERE key='kernel_release'" | tail -1 | tr -d '\r')" "6.1.0-9-amd64"
else
    bad "script (util-linux) is not installed"
fi
"$BIN" scan --db "$T/p.db" --rescan "$FX/seed-rwx.zip" >/dev/null 2>"$T/err"
grep -q 'KiB' "$T/err"; expect_eq "no progress when stderr is not a terminal" $? 1
"$BIN" scan --db "$T/p.db" --rescan --progress "$FX/seed-rwx.zip" >/dev/null 2>"$T/err"
grep -q "KiB  $FX/seed-rwx.zip: " "$T/err"; expect_eq "--progress forces it" $? 0

# colour: --color beside NO_COLOR (which an explicit --color=always beats)
"$BIN" scan --db "$T/p.db" --rescan --color=always "$FX/seed-rwx.zip" | grep -q "$(printf '\033')\[31merror"; expect_eq "--color=always" $? 0
NO_COLOR=1 "$BIN" scan --db "$T/p.db" --rescan --color=always "$FX/seed-rwx.zip" | grep -q "$(printf '\033')"; expect_eq "--color=always beats NO_COLOR" $? 0
script -qfec "'$BIN' scan --db '$T/p.db' --rescan --color=never '$FX/seed-rwx.zip'" /dev/null | grep -q "$(printf '\033')\[3"
expect_eq "--color=never on a terminal" $? 1
script -qfec "NO_COLOR=1 '$BIN' scan --db '$T/p.db' --rescan --no-progress '$FX/seed-rwx.zip'" /dev/null | grep -q "$(printf '\033')\[3"
expect_eq "NO_COLOR on a terminal" $? 1
script -qfec "'$BIN' scan --db '$T/p.db' --rescan --no-progress '$FX/seed-rwx.zip'" /dev/null | grep -q "$(printf '\033')\[31merror"
expect_eq "colour by default on a terminal" $? 0
"$BIN" scan --color=sometimes x 2>"$T/err"; one_line "--color takes auto, always or never"; expect_eq "--color bad value" $? 0

# plurals
"$BIN" scan --db "$T/pl.db" "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt" | grep -qF "$SRC/fixtures/transcripts/rhel8-rpc-wait.txt: ok, 1 member (1 parsed), 2 processes, 1 stack, 1 mount, 0 hung tasks, 1 kernel event"
expect_eq "plurals" $? 0

# query --help lists every view the schema has, read from the schema
"$BIN" query --help >"$T/qh"
missing=""
for v in $("$BIN" query --db "$DB" --csv "SELECT name FROM sqlite_master WHERE type='view'" | tail -n +2 | tr -d '\r'); do
    grep -q "\b$v\b" "$T/qh" || missing="$missing $v"
done
expect_eq "query --help names every view" "$missing" ""
for v in v_findings v_finding_evidence v_members v_open_files; do grep -q "\b$v\b" "$T/qh" || bad "query --help lacks $v"; ok; done

# rules lint reports every error of every bad file
LR=$T/lintrules
mkdir "$LR"
cp "$SRC"/rules/*.yaml "$LR/"
printf 'id: x\ntitle: t\nseverity: loud\ndescription: d\nsubject: process\nbogus: 1\nsignals:\n  - name: a\n    fact: process\n    field: stat\n    pattern: "(D"\n  - name: b\n    fact: procss\n    field: stat\n    pattern: "D"\nlevels:\n  - name: c\n    all: [a]\nexamples:\n  - name: e\n    expect: maybe\n    files: [{text: "x"}]\n' >"$LR/x.yaml"
printf 'id: [\n' >"$LR/y.yaml"
"$BIN" rules --rules "$LR" lint >"$T/out" 2>"$T/err"; expect_eq "lint with errors exit" $? 2
for e in "x.yaml:6:1: unknown key 'bogus'" "x.yaml:3:11: severity 'loud'" "x.yaml:11:14: signal 'a': bad pattern" \
         "x.yaml:13:11: unknown fact kind 'procss'" "x.yaml:21:13: example expects 'maybe'" "y.yaml:2:1: "; do
    grep -q "^lhtriage: $LR/$e" "$T/err" || bad "lint does not report $e"
    ok
done
expect_eq "lint: one line per error" "$(wc -l <"$T/err" | tr -d ' ')" "6"
grep -q "^5 rules in $LR, 6 errors, 0 warnings\$" "$T/out"; expect_eq "lint summary: the good rules still linted" $? 0

# merge into a new file that fails leaves nothing behind
( cd "$T" && "$BIN" merge x.db missing.db ) 2>"$T/err"; expect_eq "merge missing input exit" $? 2
expect_eq "merge: no empty x.db left" "$(ls "$T" | grep -c '^x\.db')" "0"
cp "$T/merged.db" "$T/keep.db"
"$BIN" merge -q "$T/keep.db" "$T/nope.db" 2>/dev/null
[ -s "$T/keep.db" ]; expect_eq "merge: an existing OUT is kept" $? 0
"$BIN" merge "$T/m1.db" "$T/s1.db" | grep -qE '^.*s1.db: [0-9]+ cases? merged, 0 cases kept from'; expect_eq "merge: plurals" $? 0

# untrusted text cannot drive the terminal, the JSON or a spreadsheet
"$BIN" query --db "$DB" "SELECT 'a'||char(155)||'[31mb' AS c1, cast(x'ff41' AS text) AS bad" | tail -1 >"$T/t"
expect_eq "table: C1 controls and invalid UTF-8 escaped" "$(cat "$T/t")" 'a\u009b[31mb  \xffA'
"$BIN" query --db "$DB" --json "SELECT 'a'||char(155)||'b' AS c1, cast(x'ff41' AS text) AS bad, 1.5 AS f, x'00ff' AS blob" >"$T/j"
# (a byte that is not UTF-8 reads \xNN in JSON as in the table and the report)
grep -qF '{"c1": "a\u009bb", "bad": "\\xffA", "f": 1.5, "blob": "00ff"}' "$T/j"; expect_eq "json: escaped, valid UTF-8" $? 0
LC_ALL=C grep -q "$(printf '\302\233\|\377')" "$T/j"; expect_eq "json: no raw C1 or invalid bytes" $? 1
"$BIN" query --db "$DB" --csv "SELECT '=HYPERLINK(\"x\")' AS a, '+1' AS b, '-x' AS c, '@x' AS d, char(9)||'t' AS e, -5 AS n, 'ok' AS f" | tail -1 | tr -d '\r' >"$T/c"
expect_eq "csv: formula cells defused, numbers kept" "$(cat "$T/c")" "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-x,'@x,'$(printf '\t')t,-5,ok"
"$BIN" query --help | grep -q "gets a leading ' so that a spreadsheet"; expect_eq "csv: --help says so" $? 0
mkdir -p "$T/esc/sb"
ESC=$(printf '\033')
seq 1 20000 >"$T/esc/sb/evil${ESC}]0;pwned${ESC}[31m.log"
tar -C "$T/esc" -czf "$T/esc.tar.gz" sb
"$BIN" scan --db "$T/esc.db" --max-total 1K "$T/esc.tar.gz" 2>"$T/err"; expect_eq "member name in an error: exit" $? 2
grep -q "$ESC" "$T/err"; expect_eq "member names reach stderr escaped" $? 1
grep -qF 'evil\x1b]0;pwned\x1b[31m.log' "$T/err"; expect_eq "the escaped member name is shown" $? 0

# sizes: suffixes, and values that do not fit are refused
"$BIN" scan --db "$T/sz.db" -q --max-member-size 1KiB "$FX/seed-rwx.zip"; expect_eq "size 1KiB" $? 0
for v in 99999999999999999999 17179869185G 16777217T 12Q -1 ""; do
    "$BIN" scan --db "$T/sz.db" --max-total "$v" "$FX/seed-rwx.zip" 2>"$T/err"
    expect_eq "size '$v' refused" "$?:$(grep -c "bad value '$v' for --max-total" "$T/err")" "2:1"
done

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
