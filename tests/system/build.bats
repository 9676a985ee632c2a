#!/usr/bin/env bats
# rc build and rc commit: every instruction checked by running the result,
# multi-stage, the cache, .dockerignore, failures, hostile Dockerfiles and
# contexts, and images podman runs.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        import_busybox localhost/bb
}

teardown_file() {
        rc_teardown_file
}

teardown() {
        # a test's own servers, if it stopped half-way
        [ -z "${server:-}" ] || kill "$server" 2>/dev/null || true
        [ -z "${REGISTRY_PID:-}" ] || kill "$REGISTRY_PID" 2>/dev/null || true
}

# A context directory with the Dockerfile read from stdin: ctx NAME < Dockerfile
ctx() {
        CTX=$BATS_TEST_TMPDIR/${1:-ctx}
        mkdir -p "$CTX"
        cat >"$CTX/Dockerfile"
}

# Nothing of a build may stay behind: no container, no staging, no mount.
assert_clean_store() {
        assert_no_container_left
        local left
        left=$(ls -A "$RC_ROOT/tmp")
        [ -z "$left" ] || { echo "left in tmp/: $left"; return 1; }
}

@test "every instruction: the result's env, user, workdir, command, ports, labels and files" {
        ctx <<'DOCKERFILE'
# syntax=docker/dockerfile:1
FROM localhost/bb
LABEL org.example.name="the app" version=1
MAINTAINER Someone <someone@example.com>
ENV APP=/srv/app PATH=/usr/local/bin:/bin:/usr/bin
ENV OLD form with spaces
ARG WHO=builder
WORKDIR $APP
RUN echo "made by $WHO" > made && mkdir -p /usr/local/bin && \
    printf '#!/bin/sh\necho tool "$@"\n' > /usr/local/bin/tool && chmod 755 /usr/local/bin/tool
COPY hello.txt ./
ADD hello.txt /added/
SHELL ["/bin/sh", "-c"]
RUN ["sh", "-c", "echo exec form >> made"]
EXPOSE 80 8080/udp
VOLUME /data
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=2 CMD tool ok
ONBUILD RUN echo onbuild
USER user
ENTRYPOINT ["tool"]
CMD ["default", "args"]
DOCKERFILE
        echo hello >"$CTX/hello.txt"
        run -0 rc build -t localhost/every:1 "$CTX"
        [[ "$output" == *"STEP 1/20: FROM localhost/bb"* ]]
        [[ "$output" == *"COMMIT localhost/every:1"* ]]
        [[ "$output" == *"Successfully tagged localhost/every:1"* ]]
        id=${lines[-1]}
        [[ "$id" =~ ^[0-9a-f]{64}$ ]]
        run -0 rc run --rm localhost/every:1
        [ "$output" = "tool default args" ]
        run -0 rc run --rm localhost/every:1 more
        [ "$output" = "tool more" ]
        run -0 rc run --rm --entrypoint sh localhost/every:1 -c 'pwd; id -un; echo $APP $OLD; cat made hello.txt /added/hello.txt'
        [ "${lines[0]}" = /srv/app ]
        [ "${lines[1]}" = user ]
        [ "${lines[2]}" = "/srv/app form with spaces" ]
        [ "${lines[3]}" = "made by builder" ]
        [ "${lines[4]}" = "exec form" ]
        [ "${lines[5]}" = hello ]
        [ "${lines[6]}" = hello ]
        run -0 rc image inspect --format '{{json .Config.ExposedPorts}} {{.Config.StopSignal}} {{json .Config.Volumes}} {{.Author}}' localhost/every:1
        [ "$output" = '{"80/tcp":{},"8080/udp":{}} SIGINT {"/data":{}} Someone <someone@example.com>' ]
        run -0 rc image inspect --format '{{index .Config.Labels "org.example.name"}}|{{.Config.Labels.version}}|{{.Config.Labels.maintainer}}' localhost/every:1
        [ "$output" = "the app|1|Someone <someone@example.com>" ]
        blob=$RC_ROOT/blobs/sha256/$id
        python3 - "$blob" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
cfg = c["config"]
assert cfg["Healthcheck"] == {"Test": ["CMD-SHELL", "tool ok"], "Interval": 5000000000, "Retries": 2}, cfg
assert cfg["OnBuild"] == ["RUN echo onbuild"], cfg
assert cfg["Shell"] == ["/bin/sh", "-c"], cfg
assert cfg["User"] == "user" and cfg["WorkingDir"] == "/srv/app", cfg
assert "WHO=builder" not in " ".join(cfg["Env"]), cfg
h = c["history"]
assert len([e for e in h if not e.get("empty_layer")]) == len(c["rootfs"]["diff_ids"]), h
assert any(e.get("created_by", "").startswith("/bin/sh -c echo \"made by") for e in h), h
PY
        assert_clean_store
}

