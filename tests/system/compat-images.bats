#!/usr/bin/env bats
# The image commands as podman (4.3) documents and behaves: output shapes,
# --format templates, tables, names, removal rules, errors and exit codes.
# Expectations are written from podman's documentation and its own system
# tests, not by running podman here.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        # an image made without rc: created 2024-01-01, a label, a history
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$RC_WORK/oci" --layers2 --ref localhost/fixture:1
        tar -C "$RC_WORK/oci" -cf "$RC_WORK/oci.tar" .
        rc load -i "$RC_WORK/oci.tar" >/dev/null
        import_busybox localhost/bb
}

teardown_file() {
        rc_teardown_file
}

json() {
        python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

@test "images: podman's table, headers even without images" {
        run -0 rc images
        [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
        [[ "$output" =~ localhost/fixture\ +1\ +[0-9a-f]{12}\ +[0-9]+\ (years|months)\ ago\ +[0-9.]+\ MB ]]
        [[ "$output" =~ localhost/bb\ +latest\ +[0-9a-f]{12}\ +(Less\ than\ a\ second|[0-9]+\ seconds?|About\ a\ minute|[0-9]+\ minutes)\ ago ]]
        RC_ROOT=$RC_WORK/empty-root run -0 rc images
        [[ "$output" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
        run -0 rc images --noheading
        [[ "$output" != *REPOSITORY* ]]
        [ "${#lines[@]}" -eq 2 ]
        run -0 rc images --digests
        [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
        [[ "${lines[1]}" == *sha256:* ]]
}

@test "images --format: podman's fields, no header unless table" {
        run -0 rc images --format '{{.ID}}' localhost/fixture
        [[ "$output" =~ ^[0-9a-f]{12}$ ]]
        run -0 rc images --format '{{.ID| upper}}' localhost/fixture
        [[ "$output" =~ ^[0-9A-F]{12}$ ]]
        run -0 rc images --format '{{.Repository}}:{{.Tag}}' localhost/fixture
        [ "$output" = "localhost/fixture:1" ]
        run -0 rc images --format '{{index .Labels "org.example.fixture"}}' localhost/fixture
        [ "$output" = "make-oci-image" ]
        run -0 rc images --format '{{.ID}}' --no-trunc localhost/fixture
        [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
        run -0 rc images --format '{{.CreatedSince}}--{{.CreatedAt}}' localhost/fixture
        [[ "$output" =~ ^[0-9].*\ ago--2024-01-01\ 00:00:00\ \+0000\ UTC$ ]]
        # options after the argument; the last --format wins
        run -0 rc images localhost/fixture --format '{{.Bogus}}' --format '{{.Tag}}'
        [ "$output" = "1" ]
        run -125 rc images --format '{{.Bogus}}'
        [[ "$output" == *"can't evaluate field Bogus"* ]]
        run -0 rc images --format '{{.Repository}}\t{{.Tag}}' localhost/bb
        [ "$output" = "localhost/bb	latest" ]
}

@test "images --format table: aligned columns, two spaces apart" {
        rc tag localhost/bb a.b/c:d zzzzzzzzzz.yyyyyyyyy/xxxxxxxxx:a-long-tag-name
        iid=$(rc images --format '{{.ID}}' localhost/bb)
        run -0 rc images --sort repository --format 'table {{.Repository}} {{.Tag}} {{.ID}}'
        [[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID$ ]]
        # the widest repository (30) and tag (15) set the columns
        [ "${lines[1]}" = "$(printf '%-30s  %-15s  %s' a.b/c d "$iid")" ]
        [ "${lines[2]}" = "$(printf '%-30s  %-15s  %s' localhost/bb latest "$iid")" ]
        [ "${lines[4]}" = "$(printf '%-30s  %-15s  %s' zzzzzzzzzz.yyyyyyyyy/xxxxxxxxx a-long-tag-name "$iid")" ]
        run -0 rc images --sort repository --noheading --format 'table {{.Repository}}'
        [ "${lines[0]}" = "a.b/c" ]
        run -125 rc images --sort bogus
        [[ "$output" == *'"bogus" is not a valid field for sorting'* ]]
        rc rmi a.b/c:d zzzzzzzzzz.yyyyyyyyy/xxxxxxxxx:a-long-tag-name >/dev/null
}

@test "images --format json: podman's keys, CreatedAt and Labels from the config" {
        run -0 rc images --format json
        fixture="[i for i in d if 'localhost/fixture:1' in i.get('Names', [])][0]"
        [ "$(json "$fixture['CreatedAt']" <<<"$output")" = 2024-01-01T00:00:00Z ]
        [ "$(json "$fixture['Created']" <<<"$output")" = 1704067200 ]
        [ "$(json "$fixture['Labels']['org.example.fixture']" <<<"$output")" = make-oci-image ]
        [ "$(json "sorted(k for k in $fixture)" <<<"$output")" = "$(json 'sorted(["Id", "ParentId", "RepoTags", "RepoDigests", "Size", "SharedSize", "VirtualSize", "Labels", "Containers", "Names", "Digest", "History", "Created", "CreatedAt"])' <<<'[]')" ]
        [[ "$(json "$fixture['Digest']" <<<"$output")" =~ ^sha256:[0-9a-f]{64}$ ]]
        [[ "$(json "$fixture['Id']" <<<"$output")" =~ ^[0-9a-f]{64}$ ]]
        # -q: each image once
        run -0 rc images -q
        [ "${#lines[@]}" -eq 2 ]
}

@test "images --filter" {
        run -0 rc images --format '{{.Repository}}' --filter reference=*fix*
        [ "$output" = "localhost/fixture" ]
        run -0 rc images --format '{{.Repository}}' --filter label=org.example.fixture=make-oci-image
        [ "$output" = "localhost/fixture" ]
        run -0 rc images --format '{{.Repository}}' --filter dangling=true
        [ -z "$output" ]
        run -0 rc images --format '{{.Repository}}' --filter before=localhost/bb
        [ "$output" = "localhost/fixture" ]
        run -0 rc images --format '{{.Repository}}' --filter since=localhost/fixture:1
        [ "$output" = "localhost/bb" ]
        run -125 rc images --filter bogus=1
        [[ "$output" == *'unsupported image filter "bogus"'* ]]
        run -125 rc images --filter dangling=true localhost/bb
        [[ "$output" == *"cannot specify an image and a filter"* ]]
}

@test "inspect --format: fields, nested fields, json, range; options after the image" {
        run -0 rc inspect localhost/fixture:1 --format '{{.Id}}'
        id=$output
        [[ "$id" =~ ^[0-9a-f]{64}$ ]]
        run -0 rc image inspect --format '{{.ID}}' localhost/fixture:1
        [ "$output" = "$id" ]
        run -0 rc inspect --format '{{.XYZ}}' --format '{{.Config.WorkingDir}} {{.Os}}' localhost/fixture:1
        [ "$output" = "/ linux" ]
        run -0 rc inspect --format '{{json .RepoTags}} {{.RepoTags}} {{.Labels}}' localhost/fixture:1
        [ "$output" = '["localhost/fixture:1"] [localhost/fixture:1] map[org.example.fixture:make-oci-image]' ]
        run -0 rc inspect --format '{{range .History}}{{.CreatedBy}};{{end}}' localhost/fixture:1
        [ "$output" = "ADD layer0.tar /;ADD layer1.tar /;ENV FROM_IMAGE=yes;" ]
        run -0 rc inspect --format '{{.Created}}' localhost/fixture:1
        [ "$output" = "2024-01-01 00:00:00 +0000 UTC" ]
        # an imported image has an empty config: its fields still exist
        run -0 rc inspect --format '{{.Config.Entrypoint}}|{{.Config.User}}|{{.Config.Volumes}}' localhost/bb
        [ "$output" = "[]||map[]" ]
        run -0 rc inspect --format '{{if .Config.Env}}env{{else}}none{{end}} {{len .RootFS.Layers}}' localhost/fixture:1
        [ "$output" = "env 2" ]
        run -0 rc inspect --format 'table {{.Id}}' localhost/fixture:1
        [ "${lines[0]}" = "ID" ]
        # two images: one line each
        run -0 rc inspect --format '{{.Os}}' localhost/fixture:1 localhost/bb
        [ "${#lines[@]}" -eq 2 ]
}

@test "inspect errors in podman's words" {
        run -125 --separate-stderr rc image inspect localhost/fixture:1 localhost/nothing
        [ "$stderr" = "Error: inspecting object: localhost/nothing: image not known" ]
        [ "$(json 'len(d)' <<<"$output")" = 1 ]
        run -125 --separate-stderr rc inspect nothing
        [ "$stderr" = 'Error: inspecting object: no such object: "nothing"' ]
        [ "$output" = "[]" ]
        run -125 --separate-stderr rc inspect --format '{{.Bogus}}' localhost/fixture:1
        [[ "$stderr" == *"template: inspect:1:2: executing \"inspect\" at <.Bogus>: can't evaluate field Bogus"* ]]
        run -125 rc image inspect
        [[ "$output" == "Error: requires at least 1 arg(s), only received 0"* ]]
}

@test "history: podman's columns, --format, --human, -q, --no-trunc, json" {
        run -0 rc history localhost/fixture:1
        [[ "${lines[0]}" =~ ^ID\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
        [[ "${lines[1]}" =~ ^[0-9a-f]{12}\ .*ENV\ FROM_IMAGE=yes ]]
        run -0 rc history --format '{{.ID}} {{.Created}}' localhost/fixture:1
        [[ "${lines[0]}" =~ ^[0-9a-f]{12}\ .*ago$ ]]
        [[ "${lines[1]}" =~ ^\<missing\>\ .*ago$ ]]
        run -0 rc history --human=false localhost/fixture:1
        [[ "${lines[1]}" =~ ^[0-9a-f]{12}\ +2024-01-02T00:00:00Z ]]
        run -0 rc history -qH localhost/fixture:1
        [[ "${lines[0]}" =~ ^[0-9a-f]{12}$ ]]
        run -0 rc history --no-trunc localhost/fixture:1
        [[ "${lines[1]}" =~ ^[0-9a-f]{64}\  ]]
        run -0 rc history --format "{{.ID}}\t{{.ID}}" localhost/fixture:1
        [[ "${lines[0]}" =~ ^[0-9a-f]{12}$'\t'[0-9a-f]{12}$ ]]
        run -0 rc history --format json localhost/fixture:1
        [ "$(json '[e["id"] == "<missing>" or len(e["id"]) == 64 for e in d]' <<<"$output")" = "[True, True, True]" ]
        [ "$(json 'd[0]["created"]' <<<"$output")" = 2024-01-02T00:00:00Z ]
        [ "$(json '[e["size"] > 0 for e in d]' <<<"$output")" = "[False, True, True]" ]
        # the same times as rc images
        run -0 rc image list --format '{{.CreatedSince}}--{{.CreatedAt}}' localhost/fixture:1
        from_list=$output
        run -0 rc image history --format '{{.CreatedSince}}--{{.CreatedAt}}' localhost/fixture:1
        [[ "${lines[2]}" == "$from_list" ]]
        run -125 rc history localhost/nothing
        [ "$output" = "Error: localhost/nothing: image not known" ]
}

@test "tag and untag: short names are local; image exists says it with its status alone" {
        _tag_and_check() {
                rc tag localhost/bb "$1"
                run -0 rc image exists "$2"
                [ -z "$output" ]
                rc untag localhost/bb "$2"
                run -1 rc image exists "$2"
                [ -z "$output" ]
        }
        _tag_and_check registry.com/image:latest registry.com/image:latest
        _tag_and_check registry.com/image registry.com/image:latest
        _tag_and_check image:latest localhost/image:latest
        _tag_and_check image localhost/image:latest
        rc tag localhost/bb myimg
        run -0 rc images --format '{{.Repository}}:{{.Tag}}' myimg
        [ "$output" = "localhost/myimg:latest" ]
        rc untag localhost/bb myimg
        run -125 rc untag localhost/bb registry.com/foo:bar
        [ "$output" = "Error: registry.com/foo:bar: tag not known" ]
        # untag without names: all of them, the image stays
        id=$(rc inspect --format '{{.ID}}' localhost/bb)
        rc tag localhost/bb registry.com/1:latest registry.com/2:latest
        rc untag "$id"
        run -0 rc image inspect "$id" --format '{{.RepoTags}}'
        [ "$output" = "[]" ]
        rc tag "$id" localhost/bb
        run -125 rc tag localhost/nothing localhost/x
        [ "$output" = "Error: localhost/nothing: image not known" ]
        run -125 rc tag localhost/bb
        [[ "$output" == "Error: requires at least 2 arg(s)"* ]]
}

@test "rmi: podman's rules for names, ids, -f, -a, --ignore and exit codes" {
        import_busybox localhost/two:1
        rc tag localhost/two:1 localhost/two:2
        id=$(rc inspect --format '{{.Id}}' localhost/two:1)
        run -125 rc rmi "${id:0:12}"
        [ "$output" = "Error: unable to delete image \"$id\" by ID with more than one tag ([localhost/two:1 localhost/two:2]): please force removal" ]
        run -0 rc rmi localhost/two:2
        [ "$output" = "Untagged: localhost/two:2" ]
        rc tag localhost/two:1 localhost/two:2
        run -0 rc rmi -f "$id"
        [ "$output" = "Untagged: localhost/two:1
Untagged: localhost/two:2
Deleted: $id" ]
        run -1 rc rmi bogus
        [ "$output" = "Error: bogus: image not known" ]
        run -0 rc rmi -f bogus
        [ "$output" = "" ]
        run -0 rc image rm --force bogus
        [ "$output" = "" ]
        run -0 rc rmi --ignore bogus
        [ "$output" = "" ]
        run -125 rc rmi
        [[ "$output" == "Error: image name or ID must be specified"* ]]
        run -125 rc rmi -a localhost/bb
        [[ "$output" == *"when using the --all switch"* ]]
        # two missing images: both named, exit 1
        run -1 rc rmi nope1 nope2
        [[ "$output" == *"2 errors occurred:"*"nope1: image not known"*"nope2: image not known"* ]]
}

@test "rmi -a removes every image; a container keeps its image (exit 2)" {
        RC_ROOT=$RC_WORK/rmi-all-root
        import_busybox localhost/a
        import_busybox localhost/b
        rc tag localhost/b localhost/b:2
        rc run --name keeper localhost/a true
        run -2 rc rmi -a
        [[ "$output" == *"Deleted: "* ]]
        [[ "$output" == *"image is in use by a container"* ]]
        run -0 rc images --format '{{.Repository}}'
        [ "$output" = "localhost/a" ]
        rc rm keeper >/dev/null
        run -0 rc rmi -a
        [ -z "$(rc images -q)" ]
}

@test "save -m, save by id, extra names, --uncompressed; load round trip of two images" {
        rc tag localhost/bb localhost/second
        run -0 rc save -m -o "$BATS_TEST_TMPDIR/two.tar" localhost/fixture:1 localhost/bb
        [ "$(tar -xOf "$BATS_TEST_TMPDIR/two.tar" manifest.json | json 'sorted(t for e in d for t in e["RepoTags"])')" = \
          "['localhost/bb:latest', 'localhost/fixture:1']" ]
        ids=$(rc images -q --no-trunc | sort)
        rc rmi -f localhost/fixture:1 localhost/bb localhost/second >/dev/null
        run -0 rc load -i "$BATS_TEST_TMPDIR/two.tar"
        [[ "$output" == *"Loaded image: localhost/fixture:1"* ]]
        [[ "$output" == *"Loaded image: localhost/bb:latest"* ]]
        [ "$(rc images -q --no-trunc | sort)" = "$ids" ]
        run -0 rc images --format '{{.CreatedAt}}' localhost/fixture:1
        [ "$output" = "2024-01-01 00:00:00 +0000 UTC" ]
        # without -m further arguments are more names for the image
        run -0 rc save -o "$BATS_TEST_TMPDIR/named.tar" localhost/bb extra:1
        [ "$(tar -xOf "$BATS_TEST_TMPDIR/named.tar" manifest.json | json 'd[0]["RepoTags"]')" = "['localhost/bb:latest', 'localhost/extra:1']" ]
        # saved by id: no name, loaded as <none>
        id=$(rc inspect --format '{{.Id}}' localhost/bb)
        rc save -o "$BATS_TEST_TMPDIR/byid.tar" "$id"
        rc rmi -f "$id" >/dev/null
        run -0 rc load -i "$BATS_TEST_TMPDIR/byid.tar"
        run -0 rc images -a --format '{{.ID}} {{.Repository}}:{{.Tag}}' --filter dangling=true
        [ "$output" = "${id:0:12} <none>:<none>" ]
        rc tag "$id" localhost/bb
        # --uncompressed: OCI layers as plain tars
        rc save --format oci-archive --uncompressed -o "$BATS_TEST_TMPDIR/plain.tar" localhost/fixture:1
        mkdir "$BATS_TEST_TMPDIR/plain"
        tar -C "$BATS_TEST_TMPDIR/plain" -xf "$BATS_TEST_TMPDIR/plain.tar"
        [ "$(python3 -c 'import json,sys,tarfile; m=json.load(open(sys.argv[1])); print(all(tarfile.is_tarfile(sys.argv[2] + "/" + l["digest"].split(":")[1]) for l in m["layers"]))' \
                "$BATS_TEST_TMPDIR/plain/blobs/sha256/$(json 'd["manifests"][0]["digest"].split(":")[1]' <"$BATS_TEST_TMPDIR/plain/index.json")" \
                "$BATS_TEST_TMPDIR/plain/blobs/sha256")" = True ]
        run -125 rc save -m --format oci-archive -o "$BATS_TEST_TMPDIR/x.tar" localhost/bb localhost/fixture:1
        [[ "$output" == *"only docker-archive"* ]]
        run -125 rc save -o "$BATS_TEST_TMPDIR/x.tar" localhost/nothing
        [ "$output" = "Error: localhost/nothing: image not known" ]
}

@test "load of something else: podman's message, no stray errno text" {
        echo "I am an invalid file and should cause a load error" >"$BATS_TEST_TMPDIR/invalid"
        run -125 rc load -i "$BATS_TEST_TMPDIR/invalid"
        [[ "$output" == *"payload does not match any of the supported image formats"* ]]
        [[ "$output" != *"multibyte"* ]]
        run -125 bash -c "'$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' load <<<'Danger, this is a corrupt tarball'"
        [[ "$output" == *"payload does not match any of the supported image formats"* ]]
}

@test "import: prints sha256:ID, names short names localhost/NAME, -m is the history comment" {
        run -0 rc import -m "imported for a test" "$(busybox_tar)" imp:2
        [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
        run -0 rc images --format '{{.Repository}}:{{.Tag}}' imp:2
        [ "$output" = "localhost/imp:2" ]
        run -0 rc history --format '{{.Comment}}' imp:2
        [ "$output" = "imported for a test" ]
        run -0 rc import -q "$(busybox_tar)"
        [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
        rc rmi -f localhost/imp:2 "${output#sha256:}" >/dev/null
        run -125 rc import
        [[ "$output" == "Error: need to give the path to the tarball"* ]]
}

@test "version: podman's lines, --format json and templates" {
        run -0 rc version
        [[ "${lines[0]}" =~ ^Client:\ +rc$ ]]
        [[ "${lines[1]}" =~ ^Version:\ +[0-9]+\.[0-9.]+$ ]]
        [[ "$output" == *"API Version:"* ]]
        [[ "$output" =~ OS/Arch:\ +linux/ ]]
        run -0 rc version --format json
        [ "$(json 'd["Client"]["Version"]' <<<"$output")" = "$(rc --version | awk '{print $3}')" ]
        run -0 rc version --format '{{.Client.Version}} {{.Client.Os}}'
        [ "$output" = "$(rc --version | awk '{print $3}') linux" ]
        run -125 rc version extra
        [[ "$output" == *"takes no arguments"* ]]
}

@test "info --format: podman's field names" {
        run -0 rc info --format json
        [ "$(json 'd["store"]["graphRoot"]' <<<"$output")" = "$RC_ROOT" ]
        [ "$(json 'd["store"]["imageStore"]["number"]' <<<"$output")" = 2 ]
        [[ "$(json 'd["host"]["cgroupVersion"]' <<<"$output")" =~ ^v[12]$ ]]
        [ "$(json 'd["host"]["security"]["rootless"]' <<<"$output")" = True ]
        run -0 rc info --format '{{.Host.Arch}} {{.Host.Os}} {{.Store.GraphRoot}} {{.Host.Security.Rootless}}'
        [ "$output" = "$(rc version --format '{{.Client.OsArch}}' | cut -d/ -f2) linux $RC_ROOT true" ]
        run -0 rc info --format '{{.Store.ImageStore.Number}} {{.Host.CgroupsVersion}} {{.Store.GraphOptions}}'
        [[ "$output" =~ ^2\ v[12]\ map\[\]$ ]]
        run -125 rc info --format '{{.Nope}}'
        [[ "$output" == *"can't evaluate field Nope"* ]]
}

@test "help: every command listed, rc help COMMAND, podman's option errors" {
        run -0 rc --help
        for c in run ps rm pull push images image inspect history tag untag rmi import save load login logout \
                info version system help; do
                [[ "$output" =~ $'\n'"  $c " ]] || { echo "rc --help lacks $c"; return 1; }
        done
        run -0 rc help images
        [ "$output" = "$(rc images --help)" ]
        [[ "$output" == *"Usage:"$'\n'"  rc images [options] [IMAGE]"* ]]
        run -0 rc help image ls
        [[ "$output" == *"rc images [options]"* ]]
        run -125 rc images --bogus
        [ "$output" = "Error: unknown flag: --bogus
See 'rc images --help'" ]
        run -125 rc images -Z
        [[ "$output" == "Error: unknown shorthand flag: 'Z' in -Z"* ]]
        run -125 rc history --format
        [[ "$output" == "Error: flag needs an argument: --format"* ]]
        run -1 rc --log-level bogus images
        [ "$output" = 'Log Level "bogus" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic' ]
        run -0 rc --log-level warning images -q
        run -125 rc image
        [[ "$output" == *"missing command 'rc image COMMAND'"* ]]
}
