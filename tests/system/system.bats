#!/usr/bin/env bats
# rc info, rc system check, and the errors users meet when the host is not
# set up for rootless containers.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
}

teardown_file() {
        rc_teardown_file
}

@test "--help, --version, unknown command" {
        run -0 "$RC_BIN" --help
        [[ "$output" == *"Usage:"*"rc [options] [command]"* ]]
        run -0 "$RC_BIN" run --help
        [[ "$output" == *"--rm"* ]]
        run -0 "$RC_BIN" --version
        [[ "$output" == "rc version "* ]]
        run -125 "$RC_BIN" frobnicate
        [[ "$output" == *"unrecognized command \`rc frobnicate\`"* ]]
}

@test "rc info shows the store, driver, mappings and pause process" {
        # the user's own first subordinate uid, whatever range it was given
        first=$(awk -F: -v u="$(id -un)" -v n="$(id -u)" '($1 == u || $1 == n) { print $2; exit }' /etc/subuid)
        [ -n "$first" ]
        run -0 rc info --format json
        echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
flat = json.dumps(d)
assert sys.argv[1] in flat, "store root missing"
assert "overlay" in flat, "storage driver missing"
assert sys.argv[2] in flat, "id mapping missing"
' "$RC_ROOT" "$first"
        run -0 rc info --format text
        [[ "$output" == *"$RC_ROOT"* ]]
}

@test "rc info prints podman's YAML report by default: the same fields as --format json" {
        run -0 rc info
        [[ "$output" == *$'\nstore:\n'* ]]
        grep -qx '  graphDriverName: overlay\|  graphDriverName: fuse-overlayfs\|  graphDriverName: vfs' <<<"$output"
        grep -qx "  graphRoot: $RC_ROOT" <<<"$output"
        grep -qx '    rootless: true' <<<"$output"
        grep -qx '  cgroupVersion: v[12]' <<<"$output"
        grep -qx '  imageStore:' <<<"$output"
        json=$(rc info --format json)
        python3 -c '
import json, sys, yaml
y = yaml.safe_load(sys.argv[1])
j = json.loads(sys.argv[2])
for d in (y, j):  # what changes between the two runs
    for k in ("uptime", "memFree", "mem_available_bytes"):
        d["host"].pop(k, None)
assert y == j, (y, j)
' "$output" "$json"
}

@test "system check passes on a prepared host" {
        run rc system check
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" != *"[FAIL]"* ]]
        [[ "$output" == *"[ OK ]"* ]]
}

@test "system check: no subuid entry for the user" {
        printf 'someoneelse:100000:65536\n' > "$BATS_TEST_TMPDIR/subuid"
        printf '[userns]\nsubuid_file = %s\nsubgid_file = %s\n' "$BATS_TEST_TMPDIR/subuid" "$BATS_TEST_TMPDIR/subuid" > "$BATS_TEST_TMPDIR/rc.conf"
        run -1 rc --config "$BATS_TEST_TMPDIR/rc.conf" system check
        [[ "$output" == *"[FAIL]"*"$(id -un)"* ]]
        # the fix adds a range for the user to the file rc was told to read
        [[ "$output" == *"fix (needs root): echo $(id -un):"*">> $BATS_TEST_TMPDIR/subuid"* ]]
}

@test "system check: a too small subuid range" {
        printf '%s:100000:1000\n' "$(id -un)" > "$BATS_TEST_TMPDIR/subuid"
        printf '[userns]\nsubuid_file = %s\nsubgid_file = %s\n' "$BATS_TEST_TMPDIR/subuid" "$BATS_TEST_TMPDIR/subuid" > "$BATS_TEST_TMPDIR/rc.conf"
        run rc --config "$BATS_TEST_TMPDIR/rc.conf" system check
        [[ "$output" == *"[WARN]"*"1000"* ]] || [[ "$output" == *"[FAIL]"*"1000"* ]]
}

