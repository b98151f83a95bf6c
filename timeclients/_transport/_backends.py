"""The network transports ``HttpPool`` can put under its ``httpx.AsyncClient``: aiohttp or httpx.

Why not httpx's own pool (httpcore) by default: it rescans every connection for each queued
request, so its throughput *falls* as concurrency rises (measured in docs/performance.md:
~300 req/s at 50 in flight on loopback, against ~6,000 for aiohttp). aiohttp's connector does
not, so the default is :class:`AiohttpTransport`, a thin ``httpx.AsyncBaseTransport`` over one
``aiohttp.ClientSession``. The client above it is still ``httpx.AsyncClient``: its API, its
proxy-from-environment mounts and every injected transport (respx, ``MockTransport``, the
emulator) keep working, and every failure is raised as the httpx exception httpx's own
transport would raise, so the send loop classifies it the same way.

Why our own and not ``httpx_aiohttp.AiohttpTransport`` (0.2.0): it maps every
``aiohttp.ClientConnectionError`` -- a server that drops the connection mid-response included --
to ``httpx.ConnectTimeout``, which the send loop must treat as "never sent" and may resend even
for a POST; it has no pool timeout, ignores ``max_keepalive_connections``, and streams the body
chunk by chunk although every call here reads it whole.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple

import httpcore
import httpx

from ..errors import ConfigurationError

if TYPE_CHECKING:  # aiohttp is imported lazily: a missing aiohttp falls back to httpx.
    import aiohttp

__all__ = [
    "BACKEND_ENV",
    "AiohttpTransport",
    "Backend",
    "PoolClient",
    "aiohttp_available",
    "resolve_backend",
]

Backend = Literal["auto", "httpx", "aiohttp"]

#: Environment variable that picks the backend when ``HttpPool(backend="auto")``.
BACKEND_ENV: Final = "TIMECLIENTS_BACKEND"
_BACKENDS: Final = ("auto", "httpx", "aiohttp")
# httpx's default: an idle keep-alive connection is closed after 5 s.
_KEEPALIVE_EXPIRY: Final = 5.0


def aiohttp_available() -> bool:
    """True when aiohttp can be imported."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_backend(backend: str, *, http2: bool) -> Literal["httpx", "aiohttp"]:
    """The concrete backend for ``backend``: ``"auto"`` reads the environment, then prefers aiohttp.

    ``http2=True`` needs httpx (aiohttp speaks HTTP/1.1 only); asking for ``"aiohttp"``
    explicitly with HTTP/2, or without aiohttp installed, is a configuration error.
    """
    if backend not in _BACKENDS:
        raise ConfigurationError(f"backend must be one of {_BACKENDS}, got {backend!r}")
    explicit = backend != "auto"
    if not explicit:
        env = os.environ.get(BACKEND_ENV, "").strip().lower()
        if env and env not in _BACKENDS:
            raise ConfigurationError(f"{BACKEND_ENV} must be one of {_BACKENDS}, got {env!r}")
        backend = env or "auto"
    if backend == "httpx":
        return "httpx"
    if backend == "aiohttp":
        if http2:
            raise ConfigurationError("the aiohttp backend speaks HTTP/1.1 only; use http2=False")
        if not aiohttp_available():
            raise ConfigurationError("the aiohttp backend needs the aiohttp package")
        return "aiohttp"
    return "aiohttp" if not http2 and aiohttp_available() else "httpx"


# What respx (``using="httpcore"``, its default, or ``"httpx"``) and pytest-httpx patch. While
# one of them is patched, requests go through httpx's own transport, where the mock sees them.
_UNPATCHED: Final = (
    (
        httpcore.AsyncConnectionPool,
        "handle_async_request",
        httpcore.AsyncConnectionPool.handle_async_request,
    ),
    (
        httpx.AsyncHTTPTransport,
        "handle_async_request",
        httpx.AsyncHTTPTransport.handle_async_request,
    ),
    (httpx.AsyncClient, "_transport_for_url", httpx.AsyncClient._transport_for_url),
)


