#!/usr/bin/python3
"""TLS in front of a plain TCP server on 127.0.0.1, for tests of https clients.

Usage: tls_proxy.py LISTEN_PORT TARGET_PORT CERT_PEM KEY_PEM
Accepts TLS connections on 127.0.0.1:LISTEN_PORT with the given certificate
(the leaf only, so a client must trust the CA that signed it), and copies the
decrypted bytes both ways to 127.0.0.1:TARGET_PORT. The HTTP requests pass
unchanged (Host header included), so S3 signatures stay valid. LISTEN_PORT 0
lets the system choose; "ready PORT" is printed once listening. A failed handshake (a client that does not trust the
certificate) only ends that connection.
"""
import socket
import ssl
import sys
import threading

listen_port, target_port, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(raw):
    try:
        client = context.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    upstream = socket.create_connection(("127.0.0.1", target_port))
    back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
    back.start()
    pump(client, upstream)
    back.join()
    client.close()
    upstream.close()


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", listen_port))
listener.listen(64)
print("ready", listener.getsockname()[1], flush=True)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