@test "CMD and ENTRYPOINT: shell form, and a new entrypoint drops the base's command" {
        ctx base <<'DOCKERFILE'
FROM localhost/bb
CMD ["echo", "base command"]
DOCKERFILE
        rc build -q -t localhost/cmdbase "$CTX" >/dev/null
        ctx <<'DOCKERFILE'
FROM localhost/cmdbase
ENTRYPOINT echo entry $0
DOCKERFILE
        run -0 rc build -q -t localhost/entry "$CTX"
        run -0 rc run --rm localhost/entry
        [ "$output" = "entry /bin/sh" ]
        run -0 rc image inspect --format '{{json .Config.Cmd}}' localhost/entry
        [ "$output" = null ] || [ "$output" = "[]" ]
        run -0 rc run --rm localhost/cmdbase
        [ "$output" = "base command" ]
}

@test "a file deleted in a later step is gone from the image; a directory replaced is opaque" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN mkdir -p /d/sub && echo a > /d/sub/a && echo keep > /d/keep && echo x > /tmp/big
RUN rm /tmp/big /etc/owned-by-root && rm -rf /d && mkdir /d && echo new > /d/new
DOCKERFILE
        run -0 rc build -q -t localhost/deleted "$CTX"
        run -0 rc run --rm localhost/deleted sh -c 'ls /tmp; ls /d; test -e /etc/owned-by-root || echo gone'
        [ "$output" = "$(printf 'new\ngone')" ]
}

@test "multi-stage: COPY --from a stage and an image, --target, stages not needed are skipped" {
        ctx <<'DOCKERFILE'
FROM localhost/bb AS build
RUN mkdir /out && echo artifact > /out/app

FROM localhost/bb AS broken
RUN exit 1

FROM localhost/bb AS test
RUN echo test stage > /t

FROM localhost/bb
COPY --from=build /out/app /usr/bin/app
COPY --from=localhost/bb /etc/group /copied-group
COPY --from=0 /out /out0
CMD ["cat", "/usr/bin/app", "/out0/app"]
DOCKERFILE
        run -0 rc build -t localhost/multi "$CTX"
        [[ "$output" == *"[1/4] STEP 1/2: FROM localhost/bb AS build"* ]]
        [[ "$output" != *"[2/4]"* ]]
        [[ "$output" != *"[3/4]"* ]]
        run -0 rc run --rm localhost/multi
        [ "$output" = "$(printf 'artifact\nartifact')" ]
        run -0 rc run --rm localhost/multi cat /copied-group
        [[ "$output" == root:x:0:* ]]
        run -0 rc build -q --target test -t localhost/multi-test "$CTX"
        run -0 rc run --rm localhost/multi-test cat /t
        [ "$output" = "test stage" ]
        run -125 rc build --target nope "$CTX"
        [[ "$output" == *'target stage "nope" not found'* ]]
}

