#!/bin/sh
# report_test.sh - the report's renderers as a reader meets them. One model,
# several formats: the golden ticket (the seed bundle as zip and tar.gz with
# the customer's reply, the disk-hang and legacy bundles) in HTML and as
# --short lines is pinned by golden files (markdown and JSON are pinned by
# cli_test.sh); the markdown goes through cmark-gfm, with the GFM extensions
# and as plain CommonMark, and must hold no raw HTML node; the JSON must
# validate against the JSON Schema installed with the tool; the HTML is
# loaded in a real headless browser: it parses, runs no script, loads
# nothing, folds evidence in <details>, and hostile bundle text stays text.
# A tool a check needs must be there on CI (.ci/run installs it); on a
# developer's machine its checks are skipped, and said so.
set -u
BIN=${LHT_BINARY:?}
FX=${LHT_FIXTURES:?}
SRC=${LHT_SOURCE_DIR:?}
T=$(mktemp -d /tmp/lht-report-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
have() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "${CI:-}" = true ]; then bad "$1 is not installed (see .ci/run)"; else echo "SKIP: $2 ($1 not installed)" >&2; fi
    return 1
}
golden() {   # golden NAME FILE: compare with tests/golden/NAME (LHT_UPDATE_GOLDEN=1 rewrites it)
    [ -n "${LHT_UPDATE_GOLDEN:-}" ] && cp "$2" "$SRC/tests/golden/$1"
    cmp -s "$2" "$SRC/tests/golden/$1"; expect_eq "$1 matches the golden file" $? 0
}

G=$T/golden
mkdir -p "$G/ticket-1234"
cp "$FX/seed-rwx.zip" "$FX/seed-rwx.tar.gz" "$G/ticket-1234/"
cp "$SRC/fixtures/transcripts/seed-node-transcript.txt" "$G/ticket-1234/customer-reply.txt"
cp "$FX/disk-hang.zip" "$FX/legacy-1.5.zip" "$G/"
(cd "$G" && "$BIN" scan -q --db "$T/r.db" ticket-1234 disk-hang.zip legacy-1.5.zip >/dev/null)
"$BIN" scan -q --db "$T/h.db" "$FX/hostile.zip"
norm() { sed -e 's/^- Scanned: .*$/- Scanned: (scan time)/' \
             -e 's/"scanned_at":"[^"]*"/"scanned_at":"(scan time)"/g' \
             -e 's|<dt>Scanned</dt><dd>[^<]*</dd>|<dt>Scanned</dt><dd>(scan time)</dd>|g'; }
# (--detail: three cases; without it every format but --short gives the fleet summary)

