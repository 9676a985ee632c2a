#!/usr/bin/env bats
# rc exec: a process joining a running container, checked from inside it.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        [ -n "${TMUX_CMD:-}" ] && "${TMUX_CMD[@]}" kill-server 2>/dev/null || true
        rc rm -af >/dev/null 2>&1 || true
}

# start_sleeper NAME [run options...]: a detached container that sleeps.
start_sleeper() {
        local name=$1
        shift
        rc run -d --name "$name" "$@" localhost/bb sleep 1000 >/dev/null
}

@test "exec runs in the container: its processes, host name, root, environment, user and working directory" {
        start_sleeper e1 -e FROM_RUN=yes -w /tmp -h exechost
        run -0 rc exec e1 sh -c 'echo $FROM_RUN; hostname; pwd; id -u; ps -o pid,args | grep -v ps'
        [ "${lines[0]}" = yes ]
        [ "${lines[1]}" = exechost ]
        [ "${lines[2]}" = /tmp ]
        [ "${lines[3]}" = 0 ]
        [[ "${lines[5]}" =~ ^\ *1\ sleep\ 1000$ ]]
        # the container's root, not the host's
        run -0 rc exec e1 cat /etc/passwd
        [[ "$output" == *"user:x:1000:1000"* ]]
        run -0 rc exec e1 sh -c 'test -e /bin/busybox && echo container-root'
        [ "$output" = container-root ]
        # a file written by exec is seen by the container's own process
        rc exec e1 sh -c 'echo from-exec > /tmp/f'
        run -0 rc exec e1 cat /proc/1/root/tmp/f
        [ "$output" = from-exec ]
}

@test "exec -e, --env-file, -u USER[:GROUP], -w" {
        start_sleeper e2 -e A=run -e B=run -u user
        printf '# comment\nB=file\nC=file\n\nD\n' > "$BATS_TEST_TMPDIR/env"
        run -0 env D=from-rc "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" exec -e C=flag \
                --env-file "$BATS_TEST_TMPDIR/env" e2 sh -c 'echo $A $B $C $D'
        [ "$output" = "run file flag from-rc" ]
        # the container's user by default, with its groups
        run -0 rc exec e2 id
        [ "$output" = "uid=1000(user) gid=1000(user) groups=1000(user)" ]
        run -0 rc exec -u root e2 id -u
        [ "$output" = 0 ]
        # a group given: that one alone, as rc run does
        run -0 rc exec -u nobody:user e2 id
        [ "$output" = "uid=65534(nobody) gid=1000(user)" ]
        run -0 rc exec -u 4242:4343 e2 sh -c 'id -u; id -g'
        [ "$output" = $'4242\n4343' ]
        run -125 rc exec -u nosuchuser e2 true
        [[ "$output" == *nosuchuser* ]]
        run -0 rc exec -w /home/user e2 pwd
        [ "$output" = /home/user ]
        # exec does not create a missing working directory (127, as podman)
        run -127 rc exec -w /no/such/dir e2 pwd
        [[ "$output" == *"working directory /no/such/dir: No such file or directory"* ]]
        run -125 rc exec -w relative e2 pwd
        [[ "$output" == *"relative"* ]]
        run -125 rc exec --env-file "$BATS_TEST_TMPDIR/missing" e2 true
        [[ "$output" == *"--env-file"*"missing"* ]]
}

@test "exit status: the command's, 126 and 127 as podman, 125 for rc's own errors" {
        start_sleeper e3
        run -0 rc exec e3 true
        run -1 rc exec e3 false
        run -42 rc exec e3 sh -c 'exit 42'
        run -127 rc exec e3 no-such-command
        [[ "$output" == *'"no-such-command": executable file not found in $PATH'* ]]
        run -127 rc exec e3 /no/such/path
        run -126 rc exec e3 /etc/passwd
        [[ "$output" == *"Permission denied"* ]]
        # killed by a signal: 128+N
        run -137 rc exec e3 sh -c 'kill -9 $$'
        run -125 rc exec no-such-container true
        [[ "$output" == *'no container with name or ID "no-such-container" found'* ]]
        run -125 rc exec e3
        [[ "$output" == *"exec needs a container and a command"* ]]
}

