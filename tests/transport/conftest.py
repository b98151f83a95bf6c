"""Hostile raw-TCP servers for the transport tests: each plays a scripted misbehaviour."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator

import pytest


class Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behave: Callable[[socket.socket, int, Hostile], None]) -> None:
        self.behave = behave
        self.requests: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: Hostile = self.server  # type: ignore[assignment]
        sock: socket.socket = self.request
        sock.settimeout(10)
        n = 0
        buffer = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffer:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(buffer) < length:
                    buffer += sock.recv(65536)
                buffer = buffer[length:]
                with server.lock:
                    server.requests.append((time.monotonic(), head))
                server.behave(sock, n, server)
                n += 1
        except OSError:
            return


def _ok(sock: socket.socket, body: bytes = b"{}", extra: bytes = b"") -> None:
    sock.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


@pytest.fixture
def hostile() -> Iterator[Callable[..., Hostile]]:
    """Start a hostile server with a given behaviour; all are shut down after the test."""
    started: list[Hostile] = []

    def start(behave: Callable[[socket.socket, int, Hostile], None]) -> Hostile:
        server = Hostile(behave)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()
