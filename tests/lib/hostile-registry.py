#!/usr/bin/env python3
"""hostile-registry.py PORT ROOTFS.tar: a registry (distribution API, plain
HTTP, 127.0.0.1) that misbehaves on purpose, one way per repository:

  good/ok         a correct image (gzip layer)
  good/resume     the layer download drops half-way once; a Range request resumes it
  bad/notjson     the manifest is not JSON
  bad/noconfig    the manifest names a config blob the registry does not have
  bad/mediatype   the layer has a media type nobody knows
  bad/size        the layer is larger than its descriptor says
  bad/digest      the layer's bytes do not hash to its digest
  bad/diffid      the config's diff_id does not match the layer
  bad/auth        every request is refused with 401
  bad/reset       the layer download always drops half-way
"""
import gzip
import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, rootfs = int(sys.argv[1]), sys.argv[2]
raw = open(rootfs, "rb").read()
layer = gzip.compress(raw, 6, mtime=0)


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


blobs = {digest(layer): layer}
manifests = {}


def image(repo, layer_media="application/vnd.oci.image.layer.v1.tar+gzip", layer_size=None, layer_digest=None,
          diff_id=None, config_served=True):
    # the repository's name in the config keeps every image (and its config blob) distinct
    config = json.dumps({"architecture": "amd64", "os": "linux", "author": repo, "config": {"Cmd": ["sh"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id or digest(raw)]}}).encode()
    if config_served:
        blobs[digest(config)] = config
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config),
                    "size": len(config)},
         "layers": [{"mediaType": layer_media, "digest": layer_digest or digest(layer),
                     "size": layer_size if layer_size is not None else len(layer)}]}
    manifests[repo] = json.dumps(m).encode()


image("good/ok")
image("good/resume")
image("bad/noconfig", config_served=False)
image("bad/mediatype", layer_media="application/x-unknown")
image("bad/size", layer_size=len(layer) - 100)
wrong = "sha256:" + "1" * 64
blobs[wrong] = layer  # served under a digest it does not have
image("bad/digest", layer_digest=wrong)
image("bad/diffid", diff_id="sha256:" + "2" * 64)
image("bad/reset")
manifests["bad/notjson"] = b"this is not json {"
drops = {"good/resume": 1, "bad/reset": 10 ** 9}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", ctype="application/json", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/v2", "/v2/"):
            return self.reply(200, b"{}")
        parts = path[len("/v2/"):].split("/")
        if len(parts) < 4:
            return self.reply(404)
        repo, kind, ref = "/".join(parts[:-2]), parts[-2], parts[-1]
        if repo == "bad/auth":
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                              extra={"WWW-Authenticate": 'Basic realm="hostile"'})
        if kind == "manifests":
            m = manifests.get(repo)
            if m is not None and ref not in ("latest", digest(m)):
                m = None
            if m is None:
                return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            return self.reply(200, m, "application/vnd.oci.image.manifest.v1+json",
                              {"Docker-Content-Digest": digest(m)})
        if kind == "blobs":
            b = blobs.get(ref)
            if b is None:
                return self.reply(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes="):
                start = int(rng[6:].split("-")[0])
            with lock:
                # good/resume drops the first full download only; bad/reset drops
                # every download, resumed ones too
                drop = b is layer and (start == 0 or repo == "bad/reset") and drops.get(repo, 0) > 0
                if drop:
                    drops[repo] -= 1
            body = b[start:]
            self.send_response(206 if start else 200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(b) - 1}/{len(b)}")
            self.end_headers()
            if self.command == "HEAD":
                return
            if drop:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(body)
            return
        self.reply(404)


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
