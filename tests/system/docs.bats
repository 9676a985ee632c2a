#!/usr/bin/env bats
# The manual and the completion follow the commands.
load helpers
bats_require_minimum_version 1.5.0

@test "every command has a man page that says what its --help says (make man regenerates them)" {
        "$BATS_TEST_DIRNAME/../../scripts/gen-man.sh" "$RC_BIN" "$BATS_TEST_TMPDIR/man"
        run diff -r "$BATS_TEST_DIRNAME/../../docs/man" "$BATS_TEST_TMPDIR/man"
        [ "$status" -eq 0 ] || { echo "$output" | head -40; echo "run: make man"; false; }
        # and each page renders without a roff warning (where groff is installed)
        if command -v groff >/dev/null; then
                for page in "$BATS_TEST_TMPDIR"/man/*.1; do
                        run -0 --separate-stderr groff -man -Tutf8 -ww "$page"
                        [ -z "$stderr" ] || { echo "$page: $stderr"; false; }
                done
        fi
}

@test "bash completion offers commands, subcommands, options and container names" {
        rc_setup_file
        import_busybox
        rc create --name compl-target localhost/bb true >/dev/null
        run -0 bash -c '
                rc() { "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" "$@"; }
                source "'"$BATS_TEST_DIRNAME"'/../../completions/rc.bash"
                complete() { :; }
                COMP_WORDS=(rc st); COMP_CWORD=1; _rc; echo "1: ${COMPREPLY[*]}"
                COMP_WORDS=(rc logs --ta); COMP_CWORD=2; _rc; echo "2: ${COMPREPLY[*]}"
                COMP_WORDS=(rc container ex); COMP_CWORD=2; _rc; echo "3: ${COMPREPLY[*]}"
                COMP_WORDS=(rc start compl); COMP_CWORD=2; _rc; echo "4: ${COMPREPLY[*]}"'
        [[ "${lines[0]}" == "1: "*start*stop* ]]
        [ "${lines[1]}" = "2: --tail" ]
        [ "${lines[2]}" = "3: exec export exists" ]
        [ "${lines[3]}" = "4: compl-target" ]
        rc rm compl-target >/dev/null
        rc_teardown_file
}
