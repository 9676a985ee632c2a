#!/usr/bin/env bats
# --sdnotify=container: the container's own READY=1 reaches $NOTIFY_SOCKET
# through its monitor.  A listener of the test's stands in for the service
# manager (tests/systemd/ has the real one); the container's side is
# tests/lib/notify-send.c.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        import_with_helper "$LIB/notify-send.c" notify-send localhost/notify || true
}

teardown_file() {
        rc_teardown_file
}

setup() {
        [ -x "$RC_WORK/notify-send" ] || skip "no static C compiler (gcc + libc6-dev) for notify-send"
        SOCK=$RC_WORK/manager-$BATS_TEST_NUMBER.sock
        GOT=$RC_WORK/manager-$BATS_TEST_NUMBER.jsonl
        : >"$GOT"
        # each datagram as one JSON string per line
        python3 -c '
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a")
while True:
    out.write(json.dumps(s.recv(65536).decode(errors="replace")) + "\n")
    out.flush()
' "$SOCK" "$GOT" &
        LISTENER=$!
        for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.02; done
}

teardown() {
        [ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
        rc rm -af >/dev/null 2>&1 || true
}

# Wait up to 10 s for a datagram equal to $1; fail showing what came.
wait_message() {
        for _ in $(seq 200); do
                python3 -c 'import json, sys; sys.exit(0 if sys.argv[2] in [json.loads(l) for l in open(sys.argv[1])] else 1)' \
                        "$GOT" "$1" && return 0
                sleep 0.05
        done
        echo "no message \"$1\"; got:" >&2
        cat "$GOT" >&2
        return 1
}

messages() {
        python3 -c 'import json, sys; [print(json.loads(l).replace("\n", "|")) for l in open(sys.argv[1])]' "$GOT"
}

@test "the monitor sends its pid, then passes on what the container says of its state, and nothing else" {
        NOTIFY_SOCKET=$SOCK rc run -d --name n1 --sdnotify=container localhost/notify sh -c \
                'sleep 0.3; notify-send "STATUS=warming up" "MAINPID=1\nREADY=1\nSTATUS=serving\nFDSTORE=1\nNOTIFYACCESS=all"; sleep 1000' >/dev/null
        mon=$(rc inspect --format '{{.State.ConmonPid}}' n1)
        [ "$mon" -gt 0 ]
        wait_message "MAINPID=$mon"$'\n'"READY=1"$'\n'"STATUS=serving"
        run -0 messages
        [ "$output" = "MAINPID=$mon"$'\n'"STATUS=warming up"$'\n'"MAINPID=$mon|READY=1|STATUS=serving" ]
        # inside: the socket's directory, read-only
        run -0 rc exec n1 sh -c 'echo "$NOTIFY_SOCKET"; test -S /run/notify/notify.sock && echo socket; touch /run/notify/x 2>/dev/null || echo read-only'
        [ "$output" = $'/run/notify/notify.sock\nsocket\nread-only' ]
}

@test "in the foreground, rc itself is the monitor that relays" {
        NOTIFY_SOCKET=$SOCK run -0 rc run --rm --sdnotify=container localhost/notify notify-send READY=1
        run -0 messages
        [[ "${lines[0]}" =~ ^MAINPID=([0-9]+)$ ]]
        [ "${lines[1]}" = "MAINPID=${BASH_REMATCH[1]}|READY=1" ]
        [ "${#lines[@]}" = 2 ]
}

@test "the default and --sdnotify=conmon: the monitor says READY=1 itself and the container gets no socket" {
        NOTIFY_SOCKET=$SOCK run -0 rc run --rm localhost/notify sh -c 'echo "${NOTIFY_SOCKET:-unset}"; test -e /run/notify || echo none'
        [ "$output" = $'unset\nnone' ]
        run -0 messages
        [[ "$output" =~ ^MAINPID=[0-9]+\|READY=1$ ]]
}

@test "without a service manager (no NOTIFY_SOCKET), --sdnotify=container mounts nothing and sets nothing" {
        run -0 rc run --rm --sdnotify=container localhost/notify sh -c 'echo "${NOTIFY_SOCKET:-unset}"; test -e /run/notify || echo none'
        [ "$output" = $'unset\nnone' ]
        run -125 rc run --rm --sdnotify=bogus localhost/notify true
        [[ "$output" == *"--sdnotify takes conmon"*"container or ignore"* ]]
}

@test "the setting is kept: rc start of a stopped container relays again" {
        rc create --name n2 --sdnotify=container localhost/notify notify-send READY=1 >/dev/null
        NOTIFY_SOCKET=$SOCK run -0 rc start -a n2
        run -0 messages
        [[ "${lines[0]}" =~ ^MAINPID=([0-9]+)$ ]]
        [ "${lines[1]}" = "MAINPID=${BASH_REMATCH[1]}|READY=1" ]
}

@test "a hostile container: file descriptors, oversized messages and a flood go no further than its monitor" {
        NOTIFY_SOCKET=$SOCK rc run -d --name n3 --sdnotify=container localhost/notify sleep 1000 >/dev/null
        mon=$(rc inspect --format '{{.State.ConmonPid}}' n3)
        wait_message "MAINPID=$mon"
        fds_before=$(ls /proc/"$mon"/fd | wc -l)
        rc exec n3 notify-send --with-fd "READY=1"
        rc exec n3 notify-send --big 65000
        rc exec n3 sh -c 'notify-send --flood 20000 "WATCHDOG=1\nMAINPID=1" >/tmp/sent'
        # the monitor still does its work at once
        run -0 timeout 5 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" logs n3
        rc exec n3 notify-send "STATUS=after"
        wait_message "STATUS=after"
        [ "$(ls /proc/"$mon"/fd | wc -l)" = "$fds_before" ]
        run -0 messages
        [[ "$output" != *READY=1* ]]
        [[ "$output" != *xxxx* ]]
        [[ "$output" != *MAINPID=1\|* ]]
        [[ "$output" != *MAINPID=1 ]]
        run -0 timeout 10 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" stop -t 1 n3
}
