# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tiny HTTP(S) servers on loopback port 0 that record every request: redirectors, capturers, proxies."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import threading

OK_BODY = {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": [], "count": 0}


class LoopbackServer:
    """Answers every request with answer(handler) -> (status, headers, body) and records (method, path, headers)."""

    def __init__(self, answer=None, tls_files=None):
        self.requests = []
        self.answer = answer or (lambda handler: (200, {}, OK_BODY))
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                server.requests.append((self.command, self.path, dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, headers, body = server.answer(self)
                data = json.dumps(body).encode("utf-8") if body is not None else b""
                self.send_response(status)
                for name, value in dict({"Content-Type": "application/json"}, **headers).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls_files:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls_files)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self.url = "%s://127.0.0.1:%d" % (self.scheme, self.port)
        # A short poll interval: shutdown() waits for it, in every test.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()
        return False


def self_signed_certificate(directory):
    """A certificate for 127.0.0.1 and its key (openssl), as (cert_path, key_path)."""
    cert, key = str(directory / "cert.pem"), str(directory / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key
