#!/usr/bin/env bats
# rc run/create options, each checked by its effect inside the container:
# -v/--mount/--tmpfs, --read-only, capabilities, --privileged, masks,
# --group-add, --env-file, --ulimit, labels, --cidfile, --userns=keep-id,
# --init, and the errors of bad options.
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

# A bad option: exit 125 with a message containing $1, and nothing created
# (no record, no directory, no volume).
refused() {
        local want=$1 before
        shift
        before=$(rc ps -a -q | wc -l):$(ls -A "$RC_ROOT/containers" | wc -l):$(rc volume ls -q | wc -l)
        run -125 rc "$@"
        [[ "$output" == *"$want"* ]] || { echo "got: $output"; return 1; }
        [ "$(rc ps -a -q | wc -l):$(ls -A "$RC_ROOT/containers" | wc -l):$(rc volume ls -q | wc -l)" = "$before" ]
}

@test "-v binds a host directory: ro refuses writes (EROFS), rw writes reach the host" {
        mkdir -p "$RC_WORK/host"
        echo hello >"$RC_WORK/host/file"
        run -0 rc run --rm -v "$RC_WORK/host:/data:ro" localhost/bb sh -c 'cat /data/file; echo x > /data/new; true'
        [[ "$output" == *hello*"Read-only file system"* ]]
        [ ! -e "$RC_WORK/host/new" ]
        run -0 rc run --rm -v "$RC_WORK/host:/data" localhost/bb sh -c 'echo written > /data/new; stat -c %u /data/new'
        [ "$output" = 0 ]
        [ "$(cat "$RC_WORK/host/new")" = written ]
        [ "$(stat -c %u "$RC_WORK/host/new")" = "$(id -u)" ]
        # a single file, and a bind read-only through --mount
        run -0 rc run --rm -v "$RC_WORK/host/file:/etc/motd" --mount "type=bind,src=$RC_WORK/host,dst=/m,readonly" \
                localhost/bb sh -c 'cat /etc/motd; touch /m/y 2>&1; true'
        [[ "$output" == *hello*"Read-only file system"* ]]
}

@test "-v: a relative host path is resolved at create; a missing one is refused before anything exists" {
        mkdir -p "$RC_WORK/rel/sub"
        echo rel >"$RC_WORK/rel/sub/f"
        (cd "$RC_WORK/rel" && rc create --name relc -v ./sub:/s localhost/bb cat /s/f) >/dev/null
        # started from elsewhere, it binds the same directory
        run -0 rc start -a relc
        [ "$output" = rel ]
        refused "statfs $RC_WORK/no-such-dir: No such file or directory" run --rm -v "$RC_WORK/no-such-dir:/x" localhost/bb true
        rc rm relc >/dev/null
}

@test "a tmpfs starts with the image's files (tmpcopyup) unless notmpcopyup; rc's files stay out of the user's bind" {
        mkdir -p "$RC_WORK/runimg"
        echo pid >"$RC_WORK/runimg/x"
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$RC_WORK/img-run" --ref localhost/withrun:latest \
                --add "$RC_WORK/runimg/x:/run/lock/x" --link /run/link:/etc/passwd --cmd sh >/dev/null
        tar -C "$RC_WORK/img-run" -cf "$RC_WORK/img-run.tar" .
        rc load -i "$RC_WORK/img-run.tar" >/dev/null
        run -0 rc run --rm --read-only localhost/withrun sh -c 'cat /run/lock/x; readlink /run/link; touch /run/lock/y && echo writable'
        [ "$output" = $'pid\n/etc/passwd\nwritable' ]
        run -0 rc run --rm --tmpfs /run:notmpcopyup localhost/withrun ls -A /run
        [ "$output" = .containerenv ]
        run -0 rc run --rm --tmpfs /run:ro localhost/withrun sh -c 'cat /run/lock/x; touch /run/z 2>&1; true'
        [[ "$output" == pid*"Read-only file system"* ]]
        # -v DIR:/etc: the container sees the directory as it is, rc makes no files in it
        mkdir -p "$RC_WORK/etcdir"
        run -0 rc run --rm -v "$RC_WORK/etcdir:/etc" localhost/bb ls -A /etc
        [ -z "$output" ]
        [ -z "$(ls -A "$RC_WORK/etcdir")" ]
}

