#!/usr/bin/env bats
# rc image inspect, rc history, rc image prune, the rc image family.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        # an image with a history, labels and two layers, made without rc
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$RC_WORK/oci" --layers2
        tar -C "$RC_WORK/oci" -cf "$RC_WORK/oci.tar" .
        rc load -i "$RC_WORK/oci.tar" >/dev/null
        id=$(rc images -q --no-trunc)
        rc tag "$id" localhost/fixture:1
        import_busybox localhost/bb
}

teardown_file() {
        rc_teardown_file
}

json() {
        python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

@test "image inspect: podman's fields, from the image's config" {
        run -0 rc image inspect localhost/fixture:1
        [ "$(json 'len(d)' <<<"$output")" = 1 ]
        [ "$(json 'd[0]["Id"]' <<<"$output")" = "$(rc images --format json | json '[i["Id"] for i in d if "localhost/fixture:1" in i.get("Names", [])][0]')" ]
        [ "$(json 'd[0]["RepoTags"]' <<<"$output")" = "['localhost/fixture:1']" ]
        [ "$(json 'd[0]["Config"]["Env"][1]' <<<"$output")" = FROM_IMAGE=yes ]
        [ "$(json 'd[0]["Labels"]["org.example.fixture"]' <<<"$output")" = make-oci-image ]
        [ "$(json 'len(d[0]["RootFS"]["Layers"])' <<<"$output")" = 2 ]
        [ "$(json 'd[0]["Size"] > 2000000' <<<"$output")" = True ]
        [ "$(json 'd[0]["Created"]' <<<"$output")" = 2024-01-01T00:00:00Z ]
        [ "$(json 'd[0]["RepoDigests"][0].startswith("localhost/fixture@sha256:")' <<<"$output")" = True ]
        # rc inspect is the same; --format picks one field
        run -0 rc inspect --format '{{.Architecture}}' localhost/fixture:1
        [ "$output" = "$(rc image inspect localhost/fixture:1 | json 'd[0]["Architecture"]')" ]
}

@test "inspect of a missing image: its name in the error, the others still shown" {
        run -125 rc image inspect localhost/fixture:1 localhost/nothing
        [[ "$output" == *"Error: inspecting object: localhost/nothing: image not known" ]]
        run -125 --separate-stderr rc image inspect localhost/fixture:1 localhost/nothing
        [ "$(json 'len(d)' <<<"$output")" = 1 ]
        run -125 rc inspect --format '{{.Bogus}}' localhost/fixture:1
        [[ "$output" == *"can't evaluate field Bogus"* ]]
}

@test "history: newest first, layer sizes on the steps that made layers" {
        run -0 rc history localhost/fixture:1
        [ "${#lines[@]}" = 4 ]
        [[ "${lines[0]}" == ID*CREATED*"CREATED BY"*SIZE*COMMENT ]]
        [[ "${lines[1]}" == "$(rc image inspect --format {{.Id}} localhost/fixture:1 | head -c 12)"*"ENV FROM_IMAGE=yes"*"0 B"* ]]
        [[ "${lines[2]}" == "<missing>"*"ADD layer1.tar /"* ]]
        [[ "${lines[3]}" == "<missing>"*"ADD layer0.tar /"*MB* ]]
        run -0 rc history --format json localhost/fixture:1
        [ "$(json '[e["size"] > 0 for e in d]' <<<"$output")" = "[False, True, True]" ]
        run -0 rc history --human=false localhost/fixture:1
        [[ "${lines[3]}" == *2024-01-01T00:00:00Z* ]]
        run -125 rc history localhost/nothing
        [[ "$output" == *"localhost/nothing"* ]]
}

@test "image prune: unnamed images go, named and used ones stay; -a takes the unused rest" {
        # an image loses its name when the name moves to another image
        import_busybox localhost/moving
        old=$(rc image inspect --format '{{.Id}}' localhost/moving)
        import_busybox localhost/moving
        run -0 rc images --format json
        [ "$(json "[i.get('Names', []) for i in d if i['Id'] == '$old'][0]" <<<"$output")" = "[]" ]
        # no terminal and no -f: refused, nothing removed
        run -125 rc image prune </dev/null
        [[ "$output" == *"-f"* ]]
        [ -n "$(rc images -q | grep "${old:0:12}")" ]
        run -0 rc image prune -f
        [ "$output" = "$old" ]
        [ -z "$(rc images -q | grep "${old:0:12}" || true)" ]
        # a container keeps its image through prune -a
        rc run --name keeper localhost/bb true
        run -0 rc image prune -a -f
        [[ "$output" != *"$(rc image inspect --format '{{.Id}}' localhost/bb)"* ]]
        run -0 rc images --format json
        [ "$(json 'sorted(n for i in d for n in i.get("Names", []))' <<<"$output")" = "['localhost/bb:latest']" ]
        rc rm keeper >/dev/null
        run -0 rc image prune -a -f
        [ -z "$(rc images -q)" ]
        [ -z "$(ls -A "$RC_ROOT/layers")" ]
}

@test "rc image ls/rm/tag/inspect are the image commands" {
        import_busybox localhost/fam
        [ "$(rc image ls -q)" = "$(rc images -q)" ]
        run -0 rc image tag localhost/fam localhost/fam:2
        # a repository lists its tags; a tag only itself; a short name finds localhost/
        run -0 rc images --format json fam
        [ "$(json 'sorted(n for i in d for n in i.get("Names", []))' <<<"$output")" = "['localhost/fam:2', 'localhost/fam:latest']" ]
        run -0 rc images --format json localhost/fam:2
        [ "$(json 'sorted(n for i in d for n in i.get("Names", []))' <<<"$output")" = "['localhost/fam:2']" ]
        run -0 rc images -q localhost/nothing
        [ -z "$output" ]
        run -0 rc image rm localhost/fam:2
        [ "$output" = "Untagged: localhost/fam:2" ]
        run -125 rc image frobnicate
        [[ "$output" == *"unrecognized command \`rc image frobnicate\`"* ]]
        run -0 rc image --help
        [[ "$output" == *prune* ]]
}
