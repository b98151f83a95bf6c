"""HttpPool: the network backend, its first-come-first-served slots and the limiter registry."""

from __future__ import annotations

import asyncio
import ssl
import warnings
import weakref
from collections.abc import Awaitable, Mapping, Sequence
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import anyio
import httpx

from .._version import __version__
from .._wire import Timeouts, has_control_character
from ..errors import ConfigurationError
from ._backends import (
    Backend,
    HttpxWire,
    ProxyRoutes,
    Reply,
    WireFailure,
    build_request,
    httpx_is_mocked,
    resolve_backend,
    slot_failure,
)
from ._ratelimit import Clock, LimiterFactory, LimiterRegistry, RateStore, SystemClock
from ._slots import PoolTimedOut, Slots, SlotsClosed, Ticket

__all__ = ["HttpPool"]

# httpx's default: an idle keep-alive connection is closed after 5 s.
_KEEPALIVE_EXPIRY: Final = 5.0
# How long ``aclose`` waits for the attempts it cancelled to leave their slots.
_CLOSE_GRACE: Final = 5.0


def _ssl_setting(verify: Any) -> ssl.SSLContext | bool:
    """``verify=`` as both libraries take it: ``True``, ``False`` or an ``ssl.SSLContext``."""
    if isinstance(verify, (bool, ssl.SSLContext)):
        return verify
    if isinstance(verify, (str, PathLike)):
        path = Path(verify)
        try:
            if path.is_dir():
                return ssl.create_default_context(capath=str(path))
            return ssl.create_default_context(cafile=str(path))
        except (OSError, ssl.SSLError) as exc:
            reason = type(exc).__name__
        raise ConfigurationError(f"verify: cannot load a CA bundle from {str(path)!r} ({reason})")
    raise ConfigurationError(
        f"verify must be True, False, a CA bundle path or an ssl.SSLContext, got {verify!r}"
    )


def _hooks(event_hooks: Mapping[str, Sequence[Any]] | None) -> tuple[tuple[Any, ...], ...]:
    if event_hooks is None:
        return (), ()
    if not isinstance(event_hooks, Mapping):
        raise ConfigurationError("event_hooks must be a mapping like httpx's")
    unknown = set(event_hooks) - {"request", "response"}
    if unknown:
        raise ConfigurationError(
            f"event_hooks takes 'request' and 'response' lists, not {sorted(unknown)}"
        )
    out = []
    for name in ("request", "response"):
        hooks = tuple(event_hooks.get(name, ()))
        if not all(callable(h) for h in hooks):
            raise ConfigurationError(f"event_hooks[{name!r}] must hold async functions")
        out.append(hooks)
    return out[0], out[1]


def user_agent() -> str:
    """``timeclients/<version>``: the ``User-Agent`` unless the pool's headers set one."""
    return f"timeclients/{__version__}"


def _default_headers(headers: Mapping[str, str] | None) -> list[tuple[str, str]]:
    base = {"user-agent": ("User-Agent", user_agent()), "accept": ("Accept", "*/*")}
    base["accept-encoding"] = ("Accept-Encoding", "gzip, deflate")
    if headers is not None:
        if not isinstance(headers, Mapping):
            raise ConfigurationError("headers must be a mapping of names to values")
        for name, value in headers.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise ConfigurationError("headers: names and values must be strings")
            if has_control_character(name + value) or not name.isascii() or not name:
                raise ConfigurationError(f"headers: {name!r} has a control or non-ASCII character")
            base[name.lower()] = (name, value)
    return list(base.values())


def _unclosed(wire: Any, backend: str) -> None:
    """A pool with open connections was collected unclosed: warn, and close what aiohttp holds.

    Runs as a weakref callback, before any ``__del__`` of the objects collected with the pool,
    so aiohttp's own "Unclosed client session" / "Unclosed connector" never show.
    """
    warnings.warn(
        f"unclosed <HttpPool backend={backend}>: close it with `await pool.aclose()` or use "
        "`async with HttpPool() as pool:`",
        ResourceWarning,
        stacklevel=2,
    )
    close = getattr(wire, "close_unawaited", None)
    if close is not None:
        close()


