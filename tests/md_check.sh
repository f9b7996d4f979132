#!/bin/sh
# md_check.sh FILE - structural checks of a markdown report that must hold
# whatever bundle text it quotes: fences balanced (closing fence at least as
# long as the opening one), no raw HTML tag outside fences (not even <br>,
# which renderers that strip HTML turn into nothing), every table row
# with the header's number of cells, no line longer than 2000 bytes, and not
# empty (an empty file breaks nothing, and proves nothing).
# Prints the first problem and exits 1.
LC_ALL=C awk '
function cells(s,   t) { t = s; gsub(/\\\|/, "", t); return gsub(/\|/, "", t) }
{
    if (length($0) > 2000) { print "line " NR ": " length($0) " bytes"; bad = 1; exit 1 }
    t = $0; sub(/^ */, "", t)   # a fence may be indented into a list item
    if (fence == "" && match(t, /^```+/)) { fence = substr(t, 1, RLENGTH); next }
    if (fence != "") {
        if (match(t, /^```+[ \t]*$/) && RLENGTH >= length(fence)) fence = ""
        next
    }
    line = $0; gsub(/`[^`]*`/, "", line); gsub(/<https?:\/\/[^>]*>/, "", line)
    if (line ~ /<[A-Za-z\/!][^>]*>/) {
        print "line " NR ": raw HTML outside a fence: " $0; bad = 1; exit 1
    }
    if ($0 ~ /^\|/) {
        n = cells($0)
        if (!intable) { intable = 1; want = n }
        else if (n != want) { print "line " NR ": " n " cell separators, header has " want; bad = 1; exit 1 }
    } else intable = 0
}
END {
    if (bad) exit 1
    if (NR == 0) { print "empty report"; exit 1 }
    if (fence != "") { print "unclosed fence " fence; exit 1 }
}' "$1"
