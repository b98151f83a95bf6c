"""What every vendor client shares: pool ownership, its channel, lifecycle, env settings, and
the one send-and-decode path its resources call."""

from __future__ import annotations

import json as jsonlib
import math
import os
import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, TypeAlias, TypeVar
from urllib.parse import unquote

import attrs

from ._spec import DefaultURL, VendorSpec
from ._transport import Channel, HttpPool, SendStats, validate_base_url
from ._validate import check_encodable
from ._wire import NO_BODY, Credential, RateLimit, RateLimits, Request, Response, RetryPolicy
from .errors import APIError, AuthenticationError, ConfigurationError, ValidationError

__all__ = ["BaseClient", "QueryParams", "raw_request", "resolve_base_url"]

#: A query parameter's value: one scalar, or a sequence of them (the key repeats).
QueryValue: TypeAlias = "str | int | float | bool | Sequence[str | int | float | bool]"
#: ``params=`` of :meth:`BaseClient.request`: a mapping, or ``(key, value)`` pairs in order.
QueryParams: TypeAlias = "Mapping[str, QueryValue] | Sequence[tuple[str, QueryValue]]"

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_UNSAFE_PATH = re.compile(r"[\x00-\x20\x7f-\x9f]")

C = TypeVar("C", bound="BaseClient")
T = TypeVar("T")


def resolve_base_url(
    base_url: str | None, *, env: str, default: str, allow_insecure_http: bool
) -> str:
    """``base_url`` if passed, else the environment variable ``env`` if set, else ``default``;
    validated, with the error naming where the bad value came from.

    Not passed means ``None`` or the signature's own :class:`DefaultURL`.
    """
    if base_url is not None and not isinstance(base_url, DefaultURL):
        return validate_base_url(base_url, allow_insecure_http=allow_insecure_http)
    found = os.environ.get(env, "") if env else ""
    if found:
        return validate_base_url(found, allow_insecure_http=allow_insecure_http, name=env)
    return validate_base_url(default, allow_insecure_http=allow_insecure_http)


def check_timeout(timeout: object) -> None:
    """``timeout`` is ``None`` or a finite number of seconds > 0."""
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise ConfigurationError(
            f"timeout must be a number of seconds (or None for the pool's), got {timeout!r}"
        )
    if not (math.isfinite(timeout) and timeout > 0):
        raise ConfigurationError(f"timeout must be finite and > 0 seconds, got {timeout!r}")


def check_policies(rate_limit: object, retry: object, allow_insecure_http: object) -> None:
    """The client's ``rate_limit``, ``retry`` and ``allow_insecure_http`` have usable types
    (a wrong one would otherwise fail only at the first call)."""
    ok_limit = rate_limit is None or isinstance(rate_limit, RateLimit)
    if not ok_limit and isinstance(rate_limit, Sequence) and not isinstance(rate_limit, str):
        ok_limit = bool(rate_limit) and all(isinstance(r, RateLimit) for r in rate_limit)
    if not ok_limit:
        raise ConfigurationError(
            "rate_limit must be a RateLimit (e.g. RateLimit(50, 1.0)), a sequence of them, or "
            f"None to turn client-side limiting off; got {rate_limit!r}"
        )
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise ConfigurationError(
            f"retry must be a RetryPolicy, or None to turn retries off; got {retry!r}"
        )
    if not isinstance(allow_insecure_http, bool):
        raise ConfigurationError(
            f"allow_insecure_http must be True or False, got {allow_insecure_http!r}"
        )


def raw_request(
    method: object, path: object, *, params: object = None, json: object = None
) -> Request:
    """Validate the arguments of :meth:`BaseClient.request` and describe the call.

    ``path`` is relative to the base URL (``/workspaces/ID/projects``); percent-escapes in it
    are decoded and each segment encoded again, so ``%2F`` stays inside its segment. Raises
    :class:`ValidationError` for anything that could not be sent as given.
    """
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise ValidationError("method", f"must be one of {', '.join(sorted(_METHODS))}")
    return Request(
        method.upper(),
        split_path(path),
        query=_query(params),
        json=NO_BODY if json is None else _json_body(json),
    )


