"""Bulk rate updates: accounting, order, progress, the last workspace only, limits, cancellation."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import attrs
import httpx
import pytest

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients.clockify import BulkResult, ClockifyClient
from timeclients.clockify import _protocol as proto
from timeclients.errors import NotFoundError, ServerError

from ..conftest import FakeClock
from . import samples

BASE = "https://api.clockify.me/api/v1"
WS = samples.WORKSPACE_ID
PREFIX = f"/api/v1/workspaces/{WS}/users/"

AsyncHandler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def user_of(request: httpx.Request) -> str:
    """The user id of a ``PUT .../users/{userId}/<rate>`` request."""
    path = request.url.raw_path.decode()
    assert path.startswith(PREFIX), path
    return path[len(PREFIX) :].split("/")[0]


def answer_for(user_id: str) -> httpx.Response:
    """A workspace whose name says which user's update produced it."""
    return httpx.Response(200, json=samples.workspace(name=f"after {user_id}"))


def make_client(handler: AsyncHandler, clock: FakeClock, **kwargs: Any) -> ClockifyClient:
    pool = HttpPool(transport=httpx.MockTransport(handler), clock=clock)
    kwargs.setdefault("retry", RetryPolicy(jitter=0.0))
    return ClockifyClient(api_key="k", pool=pool, **kwargs)


def rates_for(count: int) -> dict[str, int]:
    return {f"u{i:03d}": 1000 + i for i in range(count)}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["cost-rate", "hourly-rate"])
async def test_all_succeed_in_input_order(fake_clock: FakeClock, kind: str) -> None:
    """Every user's PUT is sent once with its amount and since; succeeded keeps input order."""
    bodies: dict[str, dict[str, Any]] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "PUT"
        assert request.url.raw_path.decode().endswith(f"/{kind}")
        user = user_of(request)
        bodies[user] = json.loads(request.content)
        # Earlier users answer later: completion order is the reverse of input order.
        await anyio.sleep(0.0005 * (40 - int(user[1:])))
        return answer_for(user)

    rates = rates_for(40)
    progress: list[tuple[int, int]] = []
    since = datetime(2024, 1, 1, tzinfo=timezone.utc)
    async with make_client(handler, fake_clock) as client:
        bulk = (
            client.users.bulk_set_cost_rate
            if kind == "cost-rate"
            else client.users.bulk_set_hourly_rate
        )
        result = await bulk(
            WS, rates, since=since, on_progress=lambda d, t: progress.append((d, t)), concurrency=8
        )
    assert isinstance(result, BulkResult)
    assert result.ok
    assert result.succeeded == list(rates)
    assert result.failed == {}
    assert bodies == {
        user: {"amount": amount, "since": "2024-01-01T00:00:00Z"} for user, amount in rates.items()
    }
    assert progress == [(i, 40) for i in range(1, 41)]
    assert result.workspace is not None
    assert result.workspace.name.startswith("after u")


@pytest.mark.anyio
async def test_partial_failure_is_accounted_for(fake_clock: FakeClock) -> None:
    """~15% of users keep answering 503 and one is 404: each lands in failed, the rest succeed.

    Transient 503s are retried (on the fake clock, so no real sleeping) and count as successes.
    """
    attempts: dict[str, int] = {}
    always_down = {f"u{i:03d}" for i in range(0, 100, 7)}  # 15 of 100
    flaky = {f"u{i:03d}" for i in range(3, 100, 10)}

    async def handler(request: httpx.Request) -> httpx.Response:
        user = user_of(request)
        attempts[user] = attempts.get(user, 0) + 1
        if user in always_down:
            return httpx.Response(503, json={"message": "unavailable", "code": 503})
        if user == "u050":
            return httpx.Response(404, json={"message": "no such user", "code": 404})
        if user in flaky and attempts[user] == 1:
            return httpx.Response(503)
        return answer_for(user)

    rates = rates_for(100)
    progress: list[tuple[int, int]] = []
    async with make_client(handler, fake_clock) as client:
        result = await client.users.bulk_set_cost_rate(
            WS, rates, on_progress=lambda d, t: progress.append((d, t))
        )
    expected_failed = always_down | {"u050"}
    assert not result.ok
    assert set(result.failed) == expected_failed
    assert all(isinstance(result.failed[u], ServerError) for u in always_down)
    assert isinstance(result.failed["u050"], NotFoundError)
    assert result.succeeded == [u for u in rates if u not in expected_failed]
    assert len(result.succeeded) + len(result.failed) == 100
    assert progress[-1] == (100, 100)
    assert all(attempts[u] == 3 for u in always_down)  # RetryPolicy's 3 attempts, then give up
    assert all(attempts[u] == 2 for u in flaky - always_down)
    assert result.workspace is not None


