"""A fast loopback Clockify-shaped server for benchmarks, run in its own process.

A raw ASGI app (no framework) on uvicorn with the ``httptools`` parser, so that the server is
not what a client benchmark measures. It answers ``GET /api/v1/workspaces/{id}`` with one
Clockify workspace (the API document's sample with its membership list emptied, about 1.7 KB:
the smallest body both timeclients' strict models and clockify-python-115's accept), echoing
the id. With ``--limit N --per S`` it counts arrivals per workspace in a strict sliding window
and answers one more ``429 {"message": "Too many requests", "code": 429}``, as Clockify does.
``GET /_stats`` reports the counts; ``POST /_reset`` clears them.

Usage: ``python -m benchmarks._server [--port 0] [--limit 50 --per 1.0]``: it prints
``listening <port>`` on stdout once it accepts connections. From Python, use
:func:`serve_in_subprocess`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "clockify_workspace.json"
PREFIX = "/api/v1/workspaces/"


def workspace_document() -> dict[str, Any]:
    """The benchmark's workspace: the Clockify document's sample, memberships emptied."""
    workspace: dict[str, Any] = copy.deepcopy(json.loads(FIXTURE.read_text("utf-8"))[0])
    workspace["memberships"] = []
    workspace["features"] = ["ADD_TIME_FOR_OTHERS"]
    # The document shows both forms; clockify-python-115 accepts only the array.
    workspace["workspaceSettings"]["adminOnlyPages"] = ["PROJECT", "TEAM", "REPORTS"]
    return workspace


class BenchServer:
    """Raw ASGI app: the workspace endpoint, optionally behind a strict sliding window."""

    def __init__(self, limit: int | None = None, per: float = 1.0) -> None:
        self.limit = limit
        self.per = per
        template = json.dumps(workspace_document(), separators=(",", ":"))
        head, _, tail = template.partition('"id":"64a687e29ae1f428e7ebe303"')
        self._head = head.encode() + b'"id":"'
        self._tail = b'"' + tail.encode()
        self.windows: dict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self.accepted = 0
        self.throttled = 0

    def body_for(self, workspace_id: str) -> bytes:
        """The JSON body for ``workspace_id`` (ids in the benchmark are plain ASCII)."""
        return self._head + workspace_id.encode() + self._tail

    def admit(self, workspace_id: str) -> bool:
        """Count an arrival in the strict window; False when it is one too many."""
        if self.limit is None:
            return True
        now = time.monotonic()
        window = self.windows[workspace_id]
        while window and window[0] <= now - self.per:
            window.popleft()
        if len(window) >= self.limit:
            return False
        window.append(now)
        return True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        path: str = scope["path"]
        method: str = scope["method"]
        if method == "GET" and path.startswith(PREFIX) and "/" not in path[len(PREFIX) :]:
            workspace_id = path[len(PREFIX) :]
            if self.admit(workspace_id):
                self.accepted += 1
                await _respond(send, 200, self.body_for(workspace_id))
            else:
                self.throttled += 1
                await _respond(send, 429, b'{"message":"Too many requests","code":429}')
        elif path == "/_stats":
            stats = {"accepted": self.accepted, "throttled": self.throttled}
            await _respond(send, 200, json.dumps(stats).encode())
        elif path == "/_reset" and method == "POST":
            self.windows.clear()
            self.accepted = self.throttled = 0
            await _respond(send, 204, b"")
        else:
            await _respond(send, 404, b'{"message":"Not found","code":404}')


async def _respond(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="requests per window")
    parser.add_argument("--per", type=float, default=1.0, help="window, seconds")
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    print(f"listening {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(
        BenchServer(args.limit, args.per),
        http="httptools",
        loop="auto",  # uvloop when installed: the server must not be the bottleneck
        lifespan="off",
        log_level="warning",
        access_log=False,
        backlog=2048,
    )
    uvicorn.Server(config).run(sockets=[sock])


@contextlib.contextmanager
def serve_in_subprocess(*, limit: int | None = None, per: float = 1.0) -> Iterator[str]:
    """Run the server in a child process; yield its base URL (``http://127.0.0.1:<port>``)."""
    command = [sys.executable, "-m", "benchmarks._server", "--port", "0"]
    if limit is not None:
        command += ["--limit", str(limit), "--per", str(per)]
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(  # noqa: S603  (our own module, fixed arguments)
        command, stdout=subprocess.PIPE, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.startswith("listening "):
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        port = int(line.split()[1])
        _wait_until_accepting(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_accepting(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


if __name__ == "__main__":
    main()