@test "--tmpfs and --mount type=tmpfs: size, mode, noexec by default" {
        run -0 rc run --rm --tmpfs /scratch:size=1m,mode=1770 localhost/bb sh -c \
                'grep " /scratch " /proc/mounts; stat -c %a /scratch; cp /bin/busybox /scratch/b; /scratch/b true || echo noexec'
        [[ "${lines[0]}" == "tmpfs /scratch tmpfs "*"nosuid,nodev,noexec"*"size=1024k"* ]]
        [ "${lines[1]}" = 1770 ]
        [[ "$output" == *noexec* ]]
        run -0 rc run --rm --mount type=tmpfs,target=/t,tmpfs-size=2m,tmpfs-mode=700 localhost/bb sh -c \
                'grep " /t " /proc/mounts; stat -c %a /t'
        [[ "${lines[0]}" == *"size=2048k"* ]]
        [ "${lines[1]}" = 700 ]
        # a tmpfs replaces rc's own mount there
        run -0 rc run --rm --tmpfs /dev/shm:size=3m localhost/bb grep -c " /dev/shm " /proc/mounts
        [ "$output" = 1 ]
}

@test "--read-only: the root refuses writes; /tmp, /var/tmp, /run stay writable unless --read-only-tmpfs=false" {
        run -0 rc run --rm --read-only localhost/bb sh -c \
                'touch /x 2>&1; mkdir -p /var/tmp; for d in /tmp /var/tmp /run; do touch $d/ok && echo $d; done; grep " / " /proc/mounts'
        [[ "${lines[0]}" == *"Read-only file system"* ]]
        [ "${lines[1]}" = /tmp ]
        [ "${lines[2]}" = /var/tmp ]
        [ "${lines[3]}" = /run ]
        [[ "${lines[4]}" == *" ro,"* ]]
        run -0 rc run --rm --read-only --read-only-tmpfs=false localhost/bb sh -c 'touch /tmp/x 2>&1; echo done'
        [[ "$output" == *"Read-only file system"*done ]]
        # a missing working directory is still made (docker)
        run -0 rc run --rm --read-only -w /new/dir localhost/bb pwd
        [ "$output" = /new/dir ]
}

@test "--cap-add and --cap-drop: names with or without CAP_, ALL" {
        # rc's default set is docker's: 0xa80425fb
        run -0 rc run --rm --cap-add net_admin --cap-drop CAP_CHOWN localhost/bb grep CapEff /proc/self/status
        [ "$output" = "CapEff:	00000000a80435fa" ]
        run -0 rc run --rm --cap-drop ALL --cap-add SYS_TIME localhost/bb grep -E 'CapEff|CapBnd' /proc/self/status
        [ "$output" = $'CapEff:\t0000000002000000\nCapBnd:\t0000000002000000' ]
        all=$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))
        run -0 rc run --rm --cap-add ALL --cap-drop sys_admin localhost/bb grep CapEff /proc/self/status
        [ "$output" = "CapEff:	$(printf '%016x' $((0x$all & ~(1 << 21))))" ]
        # without CAP_SYS_ADMIN in the bounding set the filter refuses unshare; with it, the filter allows it
        run rc run --rm --cap-add SYS_ADMIN localhost/bb unshare -m true
        [ "$status" -eq 0 ]
        refused 'unknown capability "CAP_FLY"' run --rm --cap-add CAP_FLY localhost/bb true
}

@test "--privileged: every capability, no seccomp, no masks, /sys writable where the kernel allows" {
        last=$(cat /proc/sys/kernel/cap_last_cap)
        run -0 rc run --rm --privileged localhost/bb sh -c \
                'grep -E "CapEff|CapBnd|Seccomp:|NoNewPrivs" /proc/self/status; grep -c -E " /proc/(keys|timer_list|sys) " /proc/mounts; grep " /sys " /proc/mounts; cat /run/.containerenv'
        [ "${lines[0]}" = "CapEff:	$(printf '%016x' $(((1 << (last + 1)) - 1)))" ]
        [ "${lines[1]}" = "CapBnd:	$(printf '%016x' $(((1 << (last + 1)) - 1)))" ]
        [ "${lines[2]}" = "NoNewPrivs:	0" ]
        [ "${lines[3]}" = "Seccomp:	0" ]
        [ "${lines[4]}" = 0 ]
        [[ "${lines[5]}" == "sysfs /sys sysfs rw,"* ]]
        [[ "$output" == *'rootless=1'* ]]
        # nested namespaces work inside (what --privileged is used for)
        run -0 rc run --rm --privileged localhost/bb unshare -m true
        # --security-opt no-new-privileges still applies
        run -0 rc run --rm --privileged --security-opt no-new-privileges localhost/bb grep NoNewPrivs /proc/self/status
        [ "$output" = "NoNewPrivs:	1" ]
}

