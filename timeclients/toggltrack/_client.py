"""TogglTrackClient and its ``me`` resource: validate -> build -> send -> structure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._toggl_auth import TogglAccountClient
from .._toggl_common import ENV_TOKEN, parse_new_token, resolve_credential
from .._transport import HttpPool
from .._wire import RateLimits, RetryPolicy
from ..errors import ConfigurationError
from . import _protocol as proto
from ._protocol import UNSET
from .models import Quota, User

if TYPE_CHECKING:
    from .._toggl_common import _Unset

__all__ = ["MeResource", "TogglTrackClient"]

_DEFAULT_RETRY = proto.SPEC.retry


class TogglTrackClient(TogglAccountClient):
    """An async client for the Toggl Track API v9 (the live API) user endpoints.

    Authenticates with HTTP Basic: ``api_token`` (user = the token, password = the literal
    ``api_token``), or ``email`` and ``password``; with neither, ``TOGGL_API_TOKEN`` from the
    environment. Toggl answers a spent hourly quota with 402: the client pauses the key until
    the reset Toggl announces (``X-Toggl-Quota-Resets-In``) and resends, unless the reset is
    further away than ``retry.max_retry_after``; then it raises
    :class:`~timeclients.errors.QuotaExceededError` with ``resets_in`` at once.

    Args:
        api_token: the user's API token.
        email: the account's e-mail, with ``password``; exclusive with ``api_token``.
        password: the account's password.
        base_url: where the API lives (an emulator's URL in tests).
        pool: a shared :class:`~timeclients.HttpPool`; without one the client opens its own.
        rate_limit: one :class:`~timeclients.RateLimit` or a sequence of them, all of which
            hold per credential (default: Toggl's 1 per second and the ``/me`` quota of 30 per
            hour); ``None`` turns client-side limiting off.
        retry: the retry policy; ``None`` turns retries off.
        timeout: per-request timeout in seconds (default: the pool's).
        allow_insecure_http: allow ``http://`` to a non-loopback host.

    Raises:
        ConfigurationError: no credential at all, both a token and an e-mail, an e-mail
            without a password (or the reverse), a credential with control characters, or an
            insecure ``base_url``.
    """

    spec = proto.SPEC

    def __init__(
        self,
        *,
        api_token: str | None = None,
        email: str | None = None,
        password: str | None = None,
        base_url: str = proto.DEFAULT_BASE_URL,
        pool: HttpPool | None = None,
        rate_limit: RateLimits | None = proto.DEFAULT_RATE_LIMIT,
        retry: RetryPolicy | None = _DEFAULT_RETRY,
        timeout: float | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        credential = resolve_credential(api_token, email, password)
        if credential.kind == "anonymous":
            raise ConfigurationError(
                f"TogglTrackClient needs a credential: pass api_token=, or email= and "
                f"password=, or set {ENV_TOKEN}"
            )
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
        #: ``/me``: read and change the user, reset the token, read the quotas.
        self.me = MeResource(self)


class MeResource:
    """``/me``, ``/me/reset_token`` and ``/me/quota``: the user behind the credential."""

    __slots__ = ("_client",)

    def __init__(self, client: TogglTrackClient) -> None:
        self._client = client

    async def get(self, *, with_related_data: bool = False) -> User:
        """``GET /me``: the user; with ``with_related_data`` also its clients, projects,
        tags, tasks, time entries and workspaces.

        Raises:
            ValidationError: ``with_related_data`` is not a bool.
            AuthenticationError: the credential was refused (Toggl answers 403).
            QuotaExceededError: the hourly quota is spent until later than ``max_retry_after``.
        """
        request = proto.me_get_request(with_related_data=with_related_data)
        return await self._client._call(request, User)

    async def update(
        self,
        *,
        beginning_of_week: int | _Unset = UNSET,
        country_id: int | _Unset = UNSET,
        default_workspace_id: int | _Unset = UNSET,
        email: str | _Unset = UNSET,
        fullname: str | _Unset = UNSET,
        timezone: str | _Unset = UNSET,
    ) -> User:
        """``PUT /me`` with a flat body of only the fields given; returns the updated user.

        To change the password use :meth:`change_password`. When the client signs in with
        e-mail and password and the e-mail changes, it signs in with the new e-mail from then on.

        Raises:
            ValidationError: no field given, or a value outside the documented rules
                (``beginning_of_week`` 0-6, ids >= 1, a plausible ``email``, a non-blank
                ``fullname``, a known IANA ``timezone``); nothing is sent.
            BadRequestError: Toggl refused the change (e.g. "Invalid default_workspace_id").
        """
        fields: dict[str, object] = {
            "beginning_of_week": beginning_of_week,
            "country_id": country_id,
            "default_workspace_id": default_workspace_id,
            "email": email,
            "fullname": fullname,
            "timezone": timezone,
        }
        client = self._client
        return await client._change(
            client._call(proto.me_update_request(fields), User), email=email
        )

    async def change_password(self, *, current_password: str, password: str) -> User:
        """``PUT /me`` with ``current_password`` and the new ``password`` (>= 6 characters);
        a client signed in with e-mail and password signs in with the new one afterwards.

        Raises:
            ValidationError: an empty current password or a new one under 6 characters.
            BadRequestError: Toggl refused the change ("Current password is not valid").
        """
        request = proto.change_password_request(
            current_password=current_password, password=password
        )
        client = self._client
        return await client._change(client._call(request, User), password=password)

    async def reset_token(self) -> str:
        """``POST /me/reset_token``: Toggl issues a new API token; the old one stops working.

        The client switches to the new token at once (a client that signed in with e-mail
        and password switches to the token too, and forgets the password). The returned token
        is the only copy you get: store it.

        Raises:
            DecodeError: the answer is not a usable token (the client keeps its credential).
        """
        answer = await self._client._send(proto.reset_token_request())
        token = parse_new_token(answer.json(), method=answer.method, path=answer.path)
        self._client._token_reset(token)
        return token

    async def quota(self) -> list[Quota]:
        """``GET /me/quota``: the user's hourly API quotas, one per organization and one
        (``organization_id is None``) for requests about the user itself, such as ``/me``."""
        return await self._client._call_list(proto.quota_request(), Quota)
