"""HttpPool: one ``httpx.AsyncClient`` and the limiter registry, shared by vendor clients."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from ..errors import ConfigurationError
from ._backends import AiohttpTransport, Backend, PoolClient, resolve_backend
from ._config import Timeouts
from ._ratelimit import Clock, LimiterFactory, LimiterRegistry, RateStore, SystemClock

__all__ = ["HttpPool"]


def _httpx_timeout(timeouts: Timeouts) -> httpx.Timeout:
    return httpx.Timeout(
        connect=timeouts.connect, read=timeouts.read, write=timeouts.write, pool=timeouts.pool
    )


class HttpPool:
    """One HTTP connection pool (an ``httpx.AsyncClient``) for any number of vendor clients.

    The pool also owns the rate limiters, keyed by (vendor, credential, scope): two clients
    that share a pool and a credential share one budget. Use it as ``async with HttpPool() as
    pool:`` or close it with ``await pool.aclose()``.

    Args:
        max_connections: most connections open at once, over all hosts.
        max_keepalive_connections: most idle connections kept for reuse.
        timeout: seconds allowed for reading, writing and waiting for a pool slot; never
            unbounded.
        connect_timeout: seconds allowed to open a connection (default: ``min(10, timeout)``).
        transport: any ``httpx.AsyncBaseTransport`` (``httpx.MockTransport``,
            ``httpx.ASGITransport``, respx, the emulator's transport); the default is a real
            network transport chosen by ``backend``.
        http2: negotiate HTTP/2 (needs the ``h2`` package and the httpx backend).
        backend: the network transport under the ``httpx.AsyncClient`` when ``transport`` is
            not given: ``"aiohttp"`` (aiohttp's connection pool, several times faster under
            concurrency; falls back to httpx by itself when not running on asyncio),
            ``"httpx"`` (httpx's own pool), or ``"auto"``: the ``TIMECLIENTS_BACKEND``
            environment variable if set, else aiohttp when installed and ``http2`` is off.
        clock: where limiters and retries read the time and sleep (tests inject a fake).
        limiter_factory: builds the limiter for a key, the seam for a budget shared across
            processes; the default is :class:`SlidingWindowLimiter`.
        rate_store: where the limiters live: ``None`` (in this process) or a
            :class:`~timeclients.RedisRateStore`, whose budgets every process using the same
            Redis shares. Closing the pool closes the store's connections.
    """

    __slots__ = ("_client", "_closed", "backend", "clock", "limiters", "rate_store", "timeouts")

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        http2: bool = False,
        connect_timeout: float | None = None,
        clock: Clock | None = None,
        limiter_factory: LimiterFactory | None = None,
        backend: Backend = "auto",
        rate_store: RateStore | None = None,
    ) -> None:
        if timeout is None:
            raise ConfigurationError("timeout must be a number of seconds; None is unbounded")
        for name, value in (
            ("max_connections", max_connections),
            ("max_keepalive_connections", max_keepalive_connections),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigurationError(f"{name} must be an integer >= 1, got {value!r}")
        #: The default timeouts of every request on this pool.
        self.timeouts = Timeouts.of(timeout, connect=connect_timeout)
        #: The clock limiters and retries use.
        self.clock: Clock = clock or SystemClock()
        #: The rate limiters, one per (vendor, credential, scope).
        if rate_store is not None and limiter_factory is not None:
            raise ConfigurationError("pass rate_store or limiter_factory, not both")
        if rate_store is not None and not callable(getattr(rate_store, "limiter", None)):
            raise ConfigurationError(
                f"rate_store must be a RedisRateStore (or None), got {type(rate_store).__name__}"
            )
        #: The store the limiters live in (``None``: in this process).
        self.rate_store = rate_store
        self.limiters = LimiterRegistry(
            clock=self.clock, factory=limiter_factory, store=rate_store
        )
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_keepalive_connections
        )
        #: What sends the bytes: ``"aiohttp"``, ``"httpx"``, or ``"custom"`` (an injected
        #: ``transport``).
        self.backend: str = "custom"
        kwargs: dict[str, Any] = {}
        if transport is not None:
            kwargs["transport"] = transport
        else:
            self.backend = resolve_backend(backend, http2=http2)
            if self.backend == "aiohttp":
                kwargs["direct"] = AiohttpTransport(limits=limits)
            # The httpx backend is httpx.AsyncClient's own default transport, built below with
            # the same limits (and, unlike an injected transport, with HTTP/2 support).
        try:
            self._client = PoolClient(
                limits=limits,
                timeout=_httpx_timeout(self.timeouts),
                http2=http2,
                follow_redirects=False,
                **kwargs,
            )
        except ImportError as exc:  # http2=True without h2 installed
            raise ConfigurationError(f"http2=True needs the h2 package: {exc}") from exc
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    async def aclose(self) -> None:
        """Close every connection. Idempotent."""
        if not self._closed:
            self._closed = True
            try:
                await self._client.aclose()
            finally:
                if self.rate_store is not None:
                    await self.rate_store.aclose()

    async def __aenter__(self) -> HttpPool:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<HttpPool {state} backend={self.backend} limiters={len(self.limiters)}>"
