#!/usr/bin/python3
"""HTTP proxy on 127.0.0.1 that injects faults in front of an S3 server.

Usage: fault_proxy.py LISTEN_PORT TARGET_PORT MODE COUNT
  MODE 503   the first COUNT requests get "503 SlowDown" (S3 error XML)
  MODE drop  the first COUNT requests are read and the connection is closed
             without an answer
  MODE corrupt  the first COUNT requests with a body have one byte flipped
             on the way to the server
  MODE 500   the first COUNT requests get "500 InternalError"
  MODE cut   the first COUNT requests have half their body read, then the
             connection is closed (a connection lost mid-upload)
FAULT_PROXY_METHODS=PUT,POST counts (and faults) only requests with those
methods; FAULT_PROXY_SKIP=N lets the first N counted requests through
before the COUNT faulty ones; FAULT_PROXY_MATCH=REGEX counts only requests
whose target (path and query) matches. With FAULT_PROXY_FAULTS=FILE every fault
injected is recorded there as one line "MODE METHOD TARGET", so a test can
tell which requests it hit.
Requests after the first COUNT are forwarded unchanged (Host header
included, so SigV4 signatures stay valid). LISTEN_PORT 0 lets the system
choose; "ready PORT" is printed once listening.

With FAULT_PROXY_CONTROL=FILE the faults can change while the proxy runs
(so a job's endpoint stays the same): FILE holds JSON {"mode", "count",
"methods", "skip", "match"} (methods comma-separated, every key optional,
defaulting to the arguments and variables above) and is read again before
each request; when its content changes the count starts over.

With FAULT_PROXY_LOG=FILE set, every request is also recorded there as one
JSON line {"method", "target", "headers"} (target as received: a path, or an
absolute URL when clients use it as their HTTP proxy, which lets tests see
virtual-host requests for names that do not resolve). MODE record COUNT
forwards everything.
"""
import http.client
import http.server
import json
import os
import re
import socket
import sys
import threading
import urllib.parse

listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
DEFAULTS = {"mode": sys.argv[3], "count": int(sys.argv[4]), "methods": os.environ.get("FAULT_PROXY_METHODS", ""),
            "skip": int(os.environ.get("FAULT_PROXY_SKIP") or 0), "match": os.environ.get("FAULT_PROXY_MATCH")}
lock = threading.Lock()
seen = [0]
control_text = [None]


def settings():
    """The faults in force (call with the lock held)."""
    control = os.environ.get("FAULT_PROXY_CONTROL")
    if not control:
        return DEFAULTS
    try:
        text = open(control, encoding="utf-8").read()
    except FileNotFoundError:
        text = ""
    if text != control_text[0]:
        control_text[0] = text
        seen[0] = 0
    return {**DEFAULTS, **(json.loads(text) if text.strip() else {})}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        with lock:
            now = settings()
            mode, count, skip, match = now["mode"], int(now["count"]), int(now["skip"]), now["match"]
            methods = [m for m in now["methods"].split(",") if m]
            counted = (mode != "corrupt" or length > 0) and (not methods or self.command in methods) \
                and (not match or re.search(match, self.path) is not None)
            if counted:
                seen[0] += 1
            faulty = counted and skip < seen[0] <= skip + count
            faults = os.environ.get("FAULT_PROXY_FAULTS")
            if faulty and faults and mode != "record":
                with open(faults, "a", encoding="utf-8") as f:
                    f.write("%s %s %s\n" % (mode, self.command, self.path))
        if faulty and mode == "cut":
            self.rfile.read(length // 2)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
            return
        body = self.rfile.read(length) if length else b""
        record = os.environ.get("FAULT_PROXY_LOG")
        if record:
            with lock, open(record, "a", encoding="utf-8") as f:
                f.write(json.dumps({"method": self.command, "target": self.path,
                                    "headers": dict(self.headers.items())}) + "\n")
        if faulty and mode == "corrupt":
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        if faulty and mode == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if faulty and mode in ("503", "500"):
            payload = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                       b'<Message>Please reduce your request rate.</Message></Error>' if mode == "503" else
                       b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                       b'<Message>We encountered an internal error. Please try again.</Message></Error>')
            self.send_response(int(mode))
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload) if self.command != "HEAD" else 0))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
        headers = {k: v for k, v in self.headers.items()}
        target = self.path
        if "://" in target:  # absolute form, as sent to a proxy
            parts = urllib.parse.urlsplit(target)
            target = parts.path + ("?" + parts.query if parts.query else "")
        conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            # The body is passed on whole: its length replaces chunked framing.
            if k.lower() not in ("transfer-encoding", "connection") and (
                    self.command == "HEAD" or k.lower() != "content-length"):
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Handler)
print("ready", server.server_address[1], flush=True)
server.serve_forever()
