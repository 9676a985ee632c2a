#!/usr/bin/env bats
# rc system df, rc system prune and rc system reset: the space rc's store
# takes and getting it back, without touching anything that is not rc's.
load helpers
bats_require_minimum_version 1.5.0

setup() {
        rc_setup_file
        import_busybox
}

teardown() {
        rc rm -af >/dev/null 2>&1 || true
        rc_teardown_file
}

# a row of rc system df as "TOTAL ACTIVE RAWSIZE RAWRECLAIMABLE"
df_row() {
        rc system df --format json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["Type"] == sys.argv[1]:
        print(r["Total"], r["Active"], r["RawSize"], r["RawReclaimable"])' "$1"
}

@test "system df: images once per layer, containers' writable layers, volumes; what is reclaimable" {
        rc run --name stopped localhost/bb sh -c 'head -c 5000 /dev/zero >/f' >/dev/null
        rc run -d --name running localhost/bb sleep 1000 >/dev/null
        rc volume create unused >/dev/null
        rc run --rm -v unused:/v localhost/bb sh -c 'head -c 7000 /dev/zero >/v/data'
        rc tag localhost/bb localhost/bb2   # a second name adds no bytes
        read -r total active size recl < <(df_row Images)
        [ "$total" -eq 1 ] && [ "$active" -eq 1 ] && [ "$size" -gt 1000000 ] && [ "$recl" -eq 0 ]
        read -r total active size recl < <(df_row Containers)
        [ "$total" -eq 2 ] && [ "$active" -eq 1 ] && [ "$size" -eq 5000 ] && [ "$recl" -eq 5000 ]
        read -r total active size recl < <(df_row "Local Volumes")
        [ "$total" -eq 1 ] && [ "$active" -eq 0 ] && [ "$size" -eq 7000 ] && [ "$recl" -eq 7000 ]
        run -0 rc system df
        [[ "${lines[0]}" == "TYPE"*"TOTAL"*"ACTIVE"*"SIZE"*"RECLAIMABLE" ]]
        [[ "${lines[2]}" == "Containers"*"5 kB (100%)" ]]
}

@test "system prune: stopped containers and dangling images go, running containers and named images stay; -a and --volumes" {
        rc run --name stopped localhost/bb sh -c 'head -c 5000 /dev/zero >/f' >/dev/null
        rc run -d --name running localhost/bb sleep 1000 >/dev/null
        rc volume create unused >/dev/null
        # no terminal and no -f: nothing is removed
        run -125 rc system prune </dev/null
        [[ "$output" == *"use -f"* ]]
        rc container exists stopped
        run -0 rc system prune -f
        [[ "$output" == *"Deleted Containers"* ]]
        [[ "$output" == *"Total reclaimed space: 5 kB"* ]]
        run -1 rc container exists stopped
        rc container exists running
        rc image exists localhost/bb
        rc volume exists unused
        rc rm -f running >/dev/null
        run -0 rc system prune -f -a --volumes
        [[ "$output" == *"Deleted Volumes"*"unused"* ]]
        [[ "$output" == *"Deleted Images"* ]]
        run -1 rc image exists localhost/bb
        run -0 rc images -q
        [ -z "$output" ]
}

@test "system reset removes the whole store and the run-time state, and stops the pause process" {
        rc run -d --name running localhost/bb sleep 1000 >/dev/null
        pid=$(rc inspect --format '{{.State.Pid}}' running)
        rc volume create v >/dev/null
        run -125 rc system reset </dev/null
        [ -d "$RC_ROOT/containers" ]
        run -0 rc system reset -f
        [ ! -e "$RC_ROOT" ]
        [ ! -e "$RC_RUNROOT" ]
        ! kill -0 "$pid" 2>/dev/null
        # rc starts afresh
        run -0 rc images -q
        [ -z "$output" ]
}

@test "system reset refuses what is not an rc store: /, the home directory, a directory without store.db" {
        run -125 "$RC_BIN" --root / --runroot "$RC_RUNROOT" system reset -f
        [[ "$output" == *"refusing to remove /"* ]]
        run -125 "$RC_BIN" --root "$HOME" --runroot "$RC_RUNROOT" system reset -f
        [[ "$output" == *"refusing to remove $HOME"* ]]
        mkdir -p "$BATS_TEST_TMPDIR/not-a-store"
        echo keep >"$BATS_TEST_TMPDIR/not-a-store/file"
        run -0 "$RC_BIN" --root "$BATS_TEST_TMPDIR/not-a-store" --runroot "$RC_WORK/run2" system reset -f
        [ "$(cat "$BATS_TEST_TMPDIR/not-a-store/file")" = keep ]
}
