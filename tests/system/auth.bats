#!/usr/bin/env bats
# Registry authentication against real servers: docker-registry with
# htpasswd (bcrypt) Basic auth behind TLS signed by a test CA, and
# docker-registry with the Bearer token flow of tests/lib/token-server.py.
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
        rc_setup_file
        source "$LIB/registry.sh"
        local d=$RC_WORK/pki
        mkdir -p "$d"
        # a test CA and a server certificate for 127.0.0.1
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rc-test-ca \
                -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/san.ext"
        openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
                -extfile "$d/san.ext" -out "$d/srv.crt" 2>/dev/null
        htpasswd -Bbn alice 'alice-Secret-9' >"$d/htpasswd"
        cat >"$d/basic.yml" <<YML
  tls:
    certificate: $d/srv.crt
    key: $d/srv.key
auth:
  htpasswd:
    realm: rc-test
    path: $d/htpasswd
YML
        registry_start "$RC_WORK/basic" "$d/basic.yml"
        BASIC=$REGISTRY BASIC_PID=$REGISTRY_PID

        TOKEN_PORT=$(free_port)
        python3 "$LIB/token-server.py" --port "$TOKEN_PORT" --cert "$d/token.crt" --key "$d/token.key" \
                --user 'bob:bob-Secret-7' --private private/ >"$RC_WORK/token.log" 2>&1 &
        TOKEN_PID=$!
        for _ in $(seq 100); do
                grep -q "token server on" "$RC_WORK/token.log" && break
                sleep 0.1
        done
        cat >"$d/token.yml" <<YML
auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: rc-test-registry
    issuer: rc-test-issuer
    rootcertbundle: $d/token.crt
YML
        registry_start "$RC_WORK/token" "$d/token.yml"
        TOKEN_REG=$REGISTRY TOKEN_REG_PID=$REGISTRY_PID
        export BASIC BASIC_PID TOKEN_PORT TOKEN_PID TOKEN_REG TOKEN_REG_PID

        local fx=$RC_WORK/fixtures
        python3 "$LIB/make-oci-image.py" "$(busybox_tar)" "$fx"
        mkdir -p "$d/skopeo-certs" && cp "$d/ca.crt" "$d/skopeo-certs/"
        skopeo copy --quiet --dest-cert-dir "$d/skopeo-certs" --dest-creds 'alice:alice-Secret-9' \
                "oci:$fx:latest" "docker://$BASIC/team/bb:latest"
        skopeo copy --quiet --dest-tls-verify=false --dest-creds 'bob:bob-Secret-7' \
                "oci:$fx:latest" "docker://$TOKEN_REG/public/bb:latest"
        skopeo copy --quiet --dest-tls-verify=false --dest-creds 'bob:bob-Secret-7' \
                "oci:$fx:latest" "docker://$TOKEN_REG/private/bb:latest"

        # a home of its own (certs.d) and a credentials file of its own
        export HOME=$RC_WORK/home REGISTRY_AUTH_FILE=$RC_WORK/auth/auth.json
        mkdir -p "$HOME"
        printf '[registries]\ninsecure = %s\n' "$TOKEN_REG" >"$RC_WORK/rc.conf"
        export RC_CONFIG=$RC_WORK/rc.conf
}

teardown_file() {
        kill "${BASIC_PID:-}" "${TOKEN_REG_PID:-}" "${TOKEN_PID:-}" 2>/dev/null || true
        wait 2>/dev/null || true
        rc_teardown_file
}

# Every output of rc is kept: no password may ever appear in it.
rcl() {
        run "$@"
        printf '%s\n' "$output" >>"$RC_WORK/all-output"
}

@test "TLS with a private CA: refused until its certificate is in certs.d" {
        rcl -125 rc pull "$BASIC/team/bb"
        [[ "$output" == *"TLS"*"certs.d/$BASIC"*"--tls-verify=false"* ]]
        mkdir -p "$HOME/.config/containers/certs.d/$BASIC"
        cp "$RC_WORK/pki/ca.crt" "$HOME/.config/containers/certs.d/$BASIC/ca.crt"
        # now TLS is fine and the registry asks for credentials
        rcl -125 rc pull "$BASIC/team/bb"
        [[ "$output" == *"rc login $BASIC"* ]]
        [ -z "$(rc images -q)" ]
}

