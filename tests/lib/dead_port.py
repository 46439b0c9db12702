#!/usr/bin/python3
"""Holds a loopback TCP port that nothing listens on: the socket is bound but
never listens, so a connection to it is refused, and no other process can
bind the port while this one runs. Prints the port, then waits for SIGTERM.
A port picked free and closed again can be taken by another test before it
is used; this one cannot."""
import signal
import socket

s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
signal.sigwait([signal.SIGTERM, signal.SIGINT])
