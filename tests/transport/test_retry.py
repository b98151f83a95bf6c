"""Pure retry maths: Retry-After parsing, backoff, and which outcomes are retried."""

from __future__ import annotations

import math
import random
from datetime import datetime, timezone

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients import RateLimit, RetryPolicy
from timeclients._transport import Request, SlidingWindowLimiter
from timeclients._transport._retry import (
    backoff_delay,
    parse_retry_after,
    should_retry_status,
    should_retry_transport,
)
from timeclients.errors import RateLimitedError

from ..conftest import FakeClock
from .test_send import make_channel, script

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("\t7", 7.0),
        ("0", 0.0),
        ("007", 7.0),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 0.0),
        ("Wed Oct 21 07:28:30 2015", 30.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        # Not RFC 9110: ignored, so backoff applies.
        ("1.5", None),
        ("-5", None),
        ("+3", None),
        ("1_000", None),
        ("\u0663", None),  # an Arabic-Indic 3, which Python's int() accepts
        ("\uff13", None),  # a full-width 3
        ("\u00a03", None),  # a no-break space is not optional whitespace
        ("3 s", None),
        ("0x10", None),
        ("1e3", None),
        ("Wed, 21 Oct 2015 07:28:30 UTC", None),
        ("Wed, 31 Feb 2015 07:28:30 GMT", None),
        ("21 Oct 2015 07:28:30 GMT", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After is read as ASCII delay-seconds or an RFC 9110 HTTP-date; the rest is ignored."""
    assert parse_retry_after(header, now=NOW) == expected


def test_huge_retry_after_is_read_not_capped() -> None:
    """However many digits, the value is exact or infinite: never wrapped, never capped."""
    assert parse_retry_after("1" + "0" * 200) == 1e200
    assert parse_retry_after("9" * 300) == float("9" * 300)
    assert parse_retry_after("9" * 400) == math.inf
    assert parse_retry_after("9" * 100_000) == math.inf


@given(st.integers(min_value=0, max_value=10**400))
def test_any_ascii_digits_are_read_exactly(n: int) -> None:
    """Every non-negative integer written in ASCII digits reads as itself (or inf past floats)."""
    try:
        expected = float(n)
    except OverflowError:
        expected = math.inf
    assert parse_retry_after(str(n)) == expected


@given(st.text(max_size=40))
def test_parse_retry_after_never_raises(text: str) -> None:
    """Any header text gives None or a finite-or-infinite number >= 0, never an exception."""
    result = parse_retry_after(text, now=NOW)
    assert result is None or result >= 0
    if result is not None and not text.strip(" \t").isascii():
        raise AssertionError(f"non-ASCII header {text!r} was read as {result}")


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=5))
def test_only_ascii_digits_count(text: str) -> None:
    """A run of Unicode decimal digits is read only when every one is ASCII 0-9."""
    result = parse_retry_after(text)
    if all(c in "0123456789" for c in text):
        assert result == float(int(text))
    else:
        assert result is None


@pytest.mark.parametrize(
    ("status", "attempt", "idempotent", "expected"),
    [
        (503, 1, True, True),
        (503, 3, True, False),  # out of attempts
        (503, 1, False, False),  # a POST answered 503 may have been applied
        (429, 1, False, True),  # a 429 was not applied: even a POST is retried
        (500, 2, True, True),
        (400, 1, True, False),
        (404, 1, True, False),
        (408, 1, True, True),
    ],
)
def test_should_retry_status(status: int, attempt: int, idempotent: bool, expected: bool) -> None:
    """Retryable statuses are retried while attempts remain, POSTs only on 429."""
    assert should_retry_status(RetryPolicy(), status, attempt=attempt, idempotent=idempotent) is (
        expected
    )


@pytest.mark.parametrize(
    ("idempotent", "sent", "expected"),
    [(True, True, True), (False, True, False), (False, False, True), (True, False, True)],
)
def test_should_retry_transport(idempotent: bool, sent: bool, expected: bool) -> None:
    """A failed connection is retried for a POST only if nothing was sent."""
    assert (
        should_retry_transport(RetryPolicy(), attempt=1, idempotent=idempotent, sent=sent)
        is expected
    )


def test_retry_none_never_retries() -> None:
    """RetryPolicy.none() allows one attempt only."""
    policy = RetryPolicy.none()
    assert not should_retry_status(policy, 503, attempt=1, idempotent=True)
    assert not should_retry_transport(policy, attempt=1, idempotent=True, sent=False)


@given(attempt=st.integers(min_value=1, max_value=50), seed=st.integers())
def test_backoff_is_bounded_and_grows(attempt: int, seed: int) -> None:
    """Backoff stays within jitter of the exponential value and never exceeds backoff_max."""
    policy = RetryPolicy(backoff_initial=0.5, backoff_max=8.0, jitter=0.25)
    delay = backoff_delay(policy, attempt, rng=random.Random(seed))
    base = min(8.0, 0.5 * 2 ** (attempt - 1))
    assert 0.75 * base - 1e-9 <= delay <= min(8.0, 1.25 * base) + 1e-9


def test_backoff_without_jitter_is_exact() -> None:
    """With jitter 0 the delays double: 0.5, 1, 2, 4, 8, 8."""
    policy = RetryPolicy(jitter=0.0)
    assert [backoff_delay(policy, n) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 8]


# --- through the send loop -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_300_digit_retry_after_raises_at_once(fake_clock: FakeClock) -> None:
    """A Retry-After of 300 digits is beyond any cap: RateLimitedError, no retry, no overflow."""
    handler, seen = script(httpx.Response(429, headers={"Retry-After": "9" * 300}))
    channel = make_channel(handler, fake_clock, rate_limit=RateLimit(50, 1.0))
    with pytest.raises(RateLimitedError) as info:
        await channel.send(Request("GET", ("things",)))
    assert info.value.retry_after == float("9" * 300)
    assert len(seen) == 1
    assert fake_clock.sleeps == []


@pytest.mark.anyio
async def test_non_ascii_retry_after_is_ignored_and_backoff_applies(fake_clock: FakeClock) -> None:
    """Retry-After "\u0663" (an Arabic-Indic 3) is not a delay: the policy's backoff applies."""
    handler, seen = script(
        httpx.Response(503, headers=[(b"Retry-After", "\u0663".encode())]),
        httpx.Response(200, json={}),
    )
    channel = make_channel(handler, fake_clock)
    await channel.send(Request("GET", ("things",)))
    assert len(seen) == 2
    assert fake_clock.sleeps == [0.5]


@pytest.mark.anyio
async def test_a_429_widens_the_keys_margin(fake_clock: FakeClock) -> None:
    """A 429 on a limited key makes its limiter widen its margin (then the retry succeeds)."""
    handler, seen = script(httpx.Response(429), httpx.Response(200, json={}))
    channel = make_channel(handler, fake_clock, rate_limit=RateLimit(50, 1.0))
    await channel.send(Request("GET", ("things",)))
    limiter = channel.pool.limiters.get(("test", "fp", ""), RateLimit(50, 1.0))
    assert isinstance(limiter, SlidingWindowLimiter)
    assert limiter.extra_margin == pytest.approx(0.03, abs=0.001)  # minus 0.5 s of decay
    assert len(seen) == 2