@test "the cache: a rebuild runs no step; a COPY source's content or mode change is a miss" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN echo run >> /runs
COPY f /f
RUN echo after-copy >> /runs
CMD ["cat", "/f"]
DOCKERFILE
        echo one >"$CTX/f"
        run -0 rc build -t localhost/cached "$CTX"
        first=${lines[-1]}
        [[ "$output" != *"Using cache"* ]]
        run -0 rc build -t localhost/cached "$CTX"
        [ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 3 ]
        [ "${lines[-1]}" = "$first" ]
        # content changes: the COPY and what follows run again
        echo two >"$CTX/f"
        run -0 rc build -t localhost/cached "$CTX"
        [ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 1 ]
        run -0 rc run --rm localhost/cached
        [ "$output" = two ]
        # mode changes too
        chmod 600 "$CTX/f"
        run -0 rc build -t localhost/cached "$CTX"
        [ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 1 ]
        run -0 rc run --rm localhost/cached stat -c %a /f
        [ "$output" = 600 ]
        # --no-cache runs everything
        run -0 rc build --no-cache -t localhost/cached "$CTX"
        [[ "$output" != *"Using cache"* ]]
        # intermediate images are hidden, shown with -a
        run -0 rc images -q
        [ "$(rc images -a -q | wc -l)" -gt "$(wc -l <<<"$output")" ]
}

@test "a cached rebuild is fast" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN echo x > /x
COPY . /ctx
ENV A=1
CMD ["true"]
DOCKERFILE
        head -c 1000000 /dev/urandom >"$CTX/blob"
        rc build -q -t localhost/fast "$CTX" >/dev/null
        start=$(date +%s%N)
        run -0 rc build -q -t localhost/fast "$CTX"
        ms=$((($(date +%s%N) - start) / 1000000))
        echo "cached rebuild: $ms ms"
        [ "$ms" -lt 1000 ]
}

@test ".dockerignore: patterns, ** and exceptions; .containerignore wins" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
COPY . /ctx/
CMD ["find", "/ctx", "-type", "f"]
DOCKERFILE
        mkdir -p "$CTX/src/keep" "$CTX/src/drop" "$CTX/logs/deep"
        touch "$CTX/src/keep/a.c" "$CTX/src/drop/b.c" "$CTX/logs/deep/x.log" "$CTX/secret.txt" "$CTX/main.c"
        printf '# comment\nsecret.txt\n**/*.log\nsrc/*\n!src/keep\n' >"$CTX/.dockerignore"
        run -0 rc build -q -t localhost/ignored "$CTX"
        run -0 rc run --rm localhost/ignored
        files=$(sort <<<"$output" | tr '\n' ' ')
        [ "$files" = "/ctx/.dockerignore /ctx/Dockerfile /ctx/main.c /ctx/src/keep/a.c " ]
        printf 'main.c\n' >"$CTX/.containerignore"
        run -0 rc build -q -t localhost/ignored "$CTX"
        run -0 rc run --rm localhost/ignored
        [[ "$output" == *secret.txt* ]]
        [[ "$output" != *main.c* ]]
        # a source that is excluded is not found
        printf 'FROM localhost/bb\nCOPY main.c /\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"main.c: not found in the build context: excluded by its ignore file"* ]]
}

@test "--build-arg and ARG scope: global ARGs in FROM, a stage re-declares them, ENV wins, unused ones warned" {
        ctx <<'DOCKERFILE'
ARG BASE=localhost/bb
ARG GLOBAL=global-default
FROM $BASE AS one
ARG GLOBAL
ARG LOCAL=local-default
ENV FROMENV=env
ARG FROMENV=arg
RUN echo "one: $GLOBAL $LOCAL $FROMENV" > /one

FROM ${BASE}
RUN echo "two: [$GLOBAL] [$LOCAL]" > /two
COPY --from=one /one /one
CMD ["cat", "/one", "/two"]
DOCKERFILE
        run -0 rc build --build-arg LOCAL=given --build-arg UNUSED=x -t localhost/args "$CTX"
        [[ "$output" == *"[Warning] one or more build-args [UNUSED] were not consumed"* ]]
        run -0 rc run --rm localhost/args
        [ "${lines[0]}" = "one: global-default given env" ]
        [ "${lines[1]}" = "two: [] []" ]
        # a build argument value is part of the RUN step's cache key
        run -0 rc build --build-arg LOCAL=other -t localhost/args "$CTX"
        run -0 rc run --rm localhost/args cat /one
        [ "$output" = "one: global-default other env" ]
        run -0 rc image inspect --format '{{json .Config.Env}}' localhost/args
        [[ "$output" != *LOCAL* ]]
}