def httpx_is_mocked() -> bool:
    """True while a mocking library has patched httpx's or httpcore's network path."""
    return any(getattr(owner, name) is not original for owner, name, original in _UNPATCHED)


def _running_asyncio_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # trio (through anyio), or no loop at all
        return None


def _map_error(exc: BaseException) -> httpx.TransportError:
    """The httpx exception httpx's own transport raises for the same failure.

    The send loop resends only what cannot have reached the server: ``ConnectError``,
    ``ConnectTimeout`` and ``PoolTimeout``. So only failures that happen while connecting map
    to those; anything after the first byte left maps to a class that means "maybe sent".
    """
    import aiohttp

    message = str(exc) or type(exc).__name__
    # Order matters: the aiohttp classes inherit from one another.
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # sock_connect elapsed
        return httpx.ConnectTimeout(message)
    if isinstance(exc, aiohttp.ServerFingerprintMismatch):  # refused before sending
        return httpx.ConnectError(message)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):  # sock_read elapsed
        return httpx.ReadTimeout(message)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS handshake
        return httpx.ConnectError(message)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        # httpx: "Server disconnected without sending a response" / incomplete body.
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, aiohttp.ClientResponseError):  # a response that is not HTTP
        return httpx.RemoteProtocolError(message)
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        return httpx.UnsupportedProtocol(message)
    if isinstance(exc, (aiohttp.ClientOSError, aiohttp.ClientConnectionError)):
        return httpx.ReadError(message)  # reset mid-exchange: maybe sent
    return httpx.TransportError(message)


