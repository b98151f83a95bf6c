"""Embedding timeclients in an aiohttp server: the client lives in ``app.cleanup_ctx``.

Run against the real McTime with ``MCTIME_API_KEY`` set::

    python -m aiohttp.web -H 127.0.0.1 -P 8080 examples.aiohttp_app:init_app

or against the emulator: start ``timeclients emulator --port 8765`` and paste the ``export``
line it prints (``MCTIME_BASE_URL`` and ``MCTIME_API_KEY``) before the command above.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from timeclients import HttpPool, McTimeClient

MCTIME = web.AppKey("mctime", McTimeClient)


def create_app(
    make_pool: Callable[[], HttpPool] = HttpPool, **client_options: Any
) -> web.Application:
    """The app; tests pass a pool on the emulator's transport and a fake base URL."""

    async def clients(app: web.Application) -> AsyncIterator[None]:
        async with make_pool() as pool:
            app[MCTIME] = McTimeClient(pool=pool, **client_options)
            yield

    async def clocked_in(request: web.Request) -> web.Response:
        mctime = request.app[MCTIME]
        names = [f"{s.user_first_name} {s.user_last_name}" async for s in mctime.clock.list()]
        return web.json_response({"clocked_in": names, "count": len(names)})

    app = web.Application()
    app.cleanup_ctx.append(clients)
    app.router.add_get("/clocked-in", clocked_in)
    return app


def init_app(argv: list[str] | None = None) -> web.Application:
    """Entry point for ``python -m aiohttp.web``."""
    return create_app()
