#!/usr/bin/env bats
# A hostile container against the commands that read its file system from
# the host side: rc export, rc diff, rc ps -s and rc system df.  It plants
# links out of its root (to /, to the user's home, through /proc), a fifo
# nobody writes, a hard link to a file it does not own the name of, and
# deep directories; none of it may lead rc outside the container, hang it,
# or count host files as the container's.
load ../system/helpers
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

# rc with a time limit: a fifo or a loop must not hold it
rc_limited() {
        timeout 60 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" "$@"
}

hostile_tree='ln -s / /to-root; ln -s /proc/self/root /via-proc; ln -s /home /to-home; mkfifo /fifo;
d=/deep; for i in $(seq 200); do d=$d/d; done; mkdir -p $d && echo bottom >$d/f;
head -c 4000 /dev/zero >/big; ln /big /big-link'

@test "hostile container: export, diff, ps -s and system df stay inside it and do not hang" {
        secret=$RC_WORK/host-secret
        head -c 500000 /dev/zero >"$secret"
        rc run --name evil localhost/bb sh -c "$hostile_tree" >/dev/null
        rc run -d --name evil-run localhost/bb sh -c "$hostile_tree; sleep 1000" >/dev/null
        for _ in $(seq 50); do rc diff evil-run | grep -q '^A /big-link$' && break; sleep 0.1; done
        for c in evil evil-run; do
                run -0 rc_limited export -o "$BATS_TEST_TMPDIR/$c.tar" "$c"
                run -0 tar -tvf "$BATS_TEST_TMPDIR/$c.tar"
                [[ "$output" == *"to-root -> /"* ]]
                [[ "$output" == *"via-proc -> /proc/self/root"* ]]
                [[ "$output" != *"host-secret"* ]]
                [[ "$output" == *"fifo"* ]]
                [[ "$output" == *"/d/f"* ]]
                # what links point at never comes with them
                ! grep -q ' to-root/' <<<"$output"
                run -0 rc_limited diff "$c"
                [[ "$output" == *"A /to-root"* ]]
                [[ "$output" != *"/to-root/"* ]]
                [[ "$output" != *"/proc/"* ]]
        done
        # sizes: the hard-linked file once, links as links, nothing of the host
        run -0 rc_limited ps -a -s --format '{{.Names}} {{.Size}}'
        [[ "$output" == *"evil 4."*" kB (virtual"* ]]
        run -0 rc_limited system df --format json
        python3 -c '
import json, sys
c = [r for r in json.loads(sys.argv[1]) if r["Type"] == "Containers"][0]
assert c["RawSize"] < 100000, c' "$output"
}