def _pool_connector(max_keepalive: int | None, **kwargs: Any) -> aiohttp.TCPConnector:
    """A ``TCPConnector`` with httpx's pool semantics on top of aiohttp's ``limit``.

    aiohttp enforces ``limit`` itself; this subclass changes how requests wait for it:

    * **first come, first served**: aiohttp hands an idle connection to a newcomer before its
      waiters, so under sustained load the request that had just finished took its
      connection straight back and the waiters starved (four callers looping on two
      connections: 2,941, 2,939, 1 and 1 calls in 2 s). Here a newcomer queues behind them;
    * **the pool timeout**: a request that waits for a free connection longer than the
      ``pool`` timeout of its request raises ``httpx.PoolTimeout`` (aiohttp bounds waiting
      and connecting together, with one ``connect`` value); one timer serves all deadlines;
    * **a woken waiter that is cancelled passes its turn on**, so cancellation never leaves a
      free connection while others wait;
    * **closing** fails the waiters with ``ClientConnectionError`` instead of cancelling their
      futures (a ``CancelledError`` in tasks nobody cancelled);
    * **``max_keepalive_connections``**: aiohttp keeps every released connection (up to
      ``limit``) until it expires; httpx closes one when more than
      ``max_keepalive_connections`` sit idle. A connection released while requests wait (or
      have been woken to take it) is kept for them: counting idle connections alone closed
      a quarter of all connections at 200 in flight on a 100-connection pool, and each
      request after that paid for a new one.

    Why waiting happens here and not in a semaphore before ``session.request``: a request
    that waits in the connector has already built its aiohttp objects, so a finished request
    frees its objects in the same step as the next one builds its own. Waiting before
    ``session.request`` made a hundred woken requests build theirs in one loop iteration
    after a hundred finished ones had freed theirs, which kept the garbage collector's
    young-generation count over its threshold: 150 collections per 5,000 requests instead of
    20 at 200 in flight, ~30 µs of CPU per request (benchmarks/overhead.py).

    ``_waiters`` (an ``OrderedDict`` per host since aiohttp 3.10.11, the version floor),
    ``_conns``, ``_acquired``, ``_available_connections``, ``_release``, ``_release_waiter``,
    ``_close`` and ``_wait_for_available_connection`` are aiohttp internals; the suite runs
    against the floor and the newest release.
    """
    import aiohttp

    class PoolConnector(aiohttp.TCPConnector):
        # The ``pool`` timeout of the request now entering ``connect``. ``connect`` reaches
        # ``_wait_for_available_connection`` without suspending (no trace hooks are
        # configured), so no other request can overwrite it in between.
        _pool_timeout: float | None = None

        async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
            self._pool_timeout = getattr(timeout, "pool", None)
            key = req.connection_key
            if (
                self._limit
                and (self._woken or self._waiters.get(key))
                and self._available_connections(key) <= self._woken
            ):
                # First come, first served: the free connections belong to the requests
                # already woken for them, so a newcomer queues behind the waiters. aiohttp
                # would hand a newcomer the idle connection first: under sustained load the
                # request that just finished took it again at once, and the waiters starved
                # until the load stopped or their pool timeout ran out.
                await self._wait_for_available_connection(key, traces)
            return await super().connect(req, traces, timeout)

        # One timer for every waiter's pool deadline, at the earliest one: a timer per waiter
        # cost a TimerHandle and a heap push and cancel for each request that waited.
        _sweep: asyncio.TimerHandle | None = None
        # Waiters woken for a free connection that have not run yet: they no longer sit in
        # ``_waiters`` but will each take an idle connection.
        _woken = 0

        async def _wait_for_available_connection(self, key: Any, traces: Any) -> None:
            timeout = self._pool_timeout
            loop = asyncio.get_running_loop()
            deadline = None
            if timeout is not None:
                deadline = loop.time() + timeout
                sweep = self._sweep
                if sweep is None or deadline < sweep.when():
                    if sweep is not None:
                        sweep.cancel()
                    self._sweep = loop.call_at(deadline, self._expire_waiters, loop)
            first = True
            while True:
                waiter: asyncio.Future[None] = loop.create_future()
                queue: Any = self._waiters[key]  # typed for aiohttp's None values
                queue[waiter] = deadline  # aiohttp stores None here and never reads it
                if not first:  # woken, but the slot was taken: go back to the front
                    queue.move_to_end(waiter, last=False)
                try:
                    await waiter
                except BaseException:
                    if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                        self._woken -= 1
                        self._release_waiter()  # woken, but leaving: wake the next one
                    raise
                else:
                    self._woken -= 1
                finally:
                    queue.pop(waiter, None)
                    if not queue and self._waiters.get(key) is queue:
                        del self._waiters[key]
                if self._available_connections(key) > 0:
                    return
                first = False

        def _expire_waiters(self, loop: asyncio.AbstractEventLoop) -> None:
            """Fail the waiters whose pool deadline has come; re-arm for the next deadline."""
            self._sweep = None
            now = loop.time()
            earliest: float | None = None
            for queue in self._waiters.values():
                for waiter, deadline in queue.items():
                    if deadline is None or waiter.done():
                        continue
                    if deadline - now <= _DEADLINE_SLACK:
                        waiter.set_exception(
                            httpx.PoolTimeout("timed out waiting for a connection from the pool")
                        )
                    elif earliest is None or deadline < earliest:
                        earliest = deadline
            if earliest is not None:
                self._sweep = loop.call_at(earliest, self._expire_waiters, loop)

        def _release_waiter(self) -> None:
            """Wake the longest waiter of a host with a free slot (aiohttp's pick, counted)."""
            waiters = self._waiters
            if not waiters:
                return
            keys = list(waiters)
            if len(keys) > 1:
                random.shuffle(keys)  # as aiohttp does: no host is always served first
            for key in keys:
                if self._available_connections(key) < 1:
                    continue
                queue = waiters[key]
                while queue:
                    waiter, _ = queue.popitem(last=False)
                    if not waiter.done():
                        waiter.set_result(None)
                        self._woken += 1
                        return

        def _close(self, *args: Any, **kwargs: Any) -> Any:
            # aiohttp cancels the futures of waiting requests, which would raise a
            # CancelledError in tasks nobody cancelled; fail them as a closed connector instead.
            failure = aiohttp.ClientConnectionError("Connector is closed.")
            for queue in self._waiters.values():
                for waiter in queue:
                    if not waiter.done():
                        waiter.set_exception(failure)
            sweep, self._sweep = self._sweep, None
            if sweep is not None:
                sweep.cancel()
            return super()._close(*args, **kwargs)

        def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:
            if max_keepalive is not None and not should_close:
                idle = self._conns
                # Requests waiting for a connection, or woken to take one and not yet
                # running, will take a released one right away.
                wanted = self._woken + sum(len(q) for q in self._waiters.values())
                if sum(len(c) for c in idle.values()) >= max_keepalive + wanted:
                    should_close = True
            super()._release(key, protocol, should_close=should_close)

    return PoolConnector(**kwargs)


