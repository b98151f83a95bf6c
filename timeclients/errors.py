"""The one exception tree every timeclients call raises from.

::

    TimeClientsError
    ├── ConfigurationError        bad client set-up (also a ValueError)
    ├── ValidationError           bad input caught before anything is sent (also a ValueError)
    ├── TransportError            connection / timeout failure after retries
    │   └── RateStoreError        the shared rate store (Redis) did not answer; nothing sent
    ├── DecodeError               a response that is not what the vendor documents
    └── APIError                  .status, .method, .path, .message, .body, .retry_after
        ├── BadRequestError 400
        │   └── EntryNotVisibleError           McTime GET /clock/{id}: unknown id or not allowed
        ├── AuthenticationError 401            (Toggl v8 and v9: a bad credential is 403)
        ├── PaymentRequiredError 402
        │   ├── QuotaExceededError             Toggl v9: hourly quota spent (.resets_in)
        │   └── SubscriptionRequiredError      Clockify users.add: no paid subscription
        ├── PermissionDeniedError 403
        │   └── NoSeatsAvailableError          Clockify users.add: no free paid seat
        ├── NotFoundError 404
        │   └── ClockedOutError                McTime GET /clock/{id}: already clocked out
        ├── ConflictError 409
        │   └── AlreadyMemberError             Clockify users.add: already a member
        ├── RateLimitedError 429
        └── ServerError 5xx

Foreign exceptions (httpx's, cattrs') are converted once, where they happen, with
``raise ... from exc``: callers catch these classes and nothing else. No exception here ever
carries a credential: messages are built from method, path, status and the vendor's error text.
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "AlreadyMemberError",
    "AuthenticationError",
    "BadRequestError",
    "ClockedOutError",
    "ConfigurationError",
    "ConflictError",
    "DecodeError",
    "EntryNotVisibleError",
    "NoSeatsAvailableError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitedError",
    "RateStoreError",
    "ServerError",
    "SubscriptionRequiredError",
    "TimeClientsError",
    "TransportError",
    "ValidationError",
    "error_class_for_status",
]


class TimeClientsError(Exception):
    """The base of every exception timeclients raises."""


class ConfigurationError(TimeClientsError, ValueError):
    """The client was set up wrongly: a missing or malformed credential, an insecure URL."""


class ValidationError(TimeClientsError, ValueError):
    """An argument broke a documented constraint; nothing was sent.

    ``argument`` names the offending argument and ``rule`` the constraint it broke.
    """

    def __init__(self, argument: str, rule: str) -> None:
        super().__init__(f"{argument}: {rule}")
        #: The name of the argument that broke the rule (``"amount"``, ``"rates['u1']"``).
        self.argument = argument
        #: The constraint, in words (``"must be an integer >= 0"``).
        self.rule = rule


class TransportError(TimeClientsError):
    """The request could not be completed: connection refused or dropped, or a timeout.

    Raised after retries are exhausted. ``__cause__`` is a sanitised description of the failure
    (its ``kind``, and ``sent``: whether the request may have reached the server), never the
    HTTP library's exception, which can hold the request's headers.
    """

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class RateStoreError(TransportError):
    """The shared rate store (``RedisRateStore``) could not be reached: nothing was sent.

    Raised before the request, with ``fallback="raise"``; the call may be retried once the
    store answers again, or the store built with ``fallback="local"`` to limit in process.
    """


class DecodeError(TimeClientsError):
    """A response did not have the shape the vendor documents.

    ``field`` is the JSON path of the first field that did not fit (``$.memberships[0].userId``),
    or ``None`` when the body was not JSON at all.

    ``applied`` is True when the response answered a write (``PUT``, ``POST``...) with a 2xx
    status: the server accepted and made the change, only its answer could not be read. Do not
    send such a write again as if it had failed; read the resource back instead. It is False
    for reads.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        method: str = "",
        path: str = "",
        applied: bool = False,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.method = method
        self.path = path
        #: True when a write was answered 2xx: the change was made although the body did not fit.
        self.applied = applied


class APIError(TimeClientsError):
    """The vendor answered with an error status.

    Attributes: ``status`` (the HTTP status), ``method`` and ``path`` of the request (never its
    headers or query), ``message`` (the vendor's own error text when it sent one), ``body`` (the
    response body as text, at most 2,000 characters), ``retry_after`` (seconds, from a
    ``Retry-After`` header, or ``None``) and ``code`` (the vendor's own error code from the body,
    such as Clockify's ``{"code": 1000}``, or ``None``).
    """

    #: The status this class stands for; ``0`` where it stands for a range.
    default_status: int = 0

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str = "",
        path: str = "",
        body: str = "",
        retry_after: float | None = None,
        code: int | str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.message = message
        self.body = body
        self.retry_after = retry_after
        #: The vendor's own error code from the body (not the HTTP status), or ``None``.
        self.code = code
        where = f" ({method} {path})" if method else ""
        super().__init__(f"{status}{where}: {message}" if message else f"{status}{where}")


class BadRequestError(APIError):
    """400: the vendor rejected the request."""

    default_status = 400


class EntryNotVisibleError(BadRequestError):
    """McTime ``GET /clock/{id}`` answered 400: the id does not exist or the key may not see it."""


class AuthenticationError(APIError):
    """401 (or Toggl's 403, v8 and v9): the credential is missing or wrong."""

    default_status = 401


class PaymentRequiredError(APIError):
    """402: the account's plan does not allow this."""

    default_status = 402


class QuotaExceededError(PaymentRequiredError):
    """402 answering a spent request quota (Toggl Track v9's hourly quotas).

    ``resets_in`` is the number of seconds until the quota resets when the server said it
    (Toggl's ``X-Toggl-Quota-Resets-In`` header), else ``None``. The client waited out resets
    up to ``RetryPolicy.max_retry_after``; this is raised when the reset is further away.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 402,
        method: str = "",
        path: str = "",
        body: str = "",
        retry_after: float | None = None,
        code: int | str | None = None,
        resets_in: float | None = None,
    ) -> None:
        super().__init__(
            message,
            status=status,
            method=method,
            path=path,
            body=body,
            retry_after=retry_after,
            code=code,
        )
        #: Seconds until the quota resets, when the server said; else ``None``.
        self.resets_in = resets_in


class SubscriptionRequiredError(PaymentRequiredError):
    """Clockify ``users.add`` answered 402: the workspace has no paid subscription."""


class PermissionDeniedError(APIError):
    """403: the credential is valid but not allowed to do this."""

    default_status = 403


class NoSeatsAvailableError(PermissionDeniedError):
    """Clockify ``users.add`` answered 403: the workspace has no free paid seat."""


class NotFoundError(APIError):
    """404: no such resource."""

    default_status = 404


class ClockedOutError(NotFoundError):
    """McTime ``GET /clock/{id}`` answered 404: the entry exists but is clocked out.

    It is now a regular time entry: read it with McTime's ``GET /times/{id}``.
    """


class ConflictError(APIError):
    """409: the request conflicts with the resource's state."""

    default_status = 409


class AlreadyMemberError(ConflictError):
    """Clockify ``users.add`` answered 409: the user is already a member of the workspace."""


class RateLimitedError(APIError):
    """429: too many requests, after retries (or a ``Retry-After`` longer than allowed)."""

    default_status = 429


class ServerError(APIError):
    """5xx: the vendor failed, after retries."""

    default_status = 500


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_class_for_status(status: int) -> type[APIError]:
    """Return the :class:`APIError` subclass that stands for an HTTP ``status``."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)