@test "heredocs: RUN scripts, a #! interpreter, files for COPY with and without substitution" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
ARG NAME=world
RUN <<EOF
echo "hello $NAME" > /script
echo second >> /script
EOF
RUN <<EOF
#!/bin/sh -e
echo "from the interpreter" > /interp
EOF
RUN cat <<A > /a && cat <<'B' > /b
first $NAME
A
second $NAME
B
COPY <<EOF /etc/expanded.conf
name=$NAME
EOF
COPY <<-"EOF" /etc/literal.conf
	name=$NAME
	EOF
CMD ["cat", "/script", "/interp", "/a", "/b", "/etc/expanded.conf", "/etc/literal.conf"]
DOCKERFILE
        run -0 rc build -q -t localhost/heredoc "$CTX"
        run -0 rc run --rm localhost/heredoc
        [ "$output" = "$(printf 'hello world\nsecond\nfrom the interpreter\nfirst world\nsecond $NAME\nname=world\nname=$NAME')" ]
}

@test "a failing RUN: the step, its line and the exit status; the previous tag stays; nothing is left" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
CMD ["echo", "version 1"]
DOCKERFILE
        rc build -q -t localhost/stays:1 "$CTX" >/dev/null
        before=$(rc images -a -q --no-trunc | sort)
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN echo about to fail; exit 7
CMD ["echo", "version 2"]
DOCKERFILE
        run -7 rc build -t localhost/stays:1 "$CTX"
        [[ "$output" == *"about to fail"* ]]
        [[ "$output" == *'Error: building at STEP "RUN echo about to fail; exit 7"'*"Dockerfile:2"*"exit status 7"* ]]
        run -0 rc run --rm localhost/stays:1
        [ "$output" = "version 1" ]
        [ "$(rc images -a -q --no-trunc | sort)" = "$before" ]
        assert_clean_store
        # a command that does not exist: 127
        printf 'FROM localhost/bb\nRUN ["/no/such/command"]\n' >"$CTX/Dockerfile"
        run -127 rc build "$CTX"
        assert_clean_store
}

@test "a parse error names the file and line; unknown instructions and bad flags are errors" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN echo fine \
    still fine
ENV ONLYKEY
DOCKERFILE
        run -125 rc build "$CTX"
        [[ "$output" == *"Dockerfile:4: ENV: must have two arguments"* ]]
        printf 'FROM localhost/bb\nFROBNICATE x\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"Dockerfile:2: unknown instruction: FROBNICATE"* ]]
        printf 'FROM localhost/bb\nCOPY --frob=1 a b\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"Dockerfile:2: COPY: unknown flag: --frob"* ]]
}

@test "-f, a Dockerfile on stdin without a context, -q, --iidfile, --label, Containerfile first" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
CMD ["echo", "from Dockerfile"]
DOCKERFILE
        printf 'FROM localhost/bb\nCMD ["echo", "from Containerfile"]\n' >"$CTX/Containerfile"
        printf 'FROM localhost/bb\nCMD ["echo", "from other"]\n' >"$BATS_TEST_TMPDIR/Other"
        run -0 rc build -q --iidfile "$BATS_TEST_TMPDIR/iid" --label built.by=rc --label empty= -t cf "$CTX"
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        [ "$(cat "$BATS_TEST_TMPDIR/iid")" = "sha256:$output" ]
        run -0 rc run --rm cf
        [ "$output" = "from Containerfile" ]
        run -0 rc image inspect --format '{{index .Config.Labels "built.by"}}' localhost/cf
        [ "$output" = rc ]
        run -0 rc build -q -f "$BATS_TEST_TMPDIR/Other" -t other "$CTX"
        run -0 rc run --rm other
        [ "$output" = "from other" ]
        run -0 bash -c "printf 'FROM localhost/bb\nRUN echo stdin > /s\nCMD [\"cat\", \"/s\"]\n' | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' build -q -t stdin -"
        run -0 rc run --rm stdin
        [ "$output" = stdin ]
        run -125 bash -c "printf 'FROM localhost/bb\nCOPY x /\n' | '$RC_BIN' --root '$RC_ROOT' --runroot '$RC_RUNROOT' build -"
        [[ "$output" == *"COPY needs a build context"* ]]
}

