"""The sliding-window limiter, on a fake clock: the window guarantee, rate, pauses, keys."""

from __future__ import annotations

import bisect

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks._strict_server import WORKSPACE_TEMPLATE
from timeclients import ClockifyClient, HttpPool, RateLimit
from timeclients._transport import LimiterRegistry, SlidingWindowLimiter
from timeclients._wire import rate_limits
from timeclients.errors import ConfigurationError

from ..conftest import FakeClock


def max_in_window(times: list[float], per: float) -> int:
    """The most events any half-open window [t, t + per) holds: what a strict server counts."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + per) - i for i, t in enumerate(times)), default=0)


async def acquire_all(limiter: SlidingWindowLimiter, clock: FakeClock, n: int) -> list[float]:
    sent: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        sent.append(clock.now())

    async with anyio.create_task_group() as tg:
        for _ in range(n):
            tg.start_soon(one)
    return sent


@pytest.mark.anyio
async def test_never_more_than_limit_in_any_window(fake_clock: FakeClock) -> None:
    """500 concurrent acquisitions never put more than 50 in any 1-second window."""
    limiter = SlidingWindowLimiter(RateLimit(50, 1.0), clock=fake_clock)
    sent = await acquire_all(limiter, fake_clock, 500)
    assert len(sent) == 500
    assert max_in_window(sent, 1.0) <= 50


@pytest.mark.anyio
async def test_reaches_at_least_95_percent_of_the_limit(fake_clock: FakeClock) -> None:
    """Over a long run the limiter sends at >= 95% of the limit (the margin costs ~3%)."""
    limiter = SlidingWindowLimiter(RateLimit(50, 1.0), clock=fake_clock)
    sent = await acquire_all(limiter, fake_clock, 1000)
    rate = (len(sent) - 1) / (max(sent) - min(sent))
    assert 0.95 * 50 <= rate <= 50


@pytest.mark.anyio
async def test_no_initial_burst(fake_clock: FakeClock) -> None:
    """Unlike a full token bucket, the first second is spaced evenly, not a burst of 50."""
    limiter = SlidingWindowLimiter(RateLimit(50, 1.0), clock=fake_clock)
    sent = await acquire_all(limiter, fake_clock, 50)
    assert max_in_window(sent, 0.1) <= 6


class LateClock(FakeClock):
    """A clock whose sleeps overshoot, like a busy event loop's timers."""

    def __init__(self, overshoot: float) -> None:
        super().__init__()
        self.overshoot = overshoot

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds + self.overshoot)


@pytest.mark.anyio
async def test_timer_overshoot_is_made_up_not_lost() -> None:
    """2 ms late wake-ups on a 20 ms spacing cost well under 5%, and the window still holds."""
    clock = LateClock(0.002)
    limiter = SlidingWindowLimiter(RateLimit(50, 1.0), clock=clock)
    sent = await acquire_all(limiter, clock, 500)
    rate = (len(sent) - 1) / (max(sent) - min(sent))
    assert rate >= 0.95 * 50
    assert max_in_window(sent, 1.0) <= 50


@settings(max_examples=40, deadline=None)
@given(
    requests=st.integers(min_value=1, max_value=30),
    per=st.sampled_from([0.1, 0.5, 1.0, 2.0]),
    overshoot=st.sampled_from([0.0, 0.0005, 0.003]),
    n=st.integers(min_value=1, max_value=120),
)
def test_window_property(requests: int, per: float, overshoot: float, n: int) -> None:
    """For any limit, timer overshoot and load, no window of ``per`` exceeds ``requests``."""
    clock = LateClock(overshoot)
    limiter = SlidingWindowLimiter(RateLimit(requests, per), clock=clock)
    sent = anyio.run(acquire_all, limiter, clock, n)
    assert len(sent) == n
    assert max_in_window(sent, per) <= requests


@pytest.mark.anyio
async def test_pause_holds_every_waiter(fake_clock: FakeClock) -> None:
    """After pause(2.0), no acquisition happens for 2 seconds."""
    limiter = SlidingWindowLimiter(RateLimit(10, 1.0), clock=fake_clock)
    await limiter.acquire()
    paused_at = fake_clock.now()
    limiter.pause(2.0)
    sent = await acquire_all(limiter, fake_clock, 5)
    assert min(sent) >= paused_at + 2.0


@pytest.mark.anyio
async def test_cancelled_waiter_takes_no_slot(fake_clock: FakeClock) -> None:
    """A waiter cancelled while queued leaves the budget untouched."""
    limiter = SlidingWindowLimiter(RateLimit(2, 1.0), clock=fake_clock)
    await limiter.acquire()
    await limiter.acquire()
    with anyio.CancelScope() as scope:
        scope.cancel()
        await limiter.acquire()
    assert len(limiter._logs[0]) == 2


def test_rate_limit_rejects_nonsense() -> None:
    """RateLimit refuses zero, negative, bool and non-finite values."""
    for bad in (
        lambda: RateLimit(0),
        lambda: RateLimit(-1),
        lambda: RateLimit(True),  # type: ignore[arg-type]
        lambda: RateLimit(5, 0),
        lambda: RateLimit(5, float("inf")),
        lambda: RateLimit(5, 1.0, safety_margin=-0.1),
    ):
        with pytest.raises(ConfigurationError):
            bad()


