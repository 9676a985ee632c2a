#!/usr/bin/env bats
# The environment inside a container, as podman sets it up: HOME, TERM,
# supplementary groups, /run/.containerenv, --entrypoint as JSON.  Each
# expected value is what podman 4.3 shows for the same image.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        # the busybox image with an /etc/group that lists members
        printf 'root:x:0:root\nwheel:x:10:root,user\nstaff:x:50:user\nuser:x:1000:\n' >"$RC_WORK/group"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$RC_WORK/groups" --ref localhost/groups:latest \
                --add "$RC_WORK/group:/etc/group" --config '{"Env":["PATH=/bin"]}' --cmd sh
        tar -C "$RC_WORK/groups" -cf "$RC_WORK/groups.tar" .
        rc load -i "$RC_WORK/groups.tar" >/dev/null
}

teardown_file() {
        rc_teardown_file
}

@test "HOME comes from the image's /etc/passwd for the user; TERM is xterm" {
        run -0 rc run --rm localhost/bb sh -c 'echo $HOME $TERM; cd ~ && pwd'
        [ "${lines[0]}" = "/root xterm" ]
        [ "${lines[1]}" = /root ]
        run -0 rc run --rm -u user localhost/bb sh -c 'echo $HOME'
        [ "$output" = /home/user ]
        run -0 rc run --rm -u 1000 localhost/bb sh -c 'echo $HOME'
        [ "$output" = /home/user ]
        run -0 rc run --rm -u 4242 localhost/bb sh -c 'echo $HOME'
        [ "$output" = / ]
        # -e wins
        run -0 rc run --rm -e HOME=/srv -e TERM=dumb localhost/bb sh -c 'echo $HOME $TERM'
        [ "$output" = "/srv dumb" ]
}

@test "supplementary groups from the image's /etc/group" {
        run -0 rc run --rm localhost/groups id
        [ "$output" = "uid=0(root) gid=0(root) groups=0(root),10(wheel)" ]
        run -0 rc run --rm -u user localhost/groups id
        [ "$output" = "uid=1000(user) gid=1000(user) groups=10(wheel),50(staff),1000(user)" ]
        # with a group given, that group alone (podman)
        run -0 rc run --rm -u user:staff localhost/groups id -G
        [ "$output" = 50 ]
}

@test "/run/.containerenv is there, empty as podman leaves it" {
        run -0 rc run --rm localhost/bb sh -c 'test -f /run/.containerenv && wc -c < /run/.containerenv'
        [ "$output" = 0 ]
}

@test "--entrypoint as a JSON array is the program and its first arguments" {
        run -0 rc run --rm --entrypoint '["/bin/echo","hello"]' localhost/bb world
        [ "$output" = "hello world" ]
        run -127 rc run --rm --entrypoint '["/no/such", 1]' localhost/bb
}