@test "--security-opt mask= and unmask=" {
        run -0 rc run --rm --security-opt mask=/etc/hostname:/home localhost/bb sh -c \
                'wc -c < /etc/hostname; ls /home | wc -l; grep -c " /proc/keys " /proc/mounts'
        [ "$output" = $'0\n0\n1' ]
        run -0 rc run --rm --security-opt unmask=/proc/keys localhost/bb sh -c \
                'grep -c " /proc/keys " /proc/mounts; grep -c " /proc/timer_list " /proc/mounts'
        [ "$output" = $'0\n1' ]
        run -0 rc run --rm --security-opt unmask=ALL localhost/bb sh -c \
                'grep -c -E " /proc/(keys|timer_list|sys) " /proc/mounts; true'
        [ "$output" = 0 ]
        run -0 rc run --rm --security-opt 'unmask=/proc/*' localhost/bb sh -c 'grep -c " /proc/timer_list " /proc/mounts; true'
        [ "$output" = 0 ]
        refused 'not an absolute path' run --rm --security-opt mask=relative localhost/bb true
}

@test "--group-add: by name from the image's /etc/group and by number" {
        run -0 rc run --rm --group-add tty --group-add 4242 localhost/bb id -G
        [ "$output" = "0 5 4242" ]
        run -0 rc run --rm -u 1000 --group-add user localhost/bb id -G
        [ "$output" = "1000" ]
        run -125 rc run --rm --group-add no-such-group localhost/bb true
        [[ "$output" == *'group "no-such-group" not found'* ]]
}

@test "--env-file: KEY=VALUE lines, comments, a bare KEY from rc's environment, -e wins; kept for rc start" {
        printf '# a comment\n\nA=1\n  B=two words\nFROM_RC\nUNSET_HERE\nC=x=y\n' >"$RC_WORK/f.env"
        run -0 env FROM_RC=outer "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm \
                --env-file "$RC_WORK/f.env" -e C=override localhost/bb sh -c 'echo "$A|$B|$FROM_RC|${UNSET_HERE-unset}|$C"'
        [ "$output" = "1|two words|outer|unset|override" ]
        # the file is read at create: neither it nor rc's environment is needed later
        env FROM_RC=outer "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" create --name envc \
                --env-file "$RC_WORK/f.env" -e FROM_RC localhost/bb sh -c 'echo "$A|$FROM_RC"' >/dev/null
        rm "$RC_WORK/f.env"
        run -0 rc start -a envc
        [ "$output" = "1|outer" ]
        printf 'BAD KEY=1\n' >"$RC_WORK/bad.env"
        refused "bad.env:1: variable \"BAD KEY\" contains whitespace" run --rm --env-file "$RC_WORK/bad.env" localhost/bb true
        refused "No such file or directory" run --rm --env-file "$RC_WORK/missing.env" localhost/bb true
}

@test "--ulimit sets soft and hard limits" {
        run -0 rc run --rm --ulimit nofile=100:200 --ulimit nproc=64 --ulimit core=-1 localhost/bb sh -c \
                'ulimit -n; ulimit -Hn; ulimit -u; ulimit -c'
        [ "$output" = $'100\n200\n64\nunlimited' ]
        refused "the soft limit is above the hard limit" run --rm --ulimit nofile=20:10 localhost/bb true
        refused 'unknown limit "files"' run --rm --ulimit files=1 localhost/bb true
}

