"""Every public call against hostile response bodies: nothing but the library's errors leaves.

Deeply nested JSON (2xx and error bodies), NaN and infinities, numbers too long for ``int``,
bytes that are not UTF-8, wrong top-level shapes: each call either returns or raises a
``TimeClientsError`` subclass (never ``RecursionError``, ``ValueError`` and the like).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from timeclients import HttpPool
from timeclients.clockify import ClockifyClient
from timeclients.errors import APIError, DecodeError, TimeClientsError
from timeclients.mctime import McTimeClient
from timeclients.toggl import TogglClient

WS = "5c9f6b1bb0798751a8b50e47"
USER = "5c9f6b1bb0798751a8b50e48"
TOKEN = "1971800d4d82861d8f2c1651fea4d212"

HOSTILE: dict[str, bytes] = {
    "deep-array": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "deep-in-field": b'{"id":"x","name":"n","memberships":' + b"[" * 3000 + b"]" * 3000 + b"}",
    "deep-unclosed": b'{"message":' + b"[" * 200_000,
    "nan-id": b'{"id": NaN, "name": Infinity, "data": {"id": NaN}, "items": []}',
    "float-amounts": (
        b'{"id":"x","hourlyRate":{"amount":1999.99,"currency":"USD"},"data":{"id":1.5}}'
    ),
    "huge-number": b'{"id": ' + b"9" * 5000 + b"}",
    "not-utf8": b'{"id": "\xff\xfe"}',
    "wrong-shape": b'"just a string"',
    "null": b"null",
    "empty": b"",
}
STATUSES = [200, 400, 404, 500]


def _answer(status: int, body: bytes) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body))


async def _clockify_calls(pool: HttpPool) -> list[Callable[[], Any]]:
    c = ClockifyClient(api_key="k", pool=pool, rate_limit=None, retry=None)

    async def users() -> list[Any]:
        return [u async for u in c.users.list(WS)]

    return [
        lambda: c.workspaces.list(),
        lambda: c.workspaces.get(WS),
        lambda: c.workspaces.create(name="Acme", organization_id="org"),
        lambda: c.workspaces.set_cost_rate(WS, amount=1),
        lambda: c.workspaces.set_hourly_rate(WS, amount=1),
        lambda: c.users.add(WS, email="a@example.com"),
        lambda: c.users.set_status(WS, USER, status="ACTIVE"),
        lambda: c.users.set_cost_rate(WS, USER, amount=1),
        lambda: c.users.set_hourly_rate(WS, USER, amount=1),
        users,
        lambda: c.users.bulk_set_hourly_rate(WS, {USER: 1, "u2": 2}),
    ]


async def _mctime_calls(pool: HttpPool) -> list[Callable[[], Any]]:
    c = McTimeClient(api_key="key-123", pool=pool, rate_limit=None, retry=None)

    async def walk() -> list[Any]:
        return [s async for s in c.clock.list()]

    return [lambda: c.clock.page(), lambda: c.clock.get("e1"), walk]


async def _toggl_calls(pool: HttpPool) -> list[Callable[[], Any]]:
    c = TogglClient(api_token=TOKEN, pool=pool, rate_limit=None, retry=None)
    return [
        lambda: c.me.get(with_related_data=True),
        lambda: c.me.update(fullname="Ann"),
        lambda: c.me.change_password(current_password="old", password="secret1"),
        lambda: c.me.reset_token(),
        lambda: c.signups.create(
            email="a@example.com", password="secret1", timezone="UTC", created_with="t"
        ),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("vendor", ["clockify", "mctime", "toggl"])
async def test_hostile_bodies_raise_only_library_errors(
    vendor: str, name: str, status: int
) -> None:
    """Each public call returns or raises a TimeClientsError subclass, nothing else."""
    build = {"clockify": _clockify_calls, "mctime": _mctime_calls, "toggl": _toggl_calls}[vendor]
    async with HttpPool(transport=_answer(status, HOSTILE[name])) as pool:
        raised: list[TimeClientsError] = []
        for call in await build(pool):
            try:
                await call()
            except TimeClientsError as exc:  # anything else propagates and fails the test
                raised.append(exc)
    for exc in raised:
        if status >= 400:
            assert isinstance(exc, APIError)
            assert isinstance(exc.message, str)
        elif name != "empty":
            assert isinstance(exc, DecodeError), exc
