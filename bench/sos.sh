#!/usr/bin/env bash
# Benchmark reading a large sosreport: proc/<pid>/{stack,status} of PIDS
# processes (what sos 4.2+ copies), against the decompression floor on the
# same archive, in one run (compare ratios, not seconds).
#   bench/sos.sh [PIDS] [RUNS]
# Prints, for the plain report and for one that also carries the cpuset,
# limits, oom_* and mountinfo files sos copies per pid: members, medians,
# the cost per member above the floor, and peak RSS; then each step of a
# scan in one process (bench/caseload.c: read, store, read back, rules).
set -euo pipefail
cd "$(dirname "$0")/.."
pids=${1:-5000} runs=${2:-5}
W=${LHT_BENCH_DIR:-/tmp/lht-bench}
mkdir -p "$W"
B=build-bench
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
cmake --build "$B" -j"$(nproc)" --target lhtriage gensos caseload >/dev/null
BIN=$PWD/$B/lhtriage
command -v bsdtar >/dev/null || { echo "bench: needs bsdtar (apt-get install libarchive-tools)"; exit 2; }
command -v bc >/dev/null || { echo "bench: needs bc (apt-get install bc)"; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: needs GNU time (apt-get install time)"; exit 2; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t() {
    for _ in $(seq "$runs"); do
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
        echo "$e - $s" | bc -l
    done | median
}
rss() { "$TIME" -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
for extra in 0 1; do
    S=$W/sos-$pids-$extra.tar.xz
    [ -f "$S" ] || ./"$B"/gensos "$S" "$pids" "$extra"
    members=$(bsdtar -tf "$S" | wc -l)
    unz=$(bsdtar -xOf "$S" | wc -c)
    tf=$(t bsdtar -xOf "$S")
    ts=$(t "$BIN" scan -q --rescan --db "$W/sos.db" "$S")
    peak=$(rss "$BIN" scan -q --rescan --db "$W/sos.db" "$S")
    what=$([ "$extra" = 1 ] && echo "stack+status+cpuset,limits,oom_*,mountinfo" || echo "stack+status")
    echo "sosreport, $pids pids ($what): $members members, $((unz / 1024)) KiB uncompressed, $(du -k "$S" | cut -f1) KiB tar.xz"
    printf '  %-40s %8.3f s\n' "floor: bsdtar -xO" "$tf"
    printf '  %-40s %8.3f s  %5.1fx floor  %6.1f us/member above it  peak RSS %d MiB\n' "lhtriage scan" "$ts" \
        "$(echo "$ts / $tf" | bc -l)" "$(echo "($ts - $tf) * 1000000 / $members" | bc -l)" $((peak / 1024))
    echo "  each step, in one process (bench/caseload.c):"
    rm -f "$W/cl.db"*
    ./"$B"/caseload rules "$W/cl.db" "$S" "$runs" | sed 's/^/    /'
done
