"""Embedding timeclients in FastAPI: one pool and one client per app, opened in the lifespan.

Run against the real Clockify with ``CLOCKIFY_API_KEY`` set::

    uvicorn examples.fastapi_app:app

or against the emulator, in two commands (the first prints the ``export`` line to paste)::

    timeclients emulator --port 8765
    export CLOCKIFY_BASE_URL=http://127.0.0.1:8765/api/v1 CLOCKIFY_API_KEY=...  # as printed
    uvicorn examples.fastapi_app:app --port 8000

The client reads ``CLOCKIFY_BASE_URL`` and ``CLOCKIFY_API_KEY`` itself: the code is the same.

Every request handler shares one connection pool and one rate budget per workspace, so
concurrent requests to this service cannot push Clockify past its limit. With several workers
(``uvicorn ... --workers 4``) each worker is a process with its own pool: set
``TIMECLIENTS_REDIS_URL=redis://127.0.0.1:6379/0`` (and ``pip install 'timeclients[redis]'``)
and every worker keeps its limiters in that Redis, sharing one budget per workspace.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from timeclients import ClockifyClient, HttpPool, RedisRateStore, errors


def make_pool() -> HttpPool:
    """The app's pool: limiters in Redis when ``TIMECLIENTS_REDIS_URL`` is set, else in process."""
    url = os.environ.get("TIMECLIENTS_REDIS_URL")
    return HttpPool(rate_store=RedisRateStore(url) if url else None)


def create_app(make_pool: Callable[[], HttpPool] = make_pool, **client_options: Any) -> FastAPI:
    """The app; tests pass a pool on the emulator's transport and a fake base URL."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with make_pool() as pool:
            app.state.clockify = ClockifyClient(pool=pool, **client_options)
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/workspaces/{workspace_id}/members/{user_id}/rates")
    async def member_rates(workspace_id: str, user_id: str, request: Request) -> dict[str, Any]:
        clockify: ClockifyClient = request.app.state.clockify
        try:
            workspace = await clockify.workspaces.get(workspace_id)
        except errors.NotFoundError as exc:
            raise HTTPException(404, exc.message) from exc
        hourly = workspace.hourly_rate_for(user_id)
        cost = workspace.cost_rate_for(user_id)
        return {
            "workspace": workspace.name,
            "hourly": hourly.amount if hourly else None,
            "cost": cost.amount if cost else None,
        }

    @app.put("/workspaces/{workspace_id}/members/{user_id}/cost-rate")
    async def set_cost_rate(
        workspace_id: str, user_id: str, amount: int, request: Request
    ) -> dict[str, Any]:
        clockify: ClockifyClient = request.app.state.clockify
        try:
            workspace = await clockify.users.set_cost_rate(workspace_id, user_id, amount=amount)
        except errors.ValidationError as exc:
            raise HTTPException(422, str(exc)) from exc
        rate = workspace.cost_rate_for(user_id)
        return {"cost": rate.amount if rate else None}

    return app


app = create_app()