@test "COPY: directories, wildcards, trailing slashes, --chown and --chmod" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
COPY dir /into
COPY dir/ /into2/
COPY *.txt /texts/
COPY a.txt /file
COPY a.txt /home
COPY --chown=user:root --chmod=0750 dir /owned/
COPY --chown=1234 a.txt /numeric
RUN stat -c '%U:%G %a' /owned /owned/sub/f > /stats && stat -c '%u:%g' /numeric >> /stats
CMD ["sh", "-c", "find /into /into2 /texts /file /home/a.txt | sort; cat /stats"]
DOCKERFILE
        mkdir -p "$CTX/dir/sub"
        echo f >"$CTX/dir/sub/f"
        echo a >"$CTX/a.txt"
        echo b >"$CTX/b.txt"
        run -0 rc build -q -t localhost/copies "$CTX"
        run -0 rc run --rm localhost/copies
        [ "$output" = "$(printf '/file\n/home/a.txt\n/into\n/into/sub\n/into/sub/f\n/into2\n/into2/sub\n/into2/sub/f\n/texts\n/texts/a.txt\n/texts/b.txt\nuser:root 750\nuser:root 750\n1234:1234')" ]
        printf 'FROM localhost/bb\nCOPY a.txt b.txt /nodir\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"the destination must be a directory and end with a /"* ]]
}

@test "ADD of a local tar extracts it; a plain file is copied" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
ADD files.tar.gz /opt/
ADD plain.txt /opt/plain.txt
CMD ["find", "/opt", "-type", "f"]
DOCKERFILE
        mkdir -p "$BATS_TEST_TMPDIR/t/pkg"
        echo in-tar >"$BATS_TEST_TMPDIR/t/pkg/file"
        tar -C "$BATS_TEST_TMPDIR/t" -czf "$CTX/files.tar.gz" pkg
        echo plain >"$CTX/plain.txt"
        run -0 rc build -q -t localhost/added "$CTX"
        run -0 rc run --rm localhost/added
        [ "$(sort <<<"$output" | tr '\n' ' ')" = "/opt/pkg/file /opt/plain.txt " ]
}

@test "ADD of a URL downloads it (mode 0600, --checksum); a redirect to file:// is refused" {
        mkdir -p "$BATS_TEST_TMPDIR/www"
        echo downloaded >"$BATS_TEST_TMPDIR/www/file.txt"
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        cat >"$BATS_TEST_TMPDIR/serve.py" <<'PY'
import http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/redir":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        return super().do_GET()
    def log_message(self, *a):
        pass
os.chdir(sys.argv[2])
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
        python3 "$BATS_TEST_TMPDIR/serve.py" "$port" "$BATS_TEST_TMPDIR/www" 3>&- &
        server=$!
        for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
        sum=$(sha256sum "$BATS_TEST_TMPDIR/www/file.txt" | cut -d' ' -f1)
        ctx <<DOCKERFILE
FROM localhost/bb
ADD http://127.0.0.1:$port/file.txt /dl/
ADD --checksum=sha256:$sum http://127.0.0.1:$port/file.txt?x=1 /named
CMD ["sh", "-c", "cat /dl/file.txt /named; stat -c %a /dl/file.txt"]
DOCKERFILE
        run -0 rc build -q -t localhost/url "$CTX"
        run -0 rc run --rm localhost/url
        [ "$output" = "$(printf 'downloaded\ndownloaded\n600')" ]
        printf 'FROM localhost/bb\nADD --checksum=sha256:%064d http://127.0.0.1:%s/file.txt /x\n' 0 "$port" >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"(--checksum)"* ]]
        printf 'FROM localhost/bb\nADD http://127.0.0.1:%s/redir /x\n' "$port" >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"ADD http://127.0.0.1:$port/redir: Protocol \"file\" not supported"* ]]
        kill "$server"
        assert_clean_store
}

