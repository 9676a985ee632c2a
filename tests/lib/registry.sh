# Sourced by tests: a real registry (Debian's docker-registry) on loopback.
#   registry_start DIR [EXTRA_YAML]   starts one with storage under DIR (EXTRA_YAML: more config,
#                        e.g. http tls or auth); sets REGISTRY=127.0.0.1:PORT, REGISTRY_PID
#   free_port            prints a free loopback port
#   registry_stop
#   registry_push OCI_DIR REPO:TAG [skopeo options]   puts an image in with skopeo (not rc)

registry_start() {
        local dir=$1 extra=${2:-} port scheme=http
        mkdir -p "$dir/storage"
        port=$(free_port)
        cat >"$dir/config.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
        # extra YAML: http.tls (indented under http:) and/or auth
        if [ -n "$extra" ]; then
                cat "$extra" >>"$dir/config.yml"
                grep -q "tls:" "$extra" && scheme=https
        fi
        docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
        REGISTRY_PID=$!
        REGISTRY=127.0.0.1:$port
        for _ in $(seq 100); do
                # any HTTP answer (401 included) means it is up
                [ "$(curl -ks -o /dev/null -w '%{http_code}' "$scheme://$REGISTRY/v2/")" != 000 ] && return 0
                sleep 0.1
        done
        echo "registry did not start: $(cat "$dir/registry.log")" >&2
        return 1
}

free_port() {
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

registry_stop() {
        [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null
        wait "$REGISTRY_PID" 2>/dev/null || true
}

registry_push() {
        local oci=$1 dest=$2
        shift 2
        skopeo copy --quiet --dest-tls-verify=false "$@" "oci:$oci:latest" "docker://$REGISTRY/$dest"
}
