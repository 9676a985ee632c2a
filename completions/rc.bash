# bash completion for rc.  Commands, subcommands and options come from rc's
# own --help, names of containers and images from the store, so the
# completion follows rc as it changes.
_rc_words() {
        # the commands listed under "Commands:" or "Available Commands:"
        rc "$@" --help 2>/dev/null | awk '/^(Available )?Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

_rc_options() {
        rc "$@" --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' | tr -d ' ,' | sort -u
}

_rc() {
        local cur=${COMP_WORDS[COMP_CWORD]} words=() i w
        for ((i = 1; i < COMP_CWORD; i++)); do
                w=${COMP_WORDS[i]}
                case $w in
                --root | --runroot | --config | --storage-driver | --log-level) ((i++)) ;;
                -*) ;;
                *) words+=("$w") ;;
                esac
        done
        if [[ $cur == -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$(_rc_options "${words[@]:0:2}")" -- "$cur")
                return
        fi
        case ${#words[@]} in
        0)
                mapfile -t COMPREPLY < <(compgen -W "$(_rc_words)" -- "$cur")
                return
                ;;
        1)
                case ${words[0]} in
                container | image | system | volume | healthcheck)
                        mapfile -t COMPREPLY < <(compgen -W "$(_rc_words "${words[0]}")" -- "$cur")
                        return
                        ;;
                esac
                ;;
        esac
        case " ${words[*]} " in
        *" volume "*)
                mapfile -t COMPREPLY < <(compgen -W "$(rc volume ls -q 2>/dev/null)" -- "$cur")
                ;;
        *" run "* | *" create "* | *" pull "* | *" push "* | *" rmi "* | *" tag "* | *" save "* | *" history "* | *" image "*)
                mapfile -t COMPREPLY < <(compgen -W "$(rc images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null)" -- "$cur")
                ;;
        *)
                mapfile -t COMPREPLY < <(compgen -W "$(rc ps -a --format '{{.Names}}' 2>/dev/null)" -- "$cur")
                ;;
        esac
}
complete -F _rc rc
