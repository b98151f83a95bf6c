"""ClockifyClient and its resources ``workspaces`` and ``users``: validate, send, structure."""

from __future__ import annotations

import builtins
import collections
import contextlib
import functools
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime
from typing import Final, cast

from .._base import BaseClient
from .._bulk import ProgressCallback, default_concurrency, run_bulk
from .._paginate import walk_sequential
from .._transport import HttpPool
from .._validate import check_id, check_int_range, require_aware
from .._wire import RateLimits, Request, Response, RetryPolicy
from ..errors import DecodeError, ValidationError
from . import _protocol as proto
from .models import BulkResult, MembershipStatus, Role, Workspace, WorkspaceUser

__all__ = ["ClockifyClient", "UsersResource", "WorkspacesResource"]

logger: Final = logging.getLogger("timeclients")

DEFAULT_BASE_URL: Final = proto.DEFAULT_BASE_URL
DEFAULT_RATE_LIMIT: Final = proto.DEFAULT_RATE_LIMIT
DEFAULT_RETRY: Final = proto.SPEC.retry
#: The most bulk workers one job may run; more only queue on the limiter.
MAX_BULK_CONCURRENCY: Final = 256

#: Builds one item's request of a bulk job: (workspace id, user id, amount, since).
_ItemRequest = Callable[[str, str, int, datetime | None], Request]