@test "--label and --label-file: rc inspect's Config.Labels, rc ps --format json and --filter label=" {
        printf 'from=file\n# skipped\nflag\n' >"$RC_WORK/labels"
        rc create --name labelled -l a=b --label c=d=e --label-file "$RC_WORK/labels" localhost/bb true >/dev/null
        rc create --name plain localhost/bb true >/dev/null
        run -0 rc inspect --format '{{.Config.Labels.a}} {{.Config.Labels.c}} {{.Config.Labels.from}} [{{.Config.Labels.flag}}]' labelled
        [ "$output" = "b d=e file []" ]
        run -0 rc ps -a --format json
        python3 -c 'import json, sys
rows = {r["Names"][0]: r["Labels"] for r in json.load(sys.stdin)}
assert rows["labelled"] == {"a": "b", "c": "d=e", "from": "file", "flag": ""}, rows
assert rows["plain"] is None, rows' <<<"$output"
        run -0 rc ps -a --filter label=a=b --format '{{.Names}}'
        [ "$output" = labelled ]
        run -0 rc ps -a --filter label=flag --filter label=from=file --format '{{.Names}} {{.Labels.a}}'
        [ "$output" = "labelled b" ]
}

@test "--cidfile: the id is written at create; an existing file is refused before anything exists" {
        run -0 rc create --cidfile "$RC_WORK/cid" --name cidc localhost/bb true
        [ "$(cat "$RC_WORK/cid")" = "$output" ]
        refused "container id file $RC_WORK/cid exists" create --cidfile "$RC_WORK/cid" localhost/bb true
        rc rm cidc >/dev/null
        rm "$RC_WORK/cid"
        run -0 rc run --rm --cidfile "$RC_WORK/cid" localhost/bb true
        [[ "$(cat "$RC_WORK/cid")" =~ ^[0-9a-f]{64}$ ]]
}

@test "--userns=keep-id: the user's uid and gid inside, bound files keep their owner, HOME and a passwd entry" {
        echo mine >"$RC_WORK/mine"
        run -0 rc run --rm --userns=keep-id -v "$RC_WORK/mine:/mine" -v "$RC_WORK:/work" localhost/bb sh -c \
                'id -u; id -g; stat -c "%u:%g" /mine; echo "$HOME"; whoami; touch /work/made-inside'
        [ "${lines[0]}" = "$(id -u)" ]
        [ "${lines[1]}" = "$(id -g)" ]
        [ "${lines[2]}" = "$(id -u):$(id -g)" ]
        [ "${lines[3]}" = "/home/$(id -un)" ]
        [ "${lines[4]}" = "$(id -un)" ]
        [ "$(stat -c %u "$RC_WORK/made-inside")" = "$(id -u)" ]
        # the mapping: uid U is the user, 0..U-1 and U+1.. are subordinate ids
        run -0 rc run --rm --userns=keep-id localhost/bb cat /proc/self/uid_map
        read -r c h n <<<"${lines[0]}"
        [ "$c $h $n" = "0 1 $(id -u)" ]
        read -r c h n <<<"${lines[1]}"
        [ "$c $h $n" = "$(id -u) 0 1" ]
        # an image user keeps its home; keep-id:uid= picks the id
        run -0 rc run --rm --userns=keep-id:uid=1000,gid=1000 localhost/bb sh -c 'id -u; echo $HOME'
        [ "$output" = $'1000\n/home/user' ]
        run -0 rc run --rm --userns=host localhost/bb id -u
        [ "$output" = 0 ]
        refused "rc supports host" run --rm --userns=auto localhost/bb true
}

@test "--init: rc's init is pid 1, reaps zombies, and passes signals and the exit status on" {
        run -0 rc run --rm --init localhost/bb sh -c 'ps -o pid,comm | grep "^ *1 "; echo $$'
        [[ "${lines[0]}" == *"1 rc-init" ]]
        [ "${lines[1]}" = 2 ]
        # an orphan re-parented to pid 1 is reaped
        run -0 rc run --rm --init localhost/bb sh -c '(sleep 0.2 &); sleep 1; ps -o stat,comm | grep -c "^Z" || true'
        [ "$output" = 0 ]
        run -3 rc run --rm --init localhost/bb sh -c 'exit 3'
        # SIGTERM from rc stop ends a sleep at once (a bare sleep as pid 1 would ignore it)
        rc run -d --name initc --init localhost/bb sleep 1000 >/dev/null
        SECONDS=0
        rc stop -t 20 initc >/dev/null
        [ "$SECONDS" -lt 5 ]
        run -0 rc inspect --format '{{.State.ExitCode}} {{.HostConfig.Init}}' initc
        [ "$output" = "143 true" ]
}

