#!/usr/bin/env bash
# Run every check suite and a scan/report of the fixtures under valgrind
# memcheck (no fork, so a leak is charged to the suite); exit 1 on any error
# or leak. Slow (minutes): not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
export CK_FORK=no LHT_NO_JIT=1 LHT_FIXTURES=$PWD/build/fixtures LHT_SOURCE_DIR=$PWD
vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=1"
status=0
for t in build/tests/check_*; do
    if $vg "$t" >/tmp/lht-vg.log 2>&1; then echo "ok   $t"; else echo "FAIL $t"; tail -30 /tmp/lht-vg.log; status=1; fi
done
db=$(mktemp -d)/vg.db
for cmd in "scan -q --db $db build/fixtures/seed-rwx-unpacked build/fixtures/seed-rwx.zip build/fixtures/hostile.zip" \
           "scan -q --db $db tests/fuzz/regress/archive-stored-node-zip" \
           "report --db $db" "report --db $db --format json --redact" "explain --db $db 1" \
           "query --db $db stuck-processes" "rules test -q"; do
    if $vg ./build/lhtriage $cmd >/dev/null 2>/tmp/lht-vg.log; then echo "ok   lhtriage $cmd"; else
        echo "FAIL lhtriage $cmd"; tail -30 /tmp/lht-vg.log; status=1; fi
done
exit $status