@test "a container that is not running: a clear error and status 125" {
        rc create --name e4 localhost/bb true >/dev/null
        run -125 rc exec e4 true
        [ "$output" = "Error: container e4 is not running: start it with rc start e4" ]
        rc start -a e4
        run -125 rc exec e4 true
        [ "$output" = "Error: container e4 is not running: start it with rc start e4" ]
}

@test "stdin: only with -i; stdout and stderr stay separate" {
        start_sleeper e5
        run -0 bash -c "echo piped | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' exec -i e5 cat"
        [ "$output" = piped ]
        run -0 bash -c "echo piped | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' exec e5 cat"
        [ "$output" = "" ]
        run -0 --separate-stderr rc exec e5 sh -c 'echo out; echo err >&2'
        [ "$output" = out ]
        [ "$stderr" = err ]
}

@test "isolation read from inside: NoNewPrivs, the seccomp filter and the container's capabilities" {
        start_sleeper e6
        run -0 rc exec e6 sh -c 'grep -E "^(NoNewPrivs|Seccomp|CapEff|CapBnd):" /proc/self/status; grep -E "^(CapEff|CapBnd):" /proc/1/status'
        [ "${lines[2]}" = $'NoNewPrivs:\t1' ]
        [ "${lines[3]}" = $'Seccomp:\t2' ]
        # the same sets as the container's first process
        [ "${lines[0]}" = "${lines[4]}" ]
        [ "${lines[1]}" = "${lines[5]}" ]
        [ "${lines[0]}" = $'CapEff:\t00000000a80425fb' ]
        # what the filter refuses (EPERM): namespaces, the keyring
        run -1 rc exec e6 unshare -U true
        [[ "$output" == *"Operation not permitted"* ]]
        # --privileged: every capability the kernel has
        run -0 rc exec --privileged e6 grep ^CapEff: /proc/self/status
        [ "$output" != $'CapEff:\t00000000a80425fb' ]
        [[ "$output" =~ CapEff:.[0-9a-f]*ffffffff$ ]]
}

@test "exec keeps the container's seccomp setting: unconfined, or its JSON profile" {
        rc run -d --name e7 --security-opt seccomp=unconfined localhost/bb sleep 1000 >/dev/null
        run -0 rc exec e7 grep ^Seccomp: /proc/self/status
        [ "$output" = $'Seccomp:\t0' ]
        cat > "$BATS_TEST_TMPDIR/profile.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
EOF
        rc run -d --name e8 --security-opt seccomp="$BATS_TEST_TMPDIR/profile.json" localhost/bb sleep 1000 >/dev/null
        # the profile was copied when the container was created: the original may go
        rm "$BATS_TEST_TMPDIR/profile.json"
        run -1 rc exec e8 mkdir /tmp/x
        [[ "$output" == *"Operation not permitted"* ]]
        run -0 rc exec e8 grep ^Seccomp: /proc/self/status
        [ "$output" = $'Seccomp:\t2' ]
}

@test "fds: only 0, 1 and 2 inside, whatever rc and its caller hold" {
        start_sleeper e9
        # (the "; true" keeps sh from exec'ing ls in its place)
        run -0 rc exec e9 sh -c 'ls /proc/$$/fd; true' 5</etc/hostname 7>"$BATS_TEST_TMPDIR/x"
        [ "$(echo $output)" = "0 1 2" ]
        run -0 rc exec -i e9 sh -c 'ls /proc/$$/fd; true' </dev/null 5</etc/hostname
        [ "$(echo $output)" = "0 1 2" ]
}

@test "-d: rc returns at once, the process runs on in the container and rc exec can find it" {
        start_sleeper e10
        new_marker
        run -0 rc exec -d e10 $MARKER
        [ "$output" = "" ]
        wait_for_process "$MARKER"
        run -0 rc exec e10 ps -o args
        [[ "$output" == *"$MARKER"* ]]
        # it ends with the container
        rc stop -t 0 e10
        wait_for_no_process "$MARKER"
}

@test "exec into a foreground rc run container" {
        new_marker
        "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --name fg localhost/bb $MARKER 3>&- &
        wait_for_process "$MARKER"
        for _ in $(seq 50); do rc exec fg true 2>/dev/null && break; sleep 0.1; done
        run -0 rc exec fg ps -o args
        [[ "$output" == *"$MARKER"* ]]
        # the container's pid 1 ignores SIGTERM: stop it for good
        pkill -KILL -fx "$MARKER"
        wait
}

