"""What every backend shares: the reply, the sanitised failure, backend choice and proxies."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Mapping
from typing import Final, Literal, NamedTuple

from ...errors import ConfigurationError
from .._slots import PoolTimedOut, SlotsClosed

__all__ = [
    "BACKEND_ENV",
    "Backend",
    "ProxyRoutes",
    "Reply",
    "WireFailure",
    "aiohttp_available",
    "resolve_backend",
    "slot_failure",
]

Backend = Literal["auto", "httpx", "aiohttp"]

#: Environment variable that picks the backend when ``HttpPool(backend="auto")``.
BACKEND_ENV: Final = "TIMECLIENTS_BACKEND"
_BACKENDS: Final = ("auto", "httpx", "aiohttp")


class Reply(NamedTuple):
    """A response read whole: what the send loop needs of it."""

    status: int
    #: Looked up case-insensitively.
    headers: Mapping[str, str]
    content: bytes


class WireFailure(Exception):
    """One attempt failed on the wire: what happened, and whether the server may have seen it.

    Built by a backend from its library's exception, which is then dropped: the library's
    objects may hold the request's headers (aiohttp's ``request_info`` holds the credential)
    and its messages the URL with its query string. This carries only words chosen here.
    """

    def __init__(self, kind: str, *, sent: bool, detail: str = "") -> None:
        super().__init__(f"{kind} ({detail})" if detail else kind)
        #: ``"connection failed"``, ``"connect timeout"``, ``"pool timeout"``, ``"timeout"``,
        #: ``"connection lost"``, ``"protocol error"``, ``"invalid URL"``, ``"pool closed"``.
        self.kind = kind
        #: False only when no byte of the request can have reached the server.
        self.sent = sent


def slot_failure(exc: PoolTimedOut | SlotsClosed, patience: float) -> WireFailure:
    """The :class:`WireFailure` of a wait for a pool slot that ended without one (not sent)."""
    if isinstance(exc, PoolTimedOut):
        return WireFailure(
            "pool timeout", sent=False, detail=f"no free connection in {patience:g} s"
        )
    return WireFailure("pool closed", sent=False)


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


class ProxyRoutes:
    """Which proxy (or none) a request to a host goes through.

    An explicit ``proxy`` takes every request. Otherwise, with ``trust_env``, the usual
    environment variables apply as in httpx and curl: ``HTTPS_PROXY``/``HTTP_PROXY``/
    ``ALL_PROXY`` by the URL's scheme, and ``NO_PROXY`` for the hosts that go direct. They are
    read once, when the pool is built (httpx reads them when its client is built).
    """

    __slots__ = ("_cache", "_proxies", "any", "proxy")

    def __init__(self, proxy: str | None, *, trust_env: bool) -> None:
        #: The explicit proxy, if any.
        self.proxy = proxy
        self._proxies: dict[str, str] = {}
        if proxy is None and trust_env:
            self._proxies = urllib.request.getproxies_environment()
        self._cache: dict[tuple[str, str], str | None] = {}
        #: True when some request may go through a proxy.
        self.any = self.proxy is not None or any(k != "no" for k in self._proxies)

    def for_url(self, scheme: str, host: str) -> str | None:
        """The proxy URL for a request to ``scheme://host``, or ``None`` to go direct."""
        if self.proxy is not None:
            return self.proxy
        if not self._proxies:
            return None
        key = (scheme, host)
        try:
            return self._cache[key]
        except KeyError:
            pass
        route: str | None = self._proxies.get(scheme) or self._proxies.get("all")
        if route is not None and _bypassed(host, self._proxies.get("no", "")):
            route = None
        if len(self._cache) < 256:
            self._cache[key] = route
        return route


def _bypassed(host: str, no_proxy: str) -> bool:
    """``NO_PROXY``'s rule as curl and httpx read it: ``*``, or a host or domain suffix."""
    host = host.lower().strip("[]")
    for entry in no_proxy.replace(" ", "").lower().split(","):
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.lstrip(".").split(":")[0].strip("[]")
        if host == entry or host.endswith("." + entry):
            return True
    return False
