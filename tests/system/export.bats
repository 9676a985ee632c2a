#!/usr/bin/env bats
# rc export: a container's file system, running or not, without what is
# mounted in it, as an archive rc import makes an image of again.
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
        cd "$BATS_TEST_TMPDIR"
}

teardown() {
        rc rm -af >/dev/null 2>&1 || true
        rc volume prune -f >/dev/null 2>&1 || true
}

@test "export of a running container: its changes, not its mounts; import runs it again" {
        rc run -d --name ex-run -v exvol:/data localhost/bb sh -c \
                'echo changed >/etc/motd-rc; echo invol >/data/f; rm /bin/ls; sleep 1000' >/dev/null
        for _ in $(seq 50); do rc exec ex-run test -f /data/f && break; sleep 0.1; done
        run -0 rc export -o out.tar ex-run
        run -0 tar -tf out.tar
        [[ "$output" == *"etc/motd-rc"* ]]
        [[ "$output" == *"bin/busybox"* ]]
        [[ "$output" != *"./"* ]]
        # what is mounted in the container is not part of its file system
        [[ "$output" != *"data/f"* ]]
        [[ "$output" != *"proc/self"* ]]
        [[ "$output" != *"proc/1/"* ]]
        # a deleted file stays deleted; no whiteout leaks into the archive
        ! grep -qx 'bin/ls' <<<"$output"
        [[ "$output" != *".wh."* ]]
        run -0 tar -xOf out.tar etc/motd-rc
        [ "$output" = changed ]
        run -0 rc import out.tar localhost/exported
        run -0 rc run --rm localhost/exported cat /etc/motd-rc
        [ "$output" = changed ]
}

@test "export of a stopped container to stdout; rc container export" {
        rc run --name ex-stopped localhost/bb sh -c 'mkdir -p /srv/a && echo x >/srv/a/b' >/dev/null
        rc export ex-stopped >out.tar
        run -0 tar -xOf out.tar srv/a/b
        [ "$output" = x ]
        run -0 rc container export ex-stopped -o out2.tar
        cmp <(tar -tf out.tar | sort) <(tar -tf out2.tar | sort)
        # rc's own mount of the stopped container is gone again
        run -0 rc rm ex-stopped
}

@test "export keeps links as links: a link to / does not export the host" {
        rc run --name ex-link localhost/bb sh -c 'ln -s / /escape && ln -s /home/rctest /home-link' >/dev/null
        echo secret >"$HOME/rc-export-secret"
        run -0 rc export -o out.tar ex-link
        run -0 tar -tvf out.tar
        [[ "$output" == *"escape -> /"* ]]
        [[ "$output" != *"rc-export-secret"* ]]
        rm -f "$HOME/rc-export-secret"
}

@test "a failed export leaves an earlier file intact and says what was wrong" {
        echo earlier >out.tar
        run -125 rc export -o out.tar no-such-ctr
        [[ "$output" == *"no such container"* ]]
        [ "$(cat out.tar)" = earlier ]
        [ -z "$(ls -A | grep -v '^out.tar$')" ]
        rc create --name ex-bad localhost/bb true >/dev/null
        run -125 rc export -o /nonexistent-dir/out.tar ex-bad
        [[ "$output" == *"/nonexistent-dir"* ]]
        run -125 rc export
        [[ "$output" == *"exactly one container"* ]]
}
