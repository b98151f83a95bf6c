"""``EmulatorASGIApp``: the emulator as a raw ASGI application (no framework), for any server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, quote

from ._core import Dropped
from ._engine import EmulatorCore

__all__ = ["EmulatorASGIApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class EmulatorASGIApp:
    """An ASGI 3 application over an :class:`Emulator`.

    Requests are routed by path (``/api/v1`` Clockify, ``/api/v2/auth`` McTime, ``/api/v8``
    Toggl v8, ``/api/v9`` Toggl v9), or by ``Host`` and path when it is a vendor's real host.
    A dropped connection starts a response and ends without its body: the server then closes
    the connection, and the client sees the peer disconnect mid-response (ASGI has no way to
    refuse a connection).
    """

    def __init__(self, emulator: EmulatorCore) -> None:
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = _hostname(headers.get("host", ""))
        raw = scope.get("raw_path")
        raw_path = raw.decode("ascii").split("?", 1)[0] if raw else quote(scope["path"])
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        outcome = await self.emulator.answer(
            method=scope["method"],
            host=host,
            raw_path=raw_path,
            query=query,
            headers=headers,
            body=b"".join(chunks),
        )
        if isinstance(outcome, Dropped):
            # Start a response and return without a body: the server closes the connection.
            await send({"type": "http.response.start", "status": 200, "headers": []})
            return
        await send(
            {
                "type": "http.response.start",
                "status": outcome.status,
                "headers": [
                    *((k.encode("latin-1"), v.encode("latin-1")) for k, v in outcome.headers),
                    (b"content-length", str(len(outcome.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": outcome.body})


def _hostname(host_header: str) -> str:
    """The host name of a ``Host`` header, without the port (``[::1]:80`` -> ``::1``)."""
    if host_header.startswith("["):
        return host_header[1 : host_header.find("]")]
    return host_header.rsplit(":", 1)[0]
