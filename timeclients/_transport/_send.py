"""The one send loop: limit -> send -> classify -> wait -> retry -> map the error.

A vendor client owns a :class:`Channel` (its base URL, credential headers, limits and error
rules) and hands it :class:`Request` descriptions built by pure vendor code. This module is
the only place that awaits the network or the clock on behalf of a call; the backends' sanitised
failures become :class:`~timeclients.errors.TransportError` here, chained to nothing that holds
a header or a query string.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import attrs
import httpx

from .._wire import (
    NO_BODY,
    ErrorMessage,
    QuotaReader,
    RateLimit,
    RateLimits,
    Request,
    Response,
    RetryPolicy,
    Timeouts,
    default_error_message,
    encode_path,
    error_code,
    rate_limits,
)
from ..errors import (
    APIError,
    ConfigurationError,
    QuotaExceededError,
    RateLimitedError,
    TransportError,
    ValidationError,
    error_class_for_status,
)
from ._backends import WireFailure
from ._pool import HttpPool
from ._ratelimit import Limiter
from ._retry import (
    backoff_delay,
    parse_retry_after,
    retry_after_applies,
    should_retry_status,
    should_retry_transport,
)

__all__ = ["Channel", "SendStats", "validate_base_url"]

logger: Final = logging.getLogger("timeclients")

_IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_MAX_BODY_IN_ERROR: Final = 2000
_LOOPBACK_NAMES: Final = frozenset({"localhost"})


def validate_base_url(
    base_url: str, *, allow_insecure_http: bool = False, name: str = "base_url"
) -> str:
    """Check a base URL completely (``https://``, or ``http://`` on loopback), strip its ``/``.

    Everything that would otherwise fail at the first call fails here, naming ``name`` (the
    argument, or the environment variable the URL came from): whitespace and control
    characters (CR/LF would split the request line), text that is not valid Unicode, a port
    out of range, a host that is not a valid (IDNA) name.
    """
    if not isinstance(base_url, str) or not base_url:
        raise ConfigurationError(f"{name} must be a non-empty string")
    try:
        base_url.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError(f"{name} is not valid Unicode text (a lone surrogate)") from None
    bad = next((c for c in base_url if c.isspace() or not c.isprintable()), None)
    if bad is not None:
        raise ConfigurationError(
            f"{name} must not hold whitespace or control characters (found {bad!r})"
        )
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as exc:
        raise ConfigurationError(f"{name} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"{name} must be an http(s) URL with a host, like https://host/api"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(f"{name} must not carry credentials; pass them as arguments")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{name} must not have a query or a fragment")
    try:
        # The host through IDNA both ways, as sending (raw_host) and logging (host) would.
        url = httpx.URL(base_url)
        url.host  # noqa: B018
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigurationError(f"{name} has an invalid host: {exc}") from None
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(host):
        raise ConfigurationError(
            f"{name} must be https:// (http:// is allowed on loopback hosts only; "
            "pass allow_insecure_http=True to override)"
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Channel:
    """A vendor client's line to the pool: where to send, as whom, how fast, what errors mean.

    One per client. Its headers carry the credential and are never shown by ``repr``.
    """

    __slots__ = (
        "_base_url",
        "_error_message",
        "_headers",
        "_key",
        "_limit",
        "_quota",
        "_status_errors",
        "_timeouts",
        "pool",
        "rate_limit",
        "rate_limits",
        "retry",
        "stats",
        "vendor",
    )

    def __init__(
        self,
        pool: HttpPool,
        *,
        vendor: str,
        base_url: str,
        headers: Mapping[str, str],
        credential_id: str,
        rate_limit: RateLimits | None,
        retry: RetryPolicy | None,
        timeout: float | None = None,
        status_errors: Mapping[int, type[APIError]] | None = None,
        error_message: ErrorMessage = default_error_message,
        quota: QuotaReader | None = None,
    ) -> None:
        self.pool = pool
        self.vendor = vendor
        #: Every window of the limit (shortest first), or ``None`` when limiting is off.
        self.rate_limits = rate_limits(rate_limit) if rate_limit is not None else None
        #: The window that sets the pace (the shortest), or ``None``.
        self.rate_limit: RateLimit | None = self.rate_limits[0] if self.rate_limits else None
        # What the registry builds a key's limiter from: one RateLimit, or the tuple.
        self._limit: RateLimits | None = (
            None
            if self.rate_limits is None
            else self.rate_limits[0]
            if len(self.rate_limits) == 1
            else self.rate_limits
        )
        self.retry = retry if retry is not None else RetryPolicy.none()
        self.stats = SendStats()
        self._base_url = base_url
        self._headers = dict(headers)
        self._key = (vendor, credential_id)
        self._status_errors = dict(status_errors or {})
        self._error_message = error_message
        self._quota = quota
        self._timeouts = (
            Timeouts.of(timeout, connect=pool.timeouts.connect) if timeout is not None else None
        )

    def set_credential(
        self, headers: Mapping[str, str], credential_id: str, *, keep_pace: bool = False
    ) -> None:
        """Switch to another credential (Toggl's token reset): later sends and the key use it.

        With ``keep_pace``, the new key's first send waits one interval when the key changes:
        the new key has no history, but a server that counts per account still counted the
        request that made the switch.
        """
        key = (self.vendor, credential_id)
        switched = key != self._key
        self._headers = dict(headers)
        self._key = key
        rate = self.rate_limit
        if keep_pace and switched and rate is not None and self._limit is not None:
            self.pool.limiters.get((*key, ""), self._limit).pause(rate.interval)

    def __repr__(self) -> str:
        return f"<Channel {self.vendor} {self._base_url}>"

    async def send(self, request: Request) -> Response:
        """Send ``request`` under the rate limit, retrying per policy; return a 2xx response.

        Raises :class:`~timeclients.errors.APIError` subclasses for error statuses and
        :class:`~timeclients.errors.TransportError` for connection failures, after retries.
        """
        pool = self.pool
        if pool.closed:
            raise ConfigurationError("the HttpPool is closed")
        limiter = (
            pool.limiters.get((*self._key, request.scope), self._limit)
            if self._limit is not None
            else None
        )
        token = None
        if limiter is not None:
            # The first wait happens in this small frame: a call queued behind a busy key holds
            # no URL, headers or loop state yet (~450 bytes less each; benchmarks/memory.py).
            # Closing the pool ends the wait: on asyncio by cancelling the task (a set entry,
            # where a cancel scope cost ~1.3 KB per queued call), elsewhere by a cancel scope.
            started = pool.clock.now()
            task = pool.guard_wait()
            if task is None:
                token = await _acquire_in_scope(limiter, pool, request)
            else:
                try:
                    token = await limiter.acquire()
                except asyncio.CancelledError:
                    if not pool.cancelled_by_close(task):
                        raise
                    token = _CLOSED
                finally:
                    pool.unguard_wait(task)
                if token is _CLOSED:
                    raise _closed_error(request)
            _log_long_wait(request, pool.clock.now() - started)
        return await self._attempts(request, limiter, token)

    async def _attempts(
        self, request: Request, limiter: Limiter | None, token: int | None
    ) -> Response:
        """The retry loop of :meth:`send`; the first attempt's limiter slot is already taken."""
        pool = self.pool
        clock = pool.clock
        policy = self.retry
        method = request.method
        try:
            path = encode_path(request.path)
            url = self._base_url + path
            if request.query:
                # The query is in the URL only: messages and logs carry the path alone.
                url += "?" + str(httpx.QueryParams(request.query))
            content: bytes | None = None
            if request.json is not NO_BODY:
                content = json.dumps(request.json, separators=(",", ":")).encode("utf-8")
        except ValueError as exc:  # a lone surrogate cannot be encoded: nothing is sent
            reason = type(exc).__name__
        else:
            reason = ""
        if reason:
            raise ValidationError(
                f"{method} request", f"must be encodable as UTF-8 ({reason}); nothing was sent"
            )
        headers = self._headers
        if content is not None:
            headers = {**headers, "Content-Type": "application/json"}
        idempotent = (
            request.idempotent if request.idempotent is not None else method in _IDEMPOTENT_METHODS
        )
        timeouts = self._timeouts or pool.timeouts
        stats = self.stats
        attempt = 0
        while True:
            attempt += 1
            if limiter is not None and attempt > 1:
                token = await _acquire(limiter, pool, request)
            if pool.closed:  # closed while this call waited for its turn
                raise _closed_error(request)
            started = clock.now()
            stats.requests += 1
            failure: WireFailure | None = None
            try:
                response = await pool.send(method, url, headers, content, timeouts)
            except WireFailure as exc:
                failure = exc
            finally:
                if token is not None:
                    _settle(limiter, token, clock.now())
            if failure is not None:
                if failure.kind == "pool closed" or pool.closed:
                    # Closed under this call: no retry can succeed.
                    raise ConfigurationError(
                        f"{method} {path}: the HttpPool was closed during the call"
                    ) from failure
                elapsed_ms = (clock.now() - started) * 1000.0
                logger.debug(
                    "%s %s failed: %s after %.1f ms (attempt %d)",
                    method,
                    path,
                    failure,
                    elapsed_ms,
                    attempt,
                )
                if should_retry_transport(
                    policy, attempt=attempt, idempotent=idempotent, sent=failure.sent
                ):
                    stats.retries += 1
                    delay = backoff_delay(policy, attempt)
                    logger.info(
                        "%s %s: %s; retrying in %.2f s (attempt %d of %d)",
                        method,
                        path,
                        failure,
                        delay,
                        attempt + 1,
                        policy.max_attempts,
                    )
                    await clock.sleep(delay)
                    continue
                stats.failures += 1
                raise TransportError(
                    f"{method} {path}: {failure} (attempts made: {attempt})",
                    method=method,
                    path=path,
                ) from failure
            status = response.status
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "%s %s -> %d in %.1f ms (attempt %d)",
                    method,
                    path,
                    status,
                    (clock.now() - started) * 1000.0,
                    attempt,
                )
            remaining, resets_in = (
                self._quota(response.headers) if self._quota is not None else (None, None)
            )
            if limiter is not None and resets_in is not None:
                if status == 402:
                    # The server says the key's quota is spent: the key waits for the reset it
                    # announced, whatever the local windows allow.
                    limiter.pause(resets_in)
                elif remaining is not None:
                    # Never spend past what the server says remains before its reset.
                    _report_quota(limiter, remaining, resets_in)
            if 200 <= status < 300:
                return Response(status, response.headers, response.content, method, path)
            if status == 402 and (remaining is not None or resets_in is not None):
                stats.quota_refused += 1
                # A spent quota: the server did not act, so any method may wait and resend,
                # but only until a reset it announced, and no longer than max_retry_after.
                if (
                    resets_in is not None
                    and resets_in <= policy.max_retry_after
                    and attempt < policy.max_attempts
                ):
                    stats.retries += 1
                    if limiter is None:
                        await clock.sleep(resets_in)
                    continue
                stats.failures += 1
                message = self._error_message(response.content) or "API quota exhausted"
                if resets_in is None:
                    message += "; the server did not say when it resets: retry later"
                elif resets_in > policy.max_retry_after:
                    message += (
                        f"; it resets in {resets_in:g} s, beyond max_retry_after"
                        f" ({policy.max_retry_after:g} s): later calls with this credential wait"
                        f" for the reset"
                    )
                else:
                    message += f"; it resets in {resets_in:g} s (no attempts left)"
                raise QuotaExceededError(
                    message,
                    method=method,
                    path=path,
                    body=_body_excerpt(response.content),
                    code=error_code(response.content),
                    resets_in=resets_in,
                )
            if status == 429:
                stats.throttled += 1
                _throttled(limiter)
            retry_after = (
                parse_retry_after(response.headers.get("retry-after"))
                if retry_after_applies(status)
                else None
            )
            too_long = retry_after is not None and retry_after > policy.max_retry_after
            if not too_long and should_retry_status(
                policy, status, attempt=attempt, idempotent=idempotent
            ):
                stats.retries += 1
                delay = retry_after if retry_after is not None else backoff_delay(policy, attempt)
                logger.info(
                    "%s %s -> %d; retrying in %.2f s (attempt %d of %d)",
                    method,
                    path,
                    status,
                    delay,
                    attempt + 1,
                    policy.max_attempts,
                )
                if status == 429 and limiter is not None and self.rate_limit is not None:
                    # Pause the whole key: the other waiters must not walk into the same wall.
                    if retry_after is not None:
                        # The server said how long; this request waits it out on the limiter.
                        logger.info(
                            "%s: 429, pausing its rate-limit key for %.2f s", self.vendor, delay
                        )
                        limiter.pause(retry_after)
                        continue
                    # No Retry-After: a sliding window frees a slot within an interval or two,
                    # so the key pauses two intervals (a full backoff would idle 25 slots at
                    # 50/s for one stray 429); this request backs off by the policy, which
                    # also covers a server that limits harder than we were told.
                    pause = min(delay, 2.0 * self.rate_limit.interval)
                    logger.info(
                        "%s: 429, pausing its rate-limit key for %.2f s", self.vendor, pause
                    )
                    limiter.pause(pause)
                await clock.sleep(delay)
                continue
            stats.failures += 1
            raise self._error(request, method, path, status, response.content, retry_after)

    def _error(
        self,
        request: Request,
        method: str,
        path: str,
        status: int,
        content: bytes,
        retry_after: float | None,
    ) -> APIError:
        cls = (
            request.errors.get(status)
            or self._status_errors.get(status)
            or error_class_for_status(status)
        )
        message = self._error_message(content)
        if cls is RateLimitedError and not message:
            message = "Too many requests"
        return cls(
            message,
            status=status,
            method=method,
            path=path,
            body=_body_excerpt(content),
            retry_after=retry_after,
            code=error_code(content),
        )


# A limiter wait longer than this is logged at INFO.
_LONG_WAIT: Final = 1.0
# Stands for "the pool closed during the wait" where a token is expected.
_CLOSED: Final[Any] = object()


async def _acquire(limiter: Limiter, pool: HttpPool, request: Request) -> int | None:
    """Wait for the limiter (closing the pool ends the wait); a wait over a second is logged."""
    started = pool.clock.now()
    token = await _acquire_in_scope(limiter, pool, request)
    _log_long_wait(request, pool.clock.now() - started)
    return token


async def _acquire_in_scope(limiter: Limiter, pool: HttpPool, request: Request) -> int | None:
    """Wait for the limiter in a cancel scope that closing the pool cancels."""
    try:
        token: int | None = await pool.wait_for(limiter.acquire())
    except WireFailure:
        closed = True
    else:
        closed = False
    if closed:
        raise _closed_error(request)
    return token


def _body_excerpt(content: bytes) -> str:
    """The start of an error body, as text, for the error's ``body``."""
    return content[:_MAX_BODY_IN_ERROR].decode("utf-8", errors="replace")


def _closed_error(request: Request) -> ConfigurationError:
    return ConfigurationError(
        f"{request.method} {encode_path(request.path)}: the HttpPool was closed"
    )


def _log_long_wait(request: Request, waited: float) -> None:
    if waited > _LONG_WAIT:
        logger.info(
            "%s %s waited %.2f s for its rate-limit slot",
            request.method,
            encode_path(request.path),
            waited,
        )


def _settle(limiter: Limiter | None, token: int, arrived_by: float) -> None:
    settle = getattr(limiter, "settle", None)  # optional: custom limiters may not keep a log
    if settle is not None:
        settle(token, arrived_by)


def _report_quota(limiter: Limiter, remaining: int, resets_in: float) -> None:
    report = getattr(limiter, "report_quota", None)  # optional on custom limiters
    if report is not None:
        report(remaining, resets_in)
    elif remaining <= 0:
        limiter.pause(resets_in)


def _throttled(limiter: Limiter | None) -> None:
    throttled = getattr(limiter, "throttled", None)  # optional: the limiter learns from a 429
    if throttled is not None:
        throttled()


@attrs.define
class SendStats:
    """Counters of one channel: what the demo and benchmarks report."""

    #: Attempts sent (retries included).
    requests: int = 0
    #: Attempts answered 429.
    throttled: int = 0
    #: Attempts answered 402 for a spent server-side quota.
    quota_refused: int = 0
    #: Attempts repeated after a retryable failure.
    retries: int = 0
    #: Calls that ended in an error after retries.
    failures: int = 0
