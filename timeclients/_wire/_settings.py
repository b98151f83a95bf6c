"""Frozen settings every layer shares: rate limits, retry policy, timeouts (pure values)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, Union

import attrs

from ..errors import ConfigurationError

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "RateLimit",
    "RateLimits",
    "RetryPolicy",
    "Timeouts",
    "rate_limits",
]

DEFAULT_RETRY_STATUSES: Final = frozenset({408, 429, 500, 502, 503, 504})


def _positive_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigurationError(f"{attribute.name} must be an integer >= 1, got {value!r}")


def _positive_float(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{attribute.name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ConfigurationError(f"{attribute.name} must be finite and > 0, got {value!r}")


def _non_negative_float(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigurationError(f"{attribute.name} must be a number, got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ConfigurationError(f"{attribute.name} must be finite and >= 0, got {value!r}")


@attrs.frozen
class RateLimit:
    """At most ``requests`` requests **sent** in any interval of ``per`` seconds, per key.

    This is a sliding window, the rule a strict server counts, not a bucket that bursts to
    twice the rate after an idle spell. Servers count arrivals, not sends, and arrivals jitter
    with the network, so the limiter widens the window by ``safety_margin`` (a fraction of
    ``per``; 3% by default: a strict server never counts more than the limit while the delay
    from send to arrival varies by less than 30 ms at 1 s windows) and spaces requests evenly;
    a 429 widens a key's margin for a while. Over a long run it reaches
    ``1 / (1 + safety_margin)`` of the limit (about 97%). Every attempt counts, retries included.
    """

    #: How many requests may be sent in one window.
    requests: int = attrs.field(validator=_positive_int)
    #: The window, in seconds.
    per: float = attrs.field(default=1.0, validator=_positive_float)
    #: Widening of the window against network jitter, as a fraction of ``per``.
    safety_margin: float = attrs.field(default=0.03, kw_only=True, validator=_non_negative_float)

    @property
    def per_second(self) -> float:
        """The limit as requests per second (``RateLimit(30, 3600).per_second`` is 1/120)."""
        return self.requests / self.per

    @property
    def window(self) -> float:
        """The window the limiter enforces on its own sends, margin included."""
        return self.per * (1.0 + self.safety_margin)

    @property
    def interval(self) -> float:
        """The even spacing between two sends, margin included."""
        return self.window / self.requests


#: What ``rate_limit=`` accepts: one :class:`RateLimit` or a sequence of them, all of which hold.
RateLimits = Union[RateLimit, Sequence[RateLimit]]  # noqa: UP007 - a runtime alias on 3.10


def rate_limits(value: RateLimits, *, name: str = "rate_limit") -> tuple[RateLimit, ...]:
    """``value`` as a tuple of windows, shortest ``per`` first (the first one sets the pace).

    Raises :class:`~timeclients.errors.ConfigurationError` naming ``name`` for anything that is
    not a :class:`RateLimit` or a non-empty sequence of them; duplicates are dropped.
    """
    if isinstance(value, RateLimit):
        return (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ConfigurationError(
            f"{name} must be a RateLimit, a sequence of RateLimit or None, got {value!r}"
        )
    if not value:
        raise ConfigurationError(f"{name} must hold at least one RateLimit (or be None)")
    for item in value:
        if not isinstance(item, RateLimit):
            raise ConfigurationError(f"{name} must hold only RateLimit objects, got {item!r}")
    unique = dict.fromkeys(value)
    # Among windows of one length the tighter one sets the pace.
    return tuple(sorted(unique, key=lambda r: (r.per, -r.interval)))


@attrs.frozen
class RetryPolicy:
    """Which failures are retried, how often, and how long to wait between attempts.

    The wait before attempt ``n + 1`` is ``min(backoff_max, backoff_initial * 2 ** (n - 1))``,
    spread by ``± jitter`` (a fraction), unless the server sent ``Retry-After`` (seconds or an
    HTTP date) on a 429 or 503: that is honoured up to ``max_retry_after`` seconds; a longer one
    is not waited out, the call raises at once with ``retry_after`` set. Non-idempotent requests
    (every POST) are retried only when the server cannot have acted on them: a 429, or a
    connection that failed before the request was sent.
    """

    max_attempts: int = attrs.field(default=3, validator=_positive_int)
    backoff_initial: float = attrs.field(default=0.5, validator=_non_negative_float)
    backoff_max: float = attrs.field(default=8.0, validator=_non_negative_float)
    jitter: float = attrs.field(default=0.25, validator=_non_negative_float)
    retry_statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES, converter=frozenset
    )
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative_float)

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries: one attempt per call."""
        return cls(max_attempts=1)


@attrs.frozen
class Timeouts:
    """Per-request timeouts in seconds; none of them is ever unbounded.

    ``total`` is the deadline of one attempt as a whole: connecting, sending and reading the
    whole response (a server trickling a byte at a time cannot hold a call past it); ``read``
    bounds each wait for bytes within it, ``pool`` the wait for a connection slot before it.
    """

    connect: float = attrs.field(default=10.0, validator=_positive_float)
    read: float = attrs.field(default=30.0, validator=_positive_float)
    write: float = attrs.field(default=30.0, validator=_positive_float)
    pool: float = attrs.field(default=30.0, validator=_positive_float)
    total: float = attrs.field(default=30.0, validator=_positive_float)

    @classmethod
    def of(cls, total: float, *, connect: float | None = None) -> Timeouts:
        """``total`` seconds per attempt, for read, write and pool; a shorter connect.

        A bad value is refused naming the argument it came from (``timeout``,
        ``connect_timeout``), not the field it would fill.
        """
        for name, value in (("timeout", total), ("connect_timeout", connect)):
            if value is None and name == "connect_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigurationError(f"{name} must be a number of seconds, got {value!r}")
            if not (math.isfinite(value) and value > 0):
                raise ConfigurationError(f"{name} must be finite and > 0, got {value!r}")
        connect_s = min(10.0, float(total)) if connect is None else connect
        return cls(connect=connect_s, read=total, write=total, pool=total, total=total)