# --- one model, several formats -------------------------------------------
"$BIN" report --db "$T/r.db" --detail >"$T/r.md"; expect_eq "md exit" $? 0
"$BIN" report --db "$T/r.db" --detail --json >"$T/r.json"; expect_eq "json exit" $? 0
"$BIN" report --db "$T/r.db" --detail --format html | norm >"$T/report.html"; expect_eq "html exit" $? 0
"$BIN" report --db "$T/r.db" --short >"$T/report-short.md"; expect_eq "short exit" $? 0
golden report.html "$T/report.html"
golden report-short.md "$T/report-short.md"
"$BIN" report --db "$T/r.db" --short --json 2>"$T/err"; expect_eq "--short with --json exit" $? 2
grep -q "^lhtriage: report: --short is a markdown list" "$T/err"; expect_eq "--short with --json says why" $? 0
# the verdict comes first, and names the volume, PVC and workload
awk '/^## Case `ticket-1234`/ {on = 1} on && /^### / {print; exit}' "$T/r.md" >"$T/first"
expect_eq "verdict first" "$(cat "$T/first")" "### Verdict"
grep -q '^   - Volume: `pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e`, PVC `default/shared-data`, workload `ReplicaSet default/writer-7d9c5b6f4`' "$T/r.md"
expect_eq "verdict names volume, PVC, workload" $? 0
# evidence once: the stuck writer's ps line is shown once, with both sources
expect_eq "the D-state ps line once" "$(grep -c '^root 123315 Ds+' "$T/r.md")" "1"
# the same facts in every format: the verdict's volume in JSON and HTML too
grep -q '"volumes":\["pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e"\]' "$T/r.json"; expect_eq "json verdict volume" $? 0
grep -q '<dt>Volume</dt><dd><code>pvc-d09ebc96-88c0-44c1-9e0e-ce9f76f83f4e</code>' "$T/report.html"
expect_eq "html verdict volume" $? 0
# pids are numbers wherever a pid is
grep -q '"pid":123315,"pids":\[123315\]' "$T/r.json"; expect_eq "json pids are integers" $? 0
# what no rule explains: the disk hang's jbd2 task
grep -q '^- Hung task on `rhel-worker-1`: `INFO: task jbd2/sdb-8:1187 blocked for more than 120 seconds.`' "$T/r.md"
expect_eq "anomalies: the unexplained jbd2 hang" $? 0
# missing evidence: exact commands, in a shell fence that holds only commands
grep -q '^   for p in 1187 48211 48215; do echo "== $p"; cat /proc/$p/stack; done$' "$T/r.md"
expect_eq "missing: the command names the stuck pids" $? 0

# --- markdown: no raw HTML, in GFM and plain CommonMark ---------------------
for f in "$T/r.md" "$T/report-short.md" "$SRC/tests/golden/report.md"; do
    sh "$SRC/tests/md_check.sh" "$f" >&2; expect_eq "$(basename "$f") structure" $? 0
done
"$BIN" report --db "$T/h.db" >"$T/h.md"
# a rule whose text names placeholders (<ip>, <volume>) must not turn them into tags
"$BIN" scan -q --db "$T/n.db" "$FX/nfsv3-client.zip"
"$BIN" report --db "$T/n.db" >"$T/n.md"
"$BIN" report --db "$T/n.db" --short >"$T/n-short.md"
for f in "$T/n.md" "$T/n-short.md"; do
    sh "$SRC/tests/md_check.sh" "$f" >&2; expect_eq "$(basename "$f") structure" $? 0
done
if have cmark-gfm "markdown rendered by cmark-gfm"; then
    for f in "$T/r.md" "$T/h.md" "$T/report-short.md" "$T/n.md" "$T/n-short.md"; do
        for ext in "" "-e table -e autolink -e strikethrough -e tagfilter"; do
            # shellcheck disable=SC2086
            cmark-gfm -t xml $ext "$f" >"$T/md.xml"; expect_eq "cmark-gfm $ext $(basename "$f") exit" $? 0
            expect_eq "no raw HTML node in $(basename "$f") ($ext)" "$(grep -c '<html_inline\|<html_block' "$T/md.xml")" "0"
        done
    done
    # the check can fail: a raw tag is found
    printf 'a <br> b\n' >"$T/bad.md"
    expect_eq "cmark-gfm finds a raw tag" "$(cmark-gfm -t xml "$T/bad.md" | grep -c '<html_inline')" "1"
    # a verdict item's sub-list stays inside the item (no lazy paragraph)
    cmark-gfm -t xml "$T/r.md" | grep -q '<item>' ; expect_eq "verdict renders as a list" $? 0
fi

