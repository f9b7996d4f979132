#!/bin/sh
# threads_test.sh - the scan's threads at once: several workers (--jobs),
# each streaming node logs of several pieces to its own parser thread
# (one plain, one gzip'd), while the writer stores results in input order,
# some of them in parts while they are still being read.
# A four-worker scan must store exactly what a one-worker scan stores.
# scripts/test.sh also runs this under ThreadSanitizer (halt_on_error=1),
# where any unsynchronised access between those threads fails the run.
set -u
BIN=${LHT_BINARY:?}
T=$(mktemp -d /tmp/lht-threads-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }

# four unpacked bundles, each with a 4 MB syslog (four 1 MiB pieces) and
# its gzip'd rotation: a trigger every 5000 lines, a hung task at the end
for b in 1 2 3 4; do
    d=$T/in/b$b/sb/nodes/n$b/logs
    mkdir -p "$d"
    awk -v n=$b 'BEGIN {
        for (i = 0; i < 60000; i++)
            if (i % 5000 == 4999)
                printf "Sep 24 06:%02d:%02d n%d kernel: nfs: server nas%d not responding, still trying\n", (i / 60) % 60, i % 60, n, n
            else
                printf "Sep 24 06:%02d:%02d n%d kubelet[812]: I0924 sync pod %d of the fleet\n", (i / 60) % 60, i % 60, n, i
        printf "Sep 24 07:00:00 n%d kernel: INFO: task sh:%d blocked for more than 120 seconds.\n", n, 70 + n
    }' >"$d/syslog"
    gzip -c "$d/syslog" >"$d/syslog.1.gz"
done
IN="$T/in/b1 $T/in/b2 $T/in/b3 $T/in/b4"

"$BIN" scan -q --db "$T/j4.db" -j 4 $IN; expect_eq "--jobs 4 exit" $? 0
"$BIN" scan -q --db "$T/j1.db" -j 1 $IN; expect_eq "--jobs 1 exit" $? 0
rows() {
    "$BIN" query --db "$1" --csv "SELECT * FROM (SELECT b.path, h.node, m.path, h.line, h.pid FROM hung_tasks h JOIN bundles b ON b.id = h.bundle_id JOIN members m ON m.id = h.member_id ORDER BY 1, 3)
                                  UNION ALL SELECT * FROM (SELECT '', kind, sum(1 + coalesce(repeats, 0)), min(line), max(coalesce(last_line, line)) FROM v_kernel_events GROUP BY kind ORDER BY kind)" | tail -n +2 | tr -d '\r'
}
rows "$T/j1.db" >"$T/j1"
rows "$T/j4.db" >"$T/j4"
expect_eq "every stream read to its end (8 hung tasks on line 60001)" \
  "$(grep -c ',60001,7[1-4]$' "$T/j1")" "8"
expect_eq "nfs messages from all pieces" "$(grep '^,nfs_not_responding,' "$T/j1")" ",nfs_not_responding,96,5000,60000"
cmp -s "$T/j1" "$T/j4"; expect_eq "--jobs 4 stores what --jobs 1 stores" $? 0
# the same with each input handed to the writer in parts while it is read
# (a part at every member), four readers at once
LHT_PART_RECORDS=1 "$BIN" scan -q --db "$T/p4.db" -j 4 $IN; expect_eq "parts, --jobs 4: exit" $? 0
rows "$T/p4.db" >"$T/p4"
cmp -s "$T/j1" "$T/p4"; expect_eq "parts, --jobs 4: stores what --jobs 1 stores whole" $? 0

# a zip of 1 MiB or more is hashed on a thread of its own while a worker
# reads it: its stored sha256 is the file's, and it reads as the folder did
if command -v zip >/dev/null 2>&1 && command -v sha256sum >/dev/null 2>&1; then
    head -c 2097152 /dev/urandom >"$T/in/b1/sb/pad.bin"
    (cd "$T/in/b1" && zip -qr "$T/b1.zip" sb)
    "$BIN" scan -q --db "$T/z.db" -j 4 "$T/b1.zip" $IN; expect_eq "hashed zip: exit" $? 0
    expect_eq "hashed zip: its sha256" \
      "$("$BIN" query --db "$T/z.db" --csv "SELECT sha256 FROM bundles WHERE path LIKE '%b1.zip'" | tail -n +2 | tr -d '\r')" \
      "$(sha256sum "$T/b1.zip" | cut -d' ' -f1)"
    expect_eq "hashed zip: its hung tasks, as the folder's" \
      "$("$BIN" query --db "$T/z.db" --csv "SELECT count(*) FROM hung_tasks h JOIN bundles b ON b.id = h.bundle_id WHERE b.path LIKE '%b1.zip'" | tail -n +2 | tr -d '\r')" "2"
fi

# a bundle zip whose node zips are stored (as Info-ZIP stores them): the
# next node zip is read on a thread of its own while the walk goes on,
# each with its logs' parser threads, and the writer stores parts
if command -v zip >/dev/null 2>&1; then
    N=$T/iz/sb/nodes
    mkdir -p "$N"
    for n in 1 2 3; do
        mkdir -p "$T/iz/n$n/n$n"
        cp -r "$T/in/b$n/sb/nodes/n$n/logs" "$T/iz/n$n/n$n/"
        (cd "$T/iz/n$n" && zip -qr "$N/n$n.zip" "n$n")
    done
    (cd "$T/iz" && zip -qr -n .zip "$T/iz.zip" sb)
    LHT_PART_RECORDS=1 "$BIN" scan -q --db "$T/ra.db" "$T/iz.zip"; expect_eq "node zips read ahead: exit" $? 0
    expect_eq "node zips read ahead: every node's hung tasks" \
      "$("$BIN" query --db "$T/ra.db" --csv "SELECT group_concat(node || ':' || n) FROM (SELECT node, count(*) n FROM hung_tasks GROUP BY node ORDER BY node)" | tail -n +2 | tr -d '\r"')" \
      "n1:2,n2:2,n3:2"
fi

# an input that fails inside a worker (stat says a regular file, reading it
# fails: /proc/self/mem) while the others are scanned: the worker's error
# reaches the writer, the others are stored
if [ -r /proc/self/mem ]; then
    "$BIN" scan -q --db "$T/f.db" -j 4 /proc/self/mem $IN 2>"$T/err"; expect_eq "failing worker: exit" $? 2
    grep -q '^lhtriage: /proc/self/mem: ' "$T/err"; expect_eq "failing worker: named as typed" $? 0
    expect_eq "failing worker: the rest stored" \
      "$("$BIN" query --db "$T/f.db" --csv "SELECT count(*) FROM bundles WHERE status = 'ok'" | tail -n +2 | tr -d '\r')" "4"
fi

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
