#!/usr/bin/env bash
# The project's test command (README.md, .ci/run): a -Werror build with the
# full ctest suite, then the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer, then the threaded parts under
# ThreadSanitizer, then a fuzzing smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B build -DLHT_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

cmake -S . -B build-asan -DLHT_WERROR=ON -DCMAKE_BUILD_TYPE=Debug \
      -DLHT_SANITIZE=address,undefined >/dev/null
cmake --build build-asan -j"$jobs"
# The plain run above takes the hostile suite's full sizes (10^6 members,
# a 1 GiB line); here the same paths run at sizes that still cross every
# limit (a line of many stream pieces, members past the caps tested), as
# the sanitizers find a bad access on the first pass, not the millionth.
# The package test (a .deb, lintian, the install tree) runs no code of ours
# that the plain run did not, so it is left out here.
LHT_MANY=100000 LHT_GIANT_MB=64 \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^package$'

# ThreadSanitizer over what runs threads: scan workers (--jobs), each
# streaming multi-piece logs to a parser thread, and the writer
# (tests/threads_test.sh), and the streamed-log suite. Only those targets
# are built, and the rest of the suite is not run again: the whole CLI
# suite under TSan would cost about as much as everything else.
cmake -S . -B build-tsan -DLHT_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DLHT_SANITIZE=thread >/dev/null
cmake --build build-tsan -j"$jobs" --target lhtriage check_extract fixtures
TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" -R '^(threads|check_extract)$'

# Fuzzing smoke run (5 s per libFuzzer target); the long runs are
# scripts/fuzz.sh SECONDS.
if command -v clang >/dev/null 2>&1 && [ -n "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null | grep /)" ] \
   && [ -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
    ./scripts/fuzz.sh 5
else
    echo "fuzz smoke run skipped: clang and libclang-rt-14-dev are not installed"
fi