def test_registry_shares_by_key_and_prunes_idle(fake_clock: FakeClock) -> None:
    """One limiter per key; idle ones are dropped once the registry outgrows its bound."""
    registry = LimiterRegistry(clock=fake_clock, prune_above=4)
    a = registry.get(("v", "cred", "ws1"), RateLimit(5))
    assert registry.get(("v", "cred", "ws1"), RateLimit(9)) is a
    assert registry.get(("v", "cred", "ws2"), RateLimit(5)) is not a
    for i in range(3, 7):
        registry.get(("v", "cred", f"ws{i}"), RateLimit(5))
    assert len(registry) <= 4


@pytest.mark.anyio
async def test_cold_start_sends_are_settled_to_their_response_time(fake_clock: FakeClock) -> None:
    """While the log fills, a send is re-logged when its response came back (a slow first
    connection cannot make the window's first arrival later than the limiter thinks)."""
    rate = RateLimit(3, 1.0)
    limiter = SlidingWindowLimiter(rate, clock=fake_clock)
    start = fake_clock.now()
    tokens = [await limiter.acquire() for _ in range(3)]
    assert tokens == [0, 1, 2]
    limiter.settle(0, start + 0.4)  # the first request sat 0.4 s on a new connection
    await limiter.acquire()
    assert fake_clock.now() >= start + 0.4 + rate.window
    assert await limiter.acquire() is None  # the log is full: warm sends are not settled


@pytest.mark.anyio
async def test_settle_never_moves_an_entry_earlier(fake_clock: FakeClock) -> None:
    """Settling to an earlier time, or an entry already gone, changes nothing."""
    limiter = SlidingWindowLimiter(RateLimit(2, 1.0), clock=fake_clock)
    token = await limiter.acquire()
    assert token is not None
    logged = list(limiter._logs[0])
    limiter.settle(token, fake_clock.now() - 5)
    limiter.settle(token + 99, fake_clock.now() + 5)
    assert list(limiter._logs[0]) == logged


# --- several windows per key ---------------------------------------------------------------


@pytest.mark.anyio
async def test_two_windows_both_hold_over_100_calls(fake_clock: FakeClock) -> None:
    """With [1/s, 30/hour], 100 calls never put 2 in a second nor 31 in an hour."""
    limiter = SlidingWindowLimiter([RateLimit(1, 1.0), RateLimit(30, 3600.0)], clock=fake_clock)
    sent = await acquire_all(limiter, fake_clock, 100)
    assert len(sent) == 100
    assert max_in_window(sent, 1.0) <= 1
    assert max_in_window(sent, 3600.0) <= 30
    # The hourly window only caps: the first 30 go at the per-second pace, not 2 minutes apart.
    first = sorted(sent)[:30]
    assert first[-1] - first[0] < 31 * 1.1


@settings(max_examples=40, deadline=None)
@given(
    short=st.integers(1, 5),
    long_requests=st.integers(2, 12),
    long_per=st.floats(5.0, 60.0),
    n=st.integers(1, 60),
)
def test_every_window_holds_property(
    short: int, long_requests: int, long_per: float, n: int
) -> None:
    """For any two windows, no window of either holds more than its limit."""
    clock = FakeClock()
    rates = [RateLimit(short, 1.0), RateLimit(long_requests, long_per)]
    limiter = SlidingWindowLimiter(rates, clock=clock)
    sent = anyio.run(acquire_all, limiter, clock, n)
    for rate in rates:
        assert max_in_window(sent, rate.per) <= rate.requests


def test_rate_limits_accepts_one_or_a_sequence() -> None:
    """rate_limits() sorts windows shortest first and refuses anything else, naming the argument."""
    one = RateLimit(5)
    hourly = RateLimit(30, 3600.0)
    assert rate_limits(one) == (one,)
    assert rate_limits([hourly, one, one]) == (one, hourly)
    assert rate_limits((one,)) == (one,)
    for bad in ([], "50/s", [one, 5], 5, {one: 1}):
        with pytest.raises(ConfigurationError, match="rate_limit"):
            rate_limits(bad)  # type: ignore[arg-type]


def test_registry_builds_multi_window_limiters(fake_clock: FakeClock) -> None:
    """The registry passes a sequence of limits through to the key's limiter."""
    registry = LimiterRegistry(clock=fake_clock)
    limiter = registry.get(("v", "c", ""), (RateLimit(1), RateLimit(30, 3600.0)))
    assert isinstance(limiter, SlidingWindowLimiter)
    assert limiter.rate == RateLimit(1)
    assert limiter.rates == (RateLimit(1), RateLimit(30, 3600.0))


# --- quotas the server reports ---------------------------------------------------------------


