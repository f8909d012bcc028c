#!/usr/bin/env python3
"""A local HTTP receiver for the webhook connector's tests (issue 5 §4).

It binds 127.0.0.1 on a free port, writes "ready <port>" to --ready-file, and for each POST:
  - checks X-DSAR-Signature against HMAC-SHA-256(secret, X-DSAR-Timestamp + "." + body), the
    secret being the first line of --secret-file (service/webhook.h documents the format);
  - appends one JSON line to --log: {"path", "timestamp", "signature", "idempotency_key",
    "content_type", "body", "signature_ok"};
  - answers by path: /complete 200 {"status":"completed","records_deleted":3}, /accept
    202 {"status":"accepted"}, /fail 500, /slow after 3 s; 401 when the signature is wrong.
"""
import argparse
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    with open(args.secret_file, "rb") as f:
        secret = f.readline().rstrip(b"\r\n")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            ts = self.headers.get("X-DSAR-Timestamp", "")
            sig = self.headers.get("X-DSAR-Signature", "")
            want = "v1=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(want, sig)
            with open(args.log, "a") as log:
                log.write(json.dumps({"path": self.path, "timestamp": ts, "signature": sig,
                                      "idempotency_key": self.headers.get("Idempotency-Key", ""),
                                      "content_type": self.headers.get("Content-Type", ""),
                                      "body": body.decode("utf-8"), "signature_ok": ok}) + "\n")
            if not ok:
                return self.answer(401, {"status": "bad signature"})
            if self.path == "/complete":
                return self.answer(200, {"status": "completed", "records_deleted": 3})
            if self.path == "/accept":
                return self.answer(202, {"status": "accepted"})
            if self.path == "/slow":
                time.sleep(3)
                return self.answer(200, {"status": "completed"})
            return self.answer(500, {"status": "error"})

        def answer(self, code, obj):
            data = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.ready_file, "w") as f:
        f.write("ready %d\n" % server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