# A pool deadline this close is due: timers may fire a hair early.
_DEADLINE_SLACK: Final = 0.001


@functools.cache
def _timeout_class() -> Callable[..., aiohttp.ClientTimeout]:
    """``aiohttp.ClientTimeout`` with httpx's ``pool`` timeout, which the connector reads."""
    import aiohttp
    import attr

    @attr.s(auto_attribs=True, frozen=True, slots=True)
    class PoolClientTimeout(aiohttp.ClientTimeout):
        pool: float | None = None

    return PoolClientTimeout


class Reply(NamedTuple):
    """What the send loop needs of a response: :meth:`PoolClient.fetch` returns it."""

    status: int
    #: Looked up case-insensitively.
    headers: Mapping[str, str]
    content: bytes


class RawResponse(NamedTuple):
    """A response read whole by :class:`AiohttpTransport`, before any httpx object exists."""

    status: int
    #: aiohttp's case-insensitive view of the headers.
    headers: Mapping[str, str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    reason: str | None
    content: bytes

    def to_httpx(self) -> httpx.Response:
        """The same response as an ``httpx.Response`` (~17 µs: it re-normalises the headers)."""
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if self.reason:
            extensions["reason_phrase"] = self.reason.encode("ascii", errors="replace")
        return httpx.Response(
            self.status, headers=list(self.raw_headers), content=self.content, extensions=extensions
        )


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncBaseTransport`` that sends through one ``aiohttp.ClientSession``.

    * **limits**: at most ``max_connections`` requests hold a connection at once; a request
      that waits longer than the pool timeout for one raises ``httpx.PoolTimeout``; at most
      ``max_keepalive_connections`` idle connections are kept, each for ``keepalive_expiry``.
    * **timeouts** (from the request, as httpx passes them): ``connect`` bounds opening the
      connection (TLS handshake included), ``read`` bounds each wait for response bytes,
      ``pool`` bounds the wait for a connection slot. aiohttp has no write timeout; request
      bodies here are small JSON documents.
    * **lifecycle**: the session is created on the first request, inside the running loop
      (aiohttp requires one), and closed by :meth:`aclose`. A cancelled request closes its
      connection (aiohttp does not reuse a connection with an unread response) and releases
      its slot.
    * **not asyncio** (trio through anyio), or **httpx mocked** (respx, pytest-httpx): the
      request goes through an ``httpx.AsyncHTTPTransport`` with the same limits instead.
    * The body is read whole before returning: every call of the send loop reads it anyway,
      and a fully read response releases its connection at once.
    """

    def __init__(
        self, *, limits: httpx.Limits | None = None, ssl_context: Any | None = None
    ) -> None:
        limits = limits if limits is not None else httpx.Limits()
        self._limits = limits
        self._max_connections = limits.max_connections
        self._ssl_context = ssl_context
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fallback: httpx.AsyncHTTPTransport | None = None
        self._timeouts: dict[
            tuple[float | None, float | None, float | None], aiohttp.ClientTimeout
        ] = {}
        self._closed = False

    def _open(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        import aiohttp

        limits = self._limits
        connector = _pool_connector(
            limits.max_keepalive_connections,
            limit=limits.max_connections or 0,
            limit_per_host=0,
            keepalive_timeout=(
                limits.keepalive_expiry
                if limits.keepalive_expiry is not None
                else _KEEPALIVE_EXPIRY
            ),
            # The same CA bundle and TLS settings httpx uses (certifi by default).
            ssl=self._ssl_context if self._ssl_context is not None else httpx.create_ssl_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # httpx (or PoolClient) already set the headers it sends; aiohttp adds none.
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            # httpx decodes Content-Encoding from the headers it asked for.
            auto_decompress=False,
            # Proxies from the environment are httpx's job: its mounts take those URLs.
            trust_env=False,
            # A pool is shared by credentials: one's cookies must not ride on another's calls.
            cookie_jar=aiohttp.DummyCookieJar(),
            raise_for_status=False,
        )
        self._loop = loop
        return self._session

    def _session_here(self) -> aiohttp.ClientSession | None:
        """The session for this call, or ``None`` when httpx's own transport must send it."""
        if self._closed:
            raise RuntimeError("the transport is closed")
        if self._fallback is not None or httpx_is_mocked():
            return None
        loop = _running_asyncio_loop()
        session = self._session
        if session is None:
            return self._open(loop) if loop is not None else None
        if loop is not self._loop:
            raise RuntimeError("an HttpPool cannot be used from another event loop")
        return session

    def _httpx_transport(self) -> httpx.AsyncHTTPTransport:
        if self._fallback is None:
            self._fallback = httpx.AsyncHTTPTransport(limits=self._limits)
        return self._fallback

    def _timeout(
        self, connect: float | None, read: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        key = (connect, read, pool)
        timeout = self._timeouts.get(key)
        if timeout is None:
            # ``connect`` in aiohttp includes waiting for a free connection; the connector
            # bounds that wait by ``pool`` instead.
            timeout = _timeout_class()(
                total=None, connect=None, sock_connect=connect, sock_read=read, pool=pool
            )
            if len(self._timeouts) < 64:  # a handful of distinct timeouts per pool
                self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session_here()
        if session is None:
            return await self._httpx_transport().handle_async_request(request)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        raw = await self.exchange(
            session,
            request.method,
            str(request.url),
            request.headers.multi_items(),
            await request.aread(),
            timeouts.get("connect"),
            timeouts.get("read"),
            timeouts.get("pool"),
        )
        response = raw.to_httpx()
        response.request = request
        return response

    async def exchange(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        connect: float | None,
        read: float | None,
        pool: float | None,
    ) -> RawResponse:
        """Send one request on ``session``; the whole response."""
        import aiohttp
        import yarl

        try:
            # ``encoded=True``: the path is already percent-encoded (``%2E%2E`` for an id
            # ".."); re-quoting would turn it back into a dot segment, another endpoint.
            async with session.request(
                method,
                yarl.URL(url, encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                compress=False,
                timeout=self._timeout(connect, read, pool),
            ) as response:
                return RawResponse(
                    response.status,
                    response.headers,
                    response.raw_headers,
                    response.reason,
                    await response.read(),
                )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _map_error(exc) from exc

    async def aclose(self) -> None:
        """Close the session and every connection; idempotent."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        fallback, self._fallback = self._fallback, None
        if fallback is not None:
            await fallback.aclose()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._session else "idle")
        return f"<AiohttpTransport {state} max_connections={self._max_connections}>"


# The keywords of ``AsyncClient.request`` the direct route handles; any other takes httpx's.
_DIRECT_KEYWORDS: Final = frozenset({"content", "headers", "params", "timeout"})


class PoolClient(httpx.AsyncClient):
    """The pool's ``httpx.AsyncClient``: with an :class:`AiohttpTransport`, a direct route.

    ``request()`` or :meth:`fetch` with only ``content``, ``headers``, ``params`` and
    ``timeout`` -- what the send loop passes -- goes straight to the aiohttp session: no
    ``httpx.Request``, no URL re-parsing, no auth or redirect or cookie machinery (~150 µs of
    CPU per call, as much as aiohttp's own send). It sends what httpx would send: the
    client's default headers under the call's, the query encoded by ``httpx.QueryParams``,
    the same timeouts and limits, the same exception classes. Everything else takes httpx's
    route: other keywords, non-ASCII or oddly spelled URLs, proxies from the environment
    (httpx mounts them), a mocked httpx (respx), no asyncio loop (trio), and every injected
    transport.

    The direct route and aiohttp's session keep no cookies: a pool is shared by clients with
    different credentials, and a cookie one received must not ride on another's requests.
    httpx's route still keeps ``httpx.AsyncClient``'s cookie jar, as before.
    """

    def __init__(self, *, direct: AiohttpTransport | None = None, **kwargs: Any) -> None:
        if direct is not None:
            kwargs["transport"] = direct
        super().__init__(**kwargs)
        # Environment proxies are mounts: their URLs must go through httpx's proxy transport.
        mounts = getattr(self, "_mounts", None)  # an httpx internal; unknown means "maybe"
        self._direct = direct if direct is not None and mounts == {} else None
        self._base_headers: list[tuple[str, str]] = self.headers.multi_items()

    def _direct_exchange(
        self, method: str, url: httpx.URL | str, kwargs: dict[str, Any]
    ) -> Coroutine[Any, Any, RawResponse] | None:
        """The direct route's exchange, not yet awaited, or ``None`` when httpx must send it."""
        direct = self._direct
        if direct is None or type(url) is not str or not kwargs.keys() <= _DIRECT_KEYWORDS:
            return None
        if not (url.isascii() and url.isprintable()) or " " in url or "#" in url:
            return None
        call_headers = kwargs.get("headers")
        if call_headers is not None and type(call_headers) is not dict:
            return None
        timeout = kwargs.get("timeout", httpx.USE_CLIENT_DEFAULT)
        if timeout is httpx.USE_CLIENT_DEFAULT:
            timeout = self.timeout
        elif not isinstance(timeout, httpx.Timeout):  # None (unbounded) or a number
            return None
        session = direct._session_here()
        if session is None:
            return None
        params = kwargs.get("params")
        if params:
            url += ("&" if "?" in url else "?") + str(httpx.QueryParams(params))
        headers = self._base_headers
        if call_headers:
            names = {name.lower() for name in call_headers}
            headers = [h for h in headers if h[0].lower() not in names]
            headers.extend(call_headers.items())
        return direct.exchange(
            session,
            method,
            url,
            headers,
            kwargs.get("content"),
            timeout.connect,
            timeout.read,
            timeout.pool,
        )

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        exchange = self._direct_exchange(method, url, kwargs)
        if exchange is None:
            return await super().request(method, url, **kwargs)
        return (await exchange).to_httpx()

    async def fetch(self, method: str, url: str, **kwargs: Any) -> Reply:
        """:meth:`request` for the send loop: status, headers and body, no ``httpx.Response``.

        On the direct route the headers are aiohttp's own case-insensitive view, so no
        ``httpx.Response`` is built at all (~17 µs, 5% of a call's CPU); on httpx's route they
        are the response's ``httpx.Headers``. Raises what :meth:`request` raises.
        """
        exchange = self._direct_exchange(method, url, kwargs)
        if exchange is None:
            response = await super().request(method, url, **kwargs)
            return Reply(response.status_code, response.headers, response.content)
        raw = await exchange
        if "content-encoding" in raw.headers:  # gzip and co.: httpx decodes what it asked for
            response = raw.to_httpx()
            return Reply(response.status_code, response.headers, response.content)
        return Reply(raw.status, raw.headers, raw.content)
