#!/usr/bin/env bats
# rc cp: in and out of running and stopped containers, directories, tar
# streams, and containers whose links point out of their root.
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
}

# a container NAME, running (sleeping) or only created, per $1 = run|create
make_ctr() {
        if [ "$1" = run ]; then
                rc run -d --name "$2" localhost/bb sleep 1000 >/dev/null
        else
                rc create --name "$2" localhost/bb sleep 1000 >/dev/null
        fi
}

# Each case runs against a running and a stopped container.
cp_both() {
        for mode in run create; do
                mkdir -p "$BATS_TEST_TMPDIR/$mode"
                cd "$BATS_TEST_TMPDIR/$mode"
                "$1" "$mode" "cp-$mode-$BATS_TEST_NUMBER"
                rc rm -f "cp-$mode-$BATS_TEST_NUMBER" >/dev/null
        done
}

# What is in the container, read the way the container reads it.
in_ctr() {
        local ctr=$1
        shift
        if [ "$(rc inspect --format '{{.State.Status}}' "$ctr")" = running ]; then
                rc exec "$ctr" "$@"
        else
                rc start "$ctr" >/dev/null 2>&1 || true
                rc exec "$ctr" "$@"
                rc stop -t 0 "$ctr" >/dev/null
        fi
}

files_in_out() {
        local ctr=$2
        make_ctr "$1" "$ctr"
        # out: a file to a new name, into a directory, a directory
        rc cp "$ctr:/etc/passwd" passwd.copy
        grep -q '^user:x:1000' passwd.copy
        mkdir into
        rc cp "$ctr:/etc/group" into/
        grep -q '^tty:x:5' into/group
        rc cp "$ctr:/home/user" homedir
        [ "$(cat homedir/owned-by-user)" = "user file" ]
        # in: a file, a directory with a link, a file to a new name
        echo hello > hello.txt
        chmod 0640 hello.txt
        mkdir -p tree/sub
        echo deep > tree/sub/deep.txt
        ln -s /etc/passwd tree/link
        rc cp hello.txt "$ctr:/tmp/"
        rc cp tree "$ctr:/tmp/tree"
        rc cp hello.txt "$ctr:/tmp/renamed"
        run -0 in_ctr "$ctr" sh -c 'cat /tmp/hello.txt /tmp/renamed /tmp/tree/sub/deep.txt; readlink /tmp/tree/link; stat -c "%a %u %g" /tmp/hello.txt /tmp/tree/sub'
        [ "${lines[0]}" = hello ]
        [ "${lines[1]}" = hello ]
        [ "${lines[2]}" = deep ]
        [ "${lines[3]}" = /etc/passwd ]
        # mode kept, owner the container's root
        [ "${lines[4]}" = "640 0 0" ]
        [ "${lines[5]}" = "755 0 0" ]
        # SRC/. copies what is in SRC
        mkdir contents
        rc cp "$ctr:/tmp/tree/." contents
        [ -f contents/sub/deep.txt ] && [ -L contents/link ]
        # out, then the copied link is a link on the host too, not what it points to
        [ "$(readlink contents/link)" = /etc/passwd ]
}

@test "files and directories in and out, running and stopped containers" {
        cp_both files_in_out
}

tar_streams() {
        local ctr=$2
        make_ctr "$1" "$ctr"
        rc cp "$ctr:/home/user" - > out.tar
        run -0 tar tf out.tar
        [[ "$output" == *"user/owned-by-user"* ]]
        # the container's owners in the stream
        run -0 tar tvf out.tar user/owned-by-user
        [[ "$output" == *" 1000/1000 "* ]]
        mkdir x && echo streamed > x/s.txt
        tar -C x -cf - s.txt | rc cp - "$ctr:/tmp"
        run -0 in_ctr "$ctr" sh -c 'cat /tmp/s.txt; stat -c "%u" /tmp/s.txt'
        [ "${lines[0]}" = streamed ]
        [ "${lines[1]}" = 0 ]
        # a stream goes into a directory only
        run -125 bash -c "tar -C x -cf - s.txt | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' cp - $ctr:/etc/passwd"
        [[ "$output" == *"must be a directory"* ]]
}

@test "tar streams: - as destination and as source" {
        cp_both tar_streams
}