class ClockifyClient(BaseClient):
    """An async client for the Clockify Workspace API v1.

    Authenticates with exactly one of ``api_key`` (sent as ``X-Api-Key``) or ``addon_token``
    (sent as ``X-Addon-Token``); with neither, ``CLOCKIFY_API_KEY`` then
    ``CLOCKIFY_ADDON_TOKEN`` from the environment.

    The rate limit is kept per credential **and workspace**: each workspace gets its own
    budget of ``rate_limit`` (Clockify counts per workspace), and the calls without a workspace
    (``workspaces.list`` and ``workspaces.create``) share one more per credential. Clients
    that share a pool and a credential share those budgets.

    Args:
        api_key: a personal API key.
        addon_token: an add-on token; exclusive with ``api_key``.
        base_url: where the API lives; default ``CLOCKIFY_BASE_URL`` from the environment,
            else ``https://api.clockify.me/api/v1`` (an emulator's URL in tests).
        pool: a shared :class:`~timeclients.HttpPool`; without one the client opens its own.
        rate_limit: requests per window per credential and workspace (default 50 per
            second); ``None`` turns client-side limiting off.
        retry: the retry policy; ``None`` turns retries off.
        timeout: per-request timeout in seconds (default: the pool's).
        allow_insecure_http: allow ``http://`` to a non-loopback host.

    Raises:
        ConfigurationError: both credentials, none at all (arguments or environment), a
            credential with control characters, or an insecure ``base_url``.
    """

    spec = proto.SPEC

    def __init__(
        self,
        *,
        api_key: str | None = None,
        addon_token: str | None = None,
        base_url: str | None = DEFAULT_BASE_URL,
        pool: HttpPool | None = None,
        rate_limit: RateLimits | None = DEFAULT_RATE_LIMIT,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        timeout: float | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        credential = proto.resolve_credential(api_key, addon_token)
        super().__init__(
            pool=pool,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
            credential=credential,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
        )
        #: ``/workspaces``: list, read and create workspaces, set their default rates.
        self.workspaces = WorkspacesResource(self)
        #: ``/workspaces/{id}/users``: add, list and (de)activate members, set their rates.
        self.users = UsersResource(self)

    def _raw_scope(self, segments: tuple[str, ...], scope: str | None) -> str:
        # Clockify counts per workspace: a /workspaces/{id}/... call spends that workspace's
        # budget, like the wrapped calls do; anything else the credential's own.
        if scope is not None:
            return check_id("scope", scope)
        if len(segments) >= 2 and segments[0] == "workspaces":
            return segments[1]
        return ""


class WorkspacesResource:
    """``/workspaces``: the workspaces the credential can see, and their default rates."""

    __slots__ = ("_client",)

    def __init__(self, client: ClockifyClient) -> None:
        self._client = client

    async def list(self, *, roles: Iterable[Role | str] = ()) -> builtins.list[Workspace]:
        """``GET /workspaces?roles=A&roles=B``: every workspace the user has, or only those
        where the user has one of ``roles``.

        Raises:
            ValidationError: a role that is not one of the documented four.
        """
        return await self._client._call_list(proto.list_workspaces_request(roles=roles), Workspace)

    async def get(self, workspace_id: str) -> Workspace:
        """``GET /workspaces/{workspaceId}``: one workspace.

        Raises:
            ValidationError: an empty id.
            NotFoundError: no such workspace (or not visible to this credential).
        """
        return await self._client._call(proto.get_workspace_request(workspace_id), Workspace)

    async def create(self, *, name: str, organization_id: str) -> Workspace:
        """``POST /workspaces``: a new workspace of the CAKE organization; you become its owner.

        Not retried when the server may have acted on it (a POST is not idempotent).

        Raises:
            ValidationError: ``name`` not 1-50 characters, or an empty ``organization_id``.
        """
        request = proto.create_workspace_request(name=name, organization_id=organization_id)
        return await self._client._call(request, Workspace)

    async def set_cost_rate(
        self, workspace_id: str, *, amount: int, since: datetime | None = None
    ) -> Workspace:
        """``PUT /workspaces/{id}/cost-rate``: the workspace's default cost rate.

        ``amount`` is in the currency's minor unit (``20000`` is 200.00); ``since`` (an aware
        datetime) is when it takes effect, sent in UTC as ``2020-01-01T00:00:00Z``.

        Raises:
            ValidationError: ``amount`` not an integer >= 0, or ``since`` naive.
        """
        request = proto.workspace_cost_rate_request(workspace_id, amount=amount, since=since)
        return await self._client._call(request, Workspace)

    async def set_hourly_rate(
        self,
        workspace_id: str,
        *,
        amount: int,
        currency: str = "USD",
        since: datetime | None = None,
    ) -> Workspace:
        """``PUT /workspaces/{id}/hourly-rate``: the workspace's default billable rate.

        ``currency`` must be one of the workspace's currencies (the server checks that).

        Raises:
            ValidationError: ``amount`` not an integer >= 0, ``currency`` not 1-100
                characters, or ``since`` naive.
        """
        request = proto.workspace_hourly_rate_request(
            workspace_id, amount=amount, currency=currency, since=since
        )
        return await self._client._call(request, Workspace)


class UsersResource:
    """``/workspaces/{id}/users``: members of a workspace, their status and their rates."""

    __slots__ = ("_client",)

    def __init__(self, client: ClockifyClient) -> None:
        self._client = client

    async def add(self, workspace_id: str, *, email: str, send_email: bool = True) -> Workspace:
        """``POST /workspaces/{id}/users?send-email=true|false``: invite a user by e-mail.

        Raises:
            ValidationError: an implausible e-mail, or ``send_email`` not a bool.
            SubscriptionRequiredError: 402, the workspace has no paid subscription.
            NoSeatsAvailableError: 403, no free paid seat.
            AlreadyMemberError: 409, the user is already a member.
        """
        request = proto.add_user_request(workspace_id, email=email, send_email=send_email)
        return await self._client._call(request, Workspace)

    async def set_status(
        self, workspace_id: str, user_id: str, *, status: MembershipStatus | str
    ) -> Workspace:
        """``PUT /workspaces/{id}/users/{userId}``: activate or deactivate a membership.

        Raises:
            ValidationError: ``status`` other than ``ACTIVE`` or ``INACTIVE``.
        """
        request = proto.set_user_status_request(workspace_id, user_id, status=status)
        return await self._client._call(request, Workspace)

    async def set_cost_rate(
        self, workspace_id: str, user_id: str, *, amount: int, since: datetime | None = None
    ) -> Workspace:
        """``PUT /workspaces/{id}/users/{userId}/cost-rate``: the user's own cost rate, which
        overrides the workspace default.

        Raises:
            ValidationError: ``amount`` not an integer >= 0, or ``since`` naive.
        """
        request = proto.user_cost_rate_request(workspace_id, user_id, amount=amount, since=since)
        return await self._client._call(request, Workspace)

    async def set_hourly_rate(
        self, workspace_id: str, user_id: str, *, amount: int, since: datetime | None = None
    ) -> Workspace:
        """``PUT /workspaces/{id}/users/{userId}/hourly-rate``: the user's own billable rate
        (task and project rates still take precedence).

        Raises:
            ValidationError: ``amount`` not an integer >= 0, or ``since`` naive.
        """
        request = proto.user_hourly_rate_request(workspace_id, user_id, amount=amount, since=since)
        return await self._client._call(request, Workspace)

    def list(
        self,
        workspace_id: str,
        *,
        status: MembershipStatus | str | None = None,
        email: str | None = None,
        name: str | None = None,
        page_size: int = proto.DEFAULT_PAGE_SIZE,
    ) -> AsyncIterator[WorkspaceUser]:
        """Every member of a workspace, page after page (``async for user in ...``; not awaited).

        Fetches ``GET /workspaces/{id}/users?page=N&page-size=M`` for N = 1, 2, ... until the
        server says ``Last-Page: true``, a page is shorter than ``page_size``, or a page is
        empty. Holds one page in memory; a user seen on an earlier page is not yielded again.
        ``email`` and ``name`` are substring filters; ``status`` is ``PENDING``, ``ACTIVE``,
        ``DECLINED``, ``INACTIVE`` or ``"ALL"``.

        Raises (at once, before anything is sent):
            ValidationError: an empty id or filter, ``page_size`` outside 1-5000, or an
                unknown status.
        """
        ws = check_id("workspace_id", workspace_id)
        filters = proto.check_list_filters(
            status=status, email=email, name=name, page_size=page_size
        )
        return self._walk(ws, page_size, filters)

    async def _walk(
        self, workspace_id: str, page_size: int, filters: tuple[tuple[str, str], ...]
    ) -> AsyncIterator[WorkspaceUser]:
        client = self._client

        async def fetch(number: int) -> tuple[builtins.list[WorkspaceUser], bool]:
            request = proto.list_users_request(
                workspace_id, page=number, page_size=page_size, filters=filters
            )
            response = await client._send(request)
            users = client._decode_list(response, WorkspaceUser)
            return users, proto.is_last_page(response.headers, len(users), page_size)

        # walk_sequential is an async generator: close it when the caller stops early.
        pages = cast(
            "AsyncGenerator[WorkspaceUser, None]",
            walk_sequential(
                fetch, items=lambda page: page[0], is_last=lambda page, _: page[1], key=_user_id
            ),
        )
        async with contextlib.aclosing(pages):
            async for user in pages:
                yield user

    async def bulk_set_cost_rate(
        self,
        workspace_id: str,
        rates: Mapping[str, int],
        *,
        since: datetime | None = None,
        on_progress: ProgressCallback | None = None,
        concurrency: int | None = None,
    ) -> BulkResult:
        """Set many users' cost rates at once: one ``PUT .../users/{userId}/cost-rate`` each.

        See :meth:`bulk_set_hourly_rate` for how the job runs and what it returns.
        """
        return await self._bulk(
            workspace_id, rates, since, on_progress, concurrency, _cost_rate_request
        )

    async def bulk_set_hourly_rate(
        self,
        workspace_id: str,
        rates: Mapping[str, int],
        *,
        since: datetime | None = None,
        on_progress: ProgressCallback | None = None,
        concurrency: int | None = None,
    ) -> BulkResult:
        """Set many users' billable rates at once: one ``PUT .../users/{userId}/hourly-rate``
        each, ``concurrency`` in flight (default: enough to keep the rate limit busy).

        ``rates`` maps user id to amount in minor units. Every amount is checked before the
        first request; after that, one user's failure never raises: it lands in
        :attr:`BulkResult.failed` and the job goes on. ``on_progress(done, total)`` is called
        as each user finishes. Cancelling the job stops every request it started.

        A user counts as succeeded when the server answered 2xx: the rate was set, whatever the
        body holds. Only the last successful response is parsed and structured, into
        :attr:`BulkResult.workspace` (every answer is the whole workspace, thousands of
        memberships: parsing each would make an item's cost grow with the workspace). Should
        that body not decode, the one before it is tried; if neither does, ``workspace`` is
        ``None`` and the problem is logged once at WARNING on the ``timeclients`` logger.

        Raises:
            ValidationError: an empty workspace id, ``rates`` not a mapping, an empty user id,
                any amount not an integer >= 0, ``since`` naive, or ``concurrency`` < 1.
        """
        return await self._bulk(
            workspace_id, rates, since, on_progress, concurrency, _hourly_rate_request
        )

    async def _bulk(
        self,
        workspace_id: str,
        rates: Mapping[str, int],
        since: datetime | None,
        on_progress: ProgressCallback | None,
        concurrency: int | None,
        build: _ItemRequest,
    ) -> BulkResult:
        client = self._client
        ws = check_id("workspace_id", workspace_id)
        checked = proto.check_rates(rates)
        if since is not None:
            require_aware("since", since)
        if on_progress is not None and not callable(on_progress):
            raise ValidationError("on_progress", "must be callable as on_progress(done, total)")
        if concurrency is None:
            workers = default_concurrency(client.rate_limit)
        else:
            workers = check_int_range("concurrency", concurrency, 1, MAX_BULK_CONCURRENCY)
        # The last two 2xx answers, raw: bodies are neither parsed nor kept per item.
        answers: collections.deque[Response] = collections.deque(maxlen=_KEPT_ANSWERS)

        async def one(user_id: str) -> None:
            answers.append(await client._send(build(ws, user_id, checked[user_id], since)))

        outcome = await run_bulk(list(checked), one, concurrency=workers, on_progress=on_progress)
        kept = builtins.list(answers)
        return BulkResult(
            succeeded=outcome.succeeded,
            failed=dict(outcome.failed),
            # Structured on first read of BulkResult.workspace, not here (see BulkResult).
            workspace=functools.partial(_last_workspace, client, kept) if kept else None,
        )


#: How many raw 2xx answers a bulk job keeps to find its ``BulkResult.workspace``.
_KEPT_ANSWERS: Final = 2


def _last_workspace(client: ClockifyClient, answers: Iterable[Response]) -> Workspace | None:
    """The newest answer that decodes as a workspace, or None (logged once at WARNING)."""
    problems: builtins.list[DecodeError] = []
    for response in reversed(builtins.list(answers)):
        try:
            return client._decode(response, Workspace)
        except DecodeError as exc:
            problems.append(exc)
    if problems:
        logger.warning(
            "bulk rate update: the items answered 2xx are counted as succeeded (the server set "
            "those rates), but the workspace in the answers did not decode, so "
            "BulkResult.workspace is None: %s",
            problems[0],
        )
    return None


def _user_id(user: WorkspaceUser) -> str:
    return user.id


def _cost_rate_request(ws: str, user_id: str, amount: int, since: datetime | None) -> Request:
    return proto.user_cost_rate_request(ws, user_id, amount=amount, since=since)


def _hourly_rate_request(ws: str, user_id: str, amount: int, since: datetime | None) -> Request:
    return proto.user_hourly_rate_request(ws, user_id, amount=amount, since=since)
