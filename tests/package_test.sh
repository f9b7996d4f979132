#!/bin/sh
# package_test.sh - lhtriage as installed: `cmake --install` and the .deb put
# the binary, rules, man page and bash, zsh and fish completion where a new
# user finds them, and the installed binary reads its rules without flags.
# The help texts and the rendered man page are pinned by golden files, and
# the man page and every completion must name every command and option the
# help does, so the docs cannot rot. The .deb must be lintian-clean. Run by
# ctest with the build directory as argument.
set -u
BUILD=${1:?build dir}
SRC=${LHT_SOURCE_DIR:?}
T=$(mktemp -d /tmp/lht-pkg-XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got [$2] want [$3]"; fi; }
# A tool a check needs: on CI it must be there (.ci/run installs it), on a
# developer's machine its checks are skipped, and said so.
have() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "${CI:-}" = true ]; then bad "$1 is not installed (see .ci/run)"; else echo "SKIP: $2 ($1 not installed)" >&2; fi
    return 1
}
unset LHTRIAGE_RULES LHTRIAGE_DB
# Every command of --help, and every long option of each command's --help.
cmds=$("$BUILD/lhtriage" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}')
[ -n "$cmds" ]; expect_eq "--help lists subcommands" $? 0
opts_of() { "$BUILD/lhtriage" "$1" --help | grep -E '^ +-' | grep -oE -- '--[a-z][a-z-]+' | sort -u; }

# --- help texts (golden) ------------------------------------------------
for c in "" $cmds; do
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
    # man's own check, as lintian runs it
    if have man "man --warnings"; then
        LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$SRC/man/lhtriage.1" 2>"$T/man.err" >/dev/null
        expect_eq "man --warnings is silent" "$(cat "$T/man.err")" ""
    fi
else
    bad "groff is not installed (apt-get install groff-base)"
fi
# The man page documents every command and every option of the help.
missing=""
for c in $cmds; do
    grep -q "^\.SS $c\$" "$SRC/man/lhtriage.1" || missing="$missing $c"
    for opt in $(opts_of "$c"); do
        roff=$(printf '%s' "$opt" | sed 's/-/\\-/g')
        grep -qF -- "$roff" "$SRC/man/lhtriage.1" || missing="$missing $c:$opt"
    done
done
expect_eq "man page documents every command and option" "$missing" ""

