"""The aiohttp backend: one stock ``aiohttp.ClientSession`` and ``TCPConnector``, public API only.

Why aiohttp by default: httpx's pool (httpcore) rescans every connection for each queued
request, so its throughput falls as concurrency rises (docs/performance.md); aiohttp's
connector does not. Fairness, the pool timeout and the total deadline are the pool's own
(:mod:`.._slots`), in front of this adapter, so at most ``max_connections`` requests ever
reach aiohttp's connector, which therefore never queues.

What this adapter adds on aiohttp's public API:

* **no silent resend**: aiohttp resends an idempotent request once, unasked, when a kept-alive
  connection fails after the request was written (a server then sees two PUTs for one
  attempt; aio-libs/aiohttp#10790). A client middleware (aiohttp >= 3.12) turns that failure
  into one aiohttp does not retry, so every request on the wire is an attempt the send loop
  counts;
* **one exception mapping**, straight to :class:`WireFailure` with whether the request may
  have reached the server; the aiohttp exception is dropped (its ``request_info`` holds the
  request headers, the credential among them);
* **the keep-alive cap**: a request that would leave more than ``max_keepalive_connections``
  connections idle asks for ``Connection: close``; aiohttp keeps every released connection
  otherwise (up to ``limit``) until ``keepalive_expiry``.
"""

from __future__ import annotations

import asyncio
import inspect
import ssl
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._slots import TICKET, PoolTimedOut, SlotsClosed, Ticket
from ._common import ProxyRoutes, Reply, WireFailure, slot_failure

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpWire", "map_aiohttp_error"]


class _Unretried(Exception):
    def __init__(self, failure: WireFailure) -> None:
        super().__init__(failure.kind)
        self.failure = failure


def _detail(exc: BaseException) -> str:
    strerror = getattr(exc, "strerror", None)
    name = type(exc).__name__
    return f"{name}: {strerror}" if isinstance(strerror, str) and strerror else name


def map_aiohttp_error(exc: BaseException) -> WireFailure:
    """The :class:`WireFailure` for an aiohttp failure; only connect failures are "not sent"."""
    import aiohttp

    detail = _detail(exc)
    # Order matters: the aiohttp classes inherit from one another.
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # sock_connect elapsed
        return WireFailure("connect timeout", sent=False, detail=detail)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return WireFailure("connection failed", sent=False, detail="TLS certificate not trusted")
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS handshake, proxy
        return WireFailure("connection failed", sent=False, detail=detail)
    if isinstance(exc, aiohttp.ServerFingerprintMismatch):  # refused before sending
        return WireFailure("connection failed", sent=False, detail=detail)
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        return WireFailure("invalid URL", sent=False, detail=type(exc).__name__)
    if isinstance(exc, aiohttp.ClientHttpProxyError):  # the proxy refused the tunnel
        return WireFailure("connection failed", sent=False, detail="proxy refused the request")
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return WireFailure("timeout", sent=True, detail=type(exc).__name__)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        return WireFailure("connection lost", sent=True, detail=type(exc).__name__)
    if isinstance(exc, aiohttp.ClientResponseError):  # a response that is not HTTP
        return WireFailure("protocol error", sent=True, detail=type(exc).__name__)
    if isinstance(exc, aiohttp.ClientConnectionError):  # reset mid-exchange
        return WireFailure("connection lost", sent=True, detail=detail)
    return WireFailure("transport error", sent=True, detail=type(exc).__name__)


