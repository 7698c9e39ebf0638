#!/usr/bin/env python3
"""A stand-in for kube-apiserver in tests: HTTPS on 127.0.0.1, answers the etcd pod
list (GET /api/v1/namespaces/kube-system/pods?labelSelector=component=etcd,tier=control-plane)
from a JSON file re-read on every request. Clients authenticate with a certificate
signed by --client-ca or with the bearer token --token; anything else gets a 401 Status
as the API server sends it. Prints "PORT <n>" on stdout once listening."""
import argparse
import http.server
import json
import ssl
import sys
import urllib.parse

SELECTOR = "component=etcd,tier=control-plane"


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake-apiserver: " + fmt % args + "\n")

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authenticated(self):
        if self.connection.getpeercert():
            return True
        auth = self.headers.get("Authorization", "")
        return bool(self.server.token) and auth == "Bearer " + self.server.token

    def do_GET(self):
        if not self.authenticated():
            self.reply(401, status(401, "Unauthorized", "Unauthorized"))
            return
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/api/v1/namespaces/kube-system/pods":
            if query.get("labelSelector") != [SELECTOR]:
                self.reply(400, status(400, "BadRequest", "unexpected labelSelector %r" % query.get("labelSelector")))
                return
            with open(self.server.pods_file) as f:
                self.reply(200, json.load(f))
            return
        self.reply(404, status(404, "NotFound", "the server could not find the requested resource"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--client-ca", required=True)
    p.add_argument("--pods", required=True)
    p.add_argument("--token", default="")
    p.add_argument("--verbose", action="store_true", help="log every request on stderr")
    a = p.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.client_ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.pods_file = a.pods
    srv.token = a.token
    srv.verbose = a.verbose
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
