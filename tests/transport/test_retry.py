"""Pure retry maths: Retry-After parsing, backoff, and which outcomes are retried."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients import RetryPolicy
from timeclients._transport._retry import (
    backoff_delay,
    parse_retry_after,
    should_retry_status,
    should_retry_transport,
)

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-5", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Retry-After is read as delay-seconds or an HTTP date; junk is ignored."""
    assert parse_retry_after(header, now=NOW) == expected


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
