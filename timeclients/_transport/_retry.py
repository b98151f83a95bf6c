"""Pure retry decisions: whether to retry, how long to wait, and what ``Retry-After`` says."""

from __future__ import annotations

import math
import random
import re
from datetime import datetime, timezone
from typing import Final

from .._wire import RetryPolicy

__all__ = [
    "backoff_delay",
    "parse_retry_after",
    "retry_after_applies",
    "should_retry_status",
    "should_retry_transport",
]


# RFC 9110 section 5.6.7: IMF-fixdate, and the two obsolete forms a recipient must accept.
_IMF_FIXDATE: Final = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT",
    re.ASCII,
)
_RFC850: Final = re.compile(
    r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
    r"(\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d) GMT",
    re.ASCII,
)
_ASCTIME: Final = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})",
    re.ASCII,
)
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_DIGITS: Final = frozenset("0123456789")
# Optional whitespace around a field value (RFC 9110 section 5.5): space and horizontal tab.
_OWS: Final = " \t"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or ``None`` if absent or unreadable.

    Exactly RFC 9110 (section 10.2.3): ``delay-seconds`` is one or more ASCII digits, and an
    ``HTTP-date`` is an IMF-fixdate (``"Wed, 21 Oct 2015 07:28:00 GMT"``) or one of the two
    obsolete forms (RFC 850, asctime). Surrounding spaces and tabs are not part of a field
    value (section 5.5), so ``" 3 "`` reads as 3. Anything else is unreadable and ignored, so
    backoff applies: a sign (``"+3"``, ``"-5"``), a fraction (``"1.5"``), ``"1_000"``, non-ASCII
    digits (``"٣"``), ``"inf"``. However many digits a value has, it is read exactly; one too
    large for a float is ``math.inf`` (it exceeds any ``max_retry_after``, so the call raises
    instead of retrying). A date in the past gives ``0.0``.
    """
    if value is None:
        return None
    text = value.strip(_OWS)
    if not text:
        return None
    if _DIGITS.issuperset(text):
        digits = text.lstrip("0") or "0"
        if len(digits) > 300:  # past any float, and past int()'s digit limit: no parse needed
            return math.inf
        try:
            return float(int(digits))
        except OverflowError:
            return math.inf
    when = _http_date(text)
    if when is None:
        return None
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def _http_date(text: str) -> datetime | None:
    match = _IMF_FIXDATE.fullmatch(text)
    if match is not None:
        _, day, month, year, hour, minute, second = match.groups()
    else:
        match = _RFC850.fullmatch(text)
        if match is not None:
            _, day, month, yy, hour, minute, second = match.groups()
            # RFC 9110: a two-digit year more than 50 years in the future is in the past.
            this_year = datetime.now(timezone.utc).year
            year_i = this_year - this_year % 100 + int(yy)
            if year_i > this_year + 50:
                year_i -= 100
            year = str(year_i)
        else:
            match = _ASCTIME.fullmatch(text)
            if match is None:
                return None
            _, month, day, hour, minute, second, year = match.groups()
    if month not in _MONTHS:
        return None
    try:
        return datetime(
            int(year),
            _MONTHS.index(month) + 1,
            int(day),
            int(hour),
            int(minute),
            min(int(second), 59),  # a leap second reads as :59
            tzinfo=timezone.utc,
        )
    except ValueError:  # 31 February, hour 25, ...
        return None


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
