# fish completion for lhtriage. Kept in step with the help texts by
# tests/package_test.sh, as the bash and zsh completions are.

set -l commands scan query report explain merge rules help

function __lhtriage_rules_verb
    set -l words (commandline -opc)
    contains -- test $words; or contains -- list $words; or contains -- lint $words; or contains -- fields $words
end

complete -c lhtriage -f
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -l help -d 'show the help'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -l version -d 'show the version'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a scan -d 'scan bundles, folders or pasted text'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a query -d 'run SQL against the database'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a report -d 'findings report from the database'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a explain -d 'one finding with its evidence'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a merge -d 'combine databases into one'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a rules -d 'list, lint and test the rules'
complete -c lhtriage -n "not __fish_seen_subcommand_from $commands" -a help -d 'show the help of a command'
complete -c lhtriage -n "__fish_seen_subcommand_from help" -a "$commands"

# options every command takes
complete -c lhtriage -n "__fish_seen_subcommand_from $commands" -s h -l help -d 'show the help'
complete -c lhtriage -n "__fish_seen_subcommand_from $commands" -l version -d 'show the version'
complete -c lhtriage -n "__fish_seen_subcommand_from scan report explain query" -l db -r -F -d 'database'
complete -c lhtriage -n "__fish_seen_subcommand_from scan explain rules" -l rules -r -a '(__fish_complete_directories)' -d 'rules directory'

# scan
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -F
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l fail-on -x -a 'info warning error critical' -d 'exit 1 on a finding this bad'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l ticket -x -d 'all inputs are one case of this name'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -s j -l jobs -x -d 'inputs read in parallel'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l rescan -d 'scan inputs even when unchanged'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l replace -d 'store a damaged read over a complete one'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l shard -x -d 'scan slice K of N of the cases'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l no-logs -d 'host evidence only'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l max-member-size -x -d 'bytes read per member'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l max-total -x -d 'bytes read per input'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l max-depth -x -d 'nesting levels of archives'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l max-members -x -d 'members per input'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l name -x -d 'name of the - (stdin) input'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l progress -d 'show the progress line'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l no-progress -d 'never show the progress line'
complete -c lhtriage -n "__fish_seen_subcommand_from scan" -l color -x -a 'auto always never' -d 'colour the finding lines'
complete -c lhtriage -n "__fish_seen_subcommand_from scan merge rules" -s q -l quiet -d 'print errors only'

# report
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l case -x -d 'only this case'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l bundle -x -d 'only the case of this input'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l detail -d 'every case in detail'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l top -x -d 'tickets in the fleet top list'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l format -x -a 'md json html' -d 'output format'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l json -d 'the same as --format json'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l short -d 'one line per finding'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -l redact -d 'replace IPs and host names'
complete -c lhtriage -n "__fish_seen_subcommand_from report" -s o -l output -r -F -d 'write to this file'

# query
complete -c lhtriage -n "__fish_seen_subcommand_from query" -l csv -d 'CSV with a header row'
complete -c lhtriage -n "__fish_seen_subcommand_from query" -l json -d 'one JSON array per statement'
complete -c lhtriage -n "__fish_seen_subcommand_from query" -l list -d 'show the named queries'
complete -c lhtriage -n "__fish_seen_subcommand_from query" -a '(lhtriage query --list 2>/dev/null | string replace -r "^(\S+)\s+" "\$1\t")'

# merge
complete -c lhtriage -n "__fish_seen_subcommand_from merge" -F

# rules
complete -c lhtriage -n "__fish_seen_subcommand_from rules; and not __lhtriage_rules_verb" -a 'list lint test fields'
complete -c lhtriage -n "__fish_seen_subcommand_from rules; and __fish_seen_subcommand_from test" -a '(lhtriage rules list 2>/dev/null | string replace -r "^(\S+)\s+.*" "\$1")'
