"""TogglClient and its resources (``me``, ``signups``): validate -> build -> send -> structure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .._toggl_auth import TogglAccountClient
from .._toggl_common import ENV_TOKEN, resolve_credential
from .._transport import Channel, HttpPool
from .._wire import RateLimits, Request, RetryPolicy
from ..errors import ConfigurationError
from . import _protocol as proto
from ._protocol import UNSET
from .models import DateFormat, Me, TimeOfDayFormat, User

if TYPE_CHECKING:
    from datetime import datetime

    from .._toggl_common import _Unset

__all__ = ["MeResource", "SignupsResource", "TogglClient"]

DEFAULT_BASE_URL: Final = proto.DEFAULT_BASE_URL
DEFAULT_RATE_LIMIT: Final = proto.DEFAULT_RATE_LIMIT
DEFAULT_RETRY: Final = proto.SPEC.retry


class TogglClient(TogglAccountClient):
    """An async client for the Toggl Track API v8 user endpoints.

    Authenticates with HTTP Basic: ``api_token`` (user = the token, password = the literal
    ``api_token``), or ``email`` and ``password``; with neither, ``TOGGL_API_TOKEN`` from the
    environment; with nothing at all, the client is anonymous and may only call
    :meth:`SignupsResource.create`.

    Args:
        api_token: the user's API token.
        email: the account's e-mail, with ``password``; exclusive with ``api_token``.
        password: the account's password.
        base_url: where the API lives; default ``TOGGL_BASE_URL`` from the environment, else
            ``https://api.track.toggl.com/api/v8`` (an emulator's URL in tests).
        pool: a shared :class:`~timeclients.HttpPool`; without one the client opens its own.
        rate_limit: requests per window per credential (default 1 per second, Toggl's safe
            rate); ``None`` turns client-side limiting off.
        retry: the retry policy; ``None`` turns retries off.
        timeout: per-request timeout in seconds (default: the pool's).
        allow_insecure_http: allow ``http://`` to a non-loopback host.

    Raises:
        ConfigurationError: both a token and an e-mail, an e-mail without a password (or the
            reverse), a credential with control characters, or an insecure ``base_url``.
    """

    spec = proto.SPEC

    def __init__(
        self,
        *,
        api_token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        base_url: str | None = DEFAULT_BASE_URL,
        pool: HttpPool | None = None,
        rate_limit: RateLimits | None = DEFAULT_RATE_LIMIT,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        timeout: float | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        credential = resolve_credential(api_token, email, password)
        super().__init__(
            pool=pool,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
            credential=credential,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
        )
        self._remember_login(credential, email, password)
        self._anonymous_channel: Channel | None = (
            self._channel if credential.kind == "anonymous" else None
        )
        #: ``/me``: read and change the user, reset the token.
        self.me = MeResource(self)
        #: ``/signups``: create a user (needs no credential).
        self.signups = SignupsResource(self)

    def _require_credential(self, call: str) -> None:
        if self._auth == "anonymous":
            raise ConfigurationError(
                f"{call} needs a credential: pass api_token=, or email= and password=, "
                f"or set {ENV_TOKEN}; an anonymous client may only call signups.create"
            )

    def _anonymous(self) -> Channel:
        # A signup creates someone's account: it never carries the caller's credential, and it
        # counts against the shared anonymous budget, with this client's counters.
        if self._anonymous_channel is None:
            self._anonymous_channel = self._side_channel(proto.ANONYMOUS)
        return self._anonymous_channel

    async def _user(self, request: Request, channel: Channel | None = None) -> User:
        # PUT /me and POST /signups: {"data": {user}}, or a 404 that is a refusal (the spec's).
        envelope = await self._call(request, proto.UserEnvelope, channel=channel)
        return envelope.data

    def _raw_channel(self, segments: tuple[str, ...]) -> Channel:
        # A signup never carries the caller's credential; anything else needs one.
        if segments == ("signups",):
            return self._anonymous()
        self._require_credential("request")
        return self._channel


class MeResource:
    """``/me`` and ``/reset_token``: the user behind the client's credential."""

    __slots__ = ("_client",)

    def __init__(self, client: TogglClient) -> None:
        self._client = client

    async def get(
        self, *, with_related_data: bool = False, since: datetime | int | None = None
    ) -> Me:
        """``GET /me``: the user, with workspaces, clients, projects, time entries and tags
        when ``with_related_data`` is true; ``since`` (an aware datetime or unix seconds)
        asks for objects changed after that time.

        Raises:
            ValidationError: ``since`` naive, negative, or not a datetime/int.
            ConfigurationError: the client has no credential.
            AuthenticationError: the credential was refused (Toggl answers 403).
        """
        client = self._client
        client._require_credential("me.get")
        request = proto.me_get_request(with_related_data=with_related_data, since=since)
        envelope = await client._call(request, proto.MeEnvelope)
        return Me(since=envelope.since, user=envelope.data)

    async def update(
        self,
        *,
        fullname: str | _Unset = UNSET,
        email: str | _Unset = UNSET,
        send_product_emails: bool | _Unset = UNSET,
        send_weekly_report: bool | _Unset = UNSET,
        send_timer_notifications: bool | _Unset = UNSET,
        store_start_and_stop_time: bool | _Unset = UNSET,
        beginning_of_week: int | _Unset = UNSET,
        timezone: str | _Unset = UNSET,
        timeofday_format: TimeOfDayFormat | str | _Unset = UNSET,
        date_format: DateFormat | str | _Unset = UNSET,
    ) -> User:
        """``PUT /me`` with only the fields given; returns the updated user.

        When the client signs in with e-mail and password and the e-mail changes, the client
        signs in with the new e-mail from then on.

        Raises:
            ValidationError: no field given, or a value outside the documented rules
                (``beginning_of_week`` 0-6, a known IANA ``timezone``, a documented
                ``timeofday_format``/``date_format``, a plausible ``email``).
            BadRequestError: Toggl refused the change (its messages joined with ``"; "``).
        """
        client = self._client
        client._require_credential("me.update")
        request = proto.me_update_request(
            {
                "fullname": fullname,
                "email": email,
                "send_product_emails": send_product_emails,
                "send_weekly_report": send_weekly_report,
                "send_timer_notifications": send_timer_notifications,
                "store_start_and_stop_time": store_start_and_stop_time,
                "beginning_of_week": beginning_of_week,
                "timezone": timezone,
                "timeofday_format": timeofday_format,
                "date_format": date_format,
            }
        )
        return await client._change(client._user(request), email=email)

    async def change_password(self, *, current_password: str, password: str) -> User:
        """``PUT /me`` with ``current_password`` and the new ``password`` (at least 6 characters).

        When the client signs in with e-mail and password, it uses the new password from then on.

        Raises:
            ValidationError: the new password is shorter than 6 characters.
            BadRequestError: Toggl refused the change (e.g. a wrong current password).
        """
        client = self._client
        client._require_credential("me.change_password")
        request = proto.change_password_request(
            current_password=current_password, password=password
        )
        return await client._change(client._user(request), password=password)

    async def reset_token(self) -> str:
        """``POST /reset_token``: Toggl issues a new API token and the old one stops working.

        The client switches to the new token at once: later calls authenticate with it and
        count against its rate-limit budget. A client that signed in with e-mail and password
        switches to the token too (and forgets the password). The returned token is the only
        copy you get: store it.

        Raises:
            ConfigurationError: the client has no credential.
            DecodeError: the answer is not a usable token (the client keeps its credential).
        """
        client = self._client
        client._require_credential("me.reset_token")
        request = proto.reset_token_request()
        response = await client._send(request)
        token = proto.parse_new_token(response.json(), method=response.method, path=response.path)
        client._token_reset(token)
        return token


class SignupsResource:
    """``/signups``: create a Toggl user; needs no credential."""

    __slots__ = ("_client",)

    def __init__(self, client: TogglClient) -> None:
        self._client = client

    async def create(self, *, email: str, password: str, timezone: str, created_with: str) -> User:
        """``POST /signups``: create a user and return it (with its ``api_token`` when sent).

        Sent without the client's credential, whatever it is.

        Raises:
            ValidationError: an implausible e-mail, a password under 6 characters, an unknown
                IANA timezone, or an empty ``created_with``.
            BadRequestError: Toggl refused the signup (its messages joined with ``"; "``).
        """
        client = self._client
        request = proto.signup_request(
            email=email, password=password, timezone=timezone, created_with=created_with
        )
        return await client._user(request, client._anonymous())