@test "errors: a missing path, both or neither side a container, a directory onto a file" {
        make_ctr run ce
        run -125 rc cp ce:/no/such/file .
        [ "$output" = 'Error: "/no/such/file" could not be found on container ce: no such file or directory' ]
        run -125 rc cp ce:/a ce:/b
        [[ "$output" == *"copying between containers is not supported"* ]]
        run -125 rc cp a b
        [[ "$output" == *"CONTAINER:PATH"* ]]
        run -125 rc cp nosuch:/etc/passwd .
        [[ "$output" == *'no container with name or ID "nosuch" found'* ]]
        touch plainfile
        run -125 rc cp ce:/etc plainfile
        [[ "$output" == *"cannot copy a directory onto a file"* ]]
        run -125 rc cp plainfile ce:/no-such-dir/
        [[ "$output" == *"no such directory"* ]]
        # a host path with a colon is written ./a:b
        echo colon > 'a:b'
        rc cp ./a:b ce:/tmp/
        run -0 rc exec ce cat /tmp/a:b
        [ "$output" = colon ]
}

@test "a file only the container's user may read is copied out" {
        make_ctr run cu
        rc exec cu sh -c 'echo secret > /home/user/private; chown 1000:1000 /home/user/private; chmod 600 /home/user/private'
        rc cp cu:/home/user/private .
        [ "$(cat private)" = secret ]
}

# The container's root plants links to the host's / and to the user's home.
escape_links() {
        local ctr=$2
        make_ctr "$1" "$ctr"
        mkdir -p "$BATS_TEST_TMPDIR/host"
        echo host-secret > "$BATS_TEST_TMPDIR/host/secret"
        in_ctr "$ctr" sh -c "ln -s / /etc/link; ln -s '$HOME' /etc/homelink; ln -s '$BATS_TEST_TMPDIR/host' /etc/hostdir; ln -s ../../../../../../../.. /etc/up; ln -s /proc/self/root /etc/plink"
        # reading through them finds the container's files, or nothing
        run -0 rc cp "$ctr:/etc/link/etc/passwd" p1
        grep -q '^user:x:1000' p1
        run -125 rc cp "$ctr:/etc/hostdir/secret" s1
        [[ "$output" == *"could not be found"* ]]
        run -125 rc cp "$ctr:/etc/up$BATS_TEST_TMPDIR/host/secret" s2
        [[ "$output" == *"could not be found"* ]]
        run -125 rc cp "$ctr:/etc/homelink/.profile" s3
        [ ! -e s1 ] && [ ! -e s2 ] && [ ! -e s3 ]
        run -125 rc cp "$ctr:/etc/plink/etc/hostname" s4
        [ ! -e s4 ]
        # writing through them lands in the container, never on the host
        echo pwned > pwned
        rc cp pwned "$ctr:/etc/link/tmp/"
        run -125 rc cp pwned "$ctr:/etc/hostdir/"
        rc cp pwned "$ctr:/etc/up/tmp/via-up"
        run -125 rc cp pwned "$ctr:/etc/homelink/"
        run -125 rc cp pwned "$ctr:/etc/plink/tmp/"
        [ ! -e "$BATS_TEST_TMPDIR/host/pwned" ]
        [ ! -e "$HOME/pwned" ]
        [ ! -e /tmp/via-up ]
        run -0 in_ctr "$ctr" ls /tmp/pwned /tmp/via-up
        # a directory copied out keeps the links as links
        rc cp "$ctr:/etc" etc-out
        [ "$(readlink etc-out/link)" = / ]
        [ "$(readlink etc-out/hostdir)" = "$BATS_TEST_TMPDIR/host" ]
        # and a directory copied in onto one of them goes inside the container
        mkdir -p d && echo x > d/inside
        run -125 rc cp d "$ctr:/etc/hostdir/"
        [[ "$output" == *"cannot overwrite a non-directory with a directory"* ]]
        rc cp d "$ctr:/etc/link/tmp/"
        [ ! -e "$BATS_TEST_TMPDIR/host/d" ] && [ ! -e /tmp/d/inside ]
        run -0 in_ctr "$ctr" cat /tmp/d/inside
        [ "$(cat "$BATS_TEST_TMPDIR/host/secret")" = host-secret ]
}

@test "links the container planted out of its root (/etc/link -> /, -> \$HOME, -> ../..) are never followed out" {
        cp_both escape_links
}

@test "copying in while the container swaps a directory for a link to / writes nothing outside it" {
        make_ctr run race
        rc exec -d race sh -c 'while :; do rm -rf /tmp/t; ln -s / /tmp/t; rm -f /tmp/t; mkdir -p /tmp/t/sub; done'
        mkdir -p src/sub && for i in $(seq 20); do echo $i > src/sub/f$i; done
        for _ in $(seq 20); do rc cp src race:/tmp/t/ 2>/dev/null || true; done
        # nothing of it reached the host
        [ ! -e /src ] && [ ! -e "$HOME/src" ]
        run -0 rc exec race sh -c 'ls / | grep -c "^src$" || true'
}
