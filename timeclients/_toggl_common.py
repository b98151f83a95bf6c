"""Toggl Track's credentials and input rules, shared by the v8 and the v9 clients.

Both API versions authenticate the same way (Toggl's developer documentation,
"Authentication", https://engineering.toggl.com/docs/authentication: HTTP Basic with
``<token>:api_token`` or ``<email>:<password>``; a failed authentication is a 403), take the
same ``TOGGL_API_TOKEN`` from the environment, answer a token reset with the new token as a
JSON string, and check passwords and time zones the same way. Pure: nothing here awaits, and
nothing here imports the client (the credential switching is ``_toggl_auth``'s).
"""

from __future__ import annotations

import base64
import enum
import functools
import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any, Final

from ._decode import ModelDecoder
from ._spec import DefaultURL, ErrorRefiner, VendorSpec, env_credential
from ._wire import (
    Credential,
    QuotaReader,
    RateLimit,
    RateLimits,
    check_credential,
    credential_fingerprint,
)
from .errors import APIError, AuthenticationError, ConfigurationError, DecodeError, ValidationError

__all__ = [
    "ANONYMOUS",
    "ANONYMOUS_ID",
    "DEFAULT_RATE_LIMIT",
    "ENV_TOKEN",
    "MIN_PASSWORD_LENGTH",
    "STATUS_ERRORS",
    "TOKEN_PASSWORD",
    "UNSET",
    "basic_credential",
    "check_password",
    "check_timezone",
    "checked_fields",
    "parse_new_token",
    "resolve_credential",
    "toggl_spec",
    "token_credential",
]

#: The literal password that goes with an API token ("Authentication": ``-u <token>:api_token``).
TOKEN_PASSWORD: Final = "api_token"  # noqa: S105 (the documented literal, not a secret)
#: "Password should be at least 6 characters" (v8 signups; v9 ``PUT /me`` error list).
MIN_PASSWORD_LENGTH: Final = 6
#: The limiter key of a client without a credential: all anonymous clients share it.
ANONYMOUS_ID: Final = "anonymous"
#: Where both Toggl clients read a token when given no credential.
ENV_TOKEN: Final = "TOGGL_API_TOKEN"  # noqa: S105 (a variable name, not a secret)
#: Toggl's documented safe pace ("a safe window will be 1 request per second", API docs).
DEFAULT_RATE_LIMIT: Final = RateLimit(1, 1.0)
#: "Authentication": a failed authentication is a 403 (not 401), in v8 and v9 alike.
STATUS_ERRORS: Final[Mapping[int, type[APIError]]] = {403: AuthenticationError}
# Where a credential came from, named (never shown) in an authentication error.
_BASIC_SOURCE: Final = "email= and password="


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


#: "Not given": ``me.update`` sends only the fields that are not ``UNSET``.
UNSET: Final = _Unset.UNSET


def checked_fields(
    fields: Mapping[str, object], checks: Mapping[str, Callable[[str, Any], object]]
) -> dict[str, object]:
    """The fields given (not :data:`UNSET`), each passed through its check, in order.

    Raises :class:`ValidationError` for a field without a check, or when none is given.
    """
    body: dict[str, object] = {}
    for name, value in fields.items():
        if value is UNSET:
            continue
        check = checks.get(name)
        if check is None:
            raise ValidationError(name, "is not a field me.update can change")
        body[name] = check(name, value)
    if not body:
        raise ValidationError("me.update", "give at least one field to change")
    return body


def _basic_header(user: str, password: str) -> dict[str, str]:
    # RFC 7617 Basic: base64 of UTF-8 "user:password"; Toggl's curl -u examples do the same.
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


def _check_basic_part(name: str, value: str) -> None:
    """A Basic-auth part: a credential (see ``check_credential``) that has a UTF-8 form."""
    check_credential(name, value, header=False)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # never shown: a credential is not echoed, not even in part
        raise ConfigurationError(f"{name} is not valid Unicode text (a lone surrogate)") from None


