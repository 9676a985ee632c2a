#!/usr/bin/env bats
# rc diff: what a container changed in its image's files, and what an
# image's last layer changed, as podman diff lists them.
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
        rc rm -af >/dev/null 2>&1 || true
}

@test "diff: added, changed and deleted paths of a stopped container, sorted; parents show as changed" {
        rc run --name d1 localhost/bb sh -c 'echo x >/f; mkdir -p /d/e; echo y >/d/e/g; rm /bin/ls; echo extra >>/etc/passwd; ln -s / /escape'
        run -0 rc diff d1
        expected="C /bin
D /bin/ls
A /d
A /d/e
A /d/e/g
A /escape
C /etc
C /etc/passwd
A /f"
        [ "$output" = "$expected" ]
        # the runtime's own mount points (/etc/hosts, /proc...) are not changes
        [[ "$output" != *"/etc/hosts"* ]]
        [[ "$output" != *"/proc"* ]]
        run -0 rc container diff --format json d1
        python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["added"] == ["/d", "/d/e", "/d/e/g", "/escape", "/f"], d
assert d["changed"] == ["/bin", "/etc", "/etc/passwd"], d
assert d["deleted"] == ["/bin/ls"], d' "$output"
}

@test "diff of a running container, of one that never ran, and of an image's last layer" {
        rc run -d --name d2 localhost/bb sh -c 'echo x >/new; rm -r /root 2>/dev/null; sleep 1000' >/dev/null
        for _ in $(seq 50); do rc diff d2 | grep -q '^A /new$' && break; sleep 0.1; done
        run -0 rc diff d2
        [[ "$output" == *"A /new"* ]]
        rc create --name d3 localhost/bb true >/dev/null
        run -0 rc diff d3
        [ -z "$output" ]
        rc run --name d4 localhost/bb sh -c 'mkdir /layer && echo 1 >/layer/file && rm /bin/cat' >/dev/null
        rc commit -q d4 localhost/bb-diff >/dev/null
        run -0 rc image diff localhost/bb-diff
        [ "$output" = "$(printf 'C /bin\nD /bin/cat\nA /layer\nA /layer/file')" ]
        rc rm d4 >/dev/null
        rc rmi localhost/bb-diff >/dev/null
}

@test "diff of something that is neither a container nor an image says so" {
        run -125 rc diff no-such-thing
        [[ "$output" == *"no-such-thing: no such container or image"* ]]
        run -125 rc diff
        [[ "$output" == *"one container or image"* ]]
}