@test "system check: newuidmap missing" {
        printf '[userns]\nnewuidmap = /nonexistent/newuidmap\n' > "$BATS_TEST_TMPDIR/rc.conf"
        run -1 rc --config "$BATS_TEST_TMPDIR/rc.conf" system check
        [[ "$output" == *"[FAIL]"*"newuidmap"* ]]
        [[ "$output" == *"uidmap"* ]]
}

@test "run without a subuid entry fails with the fix, not a cryptic EPERM" {
        import_busybox
        printf 'someoneelse:100000:65536\n' > "$BATS_TEST_TMPDIR/subuid"
        printf '[userns]\nsubuid_file = %s\nsubgid_file = %s\n' "$BATS_TEST_TMPDIR/subuid" "$BATS_TEST_TMPDIR/subuid" > "$BATS_TEST_TMPDIR/rc.conf"
        run -125 "$RC_BIN" --config "$BATS_TEST_TMPDIR/rc.conf" --root "$RC_ROOT" --runroot "$BATS_TEST_TMPDIR/run2" run --rm localhost/bb true
        [[ "$output" == *"no subordinate uid range for user $(id -un)"*"run as root: echo $(id -un):"* ]]
}

@test "a malformed configuration names the file and the key" {
        printf '[storage]\ndriverr = overlay\n' > "$BATS_TEST_TMPDIR/bad.conf"
        run -125 rc --config "$BATS_TEST_TMPDIR/bad.conf" images
        [[ "$output" == *"bad.conf"*"driverr"* ]]
}

@test "the pause process is started once and reused" {
        rc info >/dev/null
        pid=$(cat "$RC_RUNROOT/pause.pid" | head -1 | cut -d' ' -f1)
        [ -n "$pid" ] && kill -0 "$pid"
        rc run --rm localhost/bb true
        rc run --rm localhost/bb true
        [ "$(cat "$RC_RUNROOT/pause.pid" | head -1 | cut -d' ' -f1)" = "$pid" ]
        # gone: the next command makes a new one transparently
        rc system migrate
        run -0 rc run --rm localhost/bb echo again
        [ "$output" = "again" ]
}

@test "a killed rc leaves nothing that the next command does not clean up" {
        new_marker
        run_marked "$MARKER"
        kill -9 "$RC_BG"
        wait "$RC_BG" || true
        # the container dies with rc
        wait_for_no_process "$MARKER"
        # the next rc removes the --rm container rc could not
        rc run --rm localhost/bb true
        assert_no_container_left
}

@test "rc unshare: root of rc's user namespace, where a container's files can be removed; command's exit status" {
        first=$(awk -F: -v u="$(id -un)" -v n="$(id -u)" '($1 == u || $1 == n) { print $2; exit }' /etc/subuid)
        run -0 rc unshare cat /proc/self/uid_map
        [[ "$output" == *" 0 "*"$(id -u)"*" 1"* ]]
        [[ "$output" == *" 1 "*"$first"* ]]
        run -0 rc unshare sh -c 'id -u; echo "$CONTAINERS_GRAPHROOT"'
        [ "${lines[0]}" = 0 ]
        [ "${lines[1]}" = "$RC_ROOT" ]
        # a file a container's user 1000 made in a bind mount: the host user cannot remove it, rc unshare can
        rc image exists localhost/bb || import_busybox
        mkdir -p "$BATS_TEST_TMPDIR/shared"
        chmod 777 "$BATS_TEST_TMPDIR/shared"
        rc run --rm -u 1000 -v "$BATS_TEST_TMPDIR/shared:/s" localhost/bb sh -c 'mkdir /s/d && touch /s/d/f && chmod 755 /s/d'
        [ "$(stat -c %u "$BATS_TEST_TMPDIR/shared/d")" -ne "$(id -u)" ]
        ! rm -rf "$BATS_TEST_TMPDIR/shared/d" 2>/dev/null
        run -0 rc unshare rm -rf "$BATS_TEST_TMPDIR/shared/d"
        [ ! -e "$BATS_TEST_TMPDIR/shared/d" ]
        run -3 rc unshare sh -c 'exit 3'
        run -127 rc unshare no-such-command
        [[ "$output" == *"executable file not found in \$PATH"* ]]
}
