#!/usr/bin/env bats
# Health checks: --health-* flags, rc healthcheck run, the state in rc
# inspect and rc ps, the monitor's timer, timeouts, the image's HEALTHCHECK.
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

health() {
        rc inspect --format '{{.State.Health.Status}}' "$1"
}

# Wait up to $3 s (default 10) for container $1's health status to be $2.
wait_health() {
        for _ in $(seq $((${3:-10} * 20))); do
                [ "$(health "$1")" = "$2" ] && return 0
                sleep 0.05
        done
        echo "health of $1: $(health "$1"), not $2" >&2
        return 1
}

@test "healthcheck run: failures up to --health-retries make it unhealthy, a pass makes it healthy" {
        # no timer: only the runs of this test count
        run -0 rc run -d --name hc --health-cmd 'test -f /tmp/ok' --health-interval disable --health-retries 2 \
                localhost/bb sleep 1000
        run -0 health hc
        [ "$output" = starting ]
        run -1 rc healthcheck run hc
        [ "$output" = starting ]
        run -0 rc inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hc
        [ "$output" = "starting 1" ]
        run -1 rc healthcheck run hc
        [ "$output" = unhealthy ]
        run -0 rc inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hc
        [ "$output" = "unhealthy 2" ]
        rc exec hc touch /tmp/ok
        run -0 rc healthcheck run hc
        [ "$output" = "" ]
        run -0 rc inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' hc
        [ "$output" = "healthy 0" ]
        # podman's shape: the log of the results, the check in Config
        run -0 rc inspect --format json hc
        python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
h = c["State"]["Health"]
assert [e["ExitCode"] for e in h["Log"]] == [1, 1, 0], h
assert c["State"]["Healthcheck"] == h, c["State"]
assert all(e["Start"] <= e["End"] for e in h["Log"]), h
hc = c["Config"]["Healthcheck"]
assert hc["Test"] == ["CMD-SHELL", "test -f /tmp/ok"], hc
assert hc["Interval"] == 0 and hc["Retries"] == 2 and hc["Timeout"] == 30 * 10**9, hc
' <<<"$output"
        run -0 rc ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == "hc Up "*" (healthy)" ]]
}

@test "the output of a check is kept (at most 4 KiB) and the log holds the last 5 results" {
        rc run -d --name out --health-cmd 'head -c 10000 /dev/zero | tr "\0" x; echo; echo err >&2' \
                --health-interval disable localhost/bb sleep 1000
        for _ in 1 2 3 4 5 6; do rc healthcheck run out; done
        run -0 rc inspect --format json out
        python3 -c '
import json, sys
h = json.load(sys.stdin)[0]["State"]["Health"]
assert len(h["Log"]) == 5, len(h["Log"])
assert len(h["Log"][-1]["Output"]) == 4096, len(h["Log"][-1]["Output"])
assert h["Log"][-1]["Output"].startswith("xxxx"), h["Log"][-1]["Output"][:10]
' <<<"$output"
}

@test "the monitor's timer runs the check every interval and rc ps shows the health" {
        run -0 rc run -d --name timed --health-cmd 'test -f /tmp/ok' --health-interval 1s --health-retries 2 \
                localhost/bb sleep 1000
        wait_health timed unhealthy
        run -0 rc ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'
        [[ "$output" == "timed Up "*" (unhealthy)" ]]
        run -0 rc ps --filter health=healthy --format '{{.Names}}'
        [ "$output" = "" ]
        rc exec timed touch /tmp/ok
        wait_health timed healthy
        run -0 rc ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == "timed Up "*" (healthy)" ]]
        run -0 rc ps --filter health=healthy --format '{{.Names}}'
        [ "$output" = timed ]
}

@test "a --rm container's checks run too (its options live in the run root)" {
        run -0 rc run -d --rm --name timed-rm --health-cmd 'test -f /tmp/ok' --health-interval 1s \
                --health-retries 1 localhost/bb sleep 1000
        wait_health timed-rm unhealthy
        rc exec timed-rm touch /tmp/ok
        run -0 rc healthcheck run timed-rm
        run -0 rc inspect --format '{{.State.Health.Status}}' timed-rm
        [ "$output" = healthy ]
        rc rm -f timed-rm >/dev/null
}

