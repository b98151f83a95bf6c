"""The Redis rate store against a real ``redis-server`` (started here), tasks and processes.

The suite starts ``redis-server`` itself on a free loopback port without persistence; when it
is not installed these tests fail (CI installs it: ``.ci/run``), they never skip.
"""

from __future__ import annotations

import bisect
import logging
import re
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks._strict_server import WORKSPACE_TEMPLATE
from benchmarks.shared_budget import free_port, run_workers, start_redis, start_server
from timeclients import ClockifyClient, HttpPool, RateLimit, RedisRateStore
from timeclients._transport import SystemClock, credential_fingerprint
from timeclients.errors import ConfigurationError, RateStoreError, TransportError

API_KEY = "sk-redis-store-secret-0042"
WORKSPACE = "64a687e29ae1f428e7ebe303"


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A ``redis-server`` of our own on a free loopback port, for the whole session."""
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
        pytest.fail(
            "redis-server is not installed; the Redis rate store tests need a real one "
            "(Debian: apt-get install -y redis-server, as .ci/run does)"
        )
    port = free_port()
    process = start_redis(port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def prefix() -> str:
    """A prefix no other test uses: every test starts from an empty budget."""
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def control(redis_url: str) -> AsyncIterator[Any]:
    """A plain redis-py client, to look at what the store wrote."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