def split_path(path: object) -> tuple[str, ...]:
    """The raw segments of a path below the base URL (see :func:`raw_request`)."""
    if not isinstance(path, str):
        raise ValidationError("path", f"must be a string, got {type(path).__name__}")
    check_encodable("path", path)
    if "://" in path:
        raise ValidationError("path", "must be relative to base_url (like '/me'), not a URL")
    if "?" in path or "#" in path:
        raise ValidationError("path", "must not hold a query or a fragment: pass params=")
    bad = _UNSAFE_PATH.search(path)
    if bad is not None:
        raise ValidationError(
            "path", f"must not hold whitespace or control characters ({bad.group()!r})"
        )
    trimmed = path.strip("/")
    if not trimmed:
        raise ValidationError("path", "must name an endpoint below base_url, like '/me'")
    segments = []
    for raw in trimmed.split("/"):
        try:
            segment = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise ValidationError("path", f"{raw!r} is not valid percent-encoded UTF-8") from None
        if not segment:
            raise ValidationError("path", "must not hold an empty segment ('//')")
        if segment in (".", ".."):
            raise ValidationError("path", "must not hold '.' or '..' segments")
        segments.append(check_encodable("path", segment))
    return tuple(segments)


def _query_value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"params[{key!r}]", f"must be a finite number, got {value!r}")
        return repr(value)
    if isinstance(value, str):
        return check_encodable(f"params[{key!r}]", value)
    raise ValidationError(
        f"params[{key!r}]", f"must be a str, int, float or bool, got {type(value).__name__}"
    )


def _query(params: object) -> tuple[tuple[str, str], ...]:
    if params is None:
        return ()
    if isinstance(params, Mapping):
        pairs: list[Any] = list(params.items())
    elif isinstance(params, Sequence) and not isinstance(params, (str, bytes)):
        pairs = list(params)
    else:
        raise ValidationError("params", "must be a mapping or a sequence of (key, value) pairs")
    query: list[tuple[str, str]] = []
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise ValidationError("params", f"must hold (key, value) pairs, got {pair!r}")
        key, value = pair
        if not isinstance(key, str) or not key:
            raise ValidationError("params", f"keys must be non-empty strings, got {key!r}")
        check_encodable("params", key)
        values = (
            value
            if isinstance(value, Sequence) and not isinstance(value, (str, bytes))
            else (value,)
        )
        query.extend((key, _query_value(key, v)) for v in values)
    return tuple(query)