@test "a check runs confined as the container's process: its capabilities, user, and pid namespace" {
        rc run -d --name conf --cap-drop ALL -u 1000:1000 --health-interval disable \
                --health-cmd 'grep CapEff /proc/self/status; id -u; cat /proc/1/cmdline | tr "\0" " "' \
                localhost/bb sleep 1000
        run -0 rc healthcheck run conf
        run -0 rc inspect --format '{{(index .State.Health.Log 0).Output}}' conf
        [ "${lines[0]}" = "$(printf 'CapEff:\t0000000000000000')" ]
        [ "${lines[1]}" = 1000 ]
        [ "${lines[2]}" = "sleep 1000 " ]
}

@test "a check that hangs is killed after --health-timeout and counts as failed" {
        rc run -d --name slow --health-cmd 'sleep 100' --health-timeout 1s --health-interval disable \
                --health-retries 1 localhost/bb sleep 1000
        start=$(date +%s%N)
        run -1 rc healthcheck run slow
        elapsed=$((($(date +%s%N) - start) / 1000000))
        [ "$output" = unhealthy ]
        [ "$elapsed" -ge 900 ] && [ "$elapsed" -lt 5000 ] || { echo "took ${elapsed}ms"; false; }
        run -0 rc inspect --format '{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}' slow
        [ "$output" = "-1 healthcheck command exceeded timeout of 1s" ]
}

@test "no healthcheck: exit 125 with podman's message; not running: 125; bad flags are refused" {
        rc run -d --name none localhost/bb sleep 1000
        run -125 rc healthcheck run none
        [ "$output" = "Error: container none has no defined healthcheck" ]
        run -0 rc ps --filter health=none --format '{{.Names}} {{.Status}}'
        [[ "$output" == "none Up "* ]]
        [[ "$output" != *"("* ]]
        rc create --name created --health-cmd true localhost/bb sleep 1000
        run -125 rc healthcheck run created
        [ "$output" = "Error: container created is not running" ]
        run -125 rc healthcheck run missing
        run -125 rc run --health-interval 5 localhost/bb true
        [[ "$output" == *"--health-interval 5: give a duration such as 30s"* ]]
        run -125 rc run --health-retries -1 localhost/bb true
        [[ "$output" == *"--health-retries -1: give a number"* ]]
        run -125 rc run --health-cmd '["CMD"]' localhost/bb true
        [[ "$output" == *"CMD needs a program"* ]]
        run -125 rc run --health-on-failure explode localhost/bb true
        [[ "$output" == *"give none, kill, restart or stop"* ]]
        run -125 rc run --no-healthcheck --health-cmd true localhost/bb true
        [[ "$output" == *"do not go together"* ]]
        run -125 rc create --health-on-failure=kill localhost/bb
        [ "$output" = "Error: cannot set on-failure action to kill without a health check" ]
        run -0 rc ps -aq
        [ "${#lines[@]}" -eq 2 ] # none and created, nothing of the refused one
}

@test "an image's HEALTHCHECK from rc build is used, flags override it, --no-healthcheck disables it" {
        ctx=$BATS_TEST_TMPDIR/ctx
        mkdir -p "$ctx"
        printf 'FROM localhost/bb\nHEALTHCHECK --interval=1s --retries=1 CMD test -f /tmp/ready\n' >"$ctx/Containerfile"
        rc build -q -t localhost/hc "$ctx" >/dev/null
        rc run -d --name img localhost/hc sleep 1000
        run -0 rc inspect --format '{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}}' img
        [ "$output" = "[CMD-SHELL test -f /tmp/ready] 1000000000" ]
        wait_health img unhealthy
        rc exec img touch /tmp/ready
        wait_health img healthy
        # --health-cmd replaces the image's check, with the defaults (podman);
        # other flags alone change the image's check
        rc run -d --name flag --health-cmd '["CMD", "true"]' localhost/hc sleep 1000
        run -0 rc inspect --format '{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}}' flag
        [ "$output" = "[CMD true] 30000000000" ]
        rc run -d --name retries --health-retries 7 localhost/hc sleep 1000
        run -0 rc inspect --format '{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Retries}}' retries
        [ "$output" = "[CMD-SHELL test -f /tmp/ready] 1000000000 7" ]
        rc run -d --name off --no-healthcheck localhost/hc sleep 1000
        run -125 rc healthcheck run off
        [[ "$output" == *"has no defined healthcheck"* ]]
        run -0 rc inspect --format json off
        python3 -c '
import json, sys
c = json.load(sys.stdin)[0]
assert "Healthcheck" not in c["Config"] and "Health" not in c["State"], c
' <<<"$output"
        rc run -d --name none2 --health-cmd none localhost/hc sleep 1000
        run -125 rc healthcheck run none2
        # rc commit keeps the container's check in the image, as podman
        rc commit -q flag localhost/committed >/dev/null
        run -0 rc image inspect --format '{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}}' localhost/committed
        [ "$output" = "[CMD true] 30000000000" ]
}

