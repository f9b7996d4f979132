# bash completion for lhtriage                              -*- shell-script -*-
# Kept in step with the help texts by tests/package_test.sh (every command
# and long option of `lhtriage COMMAND --help` must be offered); zsh and
# fish have their own files beside this one.
_lhtriage()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local commands="scan report explain query merge rules help"
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    case $prev in
        --db|-o|--output)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --rules)
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --fail-on)
            COMPREPLY=($(compgen -W "info warning error critical" -- "$cur")); return ;;
        --format)
            COMPREPLY=($(compgen -W "md json html" -- "$cur")); return ;;
        --color)
            COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --name|--ticket|--case|--bundle|--shard|-j|--jobs|--max-member-size|--max-total|--max-depth|--max-members)
            return ;;
    esac
    local opts
    case ${words[1]} in
        help)
            COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
        scan) opts="--db --rules --ticket --fail-on -j --jobs --rescan --replace --shard --no-logs --max-member-size --max-total --max-depth --max-members --name --progress --no-progress --color -q --quiet --help --version" ;;
        report) opts="--db --case --bundle --detail --top --format --json --short --redact -o --output --help --version" ;;
        explain) opts="--db --rules --help --version" ;;
        query) opts="--db --csv --json --list --help --version"
            if [[ $cur != -* ]]; then
                COMPREPLY=($(compgen -W "$(lhtriage query --list 2>/dev/null | awk '{print $1}')" -- "$cur"))
                return
            fi ;;
        merge) opts="-q --quiet --help --version" ;;
        rules) opts="--rules -q --quiet --help --version"
            if [[ $cur != -* ]]; then
                local verb="" w
                for w in "${words[@]:2:cword-2}"; do
                    case $w in list|lint|test|fields) verb=$w ;; esac
                done
                if [[ -z $verb ]]; then
                    COMPREPLY=($(compgen -W "list lint test fields" -- "$cur"))
                elif [[ $verb == test ]]; then
                    COMPREPLY=($(compgen -W "$(lhtriage rules list 2>/dev/null | awk '{print $1}')" -- "$cur"))
                fi
                return
            fi ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _lhtriage lhtriage
