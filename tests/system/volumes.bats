#!/usr/bin/env bats
# Volumes: rc volume create/ls/inspect/rm/prune/exists, named volumes made
# on first use, anonymous ones from -v DIR and the image's VOLUME, the
# image's files copied into a new volume, and removal with rc rm -v / --rm.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox
        # an image with a VOLUME that has files in it, owned by user 1000
        mkdir -p "$RC_WORK/seed"
        echo seeded >"$RC_WORK/seed/file"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$RC_WORK/img-vol" --ref localhost/withvol:latest \
                --config '{"Volumes":{"/var/lib/app":{}},"Labels":{"from":"image"}}' \
                --add "$RC_WORK/seed/file:/var/lib/app/file" --cmd sh >/dev/null
        tar -C "$RC_WORK/img-vol" -cf "$RC_WORK/img-vol.tar" .
        rc load -i "$RC_WORK/img-vol.tar" >/dev/null
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        rc rm -af >/dev/null 2>&1 || true
        rc volume rm -af >/dev/null 2>&1 || true
}

@test "volume create, ls, inspect, exists, rm" {
        run -0 rc volume create --label a=b data
        [ "$output" = data ]
        run -0 rc volume create
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        anon=$output
        run -0 rc volume ls
        [ "${lines[0]}" = "DRIVER      VOLUME NAME" ]
        [[ "$output" == *"local       data"* ]]
        run -0 rc volume ls -q --filter label=a=b
        [ "$output" = data ]
        run -0 rc volume inspect data
        python3 -c 'import json, sys
v = json.load(sys.stdin)[0]
assert v["Name"] == "data" and v["Driver"] == "local" and v["Labels"] == {"a": "b"}, v
assert v["Mountpoint"].endswith("/volumes/data/_data") and v["Anonymous"] is False and v["Scope"] == "local", v' <<<"$output"
        [ -d "$RC_ROOT/volumes/data/_data" ]
        run -0 rc volume inspect --format '{{.Name}} {{.Labels.a}}' data
        [ "$output" = "data b" ]
        run -0 rc volume ls --format json
        [[ "$output" == *'"Name": "data"'* ]]
        run -0 rc volume exists data
        run -1 rc volume exists nope
        run -125 rc volume create data
        [[ "$output" == *"volume with name data already exists"* ]]
        run -0 rc volume create --ignore data
        run -0 rc volume rm data "$anon"
        [ ! -e "$RC_ROOT/volumes/data" ]
        run -1 rc volume rm data
        [[ "$output" == *'no volume with name "data" found'* ]]
        run -125 rc volume create 'bad/name'
        [[ "$output" == *"not a valid volume name"* ]]
}

@test "a named volume is made on first use and keeps its files across containers" {
        run -0 rc run --rm -v store:/data localhost/bb sh -c 'echo kept > /data/f'
        run -0 rc volume ls -q
        [ "$output" = store ]
        run -0 rc run --rm -v store:/other:ro localhost/bb sh -c 'cat /other/f; touch /other/g 2>&1; true'
        [[ "$output" == kept*"Read-only file system"* ]]
        # --mount type=volume names it the same way
        run -0 rc run --rm --mount type=volume,src=store,dst=/m localhost/bb cat /m/f
        [ "$output" = kept ]
}

@test "the image's VOLUME: an anonymous volume with the image's files; rm -v and --rm remove it, rm keeps it" {
        run -0 rc run --name v1 localhost/withvol sh -c 'cat /var/lib/app/file; grep -c " /var/lib/app " /proc/mounts; echo new > /var/lib/app/new'
        [ "$output" = $'seeded\n1' ]
        run -0 rc volume ls -q
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        vol=$output
        run -0 rc volume inspect --format '{{.Anonymous}}' "$vol"
        [ "$output" = true ]
        run -0 rc inspect --format '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}' v1
        [ "$output" = "volume $vol /var/lib/app" ]
        # it stays with the container across a restart
        run -0 rc start -a v1
        [ "$output" = $'seeded\n1' ]
        # without -v the volume outlives the container (podman)
        rc rm v1 >/dev/null
        run -0 rc volume ls -q
        [ "$output" = "$vol" ]
        rc volume rm "$vol" >/dev/null
        rc run --name v2 localhost/withvol true
        [ -n "$(rc volume ls -q)" ]
        rc rm -v v2 >/dev/null
        run -0 rc volume ls -q
        [ -z "$output" ]
        rc run --rm localhost/withvol true
        run -0 rc volume ls -q
        [ -z "$output" ]
        # a bare -v DIR is an anonymous volume too; a user's mount replaces the image's
        run -0 rc run --rm -v /cache -v "$RC_WORK/seed:/var/lib/app" localhost/withvol sh -c 'grep -c " /cache " /proc/mounts; ls /var/lib/app'
        [ "$output" = $'1\nfile' ]
        run -0 rc volume ls -q
        [ -z "$output" ]
}

@test "first use: the image's files are copied in once, with their owner and mode; nocopy leaves it empty" {
        run -0 rc run --rm -v app:/home/user localhost/bb sh -c 'stat -c "%u %a" /home/user /home/user/owned-by-user; cat /home/user/owned-by-user'
        [ "$output" = $'1000 755\n1000 644\nuser file' ]
        # later users get the volume as it is, not the image's files again
        rc run --rm -v app:/home/user localhost/bb rm /home/user/owned-by-user
        run -0 rc run --rm -v app:/home/user localhost/bb ls -A /home/user
        [ -z "$output" ]
        run -0 rc run --rm -v empty:/home/user:nocopy localhost/bb ls -A /home/user
        [ -z "$output" ]
        # where the image has nothing, a new volume belongs to the container's user
        run -0 rc run --rm -u 1000 -v mine:/data localhost/bb sh -c 'stat -c %u /data; touch /data/ok && echo writable'
        [ "$output" = $'1000\nwritable' ]
}

@test "a volume in use cannot be removed; rm -f removes its containers first; prune removes unused ones only" {
        rc create --name user1 -v busy:/b localhost/bb true >/dev/null
        rc volume create idle >/dev/null
        run -2 rc volume rm busy
        [[ "$output" == *"volume busy is being used by the following container(s): user1"* ]]
        run -0 rc volume prune -f
        [ "$output" = idle ]
        run -0 rc volume ls -q
        [ "$output" = busy ]
        run -0 rc volume rm -f busy
        [ "$output" = busy ]
        run -0 rc ps -a -q
        [ -z "$output" ]
        # without -f and without a terminal, prune does not ask: it refuses
        run -125 rc volume prune </dev/null
        [[ "$output" == *"use -f"* ]]
}

@test "volume names never reach outside the store" {
        for name in .. ../x a/b . -x '' ../../containers; do
                run -125 rc volume create -- "$name"
                [[ "$output" == *"not a valid volume name"* ]]
        done
        run -1 rc volume rm ../containers
        run -1 rc volume exists ../containers
        run -125 rc volume inspect ../containers
        [ -d "$RC_ROOT/containers" ]
        run -125 rc run --rm --mount type=volume,src=../x,dst=/x localhost/bb true
        [[ "$output" == *"not a valid volume name"* ]]
        [ -z "$(ls -A "$RC_ROOT/volumes")" ]
}

@test "a volume directory left without a record (a crash between rename and commit) is removed" {
        mkdir -p "$RC_ROOT/volumes/orphan/_data"
        rc volume create kept >/dev/null
        run -0 rc volume ls -q
        [ "$output" = kept ]
        [ ! -e "$RC_ROOT/volumes/orphan" ]
        [ -d "$RC_ROOT/volumes/kept/_data" ]
}
