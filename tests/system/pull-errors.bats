#!/usr/bin/env bats
# Bad registries and bad images: each pull fails with a clear error and
# leaves no image, no layer and no staging file behind.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        python3 "$LIB/hostile-registry.py" "$port" "$(busybox_tar)" >"$RC_WORK/hostile.log" 2>&1 &
        echo $! >"$RC_WORK/hostile.pid"
        export HOSTILE=127.0.0.1:$port
        for _ in $(seq 100); do
                curl -fs "http://$HOSTILE/v2/" >/dev/null 2>&1 && break
                sleep 0.1
        done
        printf '[registries]\ninsecure = %s\n' "$HOSTILE" >"$RC_WORK/rc.conf"
        export RC_CONF=$RC_WORK/rc.conf
}

teardown_file() {
        kill "$(cat "$RC_WORK/hostile.pid")" 2>/dev/null || true
        rc_teardown_file
}

rcc() {
        rc --config "$RC_CONF" "$@"
}

# The pull of $1 fails with exit 125 and a message matching $2, and leaves nothing.
pull_fails() {
        run -125 rcc pull -q "$HOSTILE/$1"
        echo "$output"
        [[ "$output" == *$2* ]]
        [ -z "$(rcc images -q)" ]
        [ -z "$(ls -A "$RC_ROOT/layers")" ]
        [ -z "$(ls -A "$RC_ROOT/tmp")" ]
}

@test "a well-behaved image pulls (the server itself works)" {
        run -0 rcc pull -q "$HOSTILE/good/ok"
        run -0 rcc run --rm "$HOSTILE/good/ok" echo fine
        [ "$output" = "fine" ]
        rcc rmi "$HOSTILE/good/ok"
}

@test "a dropped connection is resumed" {
        run -0 rcc pull -q "$HOSTILE/good/resume"
        rcc rmi "$HOSTILE/good/resume"
        rcc system migrate >/dev/null
}

@test "a manifest that is not JSON" {
        pull_fails bad/notjson "JSON"
}

@test "a manifest whose config is missing" {
        pull_fails bad/noconfig "blob unknown"
}

@test "an unknown layer media type" {
        pull_fails bad/mediatype "application/x-unknown"
}

@test "a layer larger than its descriptor" {
        pull_fails bad/size "size"
}

@test "a layer whose bytes do not match its digest" {
        pull_fails bad/digest "sha256:1111"
}

@test "a layer whose content does not match the config's diff_id" {
        pull_fails bad/diffid "sha256:2222"
}

@test "401 without credentials says to log in" {
        pull_fails bad/auth "rc login"
}

@test "a connection that always drops fails cleanly" {
        pull_fails bad/reset "$HOSTILE"
}

@test "a tag that does not exist" {
        pull_fails good/ok:nope "manifest unknown"
}