@test "exec still works after the pause process was replaced (killed or rc system migrate)" {
        start_sleeper e11
        pause=$(cut -d' ' -f1 "$RC_RUNROOT/pause.pid")
        kill "$pause"
        for _ in $(seq 100); do kill -0 "$pause" 2>/dev/null || break; sleep 0.05; done
        # a new pause process, with a new user namespace, for commands after it
        rc run --rm localhost/bb true
        [ "$(cut -d' ' -f1 "$RC_RUNROOT/pause.pid")" != "$pause" ]
        run -0 rc exec e11 sh -c 'id -u; grep ^CapEff: /proc/self/status'
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = $'CapEff:\t00000000a80425fb' ]
}

@test "signals: SIGTERM to rc exec reaches the process" {
        start_sleeper e12
        "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" exec e12 sh -c 'trap "echo got-TERM; exit 7" TERM; while :; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/out" 3>&- &
        pid=$!
        sleep 0.5
        kill -TERM "$pid"
        status=0
        wait "$pid" || status=$?
        [ "$status" = 7 ]
        [ "$(cat "$BATS_TEST_TMPDIR/out")" = got-TERM ]
}

tmux_setup() {
        command -v tmux >/dev/null || skip "tmux is not installed (scripts/install-deps.sh --test installs it)"
        TMUX_CMD=(tmux -L "rc-exec-$$-$BATS_TEST_NUMBER" -f /dev/null)
        RC_CMD="'$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT'"
        "${TMUX_CMD[@]}" new-session -d -x 80 -y 24 -s t "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR PS1='host\$ ' TERM=xterm bash --norc --noprofile"
}

wait_screen() {
        for _ in $(seq 100); do
                "${TMUX_CMD[@]}" capture-pane -t t -p | grep -Eq -- "$1" && return 0
                sleep 0.05
        done
        echo "screen never showed '$1'; it shows:" >&2
        "${TMUX_CMD[@]}" capture-pane -t t -p >&2
        return 1
}

@test "-it: a shell on a terminal of the container's, its size, resize, Ctrl-C, exit status, the terminal restored" {
        tmux_setup
        start_sleeper e13
        "${TMUX_CMD[@]}" send-keys -t t "stty -g > $BATS_TEST_TMPDIR/before; $RC_CMD exec -it e13 sh; echo EXIT=\$?; stty -g > $BATS_TEST_TMPDIR/after" Enter
        wait_screen '^/ #'
        "${TMUX_CMD[@]}" send-keys -t t 'tty; stty size' Enter
        wait_screen '^/dev/pts/[0-9]+$'
        wait_screen '^24 80$'
        "${TMUX_CMD[@]}" resize-window -t t -x 100 -y 30
        "${TMUX_CMD[@]}" send-keys -t t 'clear; stty size' Enter
        wait_screen '^30 100$'
        "${TMUX_CMD[@]}" send-keys -t t 'sleep 1000' Enter
        sleep 0.3
        "${TMUX_CMD[@]}" send-keys -t t C-c
        "${TMUX_CMD[@]}" send-keys -t t 'echo after-$((40+2))' Enter
        wait_screen '^after-42$'
        "${TMUX_CMD[@]}" send-keys -t t 'exit 4' Enter
        wait_screen '^EXIT=4$'
        sleep 0.2
        [ "$(cat "$BATS_TEST_TMPDIR/before")" = "$(cat "$BATS_TEST_TMPDIR/after")" ]
        # the container runs on
        run -0 rc exec e13 true
}

@test "-t as another user: the terminal is that user's" {
        start_sleeper e14
        run -0 rc exec -t -u user e14 sh -c 'stat -c %u $(tty); echo ok > /dev/tty'
        [[ "$output" == *1000* ]]
        [[ "$output" == *ok* ]]
}

@test "exec into a --network host container (its network namespace is the host's: not joined)" {
        rc run -d --name e16 --network host localhost/bb sleep 1000 >/dev/null
        run -0 rc exec e16 sh -c 'hostname; ls /sys/class/net | grep -c .'
        [ "${lines[0]}" = "$(hostname)" ]
        [ "${lines[1]}" = "$(ls /sys/class/net | grep -c .)" ]
}

@test "rc container exec is rc exec" {
        start_sleeper e15
        run -0 rc container exec e15 echo hi
        [ "$output" = hi ]
}