# --- JSON: the installed schema ------------------------------------------------
SCHEMA=$SRC/analyzer/report/report.schema.json
if python3 -c 'import jsonschema' 2>/dev/null; then
    "$BIN" report --db "$T/h.db" --json >"$T/h.json"
    "$BIN" report --db "$T/r.db" --detail --json --redact >"$T/red.json"
    python3 "$SRC/tests/report_schema.py" "$SCHEMA" "$T/r.json" "$T/h.json" "$T/red.json" "$SRC/tests/golden/report.json"
    expect_eq "reports validate against report.schema.json" $? 0
    # and the check can fail: an unknown key, a pid as a string
    sed 's/"tool":"lhtriage"/"tool":"lhtriage","extra":1/' "$T/r.json" >"$T/bad1.json"
    sed 's/"pids":\[123315\]/"pids":"123315"/' "$T/r.json" >"$T/bad2.json"
    python3 "$SRC/tests/report_schema.py" "$SCHEMA" "$T/bad1.json" 2>/dev/null; expect_eq "schema refuses an unknown key" $? 1
    python3 "$SRC/tests/report_schema.py" "$SCHEMA" "$T/bad2.json" 2>/dev/null; expect_eq "schema refuses pids as text" $? 1
    expect_eq "schema_version of the document is the schema's" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["properties"]["schema_version"]["const"])' "$SCHEMA")" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["schema_version"])' "$T/r.json")"
elif [ "${CI:-}" = true ]; then
    bad "python3-jsonschema is not installed (see .ci/run)"
else
    echo "SKIP: JSON Schema validation (python3-jsonschema not installed)" >&2
fi

# --- HTML: self-contained, checked in a real browser --------------------------
"$BIN" report --db "$T/h.db" --format html >"$T/h.html"
for f in "$T/report.html" "$T/h.html"; do
    expect_eq "$(basename "$f"): no script, stylesheet link, image or frame" \
        "$(grep -ciE '<(script|link|img|iframe|object|embed)[ >]|@import|url\(' "$f")" "0"
done
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/h.html"; expect_eq "hostile text escaped in html" $? 0
# redaction happens in the model: the page hides what markdown and JSON hide
"$BIN" report --db "$T/r.db" --detail --format html --redact >"$T/red.html"
grep -q '<h2>Case <code>ticket-1234</code></h2>' "$T/red.html" && ! grep -qE 'testing-jiras|10\.43\.58\.194|10\.136\.183' "$T/red.html"
expect_eq "html --redact hides hosts and IPs" $? 0
CHROME=""
for c in chromium chromium-browser google-chrome; do command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }; done
if [ -n "$CHROME" ]; then
    dom() {   # the DOM the browser built from file $1
        timeout 90 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
            --dump-dom "file://$1" 2>/dev/null
    }
    dom "$T/report.html" >"$T/dom.html"; expect_eq "chromium loads the report" $? 0
    expect_eq "chromium: every <details> of the page" "$(grep -o '<details' "$T/dom.html" | wc -l)" \
        "$(grep -o '<details' "$T/report.html" | wc -l)"
    grep -q '<h2>Case <code>ticket-1234</code></h2>' "$T/dom.html"; expect_eq "chromium: the seed case" $? 0
    dom "$T/h.html" >"$T/hdom.html"; expect_eq "chromium loads the hostile report" $? 0
    expect_eq "chromium: no element from bundle text" "$(grep -ciE '<(script|img|iframe)' "$T/hdom.html")" "0"
    grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/hdom.html"; expect_eq "chromium: hostile text is text" $? 0
    # the fleet summary's page, over the three cases (the hostile one a fourth)
    "$BIN" scan -q --db "$T/r.db" "$FX/hostile.zip" >/dev/null 2>&1
    "$BIN" report --db "$T/r.db" --format html >"$T/fleet.html"
    dom "$T/fleet.html" >"$T/fdom.html"; expect_eq "chromium loads the fleet page" $? 0
    expect_eq "chromium: the fleet page's four tables" "$(grep -o '<table' "$T/fdom.html" | wc -l)" "4"
    expect_eq "chromium: no element from bundle text in the fleet page" "$(grep -ciE '<(script|img|iframe)' "$T/fdom.html")" "0"
elif [ "${CI:-}" = true ]; then
    bad "chromium is not installed (see .ci/run)"
else
    echo "SKIP: HTML in a headless browser (chromium not installed)" >&2
fi

echo "report_test: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