@test "hostile: sources outside the context, a context symlink to /, a planted symlink, huge lines, deep continuations" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
COPY ../../etc/passwd /
DOCKERFILE
        run -125 rc build "$CTX"
        [[ "$output" == *"forbidden path outside the build context"* ]]
        ln -s / "$CTX/rootlink"
        ln -s ../../../../../../etc/shadow "$CTX/up"
        printf 'FROM localhost/bb\nCOPY rootlink/etc/passwd /x\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"rootlink/etc/passwd: not found in the build context"* ]]
        printf 'FROM localhost/bb\nCOPY up /x\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"up: not found in the build context"* ]]
        # a symlink the image plants: COPY lands in the container's root, never the host's
        echo payload >"$CTX/f"
        cat >"$CTX/Dockerfile" <<'DOCKERFILE'
FROM localhost/bb
RUN ln -s / /x && ln -s /etc /y && ln -s ../../../../../../tmp /z
COPY f /x/
COPY f /y/planted
COPY f /z/escaped-$$
CMD ["sh", "-c", "cat /f /etc/planted /tmp/escaped-*"]
DOCKERFILE
        run -0 rc build -q -t localhost/planted "$CTX"
        run -0 rc run --rm localhost/planted
        [ "$output" = "$(printf 'payload\npayload\npayload')" ]
        [ ! -e /f ] && [ ! -e /etc/planted ]
        [ -z "$(ls /tmp | grep '^escaped-' || true)" ]
        # a huge line and very deep continuations parse and run
        cat >"$BATS_TEST_TMPDIR/huge.py" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("FROM localhost/bb\n")
    f.write("ENV BIG=" + "x" * int(sys.argv[2]) + "\n")
    if len(sys.argv) < 4:
        f.write("RUN echo start \\\n" + "  && true \\\n" * 5000 + "  && echo ${#BIG} > /len\n")
    f.write('CMD ["cat", "/len"]\n')
PY
        python3 "$BATS_TEST_TMPDIR/huge.py" "$CTX/Dockerfile" 100000
        run -0 rc build -q -t localhost/huge "$CTX"
        run -0 rc run --rm localhost/huge
        [ "$output" = 100000 ]
        # a value beyond what an image config may hold is refused, in a short message
        python3 "$BATS_TEST_TMPDIR/huge.py" "$CTX/Dockerfile" 1200000 no-run
        run -125 rc build -q "$CTX"
        [[ "$output" == *"a word longer than 1048576 bytes"* ]]
        [ "${#output}" -lt 2000 ]
        assert_clean_store
}

@test "ONBUILD triggers run in a build FROM the image and are not inherited" {
        ctx base <<'DOCKERFILE'
FROM localhost/bb
ONBUILD RUN echo triggered > /trigger
DOCKERFILE
        rc build -q -t localhost/onbuild-base "$CTX" >/dev/null
        ctx child <<'DOCKERFILE'
FROM localhost/onbuild-base
CMD ["cat", "/trigger"]
DOCKERFILE
        run -0 rc build -t localhost/onbuild-child "$CTX"
        [[ "$output" == *"ONBUILD RUN echo triggered"* ]]
        run -0 rc run --rm localhost/onbuild-child
        [ "$output" = triggered ]
        id=$(rc image inspect --format '{{.Id}}' localhost/onbuild-child)
        python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert "OnBuild" not in c.get("config", {}), c' \
                "$RC_ROOT/blobs/sha256/$id"
}

@test "RUN --mount=type=cache is accepted with a warning; other mounts are refused" {
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN --mount=type=cache,target=/root/.cache echo cached-mount
DOCKERFILE
        run -0 rc build "$CTX"
        [[ "$output" == *"RUN --mount=type=cache is not supported by rc"* ]]
        [[ "$output" == *cached-mount* ]]
        printf 'FROM localhost/bb\nRUN --mount=type=secret,id=x cat /run/secrets/x\n' >"$CTX/Dockerfile"
        run -125 rc build "$CTX"
        [[ "$output" == *"RUN --mount=type=secret is not supported by rc"* ]]
}