def token_credential(api_token: str, *, source: str = "api_token=") -> Credential:
    """HTTP Basic with user = the token, password = the literal ``api_token``."""
    _check_basic_part("api_token", api_token)
    if ":" in api_token:
        raise ConfigurationError("api_token must not contain ':' (it is the Basic auth user)")
    return Credential(
        "token",
        _basic_header(api_token, TOKEN_PASSWORD),
        credential_fingerprint("toggl-token", api_token),
        source=source,
    )


def basic_credential(email: str, password: str) -> Credential:
    """HTTP Basic with the account's e-mail and password.

    The limiter id is the e-mail alone (case-folded): the server limits per account, and a
    password change must not give the same account a second budget.
    """
    _check_basic_part("email", email)
    _check_basic_part("password", password)
    if ":" in email:
        raise ConfigurationError("email must not contain ':' (it is the Basic auth user)")
    return Credential(
        "basic",
        _basic_header(email, password),
        credential_fingerprint("toggl-email", email.casefold()),
        source=_BASIC_SOURCE,
    )


ANONYMOUS: Final = Credential("anonymous", {}, ANONYMOUS_ID)


def resolve_credential(
    api_token: str | None, email: str | None, password: str | None
) -> Credential:
    """The credential a Toggl client was given: a token, or e-mail and password, or
    ``TOGGL_API_TOKEN`` from the environment, or :data:`ANONYMOUS` when there is none."""
    if api_token is not None and (email is not None or password is not None):
        raise ConfigurationError("pass either api_token or email and password, not both")
    if api_token is not None:
        return token_credential(api_token)
    if email is not None or password is not None:
        if email is None or password is None:
            raise ConfigurationError("email and password go together: pass both")
        return basic_credential(email, password)
    found = env_credential(ENV_TOKEN)
    if found is not None:
        return token_credential(found[1], source=ENV_TOKEN)
    return ANONYMOUS


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    # available_timezones() walks the tz database (~600 files): read it once.
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name: str, value: object) -> str:
    """A known IANA zone name (Toggl: "timezone: string, IANA TZ timezones")."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be an IANA timezone name, got {type(value).__name__}")
    if value not in _zones():
        shown = value if len(value) <= 80 else value[:80] + "..."
        raise ValidationError(
            name, f"must be a known IANA timezone (e.g. 'Etc/UTC'), got {shown!r}"
        )
    return value


def check_password(name: str, value: object) -> str:
    """A password of at least 6 characters; never echoed in the error."""
    if not isinstance(value, str):
        raise ValidationError(name, f"must be a string, got {type(value).__name__}")
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValidationError(name, f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # never shown: a password is not echoed, not even in part
        raise ValidationError(name, "must be valid Unicode (it holds a lone surrogate)") from None
    return value


def parse_new_token(data: object, *, method: str, path: str) -> str:
    """The body of a token reset: a JSON string holding the new, usable token.

    The server has reset the token whatever this answer holds: every error here is applied.
    """
    if not isinstance(data, str):
        raise DecodeError(
            f"{method} {path}: expected the new token as a JSON string, got {type(data).__name__}",
            field="$",
            method=method,
            path=path,
            applied=True,
        )
    try:
        token_credential(data)
    except ConfigurationError as exc:
        raise DecodeError(
            f"{method} {path}: the new token is not usable: {exc}",
            field="$",
            method=method,
            path=path,
            applied=True,
        ) from exc
    return data


def toggl_spec(
    name: str,
    base_url: DefaultURL,
    base_url_env: str,
    decoder: ModelDecoder,
    refine_error: ErrorRefiner,
    *,
    rate_limit: RateLimits = DEFAULT_RATE_LIMIT,
    quota: QuotaReader | None = None,
) -> VendorSpec:
    """A Toggl API version's spec: the same token variable, safe pace and 403 rule for both."""
    return VendorSpec(
        name=name,
        default_base_url=base_url,
        base_url_env=base_url_env,
        credential_envs=(ENV_TOKEN,),
        rate_limit=rate_limit,
        decoder=decoder,
        status_errors=STATUS_ERRORS,
        quota=quota,
        refine_error=refine_error,
    )
