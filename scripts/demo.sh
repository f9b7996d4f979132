#!/usr/bin/env bash
# First-run demo for a new user on Debian: install the build dependencies,
# build lhtriage, scan the bundled example (the seed RWX/NFSv4.1 case: the
# bundle zip and the customer's pasted shell session as one ticket) and show
# what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! pkg-config --exists libarchive libpcre2-8 sqlite3 yaml-0.1 libcrypto check 2>/dev/null; then
    sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    sudo_ apt-get update -qq
    sudo_ apt-get install -y -qq --no-install-recommends build-essential cmake pkg-config \
        libarchive-dev libpcre2-dev libsqlite3-dev libyaml-dev libssl-dev check groff-base sqlite3 >/dev/null
fi
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
db=build/demo.db
rm -f "$db" "$db-wal" "$db-shm"
./build/lhtriage scan --db "$db" --ticket seed-rwx build/fixtures/seed-rwx.zip fixtures/transcripts/seed-node-transcript.txt
echo
echo "== processes in D state"
./build/lhtriage query --db "$db" \
  "SELECT bundle, case_node AS node, pid, stat, substr(command,1,60) AS command, member, line FROM v_processes WHERE stat LIKE 'D%'"
echo
echo "== kernel stacks"
./build/lhtriage query --db "$db" \
  "SELECT case_node AS node, pid, depth, symbol, module, member, line FROM v_stacks WHERE depth < 8 ORDER BY bundle, pid, depth"
echo
echo "== findings and the evidence behind them"
./build/lhtriage query --db "$db" \
  "SELECT f.finding_id, f.confidence, f.node, f.pids, e.signal, e.input, e.line, substr(replace(e.matched, char(10), ' | '), 1, 70) AS matched
     FROM v_findings f JOIN v_finding_evidence e USING (finding_id) ORDER BY f.finding_id, e.seq"
echo
echo "== the report (markdown) for the ticket"
./build/lhtriage report --db "$db" --case seed-rwx
echo
echo "== NFS mounts"
./build/lhtriage query --db "$db" \
  "SELECT DISTINCT node, source, nfs_vers, origin FROM v_mounts WHERE nfs_vers IS NOT NULL"
