"""What every vendor client shares: pool ownership, its channel, lifecycle, env credentials."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import attrs

from ._convert import ModelDecoder
from ._transport import (
    Channel,
    HttpPool,
    RateLimit,
    RateLimits,
    Request,
    RetryPolicy,
    SendStats,
    default_error_message,
    validate_base_url,
)
from ._transport._send import ErrorMessage
from .errors import APIError

__all__ = ["BaseClient", "Credential", "env_credential"]

C = TypeVar("C", bound="BaseClient")
T = TypeVar("T")


@attrs.frozen
class Credential:
    """What a client authenticates with: its headers and a limiter id that reveals nothing.

    Each vendor's ``_protocol`` builds these (which header, which encoding); the client and its
    channel only carry them.
    """

    #: How it authenticates, in a word (``"api_key"``, ``"token"``, ``"anonymous"``, ...).
    kind: str
    headers: dict[str, str] = attrs.field(repr=False)
    limiter_id: str = attrs.field(repr=False)


def env_credential(*names: str) -> tuple[str, str] | None:
    """The first non-empty environment variable of ``names``, as ``(name, value)``."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return name, value
    return None


class BaseClient:
    """A vendor client's shared half: it owns a private pool if not given one, and a channel.

    Subclasses build the credential headers and call ``super().__init__``; their resources
    send :class:`~timeclients._transport.Request` objects through :meth:`_send` and decode
    with the vendor's :class:`~timeclients._convert.ModelDecoder`.
    """

    _vendor: ClassVar[str] = ""
    #: How the client authenticates (a word such as ``"api_key"``; never the credential).
    _auth: str = ""

    def __init__(
        self,
        *,
        pool: HttpPool | None,
        base_url: str,
        allow_insecure_http: bool,
        credential: Credential,
        rate_limit: RateLimits | None,
        retry: RetryPolicy | None,
        timeout: float | None,
        status_errors: Mapping[int, type[APIError]] | None = None,
        error_message: ErrorMessage = default_error_message,
    ) -> None:
        base = validate_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._auth = credential.kind
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else HttpPool()
        self._base_url = base
        self._channel = Channel(
            self._pool,
            vendor=self._vendor,
            base_url=base,
            headers=credential.headers,
            credential_id=credential.limiter_id,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
            status_errors=status_errors,
            error_message=error_message,
        )

    @property
    def base_url(self) -> str:
        """The base URL every path is joined to."""
        return self._base_url

    @property
    def pool(self) -> HttpPool:
        """The connection pool this client sends through."""
        return self._pool

    @property
    def rate_limit(self) -> RateLimit | None:
        """The client-side rate limit per key (the pace: the shortest window), or ``None``."""
        return self._channel.rate_limit

    @property
    def rate_limits(self) -> tuple[RateLimit, ...]:
        """Every window of the client-side limit, shortest first (empty when off)."""
        return self._channel.rate_limits or ()

    @property
    def stats(self) -> SendStats:
        """Counters of what this client sent: requests, 429s, retries, failures."""
        return self._channel.stats

    async def _send_json(self, request: Request, decoder: ModelDecoder, cls: type[T]) -> T:
        response = await self._channel.send(request)
        return decoder.structure(response.json(), cls, method=response.method, path=response.path)

    async def aclose(self) -> None:
        """Close the client; a private pool is closed with it, a shared one is left open."""
        if self._owns_pool:
            await self._pool.aclose()

    async def __aenter__(self: C) -> C:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def auth(self) -> str:
        """How the client authenticates (``"api_key"``, ``"token"``, ...), never the secret."""
        return self._auth

    def _use_credential(self, credential: Credential, *, keep_pace: bool = False) -> None:
        """Switch every later send (and the limiter key) to ``credential``."""
        self._channel.set_credential(credential.headers, credential.limiter_id, keep_pace=keep_pace)
        self._auth = credential.kind

    def __repr__(self) -> str:
        auth = f" auth={self._auth}" if self._auth else ""
        return f"<{type(self).__name__} base_url={self._base_url!r}{auth}>"

    def __reduce__(self) -> Any:  # a client holds a credential: never pickle it by accident
        raise TypeError(f"{type(self).__name__} cannot be pickled")
