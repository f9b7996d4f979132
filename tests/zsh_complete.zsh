# zsh_complete.zsh FPATH_DIR WORD... - print the completions zsh offers for
# the command line WORD... (the last word is the one completed), one per
# line. An interactive zsh runs on a pseudo-terminal (zsh/zpty) with the
# completion system loaded from FPATH_DIR; its compadd is wrapped to print
# the matches it is handed. Used by package_test.sh.
#
# Nothing is typed at it: zsh discards input typed ahead while it sets up
# the terminal, so the line is put into the editor, and completed, by the
# zle-line-init hook of a .zshrc written for the purpose.
zmodload zsh/zpty || exit 2
dir=$1; shift
tmp=$(mktemp -d) || exit 2
trap 'rm -rf $tmp' EXIT
# compinit's dump of what it found in fpath: shared between runs when
# ZSH_COMPLETE_DUMP names a file (writing it once costs a second or two)
dump=${ZSH_COMPLETE_DUMP:-$tmp/zcompdump}
cat >$tmp/.zshrc <<ZSHRC
PS1='> '
fpath=(${(q)dir} \$fpath)
autoload -Uz compinit && compinit -u -d ${(q)dump}
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd() {
    if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return; fi
    local -a m; builtin compadd -A m "\$@"; (( \$#m )) && print -rl -- "<<"\${^m}">>"
}
comppostfuncs=(done_)
done_() { print -r -- "<<END>>"; exit; }
zle-line-init() { BUFFER=${(q)*}; CURSOR=\$#BUFFER; zle complete-word; }
zle -N zle-line-init
ZSHRC
export ZDOTDIR=$tmp
zpty z zsh -o no_global_rcs -i
out=
while zpty -r z line; do
    out+=$line
    [[ $line == *'<<END>>'* ]] && break
done
zpty -d z
print -r -- "$out" | grep -o '<<[^<>]*>>' | sed -e 's/^<<//' -e 's/>>$//' | grep -vx END | sort -u