class HttpPool:
    """One HTTP connection pool for any number of vendor clients.

    The pool also owns the rate limiters, keyed by (vendor, credential, scope): two clients
    that share a pool and a credential share one budget. Use it as ``async with HttpPool() as
    pool:`` or close it with ``await pool.aclose()``.

    Requests take one of ``max_connections`` slots first come, first served (on every
    backend, before the HTTP library sees them); each attempt has a total deadline of
    ``timeout`` seconds (connect, send and the whole response).

    Args:
        max_connections: most requests in flight (so connections open) at once, over all hosts.
        max_keepalive_connections: most idle connections kept for reuse.
        timeout: seconds allowed for one attempt as a whole, and for waiting for a slot;
            never unbounded.
        connect_timeout: seconds allowed to open a connection (default: ``min(10, timeout)``).
        transport: any ``httpx.AsyncBaseTransport`` (``httpx.MockTransport``,
            ``httpx.ASGITransport``, respx, the emulator's transport); the default is a real
            network transport chosen by ``backend``.
        http2: negotiate HTTP/2 (needs the ``h2`` package and the httpx backend).
        backend: ``"aiohttp"`` (several times faster under concurrency; sends through httpx
            by itself when not running on asyncio or while respx mocks httpx), ``"httpx"``
            (httpx's transport), or ``"auto"``: the ``TIMECLIENTS_BACKEND`` environment
            variable if set, else aiohttp when installed and ``http2`` is off.
        clock: where limiters and retries read the time and sleep (tests inject a fake).
        limiter_factory: builds the limiter for a key, the seam for a budget shared across
            processes; the default is :class:`SlidingWindowLimiter`.
        rate_store: where the limiters live: ``None`` (in this process) or a
            :class:`~timeclients.RedisRateStore`, whose budgets every process using the same
            Redis shares. Closing the pool closes the store's connections.
        headers: default headers of every request; ``User-Agent`` is
            ``timeclients/<version>`` unless set here. A client's credential headers win.
        proxy: an HTTP(S) proxy URL for every request.
        verify: ``True`` (the certifi bundle), ``False``, a CA bundle path, or an
            ``ssl.SSLContext``.
        trust_env: without ``proxy``, read ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``.
        event_hooks: ``{"request": [async fn(httpx.Request)], "response": [async
            fn(httpx.Response)]}`` as in httpx, called for every attempt on every backend; a
            hook's exception propagates. A request hook may change the request's headers.
    """

    __slots__ = (
        "__weakref__",
        "_close_cancelled",
        "_closed",
        "_fallback",
        "_finalizer",
        "_guarded",
        "_headers",
        "_names",
        "_request_hooks",
        "_response_hooks",
        "_scopes",
        "_slots",
        "_tickets",
        "_wire",
        "backend",
        "clock",
        "limiters",
        "rate_store",
        "timeouts",
    )

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
        headers: Mapping[str, str] | None = None,
        proxy: str | None = None,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = True,
        event_hooks: Mapping[str, Sequence[Any]] | None = None,
        rate_store: RateStore | None = None,
    ) -> None:
        self._closed = True  # until built
        self._finalizer: weakref.finalize[Any, Any] | None = None
        if timeout is None:
            raise ConfigurationError("timeout must be a number of seconds; None is unbounded")
        for name, value in (
            ("max_connections", max_connections),
            ("max_keepalive_connections", max_keepalive_connections),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigurationError(f"{name} must be an integer >= 1, got {value!r}")
        if proxy is not None and (
            not isinstance(proxy, str) or not proxy.startswith(("http://", "https://"))
        ):
            raise ConfigurationError("proxy must be an http:// or https:// URL")
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
        self.limiters = LimiterRegistry(clock=self.clock, factory=limiter_factory, store=rate_store)
        self._headers = _default_headers(headers)
        self._names = frozenset(name.lower() for name, _ in self._headers)
        self._request_hooks, self._response_hooks = _hooks(event_hooks)
        verify_setting = _ssl_setting(verify)
        routes = ProxyRoutes(proxy, trust_env=bool(trust_env))
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_keepalive_connections
        )
        self._slots = Slots(max_connections)
        self._scopes: set[anyio.CancelScope] = set()
        self._guarded: set[asyncio.Task[Any]] = set()
        self._tickets: set[Ticket] = set()
        self._close_cancelled: set[asyncio.Task[Any]] = set()
        #: What sends the bytes: ``"aiohttp"``, ``"httpx"``, or ``"custom"`` (an injected
        #: ``transport``).
        self.backend: str = "custom"
        self._wire: Any
        self._fallback: HttpxWire | None = None
        try:
            if transport is not None:
                self._wire = HttpxWire(transport=transport)
            else:
                self.backend = resolve_backend(backend, http2=http2)
                httpx_wire = HttpxWire(
                    limits=limits, http2=http2, verify=verify_setting, routes=routes
                )
                if self.backend == "aiohttp":
                    from ._backends._aiohttp import AiohttpWire

                    self._wire = AiohttpWire(
                        limit=max_connections,
                        max_keepalive=max_keepalive_connections,
                        keepalive_expiry=_KEEPALIVE_EXPIRY,
                        ssl_context=verify_setting,
                        routes=routes,
                    )
                    self._wire.in_use = self._slots.taken
                    # Off asyncio (trio), or while respx mocks httpx: httpx sends instead.
                    self._fallback = httpx_wire
                else:
                    self._wire = httpx_wire
        except ImportError as exc:  # http2=True without h2 installed
            raise ConfigurationError(f"http2=True needs the h2 package: {exc}") from exc
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    def _merged_headers(self, headers: Mapping[str, str]) -> list[tuple[str, str]]:
        """The pool's default headers under the call's (a call's own name wins)."""
        if not headers:
            return list(self._headers)
        names = {name.lower() for name in headers}
        if names.isdisjoint(self._names):
            merged = list(self._headers)
        else:
            merged = [h for h in self._headers if h[0].lower() not in names]
        merged.extend(headers.items())
        return merged

    async def send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        content: bytes | None,
        timeouts: Timeouts,
    ) -> Reply:
        """One attempt: a slot (first come, first served), then the wire, under one deadline.

        Raises :class:`WireFailure` (``kind`` ``"pool closed"`` once the pool is closed); an
        event hook's exception propagates.
        """
        if self._closed:
            raise WireFailure("pool closed", sent=False)
        if self._finalizer is None and self.backend != "custom":
            # Connections open from now on (an injected transport is its owner's to close).
            self._finalizer = weakref.finalize(self, _unclosed, self._wire, self.backend)
        merged = self._merged_headers(headers)
        request: httpx.Request | None = None
        if self._request_hooks or self._response_hooks:
            request = build_request(
                method,
                url,
                merged,
                content,
                timeouts.connect,
                timeouts.read,
                timeouts.write,
                timeouts.pool,
            )
            for hook in self._request_hooks:
                await hook(request)
            merged = request.headers.multi_items()
        wire = self._wire
        fallback = self._fallback
        if fallback is not None and (httpx_is_mocked() or not wire.usable()):
            wire = fallback
        elif fallback is not None:  # aiohttp: the request takes its slot inside aiohttp
            built = await self._send_with_ticket(wire, method, url, merged, content, timeouts)
            if self._response_hooks:
                await self._run_response_hooks(built, request)
            return built
        failure: WireFailure | None = None
        try:
            await self._slots.acquire(timeouts.pool)
        except (PoolTimedOut, SlotsClosed) as exc:
            failure = slot_failure(exc, timeouts.pool)
        if failure is not None:
            raise failure
        reply: Reply | None = None
        try:
            if self._closed:  # woken for a slot in the same step as the pool closed
                raise WireFailure("pool closed", sent=False)
            with anyio.CancelScope(deadline=anyio.current_time() + timeouts.total) as scope:
                self._scopes.add(scope)
                try:
                    reply = await wire.send(
                        method,
                        url,
                        merged,
                        content,
                        timeouts.connect,
                        timeouts.read,
                        write=timeouts.write,
                        pool=timeouts.pool,
                    )
                finally:
                    self._scopes.discard(scope)
        finally:
            self._slots.release()
        if reply is None:  # the deadline passed, or the pool closed under the attempt
            raise self._no_reply(timeouts, sent=True)
        if self._response_hooks:
            await self._run_response_hooks(reply, request)
        return reply

    async def _send_with_ticket(
        self,
        wire: Any,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeouts: Timeouts,
    ) -> Reply:
        """An attempt on a backend that takes its slot itself, once its request is built."""
        reply: Reply | None = None
        task = asyncio.current_task()
        assert task is not None  # aiohttp runs on asyncio only
        ticket = Ticket(self._slots, timeouts.pool, timeouts.total, task)
        ticket.take_now()  # a free slot now: no wait inside aiohttp at all
        self._tickets.add(ticket)
        try:
            reply = await wire.send(
                method, url, headers, content, timeouts.connect, timeouts.read, ticket=ticket
            )
        except asyncio.CancelledError:
            if not ticket.fired:
                raise  # the caller's own cancellation
            uncancel = getattr(task, "uncancel", None)  # Python 3.11+
            if uncancel is not None and uncancel() > 0:
                raise  # cancelled by someone else as well
        finally:
            ticket.disarm()
            self._tickets.discard(ticket)
            if ticket.acquired:
                self._slots.release()
        if reply is None:  # the deadline passed, or the pool closed under the attempt
            raise self._no_reply(timeouts, sent=ticket.acquired)
        return reply

    def _no_reply(self, timeouts: Timeouts, *, sent: bool) -> WireFailure:
        """An attempt ended by the pool: closed under it (``sent`` if it had its slot), or its
        deadline passed."""
        if self._closed:
            return WireFailure("pool closed", sent=sent)
        return WireFailure(
            "timeout", sent=True, detail=f"no complete response in {timeouts.total:g} s"
        )

    async def _run_response_hooks(self, reply: Reply, request: httpx.Request | None) -> None:
        assert request is not None
        # The body is decoded already: without its Content-Encoding, httpx keeps it as is.
        headers = [(k, v) for k, v in reply.headers.items() if k.lower() != "content-encoding"]
        response = httpx.Response(
            reply.status, headers=headers, content=reply.content, request=request
        )
        for hook in self._response_hooks:
            await hook(response)

    def guard_wait(self) -> asyncio.Task[Any] | None:
        """Register the current asyncio task as waiting for a rate-limit turn; ``None`` off asyncio.

        :meth:`aclose` cancels the registered tasks; :meth:`cancelled_by_close` tells that
        cancellation from any other.
        """
        try:
            task = asyncio.current_task()
        except RuntimeError:  # no asyncio loop: trio, through anyio
            return None
        if task is not None:
            self._guarded.add(task)
        return task

    def unguard_wait(self, task: asyncio.Task[Any]) -> None:
        """The task's wait is over."""
        self._guarded.discard(task)

    def cancelled_by_close(self, task: asyncio.Task[Any]) -> bool:
        """True when :meth:`aclose` cancelled ``task``; the cancellation is then withdrawn."""
        if task not in self._close_cancelled:
            return False
        self._close_cancelled.discard(task)
        uncancel = getattr(task, "uncancel", None)  # Python 3.11+
        if uncancel is not None:
            uncancel()
        return True

    async def wait_for(self, waiting: Awaitable[Any]) -> Any:
        """Await ``waiting`` (a rate-limit slot); closing the pool cancels the wait.

        Raises :class:`WireFailure` (``"pool closed"``) when the pool closed during the wait.
        """
        with anyio.CancelScope() as scope:
            self._scopes.add(scope)
            try:
                return await waiting
            finally:
                self._scopes.discard(scope)
        raise WireFailure("pool closed", sent=False)

    async def aclose(self) -> None:
        """Close every connection; fail the calls waiting for a slot or on the wire. Idempotent.

        When it returns, no request of this pool is on its way out: calls still waiting
        raise :class:`~timeclients.errors.ConfigurationError`, attempts in flight are
        cancelled (and raise it too), then the connections close.
        """
        if self._closed:
            return
        self._closed = True
        if self._finalizer is not None:
            self._finalizer.detach()
        self._slots.close()
        for scope in list(self._scopes):
            scope.cancel()
        for ticket in list(self._tickets):  # aiohttp attempts
            ticket.fire()
        for task in list(self._guarded):  # calls waiting for a rate-limit turn, on asyncio
            self._close_cancelled.add(task)
            task.cancel()
        with anyio.move_on_after(_CLOSE_GRACE):
            while self._slots.held:  # noqa: ASYNC110 -- attempts leave at their own pace
                await anyio.sleep(0.005)
        try:
            await self._wire.aclose()
            if self._fallback is not None:
                await self._fallback.aclose()
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
