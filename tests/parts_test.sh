#!/bin/sh
# parts_test.sh - a large input's facts are stored in parts while it is
# still being read (cmd_scan.c, lht_store_put_open). That must store
# exactly what storing it whole stores: every fixture and every hostile
# archive is scanned with a part at every member (LHT_PART_RECORDS=1) and
# with none, and the two databases must dump the same. Then the paths that
# take stored parts back: a damaged re-upload refused over a complete
# scan, and a ticket whose sosreport changes facts read before it.
# (threads_test.sh, which runs under ThreadSanitizer too, has parts from
# four readers at once.)
set -u
BIN=${LHT_BINARY:?}
FX=${LHT_FIXTURES:?}
SRC=${LHT_SOURCE_DIR:?}
MK=${LHT_MKHOSTILE:?}
T=$(mktemp -d /tmp/lht-parts-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }

# Every table's rows, in row id order, without the clock's columns.
dump() {
    cp "$1" "$T/dump.db"
    sqlite3 "$T/dump.db" "UPDATE bundles SET scanned_at = ''; UPDATE cases SET evaluated_at = NULL;"
    sqlite3 "$T/dump.db" .dump | grep -v "^INSERT INTO \(sqlite_stat\|secrets\)"
}

# same NAME INPUT...: both ways, the same database
same() {
    name=$1
    shift
    rm -f "$T/a.db" "$T/b.db"
    LHT_PART_RECORDS=1 "$BIN" scan -q -j 1 --db "$T/a.db" "$@" >"$T/a.out" 2>"$T/a.err"
    ea=$?
    "$BIN" scan -q -j 1 --db "$T/b.db" "$@" >"$T/b.out" 2>"$T/b.err"
    eb=$?
    expect_eq "$name: exit" "$ea" "$eb"
    cmp -s "$T/a.err" "$T/b.err"; expect_eq "$name: messages" $? 0
    dump "$T/a.db" >"$T/a.sql"
    dump "$T/b.db" >"$T/b.sql"
    if cmp -s "$T/a.sql" "$T/b.sql"; then ok; else
        bad "$name: stored in parts differs from stored whole"
        diff "$T/a.sql" "$T/b.sql" | head -20 >&2
    fi
}

for f in "$FX"/*.zip "$FX"/*.tar.gz; do
    same "$(basename "$f")" "$f"
done
# tickets: bundles with pastes, sosreports and supportconfigs beside them
same "bundle folders as tickets" "$SRC/fixtures/bundles"
same "sosreports" "$SRC"/fixtures/sosreport/sos-*
same "supportconfig" "$SRC/fixtures/supportconfig/sles15-sp5"
same "transcripts" "$SRC/fixtures/transcripts"
same "dresses" "$SRC/fixtures/dresses"
mkdir -p "$T/h"
if "$MK" "$T/h" >/dev/null 2>&1; then
    # one scan of them all: each is a case of its own
    same "hostile archives" "$T"/h/*
else
    bad "mkhostile"
fi

# A sosreport known as one only from its sos_commands folder, its mounts
# read before that: its end gives its node to facts read (and handed
# over) before, so the parts go back and the input is stored whole.
R=n9-report
F=$(echo "$SRC"/fixtures/sosreport/sos-4.10-rhel9/sosreport-*)
mkdir -p "$T/sos/$R/proc" "$T/sos/$R/sos_commands/process" "$T/sos/$R/sos_commands/host"
cp "$F/proc/mounts" "$T/sos/$R/proc/"
cp "$F/sos_commands/process/ps_auxwwwm" "$T/sos/$R/sos_commands/process/"
echo n9 >"$T/sos/$R/sos_commands/host/hostname"
tar -czf "$T/sos.tar.gz" -C "$T/sos" "$R/proc/mounts" "$R/sos_commands/process/ps_auxwwwm" \
    "$R/sos_commands/host/hostname"
same "sosreport, hostname last" "$T/sos.tar.gz"
expect_eq "sosreport, hostname last: its mounts have its node" \
  "$(sqlite3 "$T/a.db" "SELECT count(*) > 0, sum(node IS NOT 'n9') FROM mounts")" "1|0"

# A damaged re-upload of a scanned bundle is refused: the parts stored
# while it was read go back, and the complete scan stays as it was.
cp "$FX/seed-rwx.zip" "$T/up.zip"
rm -f "$T/r.db"
"$BIN" scan -q --db "$T/r.db" "$T/up.zip" >/dev/null 2>&1
dump "$T/r.db" >"$T/before.sql"
size=$(wc -c <"$T/up.zip")
head -c $((size * 3 / 4)) "$FX/seed-rwx.zip" >"$T/up.zip"
LHT_PART_RECORDS=1 "$BIN" scan -q --db "$T/r.db" "$T/up.zip" >/dev/null 2>"$T/err"
expect_eq "refused re-upload: exit" $? 2
grep -q 'kept its complete scan' "$T/err"; expect_eq "refused re-upload: said" $? 0
dump "$T/r.db" >"$T/after.sql"
cmp -s "$T/before.sql" "$T/after.sql"; expect_eq "refused re-upload: database as it was" $? 0
expect_eq "refused re-upload: integrity" "$(sqlite3 "$T/r.db" 'PRAGMA integrity_check')" "ok"

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