def _json_body(body: object) -> object:
    try:
        jsonlib.dumps(body, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValidationError("json", f"must be JSON-serialisable: {exc}") from None
    return body


class _ClientChannel(Channel):
    """The client's channel: an authentication error names the credential's source.

    (No ``__slots__`` of its own: one per client, and its one extra attribute lives in a
    ``__dict__`` so that ``__slots__`` still lists the channel's own fields.)
    """

    credential_source: str = ""

    def _error(self, *args: Any, **kwargs: Any) -> APIError:
        error = super()._error(*args, **kwargs)
        source = self.credential_source
        if isinstance(error, AuthenticationError) and source:
            hint = f"the credential was refused: check {source}"
            error.args = (f"{error}; {hint}" if error.message else f"{error}: {hint}",)
        return error


class BaseClient:
    """A vendor client's shared half: it owns a private pool if not given one, and a channel.

    A subclass declares its vendor's :class:`~timeclients._spec.VendorSpec` as ``spec`` and
    passes its credential to ``super().__init__``; its resources send
    :class:`~timeclients._wire.Request` objects through :meth:`_call` (send and decode
    with the spec's decoder), :meth:`_call_list`, or :meth:`_send` and :meth:`_decode` when
    they need the response itself.
    """

    #: The vendor's declared facts: name, base URL and its variable, errors, decoder...
    spec: ClassVar[VendorSpec]
    #: How the client authenticates (a word such as ``"api_key"``; never the credential).
    _auth: str = ""

    def __init__(
        self,
        *,
        pool: HttpPool | None,
        base_url: str | None,
        allow_insecure_http: bool,
        credential: Credential,
        rate_limit: RateLimits | None,
        retry: RetryPolicy | None,
        timeout: float | None,
    ) -> None:
        spec = self.spec
        check_policies(rate_limit, retry, allow_insecure_http)
        base = resolve_base_url(
            base_url,
            env=spec.base_url_env,
            default=spec.default_base_url,
            allow_insecure_http=allow_insecure_http,
        )
        check_timeout(timeout)
        if pool is not None and not isinstance(pool, HttpPool):
            raise ConfigurationError(f"pool must be an HttpPool, got {type(pool).__name__}")
        self._auth = credential.kind
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else HttpPool()
        self._base_url = base
        self._timeout = timeout
        self._channel: _ClientChannel = self._new_channel(
            credential, rate_limit=rate_limit, retry=retry
        )

    def _new_channel(
        self, credential: Credential, *, rate_limit: RateLimits | None, retry: RetryPolicy | None
    ) -> _ClientChannel:
        spec = self.spec
        channel = _ClientChannel(
            self._pool,
            vendor=spec.name,
            base_url=self._base_url,
            headers=credential.headers,
            credential_id=credential.limiter_id,
            rate_limit=rate_limit,
            retry=retry,
            timeout=self._timeout,
            status_errors=spec.status_errors,
            error_message=spec.error_message,
            quota=spec.quota,
        )
        channel.credential_source = credential.source
        return channel

    def _side_channel(self, credential: Credential) -> Channel:
        """A second channel of this client, as ``credential`` (Toggl's anonymous signups):
        same pool, base URL, limits and retries, counted in this client's :attr:`stats`."""
        channel = self._new_channel(
            credential, rate_limit=self._channel.rate_limits, retry=self._channel.retry
        )
        channel.stats = self._channel.stats
        return channel

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

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: QueryParams | None = None,
        json: Any = None,
        scope: str | None = None,
    ) -> Any:
        """Call any endpoint of the vendor's API, through this client's credential, rate
        limit, retries and error mapping; returns the decoded JSON body (``None`` if empty).

        ``path`` is relative to :attr:`base_url` (``"/workspaces/ID/projects"``): each segment
        is percent-encoded, so an id cannot reach another endpoint. ``params`` is a mapping or
        a sequence of ``(key, value)`` pairs (a sequence value repeats the key); ``json`` is
        the request body (``None``: no body). A ``POST`` or ``PATCH`` is retried only when the
        server cannot have acted on it. ``scope`` picks the rate-limit key within the
        credential where the vendor counts per scope (Clockify: the workspace, read from a
        ``/workspaces/{id}/...`` path by default); other vendors ignore it.

        Raises:
            ValidationError: an unknown method, a path that is a URL or holds a query, ``.``
                or ``..`` segments, control characters or invalid Unicode; params or a body
                that cannot be sent as given. Nothing is sent.
            APIError: the vendor's error status, as the subclass for that status.
            TransportError: the connection failed, after retries.
            DecodeError: the answer is not JSON.
        """
        call = raw_request(method, path, params=params, json=json)
        channel = self._raw_channel(call.path)
        call = attrs.evolve(call, scope=self._raw_scope(call.path, scope))
        response = await self._send(call, channel=channel)
        if not response.content.strip():
            return None
        return response.json()

    def _raw_channel(self, segments: tuple[str, ...]) -> Channel:
        """The channel :meth:`request` sends ``segments`` through (a vendor may refuse)."""
        return self._channel

    def _raw_scope(self, segments: tuple[str, ...], scope: str | None) -> str:
        """The rate-limit scope of a :meth:`request` call: the credential's by default."""
        return ""

    async def _send(self, request: Request, *, channel: Channel | None = None) -> Response:
        """Send ``request`` (through ``channel``, by default the client's); a 2xx response.

        An error status raises the spec's error for it, refined by the spec's
        ``refine_error`` where that knows better for this request.
        """
        try:
            return await (channel or self._channel).send(request)
        except APIError as exc:
            refine = self.spec.refine_error
            better = refine(request, exc) if refine is not None else None
            if better is None:
                raise
            raise better from None  # the refined error carries the status, body and all

    def _decode(self, response: Response, cls: type[T]) -> T:
        """The JSON body of ``response`` as ``cls``; a :class:`DecodeError` otherwise (its
        ``applied`` is True after a write: the server answered 2xx)."""
        return self.spec.decoder.structure(
            response.json(), cls, method=response.method, path=response.path
        )

    async def _call(self, request: Request, cls: type[T], *, channel: Channel | None = None) -> T:
        """Send ``request`` and decode its answer as ``cls``: the resources' one path."""
        return self._decode(await self._send(request, channel=channel), cls)

    def _decode_list(self, response: Response, cls: type[T]) -> list[T]:
        """The JSON body of ``response`` as an array of ``cls`` (see :meth:`_decode`)."""
        return self.spec.decoder.structure_list(
            response.json(), cls, method=response.method, path=response.path
        )

    async def _call_list(self, request: Request, cls: type[T]) -> list[T]:
        """Send ``request`` and decode its answer as a JSON array of ``cls``."""
        return self._decode_list(await self._send(request), cls)

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
        self._channel.credential_source = credential.source
        self._auth = credential.kind

    def __repr__(self) -> str:
        auth = f" auth={self._auth}" if self._auth else ""
        return f"<{type(self).__name__} base_url={self._base_url!r}{auth}>"

    def __reduce__(self) -> Any:  # a client holds a credential: never pickle it by accident
        raise TypeError(f"{type(self).__name__} cannot be pickled")