@test "--init: rc's binary and memory cannot be reached through /proc/1" {
        run -0 rc run --rm --init localhost/bb sh -c '
                readlink /proc/1/exe || echo no-exe-link
                cat /proc/1/exe >/dev/null 2>&1 || echo no-exe
                cat /proc/1/mem >/dev/null 2>&1 || echo no-mem
                cat /proc/1/environ >/dev/null 2>&1 || echo no-environ
                ls /proc/1/fd >/dev/null 2>&1 || echo no-fds
                ls /proc/1/root/ >/dev/null 2>&1 || echo no-root
                { echo x >/proc/1/exe; } 2>/dev/null || echo no-write
                tr "\0" " " </proc/1/cmdline; echo'
        [ "$output" = $'no-exe-link\nno-exe\nno-mem\nno-environ\nno-fds\nno-root\nno-write\nrc-init ' ]
        # not even with every capability
        run -0 rc run --rm --init --privileged localhost/bb sh -c 'cat /proc/1/exe >/dev/null 2>&1 || echo no-exe'
        [ "$output" = no-exe ]
}

@test "rc create keeps every option for rc start" {
        mkdir -p "$RC_WORK/keep"
        rc create --name kept -v "$RC_WORK/keep:/k:ro" --tmpfs /t --read-only --cap-drop ALL --ulimit nofile=50 \
                --group-add 77 --security-opt mask=/etc/hostname --init --userns=keep-id localhost/bb sh -c \
                'touch /k/x 2>/dev/null || echo ro; touch /x 2>/dev/null || echo rootro; grep " /t " /proc/mounts | cut -d" " -f3;
                 grep CapEff /proc/self/status; ulimit -n; id -G; wc -c </etc/hostname; ps -o comm | sed -n 2p; id -u' >/dev/null
        run -0 rc start -a kept
        [ "$output" = "ro
rootro
tmpfs
CapEff:	0000000000000000
50
$(id -g) 77
0
rc-init
$(id -u)" ]
}

@test "--device binds a host device node; --shm-size sizes /dev/shm; --env-host" {
        run -0 rc run --rm --device /dev/null --device /dev/zero:/dev/zz:rwm localhost/bb sh -c \
                'test -c /dev/null && test -c /dev/zz && head -c 3 /dev/zz | wc -c && echo x >/dev/zz && echo written'
        [ "$output" = $'3\nwritten' ]
        # a device the user cannot open stays closed inside (its own permissions apply)
        closed=
        for d in /dev/mem /dev/port /dev/vda /dev/sda /dev/nvme0n1 /dev/kvm; do
                if [ -e "$d" ] && [ ! -r "$d" ]; then closed=$d; break; fi
        done
        if [ -n "$closed" ]; then
                run -0 rc run --rm --device "$closed:/dev/closed" localhost/bb sh -c 'head -c 1 /dev/closed >/dev/null 2>&1 || echo denied'
                [ "$output" = denied ]
        fi
        run -0 rc run --rm --shm-size 2m localhost/bb sh -c 'df -k /dev/shm | awk "NR == 2 { print \$2 }"'
        [ "$output" = 2048 ]
        # rc's environment under --env-file and -e; kept for rc start
        printf 'B=from-file\n' >"$RC_WORK/env.list"
        A=host B=host C=host run -0 rc run --rm --env-host --env-file "$RC_WORK/env.list" -e C=flag localhost/bb \
                sh -c 'echo "$A $B $C"'
        [ "$output" = "host from-file flag" ]
        D=at-create rc create --name eh --env-host localhost/bb sh -c 'echo "$D"' >/dev/null
        D=later run -0 rc start -a eh
        [ "$output" = at-create ]
}

@test "--tz: the host's zone file at /etc/localtime and TZ set; local: the host's own; -e TZ wins" {
        [ -f /usr/share/zoneinfo/Asia/Tokyo ] || skip "no tzdata on this host"
        run -0 rc run --rm --tz Asia/Tokyo localhost/bb sh -c 'echo "$TZ"; md5sum </etc/localtime | cut -d" " -f1'
        [ "$output" = "Asia/Tokyo"$'\n'"$(md5sum </usr/share/zoneinfo/Asia/Tokyo | cut -d' ' -f1)" ]
        if [ -f /etc/localtime ]; then
                run -0 rc run --rm --tz local localhost/bb sh -c 'echo "${TZ:-unset}"; md5sum </etc/localtime | cut -d" " -f1'
                [ "$output" = "unset"$'\n'"$(md5sum </etc/localtime | cut -d' ' -f1)" ]
        fi
        run -0 rc run --rm --tz Asia/Tokyo -e TZ=UTC localhost/bb sh -c 'echo "$TZ"'
        [ "$output" = UTC ]
}

@test "the user's umask stays out: 0022 inside and rc's files readable; --umask sets it, exec too; save keeps the user's" {
        run -0 sh -c 'umask 077; exec "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" run --rm -u 1000 localhost/bb \
                sh -c "umask; stat -c %a / /etc/hosts /etc/resolv.conf"'
        [ "$output" = $'0022\n755\n644\n644' ]
        rc run -d --name um --umask 027 localhost/bb sleep 1000 >/dev/null
        run -0 rc exec um sh -c umask
        [ "$output" = 0027 ]
        rc rm -f um >/dev/null
        (umask 077 && "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" save -o "$RC_WORK/um.tar" localhost/bb)
        [ "$(stat -c %a "$RC_WORK/um.tar")" = 600 ]
}

@test "--sysctl sets the container's own namespaces' settings; the host's stay its own" {
        before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
        run -0 rc run --rm --sysctl "net.ipv4.ping_group_range=0 1000" --sysctl net.ipv4.ip_unprivileged_port_start=80 \
                --sysctl kernel.shmmni=1000 localhost/bb \
                sh -c 'cat /proc/sys/net/ipv4/ping_group_range /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni'
        [ "$output" = $'0\t1000\n80\n1000' ]
        [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" = "$before" ]
        rc create --name sc --sysctl kernel.shmmni=1000 localhost/bb true >/dev/null
        run -0 rc inspect --format '{{index .HostConfig.Sysctls "kernel.shmmni"}}' sc
        [ "$output" = 1000 ]
        rc rm sc >/dev/null
        # a setting the kernel lacks, or keeps from a user namespace, fails the start with the reason
        run -125 rc run --rm --sysctl net.ipv4.no_such_setting=1 localhost/bb true
        [[ "$output" == *"sysctl net.ipv4.no_such_setting: the kernel has no such setting"* ]]
        run -125 rc run --rm --sysctl net.core.rmem_max=1 localhost/bb true
        [[ "$output" == *"sysctl net.core.rmem_max: not writable in a rootless container"* ]]
        assert_no_container_left
}

@test "bad and unknown options are refused before anything exists" {
        refused "unknown flag: --no-such-flag" run --no-such-flag localhost/bb true
        refused "incorrect volume format" run -v a:b:c:d localhost/bb true
        refused "invalid container path" run -v /tmp:relative localhost/bb true
        refused "duplicate mount destination" run -v /tmp:/x --tmpfs /x localhost/bb true
        refused "not a valid volume name" run --mount type=volume,src=../x,dst=/x localhost/bb true
        refused "invalid tmpfs option" run --tmpfs /x:bogus localhost/bb true
        refused "give true or false" run --read-only-tmpfs=maybe localhost/bb true
        refused "give KEY=VALUE" run --label =x localhost/bb true
        refused "not supported" create --security-opt apparmor=myprofile localhost/bb true
        refused "is not a device node" run --device /tmp localhost/bb true
        refused "give absolute paths" run --device fuse localhost/bb true
        refused "permissions are letters of rwm" run --device /dev/null:/dev/x:rx localhost/bb true
        refused "cannot be kept from reading or writing" run --device /dev/null:r localhost/bb true
        refused "not a size" run --shm-size lots localhost/bb true
        refused "give local or a zone" run --tz ../../etc/shadow localhost/bb true
        refused "no such time zone" run --tz Nowhere/Town localhost/bb true
        refused "give an octal mask" run --umask 0999 localhost/bb true
        refused "not a setting of the container's own namespaces" run --sysctl kernel.hostname=x localhost/bb true
        refused "the container uses the host's network" run --network host --sysctl net.ipv4.ip_forward=1 localhost/bb true
        refused "give KEY=VALUE with a sysctl name" run --sysctl ../../x=1 localhost/bb true
        refused "give KEY=VALUE with a sysctl name" run --sysctl net.ipv4.ip_forward localhost/bb true
        refused "duplicate mount destination" run --shm-size 1m --tmpfs /dev/shm localhost/bb true
        run -0 rc volume ls -q
        [ -z "$output" ]
}