@test "rc commit: changes, deletions, the container's command and env, --change, -m, --author" {
        rc run --name committed -e FOO=bar -w /home localhost/bb sh -c 'echo new > /home/new; rm /etc/owned-by-root; mkdir -p /x && echo y > /x/y' 
        run -0 rc commit -m "a message" --author "Me <me@example.com>" -c 'LABEL l=v' -c 'ENV X=$FOO-x' committed snap:1
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        run -0 rc run --rm localhost/snap:1 sh -c 'cat /home/new /x/y; test -e /etc/owned-by-root || echo gone; echo $FOO $X; pwd'
        [ "$output" = "$(printf 'new\ny\ngone\nbar bar-x\n/home')" ]
        run -0 rc image inspect --format '{{.Author}} {{.Config.Labels.l}}' localhost/snap:1
        [ "$output" = "Me <me@example.com> v" ]
        run -0 rc history localhost/snap:1
        [[ "${lines[1]}" == *"a message"* ]]
        # the committed command is the container's
        run -0 rc image inspect --format '{{json .Config.Cmd}}' localhost/snap:1
        [[ "$output" == '["sh","-c","echo new > /home/new;'* ]]
        run -125 rc commit -c 'RUN true' committed
        [[ "$output" == *"RUN cannot be changed"* ]]
        run -125 rc commit no-such-container
        rc rm committed
}

@test "rc commit with fuse-overlayfs and vfs" {
        for driver in fuse-overlayfs vfs; do
                if [ "$driver" = fuse-overlayfs ] && ! command -v fuse-overlayfs >/dev/null; then continue; fi
                root=$RC_WORK/root-$driver
                R=("$RC_BIN" --root "$root" --runroot "$RC_WORK/run-$driver" --storage-driver "$driver")
                "${R[@]}" import "$(busybox_tar)" localhost/bb >/dev/null
                "${R[@]}" run --name c localhost/bb sh -c 'rm -rf /home/user && mkdir /home/user && echo n > /home/user/n && rm /etc/owned-by-root && ln /etc/group /etc/g2'
                run -0 "${R[@]}" commit c localhost/snap
                run -0 "${R[@]}" run --rm localhost/snap sh -c 'ls /home/user; test -e /etc/owned-by-root || echo gone; cat /etc/g2 | head -1'
                [ "$output" = "$(printf 'n\ngone\nroot:x:0:')" ] || { echo "$driver: $output"; false; }
                printf 'FROM localhost/bb\nRUN rm /etc/owned-by-root && echo built > /b\nCOPY f /f\nCMD ["cat", "/b", "/f"]\n' >"$BATS_TEST_TMPDIR/Dockerfile"
                echo copied >"$BATS_TEST_TMPDIR/f"
                run -0 "${R[@]}" build -q -t localhost/built "$BATS_TEST_TMPDIR"
                run -0 "${R[@]}" run --rm localhost/built
                [ "$output" = "$(printf 'built\ncopied')" ] || { echo "$driver: $output"; false; }
                "${R[@]}" rm c
        done
}

@test "an image rc built runs in podman (save, load, run) and skopeo reads it" {
        ctx <<'DOCKERFILE'
FROM localhost/bb AS build
RUN echo from-stage > /artifact
FROM localhost/bb
COPY --from=build /artifact /artifact
RUN rm /etc/owned-by-root
ENV GREETING=podman
CMD ["sh", "-c", "cat /artifact; echo $GREETING; test -e /etc/owned-by-root || echo deleted"]
DOCKERFILE
        rc build -q -t localhost/interop "$CTX" >/dev/null
        rc save --format oci-archive -o "$BATS_TEST_TMPDIR/oci.tar" localhost/interop
        mkdir "$BATS_TEST_TMPDIR/oci" && tar -C "$BATS_TEST_TMPDIR/oci" -xf "$BATS_TEST_TMPDIR/oci.tar"
        run -0 skopeo inspect --config "oci:$BATS_TEST_TMPDIR/oci"
        [[ "$output" == *'"GREETING=podman"'* ]]
        podman_usable || skip "podman is not installed or not usable here"
        rc save -o "$BATS_TEST_TMPDIR/docker.tar" localhost/interop
        run -0 "${PODMAN[@]}" load -i "$BATS_TEST_TMPDIR/docker.tar"
        run -0 "${PODMAN[@]}" run --rm localhost/interop
        [ "${lines[-3]}" = from-stage ]
        [ "${lines[-2]}" = podman ]
        [ "${lines[-1]}" = deleted ]
        podman_cleanup
}

