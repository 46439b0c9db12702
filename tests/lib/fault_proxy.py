#!/usr/bin/python3
"""HTTP proxy on 127.0.0.1 that injects faults in front of an S3 server.

Usage: fault_proxy.py LISTEN_PORT TARGET_PORT MODE COUNT
  MODE 503   the first COUNT requests get "503 SlowDown" (S3 error XML)
  MODE drop  the first COUNT requests are read and the connection is closed
             without an answer
  MODE corrupt  the first COUNT requests with a body have one byte flipped
             on the way to the server
Requests after the first COUNT are forwarded unchanged (Host header
included, so SigV4 signatures stay valid). Prints "ready" when listening.
"""
import http.client
import http.server
import sys
import threading

listen_port, target_port, mode, count = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lock = threading.Lock()
seen = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            if mode != "corrupt" or body:
                seen[0] += 1
            faulty = seen[0] <= count and (mode != "corrupt" or bool(body))
        if faulty and mode == "corrupt":
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        if faulty and mode == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if faulty and mode == "503":
            payload = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                       b'<Message>Please reduce your request rate.</Message></Error>')
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload) if self.command != "HEAD" else 0))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
            return
        conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
        headers = {k: v for k, v in self.headers.items()}
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in ("transfer-encoding", "connection"):
                self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", listen_port), Handler)
print("ready", flush=True)
server.serve_forever()