@pytest.mark.anyio
async def test_report_quota_never_spends_past_what_remains(fake_clock: FakeClock) -> None:
    """After "3 remain for 60 s", the 4th acquisition waits for the reset."""
    limiter = SlidingWindowLimiter(RateLimit(10, 1.0), clock=fake_clock)
    start = fake_clock.now()
    limiter.report_quota(3, 60.0)
    sent = await acquire_all(limiter, fake_clock, 5)
    sent.sort()
    assert sent[2] < start + 1.0
    assert sent[3] >= start + 60.0


@pytest.mark.anyio
async def test_report_quota_zero_pauses_until_reset(fake_clock: FakeClock) -> None:
    """Nothing remains: every waiter is held until the reset, then sends at the normal pace."""
    limiter = SlidingWindowLimiter(RateLimit(10, 1.0), clock=fake_clock)
    start = fake_clock.now()
    limiter.report_quota(0, 42.5)
    sent = await acquire_all(limiter, fake_clock, 3)
    assert min(sent) >= start + 42.5
    assert max(sent) < start + 42.5 + 1.0


@pytest.mark.anyio
async def test_report_quota_keeps_the_lowest_report_of_a_period(fake_clock: FakeClock) -> None:
    """A late response with an older, higher count does not undo a newer, lower one."""
    limiter = SlidingWindowLimiter(RateLimit(10, 1.0), clock=fake_clock)
    start = fake_clock.now()
    limiter.report_quota(1, 30.0)
    limiter.report_quota(20, 29.8)
    sent = await acquire_all(limiter, fake_clock, 2)
    assert max(sent) >= start + 30.0


def test_report_quota_ignores_unreadable_resets(fake_clock: FakeClock) -> None:
    """A reset that is negative, NaN, infinite or not a number leaves the limiter as it was."""
    limiter = SlidingWindowLimiter(RateLimit(10, 1.0), clock=fake_clock)
    for bad in (-1.0, float("nan"), float("inf"), "5", True):
        limiter.report_quota(0, bad)  # type: ignore[arg-type]
    assert limiter._quota_left is None


# --- learning from a 429 ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_429_widens_the_margin_and_it_narrows_again(fake_clock: FakeClock) -> None:
    """throttled() widens the window by one step, once per window, and it decays back to 0."""
    rate = RateLimit(50, 1.0)
    limiter = SlidingWindowLimiter(rate, clock=fake_clock)
    assert limiter.extra_margin == 0.0
    limiter.throttled()
    limiter.throttled()  # the same burst: counted once
    assert limiter.extra_margin == pytest.approx(0.03)
    fake_clock.t += 1.5
    limiter.throttled()
    assert limiter.extra_margin == pytest.approx(0.06, abs=0.001)
    sent = await acquire_all(limiter, fake_clock, 200)
    # Wider margin: the spacing is per * (1 + 0.03 + ~0.06) / requests.
    gaps = [b - a for a, b in zip(sorted(sent), sorted(sent)[1:], strict=False)]
    assert min(gaps[60:]) >= 1.08 / 50
    assert max_in_window(sent, 1.08) <= 50
    fake_clock.t += 2 * 100 * rate.per + 10
    assert limiter.extra_margin == 0.0
    await limiter.acquire()
    assert limiter._interval == pytest.approx(rate.interval)


def test_learned_margin_is_capped(fake_clock: FakeClock) -> None:
    """However many 429s come, the margin grows to at most +50% of the window."""
    limiter = SlidingWindowLimiter(RateLimit(5, 1.0), clock=fake_clock)
    for _ in range(100):
        fake_clock.t += 1.0
        limiter.throttled()
    assert limiter.extra_margin <= 0.5


def test_idle_limiter_is_not_forgotten_while_it_remembers_something(fake_clock: FakeClock) -> None:
    """A key with a reported quota or a learned margin is not pruned as idle."""
    limiter = SlidingWindowLimiter(RateLimit(5, 1.0), clock=fake_clock)
    fake_clock.t += 10
    assert limiter.idle(fake_clock.now())
    limiter.report_quota(3, 60)
    assert not limiter.idle(fake_clock.now())
    fake_clock.t += 61
    assert limiter.idle(fake_clock.now())
    limiter.throttled()
    assert not limiter.idle(fake_clock.now())


@pytest.mark.anyio
async def test_client_with_two_windows_spaces_100_calls(fake_clock: FakeClock) -> None:
    """A client with rate_limit=[1/s, 30/hour] on a fake clock: 100 calls never put 2 requests
    in one second nor 31 in one hour on the wire."""
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(fake_clock.now())
        return httpx.Response(200, json=dict(WORKSPACE_TEMPLATE, id="w1"))

    pool = HttpPool(transport=httpx.MockTransport(handler), clock=fake_clock)
    rates = [RateLimit(1, 1.0), RateLimit(30, 3600.0)]
    async with pool, ClockifyClient(api_key="k", pool=pool, rate_limit=rates) as client:
        assert client.rate_limit == RateLimit(1, 1.0)
        assert client.rate_limits == tuple(rates)
        for _ in range(100):
            await client.workspaces.get("w1")
    assert len(arrivals) == 100
    assert max_in_window(arrivals, 1.0) <= 1
    assert max_in_window(arrivals, 3600.0) <= 30
