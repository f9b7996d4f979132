#!/bin/sh
# pipeline_test.sh - a scan overlaps its stages: the node zips of a bundle
# are read two at a time (source.c, read ahead), and a large input's facts
# are stored in parts while it is still being read (cmd_scan.c,
# lht_store_put_open). It must store exactly what reading and storing in
# turn stores: every fixture and hostile archive, and bundles whose node
# zips are stored as Info-ZIP stores them, are scanned with a part at
# every member (LHT_PART_RECORDS=1) and read ahead, and with neither
# (LHT_NO_READ_AHEAD, no parts), and the two databases must dump the same.
# Then the paths that take stored parts back: a damaged re-upload refused
# over a complete scan, and a sosreport whose end changes facts read
# before it. (threads_test.sh, which runs under ThreadSanitizer too, has
# parts from four readers at once.)
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
    sqlite3 "$T/dump.db" .dump | grep -av "^INSERT INTO \(sqlite_stat\|secrets\)"
}

# same NAME INPUT...: both ways, the same database
same() {
    name=$1
    shift
    rm -f "$T/a.db" "$T/b.db"
    LHT_PART_RECORDS=1 "$BIN" scan -j 1 --db "$T/a.db" "$@" >"$T/a.out" 2>"$T/a.err"
    ea=$?
    LHT_NO_READ_AHEAD=1 LHT_PART_RECORDS=1000000000 "$BIN" scan -j 1 --db "$T/b.db" "$@" >"$T/b.out" 2>"$T/b.err"
    eb=$?
    expect_eq "$name: exit" "$ea" "$eb"
    cmp -s "$T/a.err" "$T/b.err"; expect_eq "$name: messages" $? 0
    cmp -s "$T/a.out" "$T/b.out"; expect_eq "$name: output" $? 0
    dump "$T/a.db" >"$T/a.sql"
    dump "$T/b.db" >"$T/b.sql"
    if cmp -s "$T/a.sql" "$T/b.sql"; then ok; else
        bad "$name: overlapped differs from in turn"
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

# Bundles as support-bundle-kit zips them (Info-ZIP: node zips stored, so
# they are read ahead): each fixture bundle; one with seven node zips;
# one with the same node zip twice, under one name (its proc texts are
# read once, so the second copy cannot be taken from a read ahead); one
# whose node zip holds a sosreport; one whose node zips are damaged.
python3 - "$FX" "$T/iz" <<'PY' || bad "making Info-ZIP bundles"
import os, sys, zipfile
fx, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
def members(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist() if not i.is_dir()]
def write(path, items):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in items:
            z.writestr(name, data, zipfile.ZIP_STORED if name.endswith(".zip") else zipfile.ZIP_DEFLATED)
for f in sorted(os.listdir(fx)):
    if f.endswith(".zip"):
        write(os.path.join(out, f), members(os.path.join(fx, f)))
seed = members(os.path.join(fx, "seed-rwx.zip"))
nodes = [(n, d) for n, d in seed if n.endswith(".zip")]
rest = [(n, d) for n, d in seed if not n.endswith(".zip")]
wide = list(rest[:3])
for k in range(7):
    n, d = nodes[k % len(nodes)]
    wide.append((n[:-4] + "-copy%d.zip" % k, d))
    wide.append((rest[3 + k % (len(rest) - 3)][0] + ".%d" % k, b"x\n"))
write(os.path.join(out, "wide.zip"), wide + rest[3:])
import warnings
warnings.simplefilter("ignore")
# the same node zip twice, with one mount table for three pids: in the
# second copy that text was read before, in the first (extract.c, once)
mi = b"36 25 0:32 / /mnt/data rw,relatime shared:1 - nfs4 10.0.0.1:/pvc-1 rw,vers=4.1\n"
nz = os.path.join(out, "n.zip")
write(nz, [("n9/proc/%d/mountinfo" % p, mi) for p in (100, 101, 102)])
twin = ("sb/nodes/n9.zip", open(nz, "rb").read())
write(os.path.join(out, "twice.zip"), rest[:2] + [twin, nodes[0], twin, nodes[1]] + rest[2:])
# a sosreport in a node zip: its end names the node of what it holds
sos = [("n8/sosreport-n8-2025-09-24-abcdef/proc/mounts", mi.replace(b"36 25 0:32 / ", b"10.0.0.1:/pvc-1 ").replace(b" shared:1 - nfs4 10.0.0.1:/pvc-1", b" nfs4")),
       ("n8/sosreport-n8-2025-09-24-abcdef/sos_commands/host/hostname", b"n8-host\n")]
write(nz, sos)
write(os.path.join(out, "sosnode.zip"), rest[:2] + [("sb/nodes/n8.zip", open(nz, "rb").read())] + nodes + rest[2:])
os.remove(nz)
write(os.path.join(out, "damaged.zip"), rest[:2] + [(n, d[: len(d) // 2]) for n, d in nodes] + rest[2:])
PY
for f in "$T"/iz/*.zip; do
    same "Info-ZIP $(basename "$f")" "$f"
done
expect_eq "wide.zip: all seven node zips read" \
  "$(sqlite3 "$T/a.db" "SELECT count(DISTINCT node) FROM members WHERE path LIKE '%-copy%.zip!%'")" "7"
# a member limit that falls inside a node zip read ahead: the same cut
for n in 5 20 40; do
    same "wide.zip, --max-members $n" --max-members $n "$T/iz/wide.zip"
done
same "wide.zip, --max-total 20000" --max-total 20000 "$T/iz/wide.zip"

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

# SIGKILL while parts are being stored: what a reader sees is whole
# inputs only, never the placeholder row a write starts with
for delay in 0.05 0.1 0.2 0.4; do
    LHT_PART_RECORDS=1 "$BIN" scan -q --db "$T/k.db" "$T"/iz/*.zip "$FX"/*.tar.gz >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ -f "$T/k.db" ] || continue
    # killed before the schema was committed: nothing to look at
    [ "$(sqlite3 "$T/k.db" "SELECT count(*) FROM sqlite_master WHERE name = 'bundles'" 2>/dev/null)" = 1 ] || continue
    r=$(sqlite3 "$T/k.db" "PRAGMA integrity_check" 2>/dev/null)
    expect_eq "kill after ${delay}s: integrity" "$r" "ok"
    expect_eq "kill after ${delay}s: no placeholder, no bundle without members" \
      "$(sqlite3 "$T/k.db" "SELECT count(*) FROM bundles b WHERE path = '' OR (status = 'ok' AND NOT EXISTS (SELECT 1 FROM members m WHERE m.bundle_id = b.id))")" "0"
done

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