@test "Basic auth: a wrong password stores nothing; login, pull, push, logout" {
        rcl -125 rc login -u alice --password-stdin "$BASIC" <<<'wrong-password'
        [[ "$output" == *"invalid username or password"* ]]
        [ ! -e "$REGISTRY_AUTH_FILE" ] || ! grep -q "$BASIC" "$REGISTRY_AUTH_FILE"

        rcl -0 rc login -u alice --password-stdin "$BASIC" <<<'alice-Secret-9'
        [ "$output" = "Login Succeeded!" ]
        [ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
        python3 -c 'import json, sys; assert "auth" in json.load(open(sys.argv[1]))["auths"][sys.argv[2]]' \
                "$REGISTRY_AUTH_FILE" "$BASIC"
        rcl -0 rc login --get-login "$BASIC"
        [ "$output" = alice ]

        rcl -0 rc pull -q "$BASIC/team/bb"
        rcl -0 rc run --rm "$BASIC/team/bb" echo pulled-with-basic-auth
        [ "$output" = pulled-with-basic-auth ]
        rcl -0 rc push "$BASIC/team/bb" "$BASIC/team/copy:1"
        skopeo inspect --cert-dir "$HOME/.config/containers/certs.d/$BASIC" --creds 'alice:alice-Secret-9' \
                "docker://$BASIC/team/copy:1" >/dev/null

        rcl -0 rc logout "$BASIC"
        [ "$output" = "Removed login credentials for $BASIC" ]
        rc rmi "$BASIC/team/bb" >/dev/null
        rcl -125 rc pull "$BASIC/team/bb"
        [[ "$output" == *"rc login"* ]]
        rcl -125 rc logout "$BASIC"
        [[ "$output" == *"not logged into $BASIC"* ]]
        rcl -125 rc login --get-login "$BASIC"
}

@test "login needs a terminal or --password-stdin" {
        # setsid: no controlling terminal to ask on, even when the tests run in one
        rcl -125 setsid -w "$RC_BIN" --root "$RC_ROOT" --runroot "$RC_RUNROOT" login -u alice "$BASIC" </dev/null
        [[ "$output" == *"--password-stdin"* ]]
        rcl -125 rc login --password-stdin "$BASIC" <<<'x'
        [[ "$output" == *"--username"* ]]
}

@test "Bearer tokens: anonymous pull of a public repository" {
        rcl -0 rc pull -q "$TOKEN_REG/public/bb"
        grep -q "token user=anonymous scope=repository:public/bb:pull granted=public/bb:pull$" "$RC_WORK/token.log"
}

@test "Bearer tokens: a private repository needs rc login; then pull and push" {
        rcl -125 rc pull "$TOKEN_REG/private/bb"
        [[ "$output" == *"rc login"* ]]
        rcl -125 rc login -u bob --password-stdin "$TOKEN_REG" <<<'not-bobs'
        [[ "$output" == *"invalid username or password"* ]]
        rcl -0 rc login -u bob --password-stdin "$TOKEN_REG" <<<'bob-Secret-7'
        rcl -0 rc pull -q "$TOKEN_REG/private/bb"
        grep -q "token user=bob scope=repository:private/bb:pull granted=private/bb:pull$" "$RC_WORK/token.log"
        rcl -0 rc push "$TOKEN_REG/private/bb" "$TOKEN_REG/private/copy:1"
        grep -q "token user=bob scope=repository:private/copy:pull,push.* granted=private/copy:pull,push" \
                "$RC_WORK/token.log"
        skopeo inspect --tls-verify=false --creds 'bob:bob-Secret-7' "docker://$TOKEN_REG/private/copy:1" >/dev/null
        rcl -0 rc logout -a
}

@test "no password ever appears in rc's output" {
        [ -s "$RC_WORK/all-output" ]
        ! grep -e 'alice-Secret-9' -e 'bob-Secret-7' -e 'wrong-password' -e 'not-bobs' "$RC_WORK/all-output"
}
