#!/usr/bin/env bash
# Benchmark lhtriage against baselines measured in the same run (machines
# are noisy: compare the ratios, not the seconds). Each comparison times
# its commands in turns (A B A B ...) and reports medians.
#
#   bench/run.sh [quick|full]
#
# full (default): a bundle of 8 nodes x 1500 processes with trigger-dense
# syslogs (~560 MiB uncompressed), written twice: by Info-ZIP (as
# support-bundle-kit does: no data descriptors, node zips stored) and with
# data descriptors (as Go's archive/zip does); pastes of 5,000 and 50,000
# processes; 200 small bundles; a database of 10,000 bundles. quick: a
# smaller bundle and database, for a first look.
#
# Needs bsdtar, zip, GNU time, bc (apt-get install libarchive-tools zip time bc).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-full}
case $mode in
    full) nodes=8 syslog=48 pods=80 procs=1500 trig=40 dbn=10000 runs=3 ;;
    quick) nodes=2 syslog=16 pods=16 procs=1500 trig=40 dbn=1000 runs=3 ;;
    *) echo "usage: bench/run.sh [quick|full]" >&2; exit 2 ;;
esac
for c in bsdtar zip bc /usr/bin/time; do
    command -v "$c" >/dev/null || { echo "bench: needs $c (apt-get install libarchive-tools zip time bc)" >&2; exit 2; }
done
W=${LHT_BENCH_DIR:-/tmp/lht-bench}/$mode
mkdir -p "$W"
# Its own optimised build: build/ may hold a Debug or sanitizer configuration.
B=build-bench
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
cmake --build "$B" -j"$(nproc)" --target lhtriage genbundle normbench caseload fixtures >/dev/null
BIN=$PWD/$B/lhtriage GEN=$PWD/$B/genbundle CASELOAD=$PWD/$B/caseload
export BIN W

