#!/usr/bin/env python3
"""Bearer token server for tests: the "token" auth of a Docker distribution
registry (docker-registry), on loopback.

It issues real JWTs (ES256) signed by a key whose self-signed certificate it
writes to --cert (use that file as the registry's auth.token.rootcertbundle),
so the registry accepts them.  Passwords are never printed.

  token-server.py --port 5002 --cert DIR/token.crt [--key DIR/token.key]
                  [--issuer rc-test-issuer] [--service rc-test-registry]
                  [--user NAME:PASSWORD ...] [--anonymous pull|none]
                  [--private REPO_PREFIX ...] [--expires SECONDS]

Policy: a user with the right password gets every action asked for; a wrong
password is answered 401; an anonymous request gets "pull" (or nothing with
--anonymous none), and nothing on repositories under a --private prefix.
Each request is logged on stdout as one line:
  token user=NAME|anonymous|denied scope=... granted=...
The registry side (docker-registry config):
  auth:
    token:
      realm: http://127.0.0.1:PORT/token
      service: rc-test-registry
      issuer: rc-test-issuer
      rootcertbundle: DIR/token.crt
Requires python3-cryptography.
"""
import argparse
import base64
import datetime
import hmac
import json
import os
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_or_make_key(key_path, cert_path):
    if key_path and os.path.exists(key_path) and os.path.exists(cert_path):
        with open(key_path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        return key, cert
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rc test token signer")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    if key_path:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return key, cert


def make_jwt(key, cert, claims):
    header = {"typ": "JWT", "alg": "ES256",
              "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode()))
    der = key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    # JOSE wants the raw r || s, 32 bytes each for P-256.
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def parse_scope(scope):
    # "repository:name:pull,push" (names may contain ':' only in the port of a
    # registry-qualified name, which scopes do not carry).
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    return parts[0], ":".join(parts[1:-1]), [a for a in parts[-1].split(",") if a]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def who(self):
        """Returns (user or None for anonymous, ok)."""
        auth = self.headers.get("Authorization")
        if not auth:
            return None, True
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "basic":
            return None, False
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except Exception:
            return None, False
        want = self.server.opts.users.get(user)
        if want is None or not hmac.compare_digest(want.encode(), password.encode()):
            return user, False
        return user, True

    def do_GET(self):
        o = self.server.opts
        url = urlparse(self.path)
        if url.path != "/token":
            self.reply(404, {"error": "not found"})
            return
        q = parse_qs(url.query)
        service = q.get("service", [o.service])[0]
        scopes = q.get("scope", [])
        user, ok = self.who()
        if not ok:
            print(f"token user=denied scope={' '.join(scopes)} granted=", flush=True)
            self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username or password"}]},
                       {"WWW-Authenticate": 'Basic realm="rc-test-token"'})
            return
        access = []
        for scope in scopes:
            for one in scope.split(" "):
                p = parse_scope(one)
                if p is None:
                    continue
                typ, name, actions = p
                if user is not None:
                    granted = actions
                elif o.anonymous == "none" or any(name.startswith(pfx) for pfx in o.private):
                    granted = []
                else:
                    granted = [a for a in actions if a == "pull"]
                access.append({"type": typ, "name": name, "actions": granted})
        now = int(time.time())
        claims = {"iss": o.issuer, "sub": user or "", "aud": service, "exp": now + o.expires,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        token = make_jwt(self.server.key, self.server.cert, claims)
        granted_s = ";".join(f"{a['name']}:{','.join(a['actions'])}" for a in access)
        print(f"token user={user or 'anonymous'} scope={' '.join(scopes)} granted={granted_s}", flush=True)
        self.reply(200, {"token": token, "access_token": token, "expires_in": o.expires,
                         "issued_at": datetime.datetime.now(datetime.timezone.utc).isoformat()})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--cert", required=True, help="signing certificate (PEM), written if --key is new")
    ap.add_argument("--key", help="signing key (PEM); kept so restarts reuse it")
    ap.add_argument("--issuer", default="rc-test-issuer")
    ap.add_argument("--service", default="rc-test-registry")
    ap.add_argument("--user", action="append", default=[], help="NAME:PASSWORD")
    ap.add_argument("--anonymous", choices=["pull", "none"], default="pull")
    ap.add_argument("--private", action="append", default=[], help="repository prefix anonymous users cannot pull")
    ap.add_argument("--expires", type=int, default=300)
    o = ap.parse_args()
    o.users = {}
    for u in o.user:
        name, sep, password = u.partition(":")
        if not sep or not name:
            ap.error("--user wants NAME:PASSWORD")
        o.users[name] = password
    srv = ThreadingHTTPServer((o.addr, o.port), Handler)
    srv.daemon_threads = True
    srv.opts = o
    srv.key, srv.cert = load_or_make_key(o.key, o.cert)
    print(f"token server on http://{o.addr}:{o.port}/token", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
