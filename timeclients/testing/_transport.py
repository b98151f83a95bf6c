"""``EmulatorTransport``: an ``httpx`` transport answering from an :class:`Emulator` in-process."""

from __future__ import annotations

import httpx

from ._core import Dropped
from ._engine import EmulatorCore

__all__ = ["EmulatorTransport"]


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Answers every request from an emulator, with no socket; plug it into ``HttpPool``.

    Requests to the vendors' real hosts go to that vendor; any other host is routed by path
    (``/api/v1`` Clockify, ``/api/v2/auth`` McTime, ``/api/v8`` Toggl v8, ``/api/v9`` Toggl
    v9). A dropped connection raises what a real socket would: ``httpx.ConnectError`` when the
    request was never sent, ``httpx.RemoteProtocolError`` when it was applied and the response
    was lost.
    """

    def __init__(self, emulator: EmulatorCore) -> None:
        self.emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the emulator and return its answer."""
        body = await request.aread()
        raw_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        outcome = await self.emulator.answer(
            method=request.method,
            host=request.url.host,
            raw_path=raw_path,
            query=request.url.params.multi_items(),
            headers=dict(request.headers.items()),
            body=body,
        )
        if isinstance(outcome, Dropped):
            if outcome.before:
                raise httpx.ConnectError("emulated: connection refused", request=request)
            raise httpx.RemoteProtocolError(
                "emulated: server disconnected without sending a response", request=request
            )
        return httpx.Response(
            outcome.status, headers=list(outcome.headers), content=outcome.body, request=request
        )
