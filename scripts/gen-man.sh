#!/bin/bash
# scripts/gen-man.sh RC OUTDIR: one man page per command, rc-COMMAND(1), made
# from `rc COMMAND --help` so that the two can never disagree (a test
# regenerates them and compares).  rc(1) itself is written by hand.
set -euo pipefail
rc=$1
out=$2
mkdir -p "$out"

# The commands: rc --help's list, and the subcommands of the families.
commands() {
        "$rc" --help | awk '/^Available Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' |
                grep -vx help
        for family in container image volume generate systemd healthcheck; do
                "$rc" "$family" --help | awk -v f="$family" '
                        /^(Available )?Commands:/ { on = 1; next } on && /^$/ { exit }
                        on { print f "-" $1 }'
        done
        for sub in check df migrate prune reset; do
                echo "system-$sub"
        done
}

# roff-escape a line of help text
esc() {
        sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/" -e 's/-/\\-/g'
}

page() {
        local name=$1 words help summary
        words=${name//-/ }
        # shellcheck disable=SC2086
        help=$("$rc" $words --help 2>&1) || true
        summary=$(printf '%s\n' "$help" | awk 'NF && !/^Usage:/ { print; exit }')
        {
                printf '.TH "RC-%s" "1" "" "rc" "rc manual"\n' "$(echo "$name" | tr a-z A-Z)"
                printf '.SH NAME\nrc-%s \\- %s\n' "$name" "$(printf '%s' "$summary" | esc)"
                printf '.SH HELP\n.nf\n'
                printf '%s\n' "$help" | esc
                printf '.fi\n.SH SEE ALSO\n\\fBrc\\fR(1)\n'
        } >"$out/rc-$name.1"
}

for c in $(commands | sort -u); do
        page "$c"
done