@pytest.mark.anyio
async def test_only_the_last_response_becomes_the_workspace(
    fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one worker, BulkResult.workspace is the last user's response, structured once."""
    structured: list[object] = []
    real = proto.decoder

    class CountingDecoder:
        def structure(self, data: Any, cls: Any, **kwargs: Any) -> Any:
            structured.append(cls)
            return real.structure(data, cls, **kwargs)

    monkeypatch.setattr(ClockifyClient, "spec", attrs.evolve(proto.SPEC, decoder=CountingDecoder()))

    async def handler(request: httpx.Request) -> httpx.Response:
        return answer_for(user_of(request))

    async with make_client(handler, fake_clock) as client:
        result = await client.users.bulk_set_hourly_rate(WS, rates_for(25), concurrency=1)
    assert result.workspace is not None
    assert result.workspace.name == "after u024"
    assert len(structured) == 1  # one workspace, not one per user


@pytest.mark.anyio
async def test_applied_items_with_bad_bodies_succeed(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A 2xx whose body is not a workspace still set the rate: its user succeeded (issue 10)."""

    async def handler(request: httpx.Request) -> httpx.Response:
        user = user_of(request)
        if user == "u001":
            return httpx.Response(200, text="<html>proxy page</html>")
        if user == "u002":
            return httpx.Response(200, json={"unexpected": True})
        return answer_for(user)

    with caplog.at_level("WARNING", logger="timeclients"):
        async with make_client(handler, fake_clock) as client:
            result = await client.users.bulk_set_cost_rate(WS, rates_for(3), concurrency=1)
    assert result.succeeded == ["u000", "u001", "u002"]
    assert result.failed == {}
    assert result.ok
    assert result.workspace is None  # neither of the last two answers decoded
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1  # once per bulk call, not once per item
    assert "did not decode" in warnings[0].getMessage()


@pytest.mark.anyio
async def test_undecodable_workspace_everywhere_reports_every_item_succeeded(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Every 200 carrying a workspace that does not decode: all succeeded, one warning."""

    async def handler(request: httpx.Request) -> httpx.Response:
        body = samples.workspace()
        body["memberships"] = "not a list"
        return httpx.Response(200, json=body)

    with caplog.at_level("WARNING", logger="timeclients"):
        async with make_client(handler, fake_clock) as client:
            result = await client.users.bulk_set_hourly_rate(WS, rates_for(3))
    assert sorted(result.succeeded) == ["u000", "u001", "u002"]
    assert result.failed == {}
    assert result.workspace is None
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 1


@pytest.mark.anyio
async def test_last_body_bad_falls_back_to_the_one_before(fake_clock: FakeClock) -> None:
    """When the last answer does not decode, the workspace is the previous answer's."""

    async def handler(request: httpx.Request) -> httpx.Response:
        user = user_of(request)
        if user == "u002":
            return httpx.Response(200, text="truncated {")
        return answer_for(user)

    async with make_client(handler, fake_clock) as client:
        result = await client.users.bulk_set_cost_rate(WS, rates_for(3), concurrency=1)
    assert result.succeeded == ["u000", "u001", "u002"]
    assert result.workspace is not None
    assert result.workspace.name == "after u001"


@pytest.fixture
def parsed_bodies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every body parsed as JSON from now on (``load_json`` counted)."""
    from timeclients._wire import _response

    parsed: list[int] = []
    real = _response.load_json

    def counting(content: bytes) -> Any:
        parsed.append(len(content))
        return real(content)

    monkeypatch.setattr(_response, "load_json", counting)
    return parsed


async def _answer_for_user(request: httpx.Request) -> httpx.Response:
    return answer_for(user_of(request))


@pytest.mark.anyio
async def test_bodies_thrown_away_are_not_parsed(
    fake_clock: FakeClock, parsed_bodies: list[int]
) -> None:
    """Of 30 answers only the one kept as BulkResult.workspace is parsed as JSON."""
    async with make_client(_answer_for_user, fake_clock) as client:
        result = await client.users.bulk_set_cost_rate(WS, rates_for(30))
    assert len(result.succeeded) == 30
    assert result.workspace is not None
    assert len(parsed_bodies) == 1


@pytest.mark.anyio
async def test_the_kept_workspace_is_parsed_on_first_read_only(
    fake_clock: FakeClock, parsed_bodies: list[int]
) -> None:
    """The bulk call parses no body: the kept answer is parsed once, when .workspace is read."""
    async with make_client(_answer_for_user, fake_clock) as client:
        result = await client.users.bulk_set_cost_rate(WS, rates_for(5), concurrency=1)
    assert parsed_bodies == []
    assert result.workspace is not None
    assert result.workspace.name == "after u004"
    assert result.workspace is result.workspace
    assert len(parsed_bodies) == 1
    assert result == BulkResult(succeeded=["u000", "u001", "u002", "u003", "u004"])


@pytest.mark.anyio
async def test_empty_rates_send_nothing(fake_clock: FakeClock) -> None:
    """An empty mapping is an empty, successful result and no request."""
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer_for("x")

    async with make_client(handler, fake_clock) as client:
        result = await client.users.bulk_set_cost_rate(WS, {})
    assert result == BulkResult()
    assert result.ok
    assert seen == []


@pytest.mark.anyio
async def test_concurrency_bounds_requests_in_flight(fake_clock: FakeClock) -> None:
    """concurrency=3 never has more than three requests in flight."""
    running = peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await anyio.sleep(0.001)
        running -= 1
        return answer_for(user_of(request))

    async with make_client(handler, fake_clock) as client:
        result = await client.users.bulk_set_cost_rate(WS, rates_for(30), concurrency=3)
    assert result.ok
    assert peak == 3


@pytest.mark.anyio
async def test_bulk_respects_the_workspace_rate_limit(fake_clock: FakeClock) -> None:
    """100 updates at 50 per second take at least ~2 s of (virtual) limiter time."""
    sent_at: list[float] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(fake_clock.now())
        return answer_for(user_of(request))

    async with make_client(handler, fake_clock, rate_limit=RateLimit(50, 1.0)) as client:
        result = await client.users.bulk_set_cost_rate(WS, rates_for(100))
    assert result.ok
    assert sent_at[-1] - sent_at[0] >= 1.9
    # The sliding-window promise: never more than 50 sends in any 1-second window.
    for i in range(len(sent_at) - 50):
        assert sent_at[i + 50] - sent_at[i] >= 1.0


@pytest.mark.anyio
async def test_cancellation_stops_every_request(fake_clock: FakeClock) -> None:
    """Cancelling a bulk job against a slow server sends nothing more; the client still works."""
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=samples.workspace())
        seen.append(user_of(request))
        await anyio.sleep(30)  # a server that never answers in time
        return answer_for(seen[-1])

    async with make_client(handler, fake_clock) as client:
        with anyio.move_on_after(0.2) as scope:
            await client.users.bulk_set_cost_rate(WS, rates_for(200), concurrency=4)
        assert scope.cancelled_caught
        assert len(seen) == 4  # only the four in flight were ever sent
        await anyio.sleep(0.1)
        assert len(seen) == 4  # and nothing was sent after the cancel
        with anyio.fail_after(1):
            ws = await client.workspaces.get(WS)
        assert ws.id == WS


@pytest.mark.anyio
async def test_an_on_progress_error_propagates(fake_clock: FakeClock) -> None:
    """A bug in on_progress is the caller's: it stops the job and is raised."""

    async def handler(request: httpx.Request) -> httpx.Response:
        return answer_for(user_of(request))

    def broken(done: int, total: int) -> None:
        raise RuntimeError("progress bar broke")

    async with make_client(handler, fake_clock) as client:
        with pytest.raises(Exception) as info:  # noqa: PT011 - checked just below
            await client.users.bulk_set_cost_rate(WS, rates_for(5), on_progress=broken)
    # The task group may wrap it in an ExceptionGroup; the RuntimeError must be the cause.
    leaves = getattr(info.value, "exceptions", (info.value,))
    assert leaves
    assert {type(e) for e in leaves} == {RuntimeError}