@test "an image rc built, pushed to a registry: skopeo inspects it, podman pulls and runs it" {
        command -v docker-registry >/dev/null || skip "docker-registry is not installed"
        source "$LIB/registry.sh"
        # not holding bats' output open: bats waits for whoever does
        registry_start "$RC_WORK/registry" 3>&-
        ctx <<'DOCKERFILE'
FROM localhost/bb
RUN echo pushed > /pushed && rm /etc/owned-by-root
LABEL via=registry
CMD ["cat", "/pushed"]
DOCKERFILE
        rc build -q -t localhost/topush "$CTX" >/dev/null
        run -0 rc push --tls-verify=false localhost/topush "$REGISTRY/built/app:1"
        run -0 skopeo inspect --tls-verify=false "docker://$REGISTRY/built/app:1"
        [[ "$output" == *'"via": "registry"'* ]]
        run -0 skopeo inspect --tls-verify=false --raw "docker://$REGISTRY/built/app:1"
        [[ "$output" == *application/vnd.oci.image.layer.v1.tar+gzip* ]]
        podman_usable || skip "podman is not installed or not usable here"
        run -0 "${PODMAN[@]}" run --rm --tls-verify=false "$REGISTRY/built/app:1"
        [ "${lines[-1]}" = pushed ]
        run -0 "${PODMAN[@]}" run --rm "$REGISTRY/built/app:1" sh -c 'test -e /etc/owned-by-root || echo deleted'
        [ "${lines[-1]}" = deleted ]
        podman_cleanup
        registry_stop
}

@test "slow: a real Debian build installs a package through apt" {
        [ "${RC_TEST_SLOW:-}" = 1 ] || skip "slow test: set RC_TEST_SLOW=1"
        [ -s "${RC_TEST_DEBIAN_TAR:-}" ] || skip "no Debian root file system (mmdebstrap runs as root in tests/run-tests.sh)"
        getent hosts deb.debian.org >/dev/null || skip "deb.debian.org cannot be resolved here"
        rc import "$RC_TEST_DEBIAN_TAR" localhost/debian:bookworm >/dev/null
        ctx <<'DOCKERFILE'
FROM localhost/debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends hello && rm -rf /var/lib/apt/lists/*
CMD ["hello"]
DOCKERFILE
        run -0 timeout 600 "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" build --network host -t localhost/hello "$CTX"
        run -0 rc run --rm localhost/hello
        [ "$output" = "Hello, world!" ]
}

@test "RUN steps have the user-mode network by default; --network none and RUN --network=none take it away" {
        CTX=$BATS_TEST_TMPDIR/netctx
        mkdir -p "$CTX"
        printf 'FROM localhost/bb\nRUN ls /sys/class/net/ >/nets && cat /etc/resolv.conf >/resolv\nRUN --network=none ls /sys/class/net/ >/nets-none\n' >"$CTX/Dockerfile"
        run -0 rc build -q -t localhost/netbuild "$CTX"
        run -0 rc run --rm localhost/netbuild cat /nets /resolv /nets-none
        [ "$output" = "$(printf 'lo\ntap0\nnameserver 10.0.2.3\nlo')" ]
        run -0 rc build -q --no-cache --network none -t localhost/netbuild "$CTX"
        run -0 rc run --rm localhost/netbuild cat /nets
        [ "$output" = lo ]
        run -125 rc build --network bogus "$CTX"
        [[ "$output" == *"--network bogus: supported values are slirp"* ]]
        rc rmi localhost/netbuild >/dev/null
}
