#!/usr/bin/env python3
"""A kube-apiserver placeholder for the kubelet stand-in, extended from
tests/discovery/fake_apiserver.py: HTTPS on 127.0.0.1:--port, GET /livez (no client
certificate needed, like the kubelet's probe), and GET/PUT of ConfigMaps stored as
<state-dir>/<namespace>/<name>.json (client certificate signed by --client-ca required;
PUT with a stale metadata.resourceVersion gets 409 Conflict)."""
import argparse
import http.server
import json
import os
import re
import ssl
import sys

CM = re.compile(r"^/api/v1/namespaces/([^/]+)/configmaps/([^/?]+)$")


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def path_of(self, ns, name):
        return os.path.join(self.server.state_dir, ns, name + ".json")

    def do_GET(self):
        if self.path.split("?")[0] in ("/livez", "/readyz", "/healthz"):
            self.reply(200, b"ok")
            return
        if not self.connection.getpeercert():
            self.reply(401, status(401, "Unauthorized", "Unauthorized"))
            return
        m = CM.match(self.path)
        if m and os.path.exists(self.path_of(*m.groups())):
            with open(self.path_of(*m.groups())) as f:
                self.reply(200, json.load(f))
            return
        self.reply(404, status(404, "NotFound", "not found"))

    def do_PUT(self):
        if not self.connection.getpeercert():
            self.reply(401, status(401, "Unauthorized", "Unauthorized"))
            return
        m = CM.match(self.path)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if not m or not os.path.exists(self.path_of(*m.groups())):
            self.reply(404, status(404, "NotFound", "not found"))
            return
        path = self.path_of(*m.groups())
        with open(path) as f:
            old = json.load(f)
        rv = old.get("metadata", {}).get("resourceVersion", "1")
        if body.get("metadata", {}).get("resourceVersion") != rv:
            self.reply(409, status(409, "Conflict", "the object has been modified"))
            return
        body["metadata"]["resourceVersion"] = str(int(rv) + 1)
        with open(path + ".tmp", "w") as f:
            json.dump(body, f)
        os.rename(path + ".tmp", path)
        self.reply(200, body)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client-ca", required=True)
    p.add_argument("--state-dir", required=True)
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.client_ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.state_dir = a.state_dir
    signal_stop(srv)
    srv.serve_forever()


def signal_stop(srv):
    import signal
    import threading
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())


if __name__ == "__main__":
    main()
