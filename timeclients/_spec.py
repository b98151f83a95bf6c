"""What a vendor declares once, in its ``_protocol.py``: the :class:`VendorSpec` its client reads.

A spec is data and pure functions only: the vendor's name, where its API lives, which
environment variables it reads, its default rate limit, what its error statuses mean, how to
read its error text (and its quota headers), and its decoder. :class:`~timeclients._base.BaseClient`
reads a subclass's ``spec`` instead of each client passing these pieces on its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

import attrs

from ._decode import ModelDecoder
from ._wire import (
    ErrorMessage,
    QuotaReader,
    RateLimits,
    Request,
    RetryPolicy,
    default_error_message,
)
from .errors import APIError

__all__ = [
    "NO_ERRORS",
    "DefaultURL",
    "ErrorRefiner",
    "VendorSpec",
    "env_credential",
    "refined",
]

#: A request and the error its answer raised -> a more precise error, or ``None`` to keep it.
ErrorRefiner = Callable[[Request, APIError], "APIError | None"]

E = TypeVar("E", bound=APIError)


def refined(error: APIError, cls: type[E], message: str) -> E:
    """``error`` as ``cls`` with ``message``, keeping everything else it carries (status,
    method, path, body, ``retry_after``, ``code``): what an :data:`ErrorRefiner` returns."""
    return cls(
        message,
        status=error.status,
        method=error.method,
        path=error.path,
        body=error.body,
        retry_after=error.retry_after,
        code=error.code,
    )


#: No status means anything but its default error class.
NO_ERRORS: Final[Mapping[int, type[APIError]]] = {}


def env_credential(*names: str) -> tuple[str, str] | None:
    """The first non-empty environment variable of ``names``, as ``(name, value)``."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return name, value
    return None


class DefaultURL(str):
    """A vendor's base URL as an argument's default: it marks ``base_url`` as not passed.

    The signature keeps showing the real URL, while ``resolve_base_url`` can tell it from
    the same text passed on purpose (an explicit argument wins over the environment).
    """

    __slots__ = ()


@attrs.frozen
class VendorSpec:
    """One vendor's declared facts, read by its client (see ``CONTRIBUTING.md``)."""

    #: The vendor's short name: the pool's per-vendor key, the emulator's, the CLI's.
    name: str
    #: Where the API lives when neither ``base_url=`` nor :attr:`base_url_env` says otherwise.
    default_base_url: DefaultURL
    #: The environment variable that overrides :attr:`default_base_url`.
    base_url_env: str
    #: The environment variables a credential is read from, in order of preference.
    credential_envs: tuple[str, ...]
    #: The default client-side rate limit per credential (and scope, where the vendor has one):
    #: one window or several.
    rate_limit: RateLimits | None
    #: The vendor's JSON decoder.
    decoder: ModelDecoder
    #: The default retry policy.
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    #: Statuses whose meaning is the vendor's own on every endpoint (Toggl: 403 is a refused
    #: credential); a request's own ``errors=`` table comes first.
    status_errors: Mapping[int, type[APIError]] = NO_ERRORS
    #: Reads the vendor's error text from an error body.
    error_message: ErrorMessage = default_error_message
    #: Reads the server-side quota from response headers, for a vendor whose server reports one.
    quota: QuotaReader | None = None
    #: Turns an error into the more precise one it means for that request (``None``: keep it).
    refine_error: ErrorRefiner | None = None
