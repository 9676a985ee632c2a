#!/bin/bash
# A real systemd user manager for a test user, as root:
#   user-manager.sh start USER       start it (and link rc-user-generator for it)
#   user-manager.sh stop USER        stop it and remove every trace (cgroups, processes of USER's manager)
#   user-manager.sh run USER CMD...  start it, run CMD as USER as a transient service of that manager
#                                    (so in its delegated cgroup tree), stop it; CMD's exit status
# Environment: RC_USER_GENERATOR (the rc binary to run as the user generator), RC_TEST_ENV (extra
# VAR=VALUE words passed to CMD).
#
# Where PID 1 is not systemd (this project's test machines: cgroup v1 and v2 side by side) it
# follows the recipe of the design notes: the user's delegated cgroups user@UID.service made in the
# name=systemd and unified hierarchies, the manager started inside them.  systemd --user wants
# /run/systemd/system to exist (its "booted with systemd" test); the manager gets that in a mount
# namespace of its own, with a tmpfs over /run/systemd, so the host's rc system check (which reads
# the same directory) and other users' tests see nothing of it.  Where PID 1 is systemd,
# user@UID.service is started the ordinary way.
#
# The user must be one that only these tests use: stopping ends everything its manager ran.
set -euo pipefail

action=${1:?start, stop or run}
user=${2:?user}
shift 2
uid=$(id -u "$user")
gid=$(id -g "$user")
home=$(getent passwd "$user" | cut -d: -f6)
rt=/run/user/$uid
pidfile=/run/rc-test-user-manager-$uid.pid

systemd_is_pid1() {
        [ "$(readlink /proc/1/exe 2>/dev/null)" = /usr/lib/systemd/systemd ] ||
                [ "$(readlink /proc/1/exe 2>/dev/null)" = /lib/systemd/systemd ]
}

hierarchies() {
        if [ -e /sys/fs/cgroup/unified/cgroup.controllers ]; then
                echo /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
        elif [ -e /sys/fs/cgroup/cgroup.controllers ]; then
                echo /sys/fs/cgroup
        else
                echo /sys/fs/cgroup/systemd
        fi
}

as_user() {
        runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" \
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$rt" "$@"
}

wait_ready() {
        for _ in $(seq 200); do
                if [ -S "$rt/systemd/private" ]; then
                        # (not is-system-running: it answers "offline" where /run/systemd/system is
                        # missing, and that exists only in the manager's own mount namespace here)
                        state=$(as_user systemctl --user show -p SystemState --value 2>/dev/null || true)
                        case $state in running | degraded) return 0 ;; esac
                fi
                sleep 0.05
        done
        echo "user-manager: the systemd user manager of $user did not come up" >&2
        return 1
}

start() {
        mkdir -p "$rt"
        chown "$user:" "$rt"
        chmod 0700 "$rt"
        if systemd_is_pid1; then
                if [ -n "${RC_USER_GENERATOR:-}" ]; then
                        mkdir -p /run/systemd/user-generators
                        ln -sf "$RC_USER_GENERATOR" /run/systemd/user-generators/rc-user-generator
                fi
                systemctl start "user@$uid.service"
                wait_ready
                return
        fi
        [ -e "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && {
                echo "user-manager: one runs already for $user (pid $(cat "$pidfile"))" >&2
                return 1
        }
        for h in $(hierarchies); do
                d=$h/user.slice/user-$uid.slice/user@$uid.service
                mkdir -p "$d"
                chown -R "$user" "$d"
        done
        # The manager's process: into the delegated cgroups, a mount namespace with its own
        # /run/systemd, then systemd --user as the user in a session of its own.
        (
                for h in $(hierarchies); do
                        echo $BASHPID >"$h/user.slice/user-$uid.slice/user@$uid.service/cgroup.procs"
                done
                echo $BASHPID >"$pidfile"
                exec unshare --mount --propagation private -- /bin/sh -c '
                        mount -t tmpfs -o mode=0755 rc-test-systemd /run/systemd &&
                        mkdir /run/systemd/system /run/systemd/user-generators &&
                        { [ -z "$1" ] || ln -s "$1" /run/systemd/user-generators/rc-user-generator; } &&
                        exec setsid setpriv --reuid="$2" --regid="$3" --init-groups -- \
                                env -i HOME="$4" USER="$5" LOGNAME="$5" XDG_RUNTIME_DIR="$6" \
                                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                                /lib/systemd/systemd --user' \
                        sh "${RC_USER_GENERATOR:-}" "$uid" "$gid" "$home" "$user" "$rt"
        ) </dev/null >>"/run/rc-test-user-manager-$uid.log" 2>&1 &
        wait_ready
}

# Remove a cgroup tree bottom-up (rmdir only: a cgroup with processes stays, and says so).
remove_tree() {
        [ -d "$1" ] || return 0
        find "$1" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [ ! -d "$1" ] || echo "user-manager: $1 is still there" >&2
}

stop() {
        if systemd_is_pid1; then
                systemctl stop "user@$uid.service" || true
                rm -f /run/systemd/user-generators/rc-user-generator
                return 0
        fi
        if [ -e "$pidfile" ]; then
                pid=$(cat "$pidfile")
                # SIGTERM: the manager stops its units and exits
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 300); do
                        kill -0 "$pid" 2>/dev/null || break
                        sleep 0.05
                done
                kill -KILL "$pid" 2>/dev/null || true
                rm -f "$pidfile"
        fi
        # what the manager's units left (only this dedicated user's processes live there)
        for h in $(hierarchies); do
                d=$h/user.slice/user-$uid.slice/user@$uid.service
                [ -d "$d" ] || continue
                if [ -e "$d/cgroup.kill" ]; then
                        echo 1 >"$d/cgroup.kill"
                else
                        find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
                fi
        done
        for _ in $(seq 100); do
                left=$(for h in $(hierarchies); do
                        find "$h/user.slice/user-$uid.slice" -name cgroup.procs -exec cat {} + 2>/dev/null
                done)
                [ -z "$left" ] && break
                sleep 0.05
        done
        for h in $(hierarchies); do
                remove_tree "$h/user.slice/user-$uid.slice"
        done
}

run() {
        local status=0 env_args=()
        start
        for v in ${RC_TEST_ENV:-}; do
                env_args+=(-E "$v")
        done
        # a transient service of the user's manager: its cgroup is in the delegated tree, as a
        # login session's processes are on a systemd host
        as_user systemd-run --user --quiet --pipe --wait --collect -p Delegate=yes \
                --working-directory="$PWD" -E HOME="$home" -E USER="$user" -E LOGNAME="$user" \
                -E PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin -E XDG_RUNTIME_DIR="$rt" \
                -E TMPDIR=/tmp -E LANG=C.UTF-8 "${env_args[@]}" -- "$@" || status=$?
        stop
        return "$status"
}

case $action in
start) start ;;
stop) stop ;;
run) run "$@" ;;
*)
        echo "usage: $0 start|stop|run USER [CMD...]" >&2
        exit 2
        ;;
esac