# An image whose config's Healthcheck is $1 (JSON), as localhost/hostile.
hostile_image() {
        rc save --format oci-archive -o "$BATS_TEST_TMPDIR/bb.tar" localhost/bb
        python3 - "$BATS_TEST_TMPDIR/bb.tar" "$BATS_TEST_TMPDIR/hostile.tar" "$1" <<'PY'
import hashlib, io, json, sys, tarfile
src, dst, hc = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
with tarfile.open(src) as t:
    files = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
def blob(d): return "blobs/" + d.replace(":", "/")
def put(obj):
    data = json.dumps(obj).encode()
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    files[blob(d)] = data
    return d, len(data)
index = json.loads(files["index.json"])
desc = index["manifests"][0]
manifest = json.loads(files[blob(desc["digest"])])
config = json.loads(files[blob(manifest["config"]["digest"])])
config.setdefault("config", {})["Healthcheck"] = hc
manifest["config"]["digest"], manifest["config"]["size"] = put(config)
desc["digest"], desc["size"] = put(manifest)
desc.setdefault("annotations", {})["org.opencontainers.image.ref.name"] = "localhost/hostile:latest"
files["index.json"] = json.dumps(index).encode()
with tarfile.open(dst, "w") as t:
    for name, data in files.items():
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
        rc load -i "$BATS_TEST_TMPDIR/hostile.tar" >/dev/null
}

@test "an image's hostile Healthcheck is refused with the field named; the flags get past it; nothing is left" {
        hostile_image '{"Test":["CMD","true"],"Interval":-5}'
        run -125 rc run --rm localhost/hostile true
        [ "$output" = "Error: the image's config: Healthcheck.Interval -5 is out of range (0 to 86400000000000) (set --health-cmd, or --no-healthcheck)" ]
        run -0 rc ps -aq
        [ "$output" = "" ]
        run -0 rc run --rm --no-healthcheck localhost/hostile true
        run -0 rc run --rm --health-cmd true localhost/hostile true
        hostile_image '{"Test":["CMD-SHELL","a","b"],"Retries":3}'
        run -125 rc create localhost/hostile
        [[ "$output" == *"Healthcheck.Test: CMD-SHELL takes one command line"* ]]
        # what rc load checks already: a wrong type
        run -125 hostile_image '{"Test":["CMD","true"],"Retries":"3"}'
        [[ "$output" == *"Healthcheck.Retries must be an integer"* ]]
        run -0 rc ps -aq
        [ "$output" = "" ]
}

@test "the check and its state survive rc stop and rc start" {
        rc run -d --name keep --health-cmd 'test -f /tmp/ok' --health-interval disable localhost/bb sleep 1000
        rc exec keep touch /tmp/ok
        run -0 rc healthcheck run keep
        rc stop -t 0 keep
        run -0 rc inspect --format '{{.State.Health.Status}} {{len .State.Health.Log}}' keep
        [ "$output" = "healthy 1" ]
        run -125 rc healthcheck run keep
        rc start keep
        # a new start begins as starting; the log stays
        rc exec keep rm /tmp/ok
        run -0 rc inspect --format '{{.State.Health.Status}} {{len .State.Health.Log}}' keep
        [ "$output" = "starting 1" ]
        run -1 rc healthcheck run keep
        run -0 rc inspect --format '{{.State.Health.FailingStreak}} {{len .State.Health.Log}}' keep
        [ "$output" = "1 2" ]
}