async def _slot_then_send(req: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
    """Client middleware: take the pool's slot, then send; no silent resend after a failure.

    The slot is taken here, after aiohttp built the request (see :class:`Ticket`). A failure
    after connecting leaves as an exception aiohttp does not retry.
    """
    import aiohttp

    ticket = TICKET.get()
    if ticket is not None and not ticket.acquired:
        failure: WireFailure | None = None
        try:
            await ticket.take()
        except (PoolTimedOut, SlotsClosed) as exc:
            failure = slot_failure(exc, ticket.patience)
        if failure is not None:
            raise _Unretried(failure)
    if ticket is not None and ticket.keep_alive is not None and not ticket.keep_alive():
        req.headers["Connection"] = "close"  # the keep-alive cap: the server closes it
    try:
        return await handler(req)
    except aiohttp.ClientConnectorError:
        raise  # never sent, and aiohttp does not retry it
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
        raise _Unretried(map_aiohttp_error(exc)) from None


class AiohttpWire:
    """Sends requests through one ``aiohttp.ClientSession``, created in the running loop."""

    def __init__(
        self,
        *,
        limit: int,
        max_keepalive: int,
        keepalive_expiry: float,
        ssl_context: ssl.SSLContext | bool,
        routes: ProxyRoutes,
    ) -> None:
        self._limit = limit
        self._max_keepalive = max_keepalive
        self._keepalive_expiry = keepalive_expiry
        self._ssl = ssl_context
        self._routes = routes
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        # The keep-alive cap's bookkeeping: connections believed open, requests on them now,
        # and when the last one finished (after ``keepalive_expiry`` idle, none is left).
        self._open = 0
        self._last_done = 0.0
        #: Requests holding a slot of the pool (set by the pool to its slots' count).
        self.in_use: Callable[[], int] = lambda: 1

    def usable(self) -> bool:
        """True when running on asyncio, where aiohttp works."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        if self._loop is not None and loop is not self._loop:
            raise WireFailure(
                "wrong event loop", sent=False, detail="an HttpPool serves one event loop"
            )
        return True

    def _open_session(self) -> aiohttp.ClientSession:
        import aiohttp

        tls = self._ssl
        if tls is True:  # the CA bundle httpx uses (certifi), loaded once the pool is used
            import httpx

            tls = httpx.create_ssl_context()
        connector = aiohttp.TCPConnector(
            limit=self._limit,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=tls,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            # The pool sets every header it sends; aiohttp adds none of its own.
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            # Proxies (environment included) are resolved by the pool, per request.
            trust_env=False,
            # A pool is shared by credentials: one's cookies must not ride on another's calls.
            cookie_jar=aiohttp.DummyCookieJar(),
            raise_for_status=False,
            middlewares=(_slot_then_send,),
        )
        self._session = session
        self._loop = asyncio.get_running_loop()
        return session

    def _timeout(self, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        key = (connect, read)
        timeout = self._timeouts.get(key)
        if timeout is None:
            import aiohttp

            # The total deadline is the pool's (one for both backends); ``connect`` in aiohttp
            # would include waiting for a connection, which the pool's slots bound instead.
            timeout = aiohttp.ClientTimeout(
                total=None, connect=None, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) < 64:  # a handful of distinct timeouts per pool
                self._timeouts[key] = timeout
        return timeout

    def _keep_alive(self) -> bool:
        """Whether the connection of the request now starting may stay open after it.

        ``in_use`` counts the pool's slots taken, this request's included (requests handed a
        slot and about to start too): the connections they hold are not idle.
        """
        in_use = self.in_use()  # this request's slot is taken by now
        if in_use > self._open:
            self._open = in_use  # a connection is being opened
        elif in_use == 1 and time.monotonic() - self._last_done > self._keepalive_expiry:
            self._open = 1  # idle longer than the expiry: aiohttp closed the others
        # Idle once this one ends, if the others are still busy: its own and the idle ones.
        if self._open - (in_use - 1) > self._max_keepalive:
            self._open -= 1
            return False
        return True

    async def send(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        content: bytes | None,
        connect: float | None,
        read: float | None,
        ticket: Ticket | None = None,
    ) -> Reply:
        """One request, its response read whole; failures raise :class:`WireFailure`.

        With a ``ticket``, the request takes its slot of the pool inside aiohttp's request.
        """
        import aiohttp
        import yarl

        session = self._session or self._open_session()
        failure: WireFailure | None = None
        target: yarl.URL | None = None
        host: str | None = None
        try:  # (not contextlib.suppress: three calls more per request)
            # ``encoded=True``: the path is already percent-encoded (``%2E%2E`` for an id
            # ".."); re-quoting would turn it back into a dot segment, another endpoint.
            target = yarl.URL(url, encoded=True)
            host = target.host  # decoded lazily: an invalid IDNA label fails here
        except (ValueError, TypeError):  # UnicodeError (IDNA) included
            pass
        if target is None or not host:
            raise WireFailure("invalid URL", sent=False)
        proxy = None
        if self._routes.any:
            proxy = self._routes.for_url(target.scheme, host)
        if ticket is not None:
            ticket.keep_alive = self._keep_alive
            context_token = TICKET.set(ticket)
        else:  # the pool took the slot already
            context_token = None
            if not self._keep_alive():
                headers = [*headers, ("Connection", "close")]
        try:
            async with session.request(
                method,
                target,
                headers=headers,
                data=content,
                allow_redirects=False,
                timeout=self._timeout(connect, read),
                proxy=proxy,
            ) as response:
                return Reply(response.status, response.headers, await response.read())
        except _Unretried as exc:
            failure = exc.failure
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            failure = map_aiohttp_error(exc)
        except (ValueError, TypeError):  # yarl or aiohttp refusing the URL or a header
            failure = WireFailure("invalid request", sent=False)
        except RuntimeError:
            if not session.closed:
                raise
            failure = WireFailure("pool closed", sent=False)  # closed under this call
        finally:
            self._last_done = time.monotonic()
            if context_token is not None:
                TICKET.reset(context_token)
        # Raised outside the ``except`` blocks: no library exception in the chain.
        assert failure is not None
        raise failure

    async def aclose(self) -> None:
        """Close the session and every connection; idempotent."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def close_unawaited(self) -> None:
        """Close for an unclosed pool being collected, without aiohttp's own warnings."""
        session, self._session = self._session, None
        if session is None or session.closed:
            return
        connector = session.connector
        session.detach()
        if connector is None:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                # ``close()`` is a coroutine function on newer aiohttp, a function returning
                # an awaitable on older ones; its first step closes every connection at once.
                closing: Any = connector.close()
                if inspect.iscoroutine(closing):
                    try:
                        closing.send(None)
                    except StopIteration:
                        pass
                    finally:
                        closing.close()
                del closing
            except Exception:  # noqa: BLE001, S110 -- a finaliser must not raise
                pass
