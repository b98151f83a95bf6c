"""Pure retry decisions: whether to retry, how long to wait, and what ``Retry-After`` says."""

from __future__ import annotations

import email.utils
import math
import random
from datetime import datetime, timezone

from ._config import RetryPolicy

__all__ = ["backoff_delay", "parse_retry_after", "retry_after_applies", "should_retry_status"]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or ``None`` if absent or unreadable.

    Both forms of RFC 9110 are read: delay-seconds (``"120"``, ``"1.5"`` tolerated) and an
    HTTP-date (``"Wed, 21 Oct 2015 07:28:00 GMT"``). A date in the past gives ``0.0``.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds):
            return max(0.0, seconds)
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def retry_after_applies(status: int) -> bool:
    """Whether a ``Retry-After`` on this status is honoured (RFC 9110: 429 and 503)."""
    return status in (429, 503)


def should_retry_status(
    policy: RetryPolicy, status: int, *, attempt: int, idempotent: bool
) -> bool:
    """Whether a response with ``status`` on attempt number ``attempt`` (1-based) is retried.

    A non-idempotent request is retried only on 429: any other status means the server may
    have acted on it.
    """
    if attempt >= policy.max_attempts or status not in policy.retry_statuses:
        return False
    return idempotent or status == 429


def should_retry_transport(
    policy: RetryPolicy, *, attempt: int, idempotent: bool, sent: bool
) -> bool:
    """Whether a failed connection on attempt ``attempt`` is retried.

    ``sent`` is False when the failure happened before any byte of the request left (connect
    refused or timed out, no pool slot): then even a POST is safe to send again.
    """
    if attempt >= policy.max_attempts:
        return False
    return idempotent or not sent


def backoff_delay(policy: RetryPolicy, attempt: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff before attempt ``attempt + 1``, capped, with symmetric jitter."""
    base = min(policy.backoff_max, policy.backoff_initial * (2.0 ** max(0, attempt - 1)))
    if policy.jitter <= 0 or base <= 0:
        return base
    spread = (rng or _RNG).uniform(-policy.jitter, policy.jitter)
    return max(0.0, min(policy.backoff_max, base * (1.0 + spread)))


_RNG = random.Random()  # noqa: S311 - jitter, not cryptography
