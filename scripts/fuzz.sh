#!/usr/bin/env bash
# Build the libFuzzer targets with clang and run each for SECONDS (default
# 60), seeded from the fixtures. Crashes are saved as tests/fuzz/crashes/
# <target>-*; keep them as regression inputs (tests/fuzz/regress/) once fixed.
# regress/ also holds seeds for shapes the fixtures lack (a stored node zip,
# as Info-ZIP writes bundles, reaches zipdir.c).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=${*:-"ps stack mounts nfsstat dmesg transcript yaml archive"}
CC=clang cmake -S . -B build-fuzz -DLHT_FUZZ=ON -DLHT_SANITIZE=address,undefined -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
mkdir -p build-fuzz/corpus tests/fuzz/crashes
status=0
for t in $targets; do
    corpus=build-fuzz/corpus/$t
    mkdir -p "$corpus"
    # seeds: the readable fixture files (and packed bundles for the archive target)
    if [ "$t" = archive ]; then
        cp build/fixtures/*.zip build/fixtures/*.tar.gz build/fixtures/*.tar.xz build/fixtures/*.txz "$corpus"/ 2>/dev/null || true
    else
        find fixtures -type f -size -64k -exec cp {} "$corpus"/ \; 2>/dev/null || true
    fi
    [ -d tests/fuzz/regress ] && cp tests/fuzz/regress/"$t"-* "$corpus"/ 2>/dev/null || true
    log=build-fuzz/fuzz-$t.log
    if ./build-fuzz/tests/fuzz/fuzz_$t "$corpus" -max_total_time="$secs" -max_len=65536 -timeout=10 \
         -rss_limit_mb=1024 -artifact_prefix="tests/fuzz/crashes/$t-" -print_final_stats=1 >"$log" 2>&1; then
        echo "fuzz_$t: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') executions, no crash"
    else
        echo "fuzz_$t: CRASH, see $log and tests/fuzz/crashes/"
        status=1
    fi
done
exit $status
