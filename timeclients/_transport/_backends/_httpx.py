"""The httpx backend: any ``httpx.AsyncBaseTransport``, called directly through its public API.

No ``httpx.AsyncClient`` sits in between: the pool sets the headers, resolves the proxy and
runs the event hooks itself, and never follows or even parses a redirect (an
``httpx.AsyncClient`` parses ``Location`` of every 3xx, and a ``javascript:`` or ``xn--``
target raised ``httpx.InvalidURL`` out of a call). The pool's slots bound what enters
httpcore's pool, whose scan of its queue grows with the queue's length.

Failures map once, straight to :class:`WireFailure`: only what fails before a byte of the
request left (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``, ``WriteError`` -- no
server acts on a request it did not receive whole) is "not sent".
"""

from __future__ import annotations

import importlib.util
import ssl
from collections.abc import Sequence
from typing import Final

import httpcore
import httpx

from ._common import ProxyRoutes, Reply, WireFailure

__all__ = ["HttpxWire", "build_request", "httpx_is_mocked", "map_httpx_error"]

# What respx (``using="httpcore"``, its default) and pytest-httpx patch. While one of them is
# patched, the aiohttp backend sends through httpx, where the mock sees the requests. A
# transparent wrapper (OpenTelemetry's instrumentation, wrapt) keeps ``__wrapped__``.
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
)


def httpx_is_mocked() -> bool:
    """True while a mocking library has patched httpx's or httpcore's network path."""
    for owner, name, original in _UNPATCHED:
        current = getattr(owner, name)
        if current is not original and getattr(current, "__wrapped__", None) is not original:
            return True
    return False


_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError)


def map_httpx_error(exc: BaseException) -> WireFailure:
    """The :class:`WireFailure` for an httpx failure (or an injected transport's)."""
    name = type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return WireFailure("connect timeout", sent=False, detail=name)
    if isinstance(exc, httpx.PoolTimeout):
        return WireFailure("pool timeout", sent=False, detail=name)
    if isinstance(exc, (httpx.ConnectError, httpx.ProxyError)):
        return WireFailure("connection failed", sent=False, detail=name)
    if isinstance(exc, httpx.WriteError):
        return WireFailure("connection lost", sent=False, detail=name)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return WireFailure("invalid URL", sent=False, detail=name)
    if isinstance(exc, httpx.TimeoutException):
        return WireFailure("timeout", sent=True, detail=name)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.DecodingError)):
        return WireFailure("protocol error", sent=True, detail=name)
    if isinstance(exc, httpx.NetworkError):
        return WireFailure("connection lost", sent=True, detail=name)
    return WireFailure("transport error", sent=True, detail=name)


def build_request(
    method: str,
    url: str,
    headers: Sequence[tuple[str, str]],
    content: bytes | None,
    connect: float | None,
    read: float | None,
    write: float | None,
    pool: float | None,
) -> httpx.Request:
    """The ``httpx.Request`` of one attempt, its timeouts as httpx's extension says.

    A URL or header httpx refuses raises :class:`WireFailure` (``"invalid URL"``, not sent),
    outside the ``except`` block: no httpx exception in the chain.
    """
    timeout = {"connect": connect, "read": read, "write": write, "pool": pool}
    try:
        return httpx.Request(
            method, url, headers=list(headers), content=content, extensions={"timeout": timeout}
        )
    except (httpx.InvalidURL, ValueError, TypeError):
        pass
    raise WireFailure("invalid URL", sent=False)


class HttpxWire:
    """Sends through an injected transport, or httpx's own (one per proxy route)."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: httpx.Limits | None = None,
        http2: bool = False,
        verify: ssl.SSLContext | bool = True,
        routes: ProxyRoutes | None = None,
    ) -> None:
        self._injected = transport
        self._limits = limits if limits is not None else httpx.Limits()
        self._http2 = http2
        self._verify = verify
        self._routes = routes if routes is not None else ProxyRoutes(None, trust_env=False)
        self._transports: dict[str | None, httpx.AsyncBaseTransport] = {}
        if transport is None and http2 and importlib.util.find_spec("h2") is None:
            # Fail when the pool is built, not at its first request.
            raise ImportError("No module named 'h2' (pip install 'httpx[http2]')")

    def _build(self, proxy: str | None) -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(
            verify=self._verify,
            limits=self._limits,
            http2=self._http2,
            proxy=proxy,
            trust_env=False,  # the pool resolved the proxy from the environment
        )

    def _transport_for(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        if self._injected is not None:
            return self._injected
        proxy = self._routes.for_url(url.scheme, url.host) if self._routes.any else None
        transport = self._transports.get(proxy)
        if transport is None:
            transport = self._transports[proxy] = self._build(proxy)
        return transport

    async def send(
        self,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        content: bytes | None,
        connect: float | None,
        read: float | None,
        write: float | None = None,
        pool: float | None = None,
    ) -> Reply:
        """One request, its response read whole; failures raise :class:`WireFailure`."""
        request = build_request(method, url, headers, content, connect, read, write, pool)
        try:
            response = await self._transport_for(request.url).handle_async_request(request)
            try:
                body = await response.aread()
            finally:
                await response.aclose()
            return Reply(response.status_code, response.headers, body)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failure = map_httpx_error(exc)
        except ValueError:  # an IDNA or encoding failure deep in the transport
            failure = WireFailure("transport error", sent=True, detail="invalid request")
        # Raised outside the ``except`` blocks: no library exception in the chain.
        raise failure

    async def aclose(self) -> None:
        """Close httpx's transports (an injected one too, as ``httpx.AsyncClient`` does)."""
        transports = list(self._transports.values())
        self._transports.clear()
        if self._injected is not None:
            transports.append(self._injected)
        for transport in transports:
            await transport.aclose()
