#!/usr/bin/env bash
# Benchmark lhtriage against the decompression floor on the same file, in
# one run (machines are noisy: compare ratios, not seconds).
#   bench/run.sh [NODES] [MB_SYSLOG_PER_NODE] [MB_PODLOGS] [RUNS]
# Defaults: 8 nodes x 48 MiB syslog (+12 MiB kubelet, 1 MiB dmesg) and
# 80 MiB pod logs = ~570 MB uncompressed. Prints medians, ratios, peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-8} syslog=${2:-48} pods=${3:-80} runs=${4:-3}
W=${LHT_BENCH_DIR:-/tmp/lht-bench}
mkdir -p "$W"
# Its own optimised build: build/ may hold a Debug or sanitizer configuration.
B=build-bench
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
cmake --build "$B" -j"$(nproc)" --target lhtriage genbundle fixtures >/dev/null
BIN=$PWD/$B/lhtriage
Z=$W/bundle-$nodes-$syslog-$pods.zip
[ -f "$Z" ] || ./"$B"/genbundle --nodes "$nodes" --syslog-mb "$syslog" --pod-mb "$pods" "$Z"
command -v bsdtar >/dev/null || { echo "bench: needs bsdtar (apt-get install libarchive-tools)"; exit 2; }
command -v bc >/dev/null || { echo "bench: needs bc (apt-get install bc)"; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs GNU time (apt-get install time)"; exit 2; }

# The floor inflates everything, nested node zips included, to /dev/null.
floor() {
    bsdtar -xOf "$Z" >/dev/null
    for n in $(bsdtar -tf "$Z" | grep '/nodes/.*\.zip$'); do
        bsdtar -xOf "$Z" "$n" | bsdtar -xOf - >/dev/null
    done
}
floor_grep() {
    { bsdtar -xOf "$Z"
      for n in $(bsdtar -tf "$Z" | grep '/nodes/.*\.zip$'); do bsdtar -xOf "$Z" "$n" | bsdtar -xOf -; done
    } | grep -cP '^\[<[0-9a-fx]+>\] (nfs_set_open_stateid_locked|update_open_stateid)\+' >/dev/null || true
}
export -f floor floor_grep
export Z

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# t CMD...: median wall seconds of $runs runs
t() {
    for _ in $(seq "$runs"); do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
        echo "$e - $s" | bc -l
    done | median
}
rss() { "$TIME" -f %M "$@" 2>&1 >/dev/null | tail -1; }

unz=$(bsdtar -xOf "$Z" | wc -c)
for n in $(bsdtar -tf "$Z" | grep '/nodes/.*\.zip$'); do
    unz=$((unz + $(bsdtar -xOf "$Z" "$n" | bsdtar -xOf - | wc -c)))
done
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "bundle: $(du -m "$Z" | cut -f1) MB zip, $((unz / 1048576)) MiB uncompressed, $nodes nested node zips"

tf=$(t bash -c floor)
tg=$(t bash -c floor_grep)
ts=$(t "$BIN" scan -q --rescan --db "$W/b.db" "$Z")
peak=$(rss "$BIN" scan -q --rescan --db "$W/b.db" "$Z")
tn=$(t "$BIN" scan -q --rescan --no-logs --db "$W/n.db" "$Z")
printf '%-44s %8.2f s  %5.2fx floor\n' "floor: bsdtar -xO (nested zips too)" "$tf" 1
printf '%-44s %8.2f s  %5.2fx floor\n' "bsdtar -xO | grep -P <seed stack pattern>" "$tg" "$(echo "$tg / $tf" | bc -l)"
printf '%-44s %8.2f s  %5.2fx floor   peak RSS %d MiB\n' "lhtriage scan (all rules)" "$ts" "$(echo "$ts / $tf" | bc -l)" $((peak / 1024))
printf '%-44s %8.2f s  %5.1fx faster than the floor\n' "lhtriage scan --no-logs (host evidence)" "$tn" "$(echo "$tf / $tn" | bc -l)"

# Many small bundles: parallel speed-up and the unchanged re-scan.
S=$W/small
if [ ! -d "$S" ]; then
    mkdir -p "$S"
    for i in $(seq -w 1 1000); do cp "$B"/fixtures/seed-rwx.zip "$S/b$i.zip"; done
fi
if [ ! -d "$W/s200" ]; then mkdir -p "$W/s200"; for i in $(seq -w 1 200); do cp "$S/b0$i.zip" "$W/s200/b$i.zip"; done; fi
j() { rm -f "$W/j.db"*; "$BIN" scan -q --jobs "$1" --db "$W/j.db" "$W/s200"; }
export -f j; export BIN W
t1=$(t bash -c "j 1")
t2=$(t bash -c "j 2")
# CPU seconds of the whole --jobs 1 batch = what one thread doing read,
# match and store in turn would take. --jobs 1 already overlaps its one
# reader with the store writer, so on 2 CPUs it is not a serial baseline.
cpu1=$(for _ in $(seq "$runs"); do rm -f "$W/j.db"*; "$TIME" -f '%U %S' "$BIN" scan -q --jobs 1 --db "$W/j.db" "$W/s200" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'; done | median)
printf '%-44s %8.2f s\n' "200 small bundles, CPU of --jobs 1 (serial)" "$cpu1"
printf '%-44s %8.2f s  %5.2fx serial\n' "200 small bundles, --jobs 1" "$t1" "$(echo "$cpu1 / $t1" | bc -l)"
printf '%-44s %8.2f s  %5.2fx serial  %5.2fx --jobs 1\n' "200 small bundles, --jobs 2" "$t2" \
    "$(echo "$cpu1 / $t2" | bc -l)" "$(echo "$t1 / $t2" | bc -l)"
B4=$W/big4
if [ ! -d "$B4" ]; then mkdir -p "$B4"; for i in 1 2 3 4; do cp "$Z" "$B4/b$i.zip"; done; fi
g() { rm -f "$W/g.db"*; "$BIN" scan -q --jobs "$1" --db "$W/g.db" "$W/big4"; }
export -f g
g1=$(t bash -c "g 1")
g2=$(t bash -c "g 2")
printf '%-44s %8.2f s\n' "4 large bundles, --jobs 1" "$g1"
printf '%-44s %8.2f s  %5.2fx faster\n' "4 large bundles, --jobs 2" "$g2" "$(echo "$g1 / $g2" | bc -l)"
rm -f "$W/r.db"*
"$BIN" scan -q --db "$W/r.db" "$S" >/dev/null
tr=$(t "$BIN" scan -q --db "$W/r.db" "$S")
printf '%-44s %8.2f s\n' "re-scan of 1000 unchanged bundles" "$tr"
