"""A scriptable in-memory McTime ``GET /clock`` server for the client's wire tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from timeclients import HttpPool
from timeclients.mctime import McTimeClient

KEY = "mctime-test-key-123"
BASE = "https://mctime.example/api/v2/auth"


def entry(n: int, *, org: str = "33333333-3333-3333-3333-333333333333") -> dict[str, Any]:
    """The document's sample item, made unique by ``n``."""
    return {
        "userId": f"user-{n:04d}",
        "userFirstName": "John",
        "userLastName": f"Doe {n}",
        "clockedIn": True,
        "onBreak": False,
        "from": "2026-01-15T08:00:00+01:00",
        "id": f"entry-{n:04d}",
        "organizationId": org,
        "organizationName": "Main Office",
        "timeType": "work",
        "breaks": None,
    }


class FakeMcTime:
    """``GET /clock`` over a live list of entries, 20 a page, counting requests in flight.

    ``before_page[n]`` runs just before page ``n`` is served (people clocking in or out);
    ``checkpoints`` yields to the loop that often while "serving" (so requests overlap);
    pages listed in ``block`` never answer until cancelled (cancellations are recorded);
    ``fail[n]`` answers page ``n`` with that response instead.
    """

    def __init__(self, entries: list[dict[str, Any]], *, key: str = KEY) -> None:
        self.entries = list(entries)
        self.key = key
        self.before_page: dict[int, Callable[[FakeMcTime], None]] = {}
        self.fail: dict[int, httpx.Response] = {}
        self.block: set[int] = set()
        self.extra_items: dict[int, list[dict[str, Any]]] = {}
        self.checkpoints = 0
        self.total_pages_override: Callable[[int], int] | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self.pages_requested: list[int] = []
        self.requests: list[httpx.Request] = []
        self.cancelled: list[int] = []
        self.finished = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self, **kwargs: Any) -> McTimeClient:
        kwargs.setdefault("rate_limit", None)
        kwargs.setdefault("pool", HttpPool(transport=self.transport()))
        return McTimeClient(api_key=self.key, base_url=BASE, **kwargs)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("API_KEY") != self.key:
            return httpx.Response(401, json={"message": "Invalid API_KEY"})
        page = int(request.url.params.get("page", "1"))
        self.pages_requested.append(page)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if page in self.block:
                try:
                    await anyio.sleep_forever()
                except anyio.get_cancelled_exc_class():
                    self.cancelled.append(page)
                    raise
            for _ in range(self.checkpoints):
                await anyio.lowlevel.checkpoint()
            hook = self.before_page.get(page)
            if hook is not None:
                hook(self)
            if page in self.fail:
                return self.fail[page]
            return httpx.Response(200, content=json.dumps(self.page(page)).encode())
        finally:
            self.in_flight -= 1
            self.finished += 1

    def page(self, page: int) -> dict[str, Any]:
        size = 20
        items = self.entries[(page - 1) * size : page * size] + self.extra_items.get(page, [])
        total_pages = -(-len(self.entries) // size)
        if self.total_pages_override is not None:
            total_pages = self.total_pages_override(page)
        return {
            "items": items,
            "page": page,
            "totalItems": len(self.entries),
            "totalCount": total_pages,
        }
