"""A seeded fault plan: latency, injected 5xx and 429, malformed or truncated bodies, drops.

Each request draws its fate from one ``random.Random(seed)`` in a fixed order, so the same
seed and the same sequence of requests give the same faults. Faults fall on two sides of the
vendor state machine:

* **before** the state change (nothing is applied): an injected 5xx, an injected 429 (in
  bursts), and a connection dropped before the request reaches the server;
* **after** the state change (the request *was* applied): a malformed body, a truncated body,
  and a connection dropped before the response arrives ("request applied, response lost").

Latency (``fixed + uniform(0, jitter)`` seconds) is waited before the request arrives, so the
rate counters see arrival times as a real server would.
"""

from __future__ import annotations

import random
from enum import Enum

import attrs

__all__ = ["Fault", "FaultDecision", "FaultPlan"]


class Fault(str, Enum):
    """What happens to one request, if anything."""

    NONE = "none"
    #: Answered 5xx before the state machine sees it.
    SERVER_ERROR = "server_error"
    #: Answered 429 before the state machine sees it.
    RATE_LIMITED = "rate_limited"
    #: The connection fails before the request is sent: nothing is applied.
    DROP_BEFORE = "drop_before"
    #: Applied, then answered with a body that is not JSON.
    MALFORMED = "malformed"
    #: Applied, then answered with the first half of the body.
    TRUNCATED = "truncated"
    #: Applied, then the connection closes without a response.
    DROP_AFTER = "drop_after"


#: The faults that happen before the state change (nothing applied).
BEFORE = frozenset({Fault.SERVER_ERROR, Fault.RATE_LIMITED, Fault.DROP_BEFORE})


@attrs.frozen
class FaultDecision:
    """The fate drawn for one request: latency in seconds, the fault, and its 5xx status."""

    latency: float = 0.0
    fault: Fault = Fault.NONE
    status: int = 0

    @property
    def before(self) -> bool:
        """Whether the fault happens before the state change (nothing applied)."""
        return self.fault in BEFORE


def _rate(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _latency(_instance: object, _attribute: object, value: tuple[float, float]) -> None:
    if len(value) != 2 or min(value) < 0:
        raise ValueError(f"latency must be (fixed_s, jitter_s) with both >= 0, got {value!r}")


@attrs.define
class FaultPlan:
    """Faults to inject, reproducible from ``seed``.

    Args:
        seed: seeds the plan's own ``random.Random``.
        latency: ``(fixed_s, jitter_s)``: every request waits ``fixed + uniform(0, jitter)``.
        error_5xx_rate: share of requests answered 500/502/503/504 (not applied).
        error_429_rate: share of requests that start a burst of injected 429s (not applied).
        error_429_burst: how many consecutive requests one injected 429 burst covers.
        retry_after: the ``Retry-After`` seconds on injected 429s (``None``: no header).
        malformed_rate: share answered with a non-JSON body (applied).
        truncated_rate: share answered with half of the body (applied).
        drop_rate: share whose connection drops; half before the request is sent (not
            applied), half after it was applied (response lost), drawn per request.
        statuses: the 5xx statuses to draw from.
    """

    seed: int = 0
    latency: tuple[float, float] = attrs.field(default=(0.0, 0.0), validator=_latency)
    error_5xx_rate: float = attrs.field(default=0.0, validator=_rate)
    error_429_rate: float = attrs.field(default=0.0, validator=_rate)
    error_429_burst: int = 1
    retry_after: float | None = None
    malformed_rate: float = attrs.field(default=0.0, validator=_rate)
    truncated_rate: float = attrs.field(default=0.0, validator=_rate)
    drop_rate: float = attrs.field(default=0.0, validator=_rate)
    statuses: tuple[int, ...] = (500, 502, 503, 504)
    _rng: random.Random = attrs.field(init=False, repr=False)
    _burst_left: int = attrs.field(init=False, default=0, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.error_429_burst < 1:
            raise ValueError("error_429_burst must be >= 1")
        self._rng = random.Random(self.seed)

    def reset(self) -> None:
        """Start the sequence of draws again from the seed."""
        self._rng = random.Random(self.seed)
        self._burst_left = 0

    @property
    def active(self) -> bool:
        """Whether this plan injects anything at all."""
        return any(
            (
                self.latency[0],
                self.latency[1],
                self.error_5xx_rate,
                self.error_429_rate,
                self.malformed_rate,
                self.truncated_rate,
                self.drop_rate,
            )
        )

    def draw(self) -> FaultDecision:
        """The fate of the next request (the same draws in the same order for every request)."""
        rng = self._rng
        fixed, jitter = self.latency
        latency = fixed + (rng.uniform(0.0, jitter) if jitter else 0.0)
        roll = rng.random()
        drop_side = rng.random()
        status = self.statuses[rng.randrange(len(self.statuses))]
        if self._burst_left > 0:
            self._burst_left -= 1
            return FaultDecision(latency, Fault.RATE_LIMITED)
        edges = (
            (self.error_5xx_rate, Fault.SERVER_ERROR),
            (self.error_429_rate, Fault.RATE_LIMITED),
            (self.drop_rate, Fault.DROP_BEFORE),
            (self.malformed_rate, Fault.MALFORMED),
            (self.truncated_rate, Fault.TRUNCATED),
        )
        threshold = 0.0
        for rate, fault in edges:
            threshold += rate
            if roll < threshold:
                if fault is Fault.RATE_LIMITED:
                    self._burst_left = self.error_429_burst - 1
                if fault is Fault.DROP_BEFORE and drop_side >= 0.5:
                    fault = Fault.DROP_AFTER
                return FaultDecision(latency, fault, status if fault is Fault.SERVER_ERROR else 0)
        return FaultDecision(latency)
