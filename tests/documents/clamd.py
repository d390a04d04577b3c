"""A tiny clamd speaking the real protocol over TCP (``zINSTREAM``, ``zPING``).

It answers like clamd: ``stream: OK``, ``stream: <signature> FOUND`` or
``INSTREAM size limit exceeded. ERROR``, each terminated by NUL for the ``z``
commands. Its one signature is the EICAR test string (as ClamAV's
``Win.Test.EICAR_HDB-1``). It records what it received so tests can see the bytes
really went over the socket.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
STREAM_MAX = 25 * 1024 * 1024


def _read_exact(rfile: socket.SocketIO | object, n: int) -> bytes:
    data = b""
    while len(data) < n:
        part = rfile.read(n - len(data))  # type: ignore[attr-defined]
        if not part:
            raise ConnectionError("client closed the stream")
        data += part
    return data


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        command = b""
        while not command.endswith((b"\0", b"\n")):
            byte = self.rfile.read(1)
            if not byte:
                return
            command += byte
        name = command[1:-1] if command.startswith((b"z", b"n")) else command[:-1]
        end = b"\0" if command.startswith(b"z") else b"\n"
        if name == b"PING":
            self.wfile.write(b"PONG" + end)
            return
        if name != b"INSTREAM":
            self.wfile.write(b"UNKNOWN COMMAND" + end)
            return
        received = bytearray()
        while True:
            (length,) = struct.unpack("!L", _read_exact(self.rfile, 4))
            if length == 0:
                break
            received += _read_exact(self.rfile, length)
            if len(received) > STREAM_MAX:
                self.wfile.write(b"INSTREAM size limit exceeded. ERROR" + end)
                return
        self.server.scanned.append(bytes(received))
        if EICAR in received:
            self.wfile.write(b"stream: Win.Test.EICAR_HDB-1 FOUND" + end)
        else:
            self.wfile.write(b"stream: OK" + end)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    scanned: list[bytes]


class FakeClamd:
    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.scanned = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"tcp://{host}:{port}"

    @property
    def scanned(self) -> list[bytes]:
        return self.server.scanned

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