@test "--health-on-failure acts on a check run by hand too, as podman does" {
        for policy in none kill restart stop; do
                rc run -d --name "m-$policy" --stop-timeout 1 --health-cmd 'test ! -f /uh-oh' --health-retries 1 \
                        --health-interval disable --health-on-failure "$policy" localhost/bb sleep 1000
                run -0 rc healthcheck run "m-$policy"
                rc exec "m-$policy" touch /uh-oh
                run -1 rc healthcheck run "m-$policy"
                [ "$output" = unhealthy ]
                for _ in $(seq 50); do
                        state=$(rc inspect --format '{{.State.Status}} {{.RestartCount}} {{.Config.HealthcheckOnFailureAction}}' "m-$policy")
                        case $policy:$state in
                        none:"running 0 none" | kill:exited* | stop:exited* | restart:"running 1 restart") break ;;
                        esac
                        sleep 0.1
                done
                echo "$policy: $state"
                case $policy in
                none) [ "$state" = "running 0 none" ] ;;
                kill) [ "$state" = "exited 0 kill" ] ;;
                stop) [ "$state" = "exited 0 stop" ] ;;
                restart)
                        [ "$state" = "running 1 restart" ]
                        # the same root: the file is still there, the check still fails
                        run -1 rc healthcheck run "m-$policy"
                        ;;
                esac
        done
}

@test "--health-on-failure: kill ends an unhealthy container, stop signals it then kills it, restart starts it again" {
        rc run -d --name killed --health-cmd false --health-interval 1s --health-retries 1 \
                --health-on-failure kill localhost/bb sleep 1000
        for _ in $(seq 100); do
                [ "$(rc inspect --format '{{.State.Status}}' killed)" = exited ] && break
                sleep 0.1
        done
        run -0 rc inspect --format '{{.State.Status}} {{.State.ExitCode}}' killed
        [ "$output" = "exited 137" ]
        # stop: the stop signal (ignored here), SIGKILL after --stop-timeout
        rc run -d --name stopped --stop-timeout 1 --health-cmd false --health-interval 1s --health-retries 1 \
                --health-on-failure stop localhost/bb sh -c 'trap "" TERM; echo trapped; sleep 1000'
        for _ in $(seq 100); do
                [ "$(rc inspect --format '{{.State.Status}}' stopped)" = exited ] && break
                sleep 0.1
        done
        run -0 rc inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.Health.Status}}' stopped
        [ "$output" = "exited 137 unhealthy" ]
        rc run -d --name again --health-cmd false --health-interval 1s --health-retries 1 \
                --health-on-failure restart localhost/bb sleep 1000
        for _ in $(seq 100); do
                [ "$(rc inspect --format '{{.RestartCount}}' again)" -ge 1 ] && break
                sleep 0.1
        done
        run -0 rc inspect --format '{{.State.Status}} {{.RestartCount}}' again
        [[ "$output" == "running "[1-9]* ]]
}

@test "--health-startup-*: the startup check gates the regular one, and its failures restart the container" {
        # the regular check would pass at once: only the startup check holds it at starting
        rc run -d --name su --health-cmd true --health-interval 1s --health-startup-cmd 'test -f /tmp/up' \
                --health-startup-interval 1s --health-startup-success 2 localhost/bb sleep 1000 >/dev/null
        sleep 2.5
        [ "$(health su)" = starting ]
        run -0 rc inspect --format '{{.Config.StartupHealthCheck.Successes}} {{index .Config.StartupHealthCheck.Test 1}}' su
        [ "$output" = "2 test -f /tmp/up" ]
        # rc healthcheck run runs the startup check too while it has not passed
        run -1 rc healthcheck run su
        rc exec su touch /tmp/up
        wait_health su healthy
        run -0 rc inspect --format '{{.State.Health.StartupPassed}}' su
        [ "$output" = true ]
        # failing ones in a row restart it (whatever its restart policy), and it starts over
        rc run -d --name sf --health-cmd true --health-startup-cmd false --health-startup-retries 2 \
                --health-startup-interval 1s localhost/bb sleep 1000 >/dev/null
        for _ in $(seq 100); do
                [ "$(rc inspect --format '{{.RestartCount}}' sf)" -ge 1 ] && break
                sleep 0.1
        done
        run -0 rc inspect --format '{{.RestartCount}} {{.State.Status}}' sf
        [[ "$output" == [1-9]*" running" ]]
        [ "$(health sf)" = starting ]
        # podman's rules: a startup check needs a regular one
        run -125 rc run --rm --health-startup-cmd true localhost/bb true
        [[ "$output" == *"a startup health check needs a regular one"* ]]
        run -125 rc run --rm --health-cmd true --health-startup-success many localhost/bb true
        [[ "$output" == *"--health-startup-success many: give a number"* ]]
}