# ---- inputs ---------------------------------------------------------------
GO=$W/bundle-go.zip IZ=$W/bundle-infozip.zip
args=(--nodes "$nodes" --syslog-mb "$syslog" --pod-mb "$pods" --procs "$procs" --triggers "$trig")
[ -f "$GO" ] || "$GEN" "${args[@]}" "$GO"
if [ ! -f "$IZ" ]; then
    rm -rf "$W/tree"
    "$GEN" "${args[@]}" --tree "$W/tree" x
    for d in "$W"/tree/*/nodes/*.zip.d; do
        (cd "$d" && zip -qr "../$(basename "$d" .d)" .) && rm -rf "$d"
    done
    (cd "$W/tree" && zip -qr "$IZ" .)
    rm -rf "$W/tree"
fi
for n in 5000 50000; do [ -f "$W/ps$n.txt" ] || "$GEN" --paste "$n" "$W/ps$n.txt"; done

# ---- timing ---------------------------------------------------------------
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
# turns NAME... : run the commands named by the functions NAME in turns,
# $runs rounds; sets T_<NAME> to each one's median seconds.
turns() {
    local r f
    for f in "$@"; do : >"$W/t.$f"; done
    for r in $(seq "$runs"); do
        for f in "$@"; do secs "$f" >>"$W/t.$f"; done
    done
    for f in "$@"; do printf -v "T_$f" '%s' "$(median <"$W/t.$f")"; done
}
ratio() { echo "$1 / $2" | bc -l; }
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
row() { printf '%-52s %8.2f s  %6.2fx %s\n' "$1" "$2" "$3" "$4"; }

# Which members the scanner reads: every member a parser takes, as the
# inventory of a full scan records them (nested zips opened).
"$BIN" scan -q --rescan --db "$W/inv.db" "$IZ" >/dev/null
"$BIN" query --db "$W/inv.db" --csv "SELECT member FROM v_members WHERE status <> 'skipped'" | tail -n +2 | tr -d '\r' >"$W/read.lst"

floor_all() {     # inflate every member, nested node zips included
    bsdtar -xOf "$IZ" >/dev/null
    for n in $(bsdtar -tf "$IZ" | grep '/nodes/.*\.zip$'); do bsdtar -xOf "$IZ" "$n" | bsdtar -xOf - >/dev/null; done
}
floor_read() {    # inflate only the members the scanner reads
    grep -v '!' "$W/read.lst" | xargs -r -d '\n' bsdtar -xOf "$IZ" >/dev/null 2>&1 || true
    for n in $(bsdtar -tf "$IZ" | grep '/nodes/.*\.zip$'); do
        grep -F "${n#./}!" "$W/read.lst" | sed 's/^[^!]*!//' >"$W/inner.lst" || true
        bsdtar -xOf "$IZ" "$n" | bsdtar -xOf - -T "$W/inner.lst" >/dev/null 2>&1 || true
    done
}
# A full scan is the first scan of a bundle: into a new database. The
# re-scan (--rescan, the bundle's earlier rows deleted in the same
# transaction) is timed beside it.
scan_iz() { rm -f "$W/s.db"*; "$BIN" scan -q --db "$W/s.db" "$IZ"; }
scan_go() { rm -f "$W/s.db"*; "$BIN" scan -q --db "$W/s.db" "$GO"; }
rescan_iz() { "$BIN" scan -q --rescan --db "$W/r.db" "$IZ"; }
scan_nologs() { rm -f "$W/n.db"*; "$BIN" scan -q --no-logs --db "$W/n.db" "$IZ"; }
export -f floor_all floor_read scan_iz scan_go rescan_iz scan_nologs
export IZ GO

unz=$(bsdtar -xOf "$IZ" | wc -c)
for n in $(bsdtar -tf "$IZ" | grep '/nodes/.*\.zip$'); do unz=$((unz + $(bsdtar -xOf "$IZ" "$n" | bsdtar -xOf - | wc -c))); done
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "bundle: $(du -m "$IZ" | cut -f1) MB (Info-ZIP) / $(du -m "$GO" | cut -f1) MB (data descriptors), $((unz / 1048576)) MiB uncompressed, $nodes node zips x $procs processes, $trig triggers/MiB of kernel log"
echo "the scanner reads $(wc -l <"$W/read.lst") of $("$BIN" query --db "$W/inv.db" --csv "SELECT count(*) FROM v_members" | tail -1 | tr -d '\r') members"
echo
"$BIN" scan -q --db "$W/r.db" "$IZ" >/dev/null
turns floor_all floor_read scan_iz scan_go rescan_iz scan_nologs
row "floor: bsdtar -xO of every member (nested too)" "$T_floor_all" 1 "floor"
row "bsdtar -xO of the members the scanner reads" "$T_floor_read" "$(ratio "$T_floor_read" "$T_floor_all")" "floor"
row "lhtriage scan, Info-ZIP bundle" "$T_scan_iz" "$(ratio "$T_scan_iz" "$T_floor_all")" \
    "floor   peak RSS $(( $(rss "$BIN" scan -q --rescan --db "$W/s.db" "$IZ") / 1024 )) MiB"
row "lhtriage scan, data-descriptor bundle" "$T_scan_go" "$(ratio "$T_scan_go" "$T_floor_all")" \
    "floor   peak RSS $(( $(rss "$BIN" scan -q --rescan --db "$W/s.db" "$GO") / 1024 )) MiB"
row "lhtriage scan --rescan, Info-ZIP bundle" "$T_rescan_iz" "$(ratio "$T_rescan_iz" "$T_floor_all")" "floor"
row "lhtriage scan --no-logs (host evidence)" "$T_scan_nologs" "$(ratio "$T_scan_nologs" "$T_floor_all")" "floor"

# A case is evaluated from the database: its inputs' facts are read back
# and matched. A change of rules (a comment appended to a copy, so the
# digest moves) re-evaluates the case without reading the file again: that
# costs the read-back, the matcher and the findings' transaction.
RC=$W/rules-copy
rm -rf "$RC" && cp -r rules "$RC"
"$BIN" scan -q --rescan --db "$W/e.db" "$IZ"
scan_e() { "$BIN" scan -q --rescan --rules "$RC" --db "$W/e.db" "$IZ"; }
reeval() { echo "# $(date +%s%N)" >>"$RC/rwx-nfs4-open-state-hang.yaml"; "$BIN" scan -q --rules "$RC" --db "$W/e.db" "$IZ"; }
cached() { "$BIN" scan -q --rules "$RC" --db "$W/e.db" "$IZ"; }    # nothing changed: stored findings printed
export -f scan_e reeval cached
export RC
turns scan_e reeval cached
row "  the same scan (into its own database)" "$T_scan_e" 1 ""
row "  unchanged: the stored findings printed" "$T_cached" "$(ratio "$T_cached" "$T_scan_e")" "the scan"
row "  case re-evaluated from the database, file unread" "$T_reeval" "$(ratio "$T_reeval" "$T_scan_e")" \
    "the scan ($("$BIN" query --db "$W/e.db" --csv "SELECT (SELECT count(*) FROM processes) + (SELECT count(*) FROM kernel_events) + (SELECT count(*) FROM stack_frames) + (SELECT count(*) FROM mounts)" | tail -1 | tr -d '\r') facts read back)"
echo "  in one process, each step of it (bench/caseload.c):"
rm -f "$W/cl.db"*
"$CASELOAD" rules "$W/cl.db" "$IZ" "$runs" | sed 's/^/    /'

echo
paste5k() { rm -f "$W/p5.db"*; "$BIN" scan -q --db "$W/p5.db" "$W/ps5000.txt"; }
paste50k() { rm -f "$W/p50.db"*; "$BIN" scan -q --db "$W/p50.db" "$W/ps50000.txt"; }
export -f paste5k paste50k
turns paste5k paste50k
row "pasted ps aux, 5,000 processes" "$T_paste5k" 1 ""
row "pasted ps aux, 50,000 processes" "$T_paste50k" "$(ratio "$T_paste50k" "$T_paste5k")" \
    "the 5,000 paste   peak RSS $(( $(rss sh -c "rm -f '$W/p50.db'*; exec '$BIN' scan -q --db '$W/p50.db' '$W/ps50000.txt'") / 1024 )) MiB"
reeval50k() { echo "# $(date +%s%N)" >>"$RC/rwx-nfs4-open-state-hang.yaml"; "$BIN" scan -q --rules "$RC" --db "$W/p50.db" "$W/ps50000.txt"; }
scan50k_rc() { "$BIN" scan -q --rescan --rules "$RC" --db "$W/p50.db" "$W/ps50000.txt"; }
export -f reeval50k scan50k_rc
turns scan50k_rc reeval50k
row "  50,000 processes re-scanned" "$T_scan50k_rc" 1 ""
row "  its case re-evaluated from the database" "$T_reeval50k" "$(ratio "$T_reeval50k" "$T_scan50k_rc")" "the re-scan"

# One node whose syslog says the same thing again and again, at a small and
# a ten times larger count: the scan's time against the small one and its
# peak RSS at the large one. log_storm NAME SMALL LARGE WHAT AWKPROG (WHAT
# a printf format of the count, AWKPROG prints the syslog of n repeats).
storm_small() { rm -f "$W/st.db"*; "$BIN" scan -q --db "$W/st.db" "$STORM_SMALL"; }
storm_large() { rm -f "$W/st.db"*; "$BIN" scan -q --db "$W/st.db" "$STORM_LARGE"; }
log_storm() {
    local name=$1 small=$2 large=$3 what=$4 prog=$5 n
    for n in "$small" "$large"; do
        if [ ! -f "$W/$name$n/sb/nodes/n1/logs/syslog" ]; then
            mkdir -p "$W/$name$n/sb/nodes/n1/logs"
            awk -v n="$n" "$prog" >"$W/$name$n/sb/nodes/n1/logs/syslog"
        fi
    done
    STORM_SMALL=$W/$name$small STORM_LARGE=$W/$name$large
    turns storm_small storm_large
    # shellcheck disable=SC2059 # what is the caller's format
    row "$(printf "$what" "$small")" "$T_storm_small" 1 ""
    # shellcheck disable=SC2059
    row "$(printf "$what" "$large")" "$T_storm_large" "$(ratio "$T_storm_large" "$T_storm_small")" \
        "the $small   peak RSS $(( $(rss sh -c "rm -f '$W/st.db'*; exec '$BIN' scan -q --db '$W/st.db' '$W/$name$large'") / 1024 )) MiB"
}
# A node of a long NFS outage: its syslog logs "not responding" for every
# RPC that times out, lines of 28 servers interleaved
log_storm outage 50000 500000 "a node's NFS outage, %s lines of syslog" \
    'BEGIN { for (i = 0; i < n; i++) printf "Sep 24 06:58:%02d n1 kernel: [%d.%06d] nfs: server 10.43.%d.%d not responding, still trying\n", i % 60, 1000 + i / 10, i % 1000000, (i / 256) % 4, i % 7 }'
# A WARN_ON in a hot path: the same 8-line report again and again
log_storm warn 10000 100000 "the same WARNING report, %s times" \
    'BEGIN { for (i = 0; i < n; i++) printf "[%d.0] WARNING: CPU: 1 PID: 77 at fs/nfs/write.c:100 nfs_page_group_lock+0x10/0x20 [nfs]\n[%d.0] Call Trace:\n[%d.0]  <TASK>\n[%d.0]  nfs_lock_and_join_requests+0x5c/0x2a0 [nfs]\n[%d.0]  nfs_updatepage+0x100/0x9b0 [nfs]\n[%d.0]  nfs_write_end+0x64/0x4d0 [nfs]\n[%d.0]  generic_perform_write+0xf6/0x1f0\n[%d.0]  </TASK>\n", i, i, i, i, i, i, i, i }'

# ---- batches --------------------------------------------------------------
S=$W/tickets200
# one ticket folder each: copies of one bundle in one folder would be one
# ticket holding the same bundle 200 times (read once)
if [ ! -d "$S" ]; then for i in $(seq -w 1 200); do mkdir -p "$S/t$i"; cp "$B"/fixtures/seed-rwx.zip "$S/t$i/b.zip"; done; fi
jobs1() { rm -f "$W/j.db"*; "$BIN" scan -q --jobs 1 --db "$W/j.db" "$S"; }
jobs2() { rm -f "$W/j.db"*; "$BIN" scan -q --jobs 2 --db "$W/j.db" "$S"; }
export -f jobs1 jobs2
turns jobs1 jobs2
echo
row "200 small bundles, --jobs 1" "$T_jobs1" 1 ""
row "200 small bundles, --jobs 2" "$T_jobs2" "$(ratio "$T_jobs1" "$T_jobs2")" "faster than --jobs 1"
# --jobs 1 is already a reader and a writer thread (and a parser thread
# per large log): the cores it keeps busy bound what --jobs 2 can add.
cores() { rm -f "$W/j.db"*; /usr/bin/time -f '%e %U %S' "$BIN" scan -q --jobs "$1" --db "$W/j.db" "$S" 2>&1 >/dev/null | tail -1 | awk '{printf "%.2f", ($2 + $3) / $1}'; }
echo "  cores busy: --jobs 1 $(cores 1), --jobs 2 $(cores 2) (of $(nproc))"

# ---- a large database -----------------------------------------------------
D=$W/tickets$dbn
# tickets of five kinds in turn (the seed, a disk hang, a healthy vers=4.0
# cluster, Longhorn 1.5, an NFSv3 client), so the fleet report groups
# several signatures, versions and kernels; ticket 1 holds the seed
if [ ! -f "$D/full.db" ]; then
    set -- nfsv3-client seed-rwx disk-hang healthy-v40 legacy-1.5
    for i in $(seq -w 1 "$dbn"); do
        k=$((10#$i % 5)); eval "f=\${$((k + 1))}"
        mkdir -p "$D/in/t$i"; cp "$B/fixtures/$f.zip" "$D/in/t$i/b.zip"
    done
    "$BIN" scan -q --db "$D/full.db" "$D/in" >/dev/null
fi
cp "$B"/fixtures/seed-rwx.zip "$W/one.zip"
rm -f "$W/empty.db"*; "$BIN" scan -q --db "$W/empty.db" "$W/one.zip" >/dev/null
cp "$D/full.db" "$W/full-copy.db"
rescan_empty() { "$BIN" scan -q --rescan --db "$W/empty.db" "$W/one.zip"; }
rescan_full() { "$BIN" scan -q --rescan --db "$W/full-copy.db" "$D/in/t$(printf "%0${#dbn}d" 1)"; }
report_full() { "$BIN" report --db "$W/full-copy.db" -o "$W/fleet.md"; }
export -f rescan_empty rescan_full report_full
export D dbn
turns rescan_empty rescan_full report_full
echo
row "re-scan one bundle, empty database" "$T_rescan_empty" 1 ""
row "re-scan one bundle, database of $dbn bundles" "$T_rescan_full" "$(ratio "$T_rescan_full" "$T_rescan_empty")" "the empty database"
row "default report (fleet summary) over $dbn cases" "$T_report_full" 0 "($(( $(wc -c <"$W/fleet.md") / 1024 )) KiB of markdown, $(( $("$BIN" report --db "$W/full-copy.db" --json | wc -c) / 1024 )) KiB of JSON)"

# ---- undressing pastes ------------------------------------------------------
# Quoted, fenced, HTML-escaped, quoted-printable, CRLF pastes at 1x, 4x and
# 16x a base size, against a plain line walk of the same buffers.
echo
echo "undressing pastes (normbench: medians of $runs runs, in turns)"
"$B"/normbench "$( [ "$mode" = full ] && echo 4 || echo 1 )" "$runs"