# --- cmake --install ---------------------------------------------------
cmake --install "$BUILD" --prefix "$T/inst" >/dev/null; expect_eq "cmake --install" $? 0
( cd / && "$T/inst/bin/lhtriage" rules lint ) >"$T/lint"
grep -q "rules in $T/inst/bin/../share/lhtriage/rules, 0 errors, 0 warnings" "$T/lint"
expect_eq "installed binary finds its rules" $? 0
gzip -t "$T/inst/share/man/man1/lhtriage.1.gz"; expect_eq "man page installed, compressed" $? 0
cmp -s "$T/inst/share/lhtriage/report.schema.json" "$SRC/analyzer/report/report.schema.json"
expect_eq "the JSON report's schema installed" $? 0
cmp -s "$T/inst/share/lhtriage/fleet.schema.json" "$SRC/analyzer/report/fleet.schema.json"
expect_eq "the fleet summary's schema installed" $? 0
[ -f "$T/inst/share/zsh/site-functions/_lhtriage" ]; expect_eq "zsh completion in site-functions below /usr/local-like prefixes" $? 0
[ -f "$T/inst/share/fish/vendor_completions.d/lhtriage.fish" ]; expect_eq "fish completion installed" $? 0
got=$(bash -c ". '$T/inst/share/bash-completion/completions/lhtriage'; COMP_WORDS=(lhtriage re); COMP_CWORD=1; _lhtriage; echo \${COMPREPLY[*]}")
expect_eq "completion: subcommands" "$got" "report"
got=$(bash -c ". '$T/inst/share/bash-completion/completions/lhtriage'; COMP_WORDS=(lhtriage scan --fail-on e); COMP_CWORD=3; _lhtriage; echo \${COMPREPLY[*]}")
expect_eq "completion: --fail-on values" "$got" "error"
# Completion keeps up with the CLI: every subcommand of --help, and every
# long option of each subcommand's --help, is offered, by each shell.
# comp_SHELL WORD... prints what that shell offers for the last word.
comp_bash() { PATH="$T/inst/bin:$PATH" bash -c ". '$T/inst/share/bash-completion/completions/lhtriage'; COMP_WORDS=($*); COMP_CWORD=$(($# - 1)); _lhtriage; echo \${COMPREPLY[*]}"; }
comp_zsh() { ZSH_COMPLETE_DUMP=$T/zcompdump PATH="$T/inst/bin:$PATH" timeout 20 zsh "$SRC/tests/zsh_complete.zsh" "$T/inst/share/zsh/site-functions" "$@" | tr '\n' ' '; }
comp_fish() { PATH="$T/inst/bin:$PATH" fish --no-config -c "source '$T/inst/share/fish/vendor_completions.d/lhtriage.fish'; complete -C'$*'" | cut -f1 | tr '\n' ' '; }
for c in $cmds; do opts_of "$c" >"$T/opts-$c"; done
check_shell() {
    sh=$1 missing=""
    top=" $(comp_$sh lhtriage '') "
    for c in $cmds; do
        case "$top" in *" $c "*) ;; *) missing="$missing $c" ;; esac
        offered=" $(comp_$sh lhtriage "$c" --) "
        for opt in $(cat "$T/opts-$c"); do
            case "$offered" in *" $opt "*) ;; *) missing="$missing $c:$opt" ;; esac
        done
    done
    expect_eq "$sh completion offers every subcommand and option" "$missing" ""
    expect_eq "$sh completion: named queries" "$(comp_$sh lhtriage query stuck-pro)" "$( [ $sh = bash ] && echo stuck-processes || echo 'stuck-processes ')"
    expect_eq "$sh completion: rule ids" "$(comp_$sh lhtriage rules test rwx-nfs4 | tr -d ' ')" "rwx-nfs4-open-state-hang"
    expect_eq "$sh completion: --color values" "$(comp_$sh lhtriage scan --color nev | tr -d ' ')" "never"
}
check_shell bash
have zsh "zsh completion" && check_shell zsh
have fish "fish completion" && check_shell fish

# --- the Debian package --------------------------------------------------
if command -v cpack >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
    ( cd "$BUILD" && cpack -G DEB -B "$T/deb" >/dev/null 2>&1 ); expect_eq "cpack -G DEB" $? 0
    deb=$(ls "$T"/deb/lhtriage_*.deb 2>/dev/null | head -1)
    dpkg-deb -f "$deb" Depends | grep -q 'libarchive13'; expect_eq "deb depends on runtime libs" $? 0
    dpkg-deb -f "$deb" Depends | grep -q 'libc6'; expect_eq "deb depends on libc (dpkg-shlibdeps)" $? 0
    expect_eq "deb recommends bash-completion" "$(dpkg-deb -f "$deb" Recommends)" "bash-completion"
    dpkg-deb -c "$deb" | awk '{print $6}' >"$T/deb.files"
    for f in ./usr/share/man/man1/lhtriage.1.gz ./usr/share/doc/lhtriage/copyright ./usr/share/doc/lhtriage/changelog.gz \
             ./usr/share/lhtriage/report.schema.json ./usr/share/lhtriage/fleet.schema.json \
             ./usr/share/bash-completion/completions/lhtriage ./usr/share/zsh/vendor-completions/_lhtriage \
             ./usr/share/fish/vendor_completions.d/lhtriage.fish; do
        grep -qx "$f" "$T/deb.files" || bad "deb lacks $f"
        ok
    done
    # the changelog's top entry is this version
    head -1 "$SRC/packaging/changelog" | grep -q "^lhtriage ($("$BUILD/lhtriage" --version | cut -d' ' -f2)) "
    expect_eq "changelog is at the version" $? 0
    if have lintian "lintian on the .deb"; then
        lintian --fail-on error,warning --tag-display-limit 0 "$deb" >"$T/lintian" 2>&1
        expect_eq "lintian: no errors or warnings" "$?:$(grep -E '^[EW]:' "$T/lintian")" "0:"
    fi
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