def max_in_window(times: list[float], per: float) -> int:
    """The most events any half-open window [t, t + per) holds."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + per) - i for i, t in enumerate(times)), default=0)


async def acquire_times(limiter: Any, n: int, sent: list[float] | None = None) -> list[float]:
    """Acquire ``n`` slots from concurrent tasks; the monotonic time of each."""
    sent = sent if sent is not None else []
    clock = SystemClock()

    async def one() -> None:
        await limiter.acquire()
        sent.append(clock.now())

    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(one)
    return sent


def counting_transport() -> tuple[httpx.MockTransport, list[httpx.Request]]:
    """A transport answering every rate update 200 with a workspace; records requests."""
    seen: list[httpx.Request] = []
    body = dict(WORKSPACE_TEMPLATE, id=WORKSPACE)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handler), seen


# --- construction --------------------------------------------------------------------------


def test_store_refuses_bad_arguments() -> None:
    """A wrong scheme, fallback, prefix or key_secret is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match="url"):
        RedisRateStore("http://127.0.0.1:6379")
    with pytest.raises(ConfigurationError, match="url") as info:
        RedisRateStore("redis://user:hunter2@127.0.0.1:port/0")
    assert "hunter2" not in str(info.value)
    with pytest.raises(ConfigurationError, match="fallback"):
        RedisRateStore("redis://127.0.0.1", fallback="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="prefix"):
        RedisRateStore("redis://127.0.0.1", prefix="a{b}")
    with pytest.raises(ConfigurationError, match="key_secret"):
        RedisRateStore("redis://127.0.0.1", key_secret="")
    with pytest.raises(ConfigurationError, match="rate_store"):
        HttpPool(rate_store=object())  # type: ignore[arg-type]


def test_store_without_redis_installed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without redis-py, constructing the store says which extra to install."""
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'timeclients\[redis\]'"):
        RedisRateStore("redis://127.0.0.1:6379/0")


def test_repr_and_keys_hide_the_password_and_the_credential() -> None:
    """The URL's password is never shown; a Redis key is an HMAC, different per key_secret."""
    store = RedisRateStore("redis://user:hunter2@127.0.0.1:6379/0")
    assert "hunter2" not in repr(store)
    assert "127.0.0.1:6379/0" in repr(store)
    fp = credential_fingerprint(API_KEY)
    key = store.redis_key(("clockify", fp, WORKSPACE))
    assert key.startswith("timeclients:rl:{")
    assert key.endswith("}")
    for secret in (API_KEY, fp, WORKSPACE):
        assert secret not in key
    assert key == store.redis_key(("clockify", fp, WORKSPACE))
    other = RedisRateStore("redis://127.0.0.1:6379/0", key_secret="s3cret")
    assert other.redis_key(("clockify", fp, WORKSPACE)) != key


@given(
    credential=st.text(min_size=4).filter(lambda t: not all(c in "0123456789abcdef" for c in t)),
    scope=st.text(),
)
def test_no_credential_in_any_redis_key(credential: str, scope: str) -> None:
    """Whatever the credential and scope, the Redis key is the prefix and 32 hex digits."""
    store = RedisRateStore("redis://127.0.0.1:6379/0", prefix="p")
    key = store.redis_key(("toggl", credential, scope))
    assert credential not in key
    assert re.fullmatch(r"p:rl:\{[0-9a-f]{32}\}", key)


# --- the budget, several tasks and several stores --------------------------------------------


@pytest.mark.anyio
async def test_tasks_share_one_window_in_redis(redis_url: str, prefix: str) -> None:
    """60 concurrent acquisitions at 40/s: never more than 40 in any second, evenly spaced."""
    store = RedisRateStore(redis_url, prefix=prefix)
    limiter = store.limiter(("v", "fp", "ws"), RateLimit(40, 1.0), SystemClock())
    sent = await acquire_times(limiter, 60)
    await store.aclose()
    assert max_in_window(sent, 1.0) <= 40
    rate = (len(sent) - 1) / (max(sent) - min(sent))
    assert rate >= 0.9 * 40


@pytest.mark.anyio
async def test_two_stores_share_one_budget(redis_url: str, prefix: str) -> None:
    """Two stores (two processes' worth of state) together keep one 30/s window."""
    stores = [RedisRateStore(redis_url, prefix=prefix) for _ in range(2)]
    limiters = [s.limiter(("v", "fp", "ws"), RateLimit(30, 1.0), SystemClock()) for s in stores]
    sent: list[float] = []
    async with anyio.create_task_group() as tg:
        for limiter in limiters:
            tg.start_soon(acquire_times, limiter, 30, sent)
    for store in stores:
        await store.aclose()
    assert len(sent) == 60
    assert max_in_window(sent, 1.0) <= 30
    assert (len(sent) - 1) / (max(sent) - min(sent)) >= 0.85 * 30


@pytest.mark.anyio
async def test_several_windows_hold_in_redis(redis_url: str, prefix: str) -> None:
    """[3 per 0.2 s, 6 per 1.5 s] shared by two stores: every window of both holds."""
    rates = [RateLimit(3, 0.2), RateLimit(6, 1.5)]
    stores = [RedisRateStore(redis_url, prefix=prefix) for _ in range(2)]
    sent: list[float] = []
    async with anyio.create_task_group() as tg:
        for store in stores:
            limiter = store.limiter(("v", "f", "s"), rates, SystemClock())
            tg.start_soon(acquire_times, limiter, 5, sent)
    for store in stores:
        await store.aclose()
    assert len(sent) == 10
    assert max_in_window(sent, 0.2) <= 3
    assert max_in_window(sent, 1.5) <= 6


@pytest.mark.anyio
async def test_a_pause_in_one_store_holds_the_other(redis_url: str, prefix: str) -> None:
    """A 429 pause asked in one process reaches Redis at once and holds another's sends."""
    a, b = (RedisRateStore(redis_url, prefix=prefix) for _ in range(2))
    clock = SystemClock()
    la = a.limiter(("v", "fp", "ws"), RateLimit(50, 1.0), clock)
    lb = b.limiter(("v", "fp", "ws"), RateLimit(50, 1.0), clock)
    await la.acquire()
    await lb.acquire()
    paused_at = clock.now()
    la.pause(1.0)
    await anyio.sleep(0.05)  # the pause is written in the background: one round trip
    await lb.acquire()
    assert clock.now() - paused_at >= 0.95
    await a.aclose()
    await b.aclose()


@pytest.mark.anyio
async def test_quota_zero_pauses_every_process(redis_url: str, prefix: str) -> None:
    """report_quota(0, 0.6) in one process holds the other's next send for ~0.6 s."""
    a, b = (RedisRateStore(redis_url, prefix=prefix) for _ in range(2))
    clock = SystemClock()
    la = a.limiter(("v", "fp", ""), RateLimit(50, 1.0), clock)
    lb = b.limiter(("v", "fp", ""), RateLimit(50, 1.0), clock)
    await la.acquire()
    la.report_quota(0, 0.6)
    started = clock.now()
    async with anyio.create_task_group() as tg:
        tg.start_soon(la.acquire)
        await anyio.sleep(0.05)  # la's waiter writes the pause first
        tg.start_soon(lb.acquire)
    assert clock.now() - started >= 0.55
    await a.aclose()
    await b.aclose()


@pytest.mark.anyio
async def test_keys_hold_no_secret_and_all_expire(
    redis_url: str, prefix: str, control: Any
) -> None:
    """After real calls, every key of the store has a TTL and no key or value holds a secret."""
    transport, seen = counting_transport()
    store = RedisRateStore(redis_url, prefix=prefix)
    async with HttpPool(transport=transport, rate_store=store) as pool:
        client = ClockifyClient(
            api_key=API_KEY, pool=pool, rate_limit=[RateLimit(50, 1.0), RateLimit(500, 60.0)]
        )
        for i in range(3):
            await client.users.set_cost_rate(WORKSPACE, f"user{i}", amount=100)
    assert len(seen) == 3
    keys = [key async for key in control.scan_iter(match=f"{prefix}:*")]
    assert len(keys) == 3  # the state hash and one sorted set per window
    fingerprint = credential_fingerprint(API_KEY)
    for key in keys:
        ttl = await control.pttl(key)
        assert 0 < ttl <= 64_000, (key, ttl)  # the longest window, margin and 1 s
        kind = await control.type(key)
        values = (
            await control.hgetall(key)
            if kind == "hash"
            else await control.zrange(key, 0, -1, withscores=True)
        )
        text = f"{key} {values}"
        for secret in (API_KEY, fingerprint, WORKSPACE, "clockify"):
            assert secret not in text


# --- faults ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_unreachable_redis_raises_and_sends_nothing() -> None:
    """fallback="raise": Redis unreachable is RateStoreError before any request is sent."""
    transport, seen = counting_transport()
    store = RedisRateStore(f"redis://127.0.0.1:{free_port()}/0")
    async with HttpPool(transport=transport, rate_store=store) as pool:
        client = ClockifyClient(api_key=API_KEY, pool=pool)
        with pytest.raises(RateStoreError) as info:
            await client.users.set_cost_rate(WORKSPACE, "user1", amount=100)
        assert isinstance(info.value, TransportError)
        assert "fallback='local'" in str(info.value)
        assert info.value.__cause__ is None
        result = await client.users.bulk_set_cost_rate(WORKSPACE, {"u1": 1, "u2": 2})
    assert seen == []
    assert not result.succeeded
    assert all(isinstance(exc, RateStoreError) for exc in result.failed.values())
    assert len(result.failed) == 2


@pytest.mark.anyio
async def test_unreachable_redis_falls_back_to_local_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """fallback="local": calls succeed, limited in process, with a single WARNING."""
    transport, seen = counting_transport()
    store = RedisRateStore(f"redis://127.0.0.1:{free_port()}/0", fallback="local")
    caplog.set_level(logging.WARNING, logger="timeclients")
    async with HttpPool(transport=transport, rate_store=store) as pool:
        client = ClockifyClient(api_key=API_KEY, pool=pool)
        for i in range(5):
            await client.users.set_cost_rate(WORKSPACE, f"user{i}", amount=100)
    assert len(seen) == 5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "limiting in this process only" in warnings[0].getMessage()


@pytest.mark.anyio
async def test_redis_lost_mid_run_then_back(control: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Redis killed mid-run: raise mode fails before sending; local mode carries on and goes
    back to Redis once it answers again."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = start_redis(port)
    clock = SystemClock()
    raising = RedisRateStore(url, prefix="lost")
    local = RedisRateStore(url, prefix="lost", fallback="local")
    lr = raising.limiter(("v", "fp", "a"), RateLimit(50, 1.0), clock)
    ll = local.limiter(("v", "fp", "b"), RateLimit(50, 1.0), clock)
    try:
        await lr.acquire()
        await ll.acquire()
        server.terminate()
        server.wait(10)
        with pytest.raises(RateStoreError):
            await lr.acquire()
        caplog.set_level(logging.WARNING, logger="timeclients")
        for _ in range(3):
            await ll.acquire()  # local limits carry on
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
        server = start_redis(port)
        await anyio.sleep(1.1)  # the store asks Redis again at most once a second
        await ll.acquire()
        await lr.acquire()
        import redis.asyncio as aioredis

        probe = aioredis.from_url(url, decode_responses=True)
        keys = [key async for key in probe.scan_iter(match="lost:*")]
        await probe.aclose()
        assert len(keys) == 4  # both limiters write to Redis again
    finally:
        await raising.aclose()
        await local.aclose()
        server.terminate()
        server.wait(10)


@pytest.mark.anyio
async def test_state_lost_never_lets_a_process_burst(
    redis_url: str, prefix: str, control: Any
) -> None:
    """After Redis loses its state, one process still keeps its own window (its local log)."""
    store = RedisRateStore(redis_url, prefix=prefix)
    limiter = store.limiter(("v", "fp", "ws"), RateLimit(10, 1.0), SystemClock())
    sent = await acquire_times(limiter, 10)
    async for key in control.scan_iter(match=f"{prefix}:*"):
        await control.delete(key)  # what a restart without persistence does
    sent = await acquire_times(limiter, 10, sent)
    await store.aclose()
    assert max_in_window(sent, 1.0) <= 10


def test_trio_is_a_configuration_error() -> None:
    """redis-py's asyncio client cannot run on trio: the first call says so, nothing sent."""
    transport, seen = counting_transport()

    async def main() -> None:
        store = RedisRateStore("redis://127.0.0.1:6379/0")
        async with HttpPool(transport=transport, rate_store=store) as pool:
            client = ClockifyClient(api_key=API_KEY, pool=pool)
            with pytest.raises(ConfigurationError, match="trio"):
                await client.users.set_cost_rate(WORKSPACE, "user1", amount=100)

    anyio.run(main, backend="trio")
    assert seen == []


# --- several processes against a strict server ---------------------------------------------


def flush(url: str) -> None:
    """Empty the test Redis (the multi-process tests use the store's default prefix)."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def strict_server() -> Iterator[str]:
    """The strict 50/s server (0-20 ms jitter) with its arrival log, in its own process."""
    port = free_port()
    process = start_server(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def test_four_processes_share_one_budget(redis_url: str, strict_server: str) -> None:
    """4 processes x 50 updates of one workspace through the store: all applied, <= 1% 429,
    and together >= 0.90 of the limit as the server saw it."""
    httpx.get(f"{strict_server}/_reset")
    flush(redis_url)
    reports = run_workers(strict_server, redis_url, 4, 50)
    stats = httpx.get(f"{strict_server}/_stats").json()
    log = httpx.get(f"{strict_server}/_log").json()
    assert stats["applied"] == 200
    assert all(not r["failed"] for r in reports)
    assert stats["throttled"] <= 2
    accepted = sorted(t for t, status in log if status == 200)
    assert (len(accepted) - 1) / (accepted[-1] - accepted[0]) >= 0.90 * 50


def test_retry_after_in_one_process_stops_every_process(redis_url: str) -> None:
    """A 429 with Retry-After: 2 answered to one process stops all three processes' sends to
    that workspace for 2 s (apart from one already-reserved slot each), then all resume."""
    port = free_port()
    server = start_server(port, extra=("--retry-after-at", "40", "--retry-after", "2"))
    base = f"http://127.0.0.1:{port}"
    flush(redis_url)
    try:
        reports = run_workers(base, redis_url, 3, 30)
        log = httpx.get(f"{base}/_log").json()
        stats = httpx.get(f"{base}/_stats").json()
    finally:
        server.terminate()
        server.wait(10)
    assert stats["applied"] == 90
    assert all(not r["failed"] for r in reports)
    paused = next(t for t, status in log if status == 429)
    during = [t - paused for t, _ in log if paused < t < paused + 2.0]
    # Each process may hold one slot reserved before the pause reached Redis (<= 0.1 s ahead).
    assert all(dt < 0.15 for dt in during), during
    assert len(during) <= 3
    after = [t for t, _ in log if t >= paused + 2.0]
    assert len(after) >= 40


def test_in_process_limiters_see_many_429s(strict_server: str) -> None:
    """The same 4 processes with in-process limiters (no store) walk into the server's wall."""
    httpx.get(f"{strict_server}/_reset")
    run_workers(strict_server, None, 4, 30)
    stats = httpx.get(f"{strict_server}/_stats").json()
    assert stats["throttled"] > 10


@pytest.mark.anyio
async def test_fastapi_example_uses_the_store_from_the_environment(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/fastapi_app.py keeps its limiters in Redis when TIMECLIENTS_REDIS_URL is set."""
    from examples import fastapi_app

    monkeypatch.setenv("TIMECLIENTS_REDIS_URL", redis_url)
    async with fastapi_app.make_pool() as pool:
        assert isinstance(pool.rate_store, RedisRateStore)
    monkeypatch.delenv("TIMECLIENTS_REDIS_URL")
    async with fastapi_app.make_pool() as pool:
        assert pool.rate_store is None


@pytest.mark.anyio
async def test_closing_the_pool_fails_waiters_and_the_store_reconnects_later(
    redis_url: str, prefix: str
) -> None:
    """Calls waiting on a Redis limiter when the pool closes fail with ConfigurationError and
    leave no connection open; the same store serves a new pool afterwards."""
    transport, seen = counting_transport()
    store = RedisRateStore(redis_url, prefix=prefix)
    pool = HttpPool(transport=transport, rate_store=store)
    client = ClockifyClient(api_key=API_KEY, pool=pool, rate_limit=RateLimit(2, 1.0))
    outcomes: list[BaseException | None] = []

    async def call(i: int) -> None:
        try:
            await client.users.set_cost_rate(WORKSPACE, f"user{i}", amount=1)
            outcomes.append(None)
        except ConfigurationError as exc:
            outcomes.append(exc)

    async with anyio.create_task_group() as tg:
        for i in range(6):
            tg.start_soon(call, i)
        await anyio.sleep(0.3)
        await pool.aclose()
    assert sum(o is None for o in outcomes) == len(seen) <= 3
    assert all("closed" in str(o) for o in outcomes if o is not None)
    async with HttpPool(transport=transport, rate_store=store) as again:
        await ClockifyClient(api_key=API_KEY, pool=again).users.set_cost_rate(
            WORKSPACE, "user9", amount=1
        )
