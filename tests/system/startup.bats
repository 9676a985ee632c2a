#!/usr/bin/env bats
# Start-up: commands map only the libraries they use.  libcurl, libarchive,
# libcrypto and libsystemd are loaded on first use (pkg/dl), so `rc ps` and
# `rc run` of a stored image never load them; rc run logs each phase.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
}

teardown_file() {
        rc_teardown_file
}

# loaded CMD...: the shared objects the dynamic loader opened for rc (and
# what rc itself runs), one soname per line.
loaded() {
        LD_DEBUG=files "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\) \[.*/\1/p' | sort -u
}

# none_of REGEX TEXT: fails, naming them, if lines of TEXT match REGEX
# (a bare `! grep` does not fail a bats test).
none_of() {
        local hits
        hits=$(grep -E "$1" <<<"$2") || return 0
        echo "loaded: $hits"
        return 1
}

@test "rc ps -a maps no libcurl, libarchive, libcrypto or libsystemd" {
        rc run --name startup-kept localhost/bb true
        run loaded rc ps -a
        [ "$status" -eq 0 ]
        echo "$output"
        [[ "$output" == *libc.so* ]] # the check sees what rc loads
        none_of 'libcurl|libarchive|libcrypto|libsystemd' "$output"
        rc rm startup-kept
}

@test "rc run --rm of a stored image maps no libcurl, libarchive, libcrypto or libsystemd" {
        run loaded rc run --rm --network none localhost/bb true
        [ "$status" -eq 0 ]
        echo "$output"
        [[ "$output" == *libc.so* ]] # the check sees what rc loads
        none_of 'libcurl|libarchive|libcrypto|libsystemd' "$output"
}

@test "rc --version maps only what every command links" {
        run loaded rc --version
        [ "$status" -eq 0 ]
        none_of 'libcurl|libarchive|libcrypto|libsystemd|libgnutls|libxml2|libicu' "$output"
}

@test "commands that need a library load it: import loads libarchive and libcrypto, not libcurl" {
        run loaded rc import "$(busybox_tar)" localhost/bb-startup
        [ "$status" -eq 0 ]
        grep -q libarchive <<<"$output"
        grep -q libcrypto <<<"$output"
        none_of libcurl "$output"
        rc rmi localhost/bb-startup
}

@test "rc info names every component with how it is loaded and the version found" {
        run rc info --format text
        [ "$status" -eq 0 ]
        [[ "$output" == *"components:"* ]]
        [[ "$output" == *"libcurl: loaded on demand, libcurl/"* ]]
        [[ "$output" == *"libarchive: loaded on demand, libarchive 3."* ]]
        [[ "$output" == *"json-c: linked, 0."* ]]
        [[ "$output" == *"uidmap: run, "*"/newuidmap"* ]]
        run rc info --format json
        [ "$status" -eq 0 ]
        python3 -c 'import json, sys
c = {x["name"]: x for x in json.load(sys.stdin)["components"]}
assert c["libcurl"]["link"] == "dlopen" and c["libcurl"]["file"] == "libcurl.so.4", c["libcurl"]
assert c["libcurl"]["package"] == "libcurl4" and c["libcurl"]["found"], c["libcurl"]
assert c["sqlite3"]["link"] == "linked" and c["sqlite3"]["found"], c["sqlite3"]' <<<"$output"
}

@test "rc run --log-level debug reports each phase's duration" {
        run --separate-stderr rc --log-level debug run --rm --network none localhost/bb true
        [ "$status" -eq 0 ]
        for phase in "user namespace" "store open" "store gc" "image" "container record" "rootfs mount" \
                "start (clone to exec)" "wait" "unmount" "remove" "total"; do
                grep -Eq "^rc: debug: run: $(sed 's/[()]/\\&/g' <<<"$phase"): [0-9]+\.[0-9]{2} ms$" <<<"$stderr" ||
                        { echo "no line for $phase in: $stderr"; return 1; }
        done
}

@test "the store keeps its write-ahead log between commands, bounded by the automatic checkpoint" {
        for _ in 1 2 3; do rc run --rm --network none localhost/bb true; done
        [ -f "$RC_ROOT/store.db-wal" ]
        # no checkpoint at close (each one cost syncs): the log stays, at most
        # the 256 pages of wal_autocheckpoint and journal_size_limit's 1 MiB
        [ "$(stat -c %s "$RC_ROOT/store.db-wal")" -le $((1024 * 1024 + 256 * 4120)) ]
}
