#!/bin/sh
# package_test.sh - lhtriage as installed: `cmake --install` and the .deb put
# the binary, rules, man page and bash completion where a new user finds
# them, and the installed binary reads its rules without flags. The help
# texts and the rendered man page are pinned by golden files so the docs
# cannot rot. Run by ctest with the build directory as argument.
set -u
BUILD=${1:?build dir}
SRC=${LHT_SOURCE_DIR:?}
T=$(mktemp -d /tmp/lht-pkg-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
unset LHTRIAGE_RULES LHTRIAGE_DB

# --- help texts (golden) ------------------------------------------------
for c in "" scan report explain query rules merge; do
    name=${c:-main}
    "$BUILD/lhtriage" $c --help >"$T/help-$name.txt"
    expect_eq "$name --help exit" $? 0
    [ -n "${LHT_UPDATE_GOLDEN:-}" ] && cp "$T/help-$name.txt" "$SRC/tests/golden/help-$name.txt"
    cmp -s "$T/help-$name.txt" "$SRC/tests/golden/help-$name.txt"; expect_eq "help-$name matches golden" $? 0
    [ -n "$c" ] && { "$BUILD/lhtriage" $c --version | grep -q '^lhtriage '; expect_eq "$c --version" $? 0; }
done

# --- man page renders, and renders as pinned -----------------------------
if command -v groff >/dev/null 2>&1; then
    groff -man -Tascii -rLL=78n -P-c -P-b -P-u "$SRC/man/lhtriage.1" 2>"$T/groff.err" >"$T/man.txt"
    expect_eq "man page renders" "$?:$(wc -c <"$T/groff.err" | tr -d ' ')" "0:0"
    [ -n "${LHT_UPDATE_GOLDEN:-}" ] && cp "$T/man.txt" "$SRC/tests/golden/lhtriage.1.txt"
    cmp -s "$T/man.txt" "$SRC/tests/golden/lhtriage.1.txt"; expect_eq "man page matches golden" $? 0
else
    bad "groff is not installed (apt-get install groff-base)"
fi

# --- cmake --install ---------------------------------------------------
cmake --install "$BUILD" --prefix "$T/inst" >/dev/null; expect_eq "cmake --install" $? 0
( cd / && "$T/inst/bin/lhtriage" rules lint ) >"$T/lint"
grep -q "rules in $T/inst/bin/../share/lhtriage/rules, 0 warnings" "$T/lint"
expect_eq "installed binary finds its rules" $? 0
[ -f "$T/inst/share/man/man1/lhtriage.1" ]; expect_eq "man page installed" $? 0
got=$(bash -c ". '$T/inst/share/bash-completion/completions/lhtriage'; COMP_WORDS=(lhtriage re); COMP_CWORD=1; _lhtriage; echo \${COMPREPLY[*]}")
expect_eq "completion: subcommands" "$got" "report"
got=$(bash -c ". '$T/inst/share/bash-completion/completions/lhtriage'; COMP_WORDS=(lhtriage scan --fail-on e); COMP_CWORD=3; _lhtriage; echo \${COMPREPLY[*]}")
expect_eq "completion: --fail-on values" "$got" "error"
# Completion keeps up with the CLI: every subcommand of --help, and every
# long option of each subcommand's --help, is offered.
comp() { bash -c ". '$T/inst/share/bash-completion/completions/lhtriage'; COMP_WORDS=($*); COMP_CWORD=$(($# - 1)); _lhtriage; echo \${COMPREPLY[*]}"; }
cmds=$("$T/inst/bin/lhtriage" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}')
[ -n "$cmds" ]; expect_eq "--help lists subcommands" $? 0
missing=""
for c in $cmds; do
    case " $(comp lhtriage '""') " in *" $c "*) ;; *) missing="$missing $c" ;; esac
    offered=" $(comp lhtriage "$c" --) "
    for opt in $("$T/inst/bin/lhtriage" "$c" --help | grep -E '^ +-' | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        case "$offered" in *" $opt "*) ;; *) missing="$missing $c:$opt" ;; esac
    done
done
expect_eq "completion offers every subcommand and option" "$missing" ""

# --- the Debian package --------------------------------------------------
if command -v cpack >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    ( cd "$BUILD" && cpack -G DEB -B "$T/deb" >/dev/null 2>&1 ); expect_eq "cpack -G DEB" $? 0
    deb=$(ls "$T"/deb/lhtriage_*.deb 2>/dev/null | head -1)
    dpkg-deb -f "$deb" Depends | grep -q 'libarchive13'; expect_eq "deb depends on runtime libs" $? 0
    dpkg-deb -x "$deb" "$T/root"
    ( cd / && "$T/root/usr/bin/lhtriage" rules lint ) | grep -q "$T/root/usr/bin/../share/lhtriage/rules"
    expect_eq "deb binary finds its rules" $? 0
    # On CI (a disposable machine, as root) install it for real, as a user would.
    if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ] && ! dpkg -s lhtriage >/dev/null 2>&1; then
        dpkg -i "$deb" >/dev/null 2>&1; expect_eq "dpkg -i" $? 0
        ( cd / && lhtriage rules list ) | grep -q rwx-nfs4-open-state-hang; expect_eq "installed lhtriage runs" $? 0
        # Debian container images may exclude man pages from packages (dpkg path-exclude)
        if command -v man >/dev/null 2>&1 && [ -f /usr/share/man/man1/lhtriage.1 ]; then
            MANPAGER=cat man lhtriage 2>/dev/null | grep -q 'offline analyzer for Longhorn'; expect_eq "man lhtriage" $? 0
        fi
        dpkg -r lhtriage >/dev/null 2>&1; expect_eq "dpkg -r" $? 0
    fi
else
    bad "cpack or dpkg-deb missing"
fi

echo "$((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
