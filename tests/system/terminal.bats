#!/usr/bin/env bats
# rc run -t: a terminal of the container's own, driven through a real one
# (tmux), the way a user at a shell drives it.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

setup() {
        command -v tmux >/dev/null || skip "tmux is not installed (scripts/install-deps.sh --test installs it)"
        TMUX_CMD=(tmux -L "rc-test-$$-$BATS_TEST_NUMBER" -f /dev/null)
        RC_CMD="'$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT'"
        "${TMUX_CMD[@]}" new-session -d -x 80 -y 24 -s t "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR PS1='host\$ ' TERM=xterm bash --norc --noprofile"
}

teardown() {
        [ -n "${TMUX_CMD:-}" ] && "${TMUX_CMD[@]}" kill-server 2>/dev/null || true
}

type_keys() {
        "${TMUX_CMD[@]}" send-keys -t t "$@"
}

# Wait up to 5 s until the screen shows a line matching $1 (grep -E).
wait_screen() {
        for _ in $(seq 100); do
                "${TMUX_CMD[@]}" capture-pane -t t -p | grep -Eq -- "$1" && return 0
                sleep 0.05
        done
        echo "screen never showed '$1'; it shows:" >&2
        "${TMUX_CMD[@]}" capture-pane -t t -p >&2
        return 1
}

@test "-it: a shell with a prompt, its window size, resizes, Ctrl-C, exit status, the terminal restored" {
        type_keys "stty -g > $BATS_TEST_TMPDIR/before; $RC_CMD run --rm -it localhost/bb sh; echo EXIT=\$?; stty -g > $BATS_TEST_TMPDIR/after" Enter
        wait_screen '^/ #'
        type_keys 'tty; stty size' Enter
        wait_screen '^/dev/pts/0$'
        wait_screen '^24 80$'
        "${TMUX_CMD[@]}" resize-window -t t -x 100 -y 30
        type_keys 'clear; stty size' Enter
        wait_screen '^30 100$'
        # Ctrl-C reaches the foreground job inside, not rc
        type_keys 'sleep 1000' Enter
        sleep 0.3
        type_keys C-c
        type_keys 'echo after-$((40+2))' Enter
        wait_screen '^after-42$'
        type_keys 'exit 3' Enter
        wait_screen '^EXIT=3$'
        sleep 0.2
        [ "$(cat "$BATS_TEST_TMPDIR/before")" = "$(cat "$BATS_TEST_TMPDIR/after")" ]
        assert_no_container_left
}

@test "-it: Ctrl-D ends the shell with status 0" {
        type_keys "$RC_CMD run --rm -it localhost/bb sh; echo EXIT=\$?" Enter
        wait_screen '^/ #'
        type_keys C-d
        wait_screen '^EXIT=0$'
}

@test "-t without -i: output through the terminal, Ctrl-C reaches the container as SIGINT" {
        # (pid 1 ignores signals it has no handler for, as in any container: hence the trap)
        type_keys "$RC_CMD run --rm -t localhost/bb sh -c 'trap \"echo got-INT; exit 5\" INT; tty; while :; do sleep 0.1; done'; echo EXIT=\$?" Enter
        wait_screen '^/dev/pts/0'
        type_keys C-c
        wait_screen 'got-INT$'
        wait_screen '^EXIT=5$'
}

@test "-t with a user: the terminal belongs to that user, who can open /dev/tty" {
        run -0 rc run --rm -t -u 1000 localhost/bb sh -c 'stat -c %u $(tty); echo ok > /dev/tty'
        [[ "$output" == *"1000"* ]]
        [[ "$output" == *"ok"* ]]
}

@test "-dit and rc attach: the shell's terminal, resize, detach keys leave it running, exit ends attach" {
        id=$(rc run -dit --name tt localhost/bb sh)
        type_keys "$RC_CMD attach tt; echo ATTACH=\$?" Enter
        sleep 0.3
        type_keys 'stty size' Enter
        wait_screen '^24 80$'
        type_keys C-p C-q
        wait_screen 'ATTACH=0$'
        run -0 rc ps --filter name=tt -q
        [ "$output" = "${id:0:12}" ]
        "${TMUX_CMD[@]}" resize-window -t t -x 90 -y 20
        type_keys "clear; $RC_CMD attach --detach-keys ctrl-x tt; echo ATTACH=\$?" Enter
        sleep 0.3
        type_keys 'stty size' Enter
        wait_screen '^20 90$'
        # ctrl-p alone is passed on; the new detach key is not typed
        type_keys 'exit 6' Enter
        wait_screen '^ATTACH=6$'
        run -0 rc wait tt
        [ "$output" = 6 ]
        rc rm tt
}

@test "-it --init: the shell is the terminal's foreground job under rc's init; Ctrl-C, exit status" {
        type_keys "$RC_CMD run --rm -it --init localhost/bb sh; echo EXIT=\$?" Enter
        wait_screen '^/ #'
        type_keys 'ps -o pid,comm | grep rc-init; tty' Enter
        wait_screen '^ +1 rc-init$'
        wait_screen '^/dev/pts/0$'
        type_keys 'sleep 1000' Enter
        sleep 0.3
        type_keys C-c
        type_keys 'echo after-$((40+2))' Enter
        wait_screen '^after-42$'
        type_keys 'exit 4' Enter
        wait_screen '^EXIT=4$'
}
