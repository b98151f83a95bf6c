"""The McTime client: ``clock.list`` (a concurrent paginator), ``clock.page`` and ``clock.get``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from .._base import BaseClient
from .._paginate import PageWalk
from .._transport import HttpPool
from .._validate import check_enums, check_id, check_ids, check_min_int
from .._wire import RateLimits, RetryPolicy
from ..errors import ConfigurationError, ValidationError
from . import _protocol as protocol
from .models import ClockPage, ClockStatus, ItemError, TimeType

__all__ = ["ClockList", "ClockResource", "McTimeClient"]

DEFAULT_RATE_LIMIT: Final = protocol.DEFAULT_RATE_LIMIT
DEFAULT_PAGE_CONCURRENCY: Final = 4


@attrs.frozen
class _Filters:
    """Validated ``GET /clock`` filters."""

    user_ids: tuple[str, ...]
    time_types: tuple[TimeType, ...]
    organization_ids: tuple[str, ...]
    organization_names: tuple[str, ...]


def _check_concurrency(value: object, *, error: type[Exception]) -> int:
    try:
        return check_min_int("page_concurrency", value, 1)
    except ValidationError as exc:
        if error is ValidationError:
            raise
        raise ConfigurationError(f"page_concurrency {exc.rule}") from None


def _filters(
    user_ids: Iterable[str],
    time_types: Iterable[TimeType | str],
    organization_ids: Iterable[str],
    organization_names: Iterable[str],
) -> _Filters:
    return _Filters(
        user_ids=check_ids("user_ids", user_ids),
        time_types=check_enums("time_types", time_types, TimeType),
        organization_ids=check_ids("organization_ids", organization_ids),
        organization_names=check_ids("organization_names", organization_names),
    )


def _unique_page(page: ClockPage, fresh: list[ClockStatus]) -> ClockPage:
    return attrs.evolve(page, items=fresh)


class ClockList(PageWalk[ClockPage, ClockStatus]):
    """Everyone clocked in, as an async iterator of :class:`ClockStatus`, in page order.

    Page 1 comes first (it tells how many pages there are); then the other pages with at most
    ``page_concurrency`` requests in flight, through the client's rate limit. An entry id is
    never yielded twice, even when pages shift because people clock in during the walk. Per-item
    errors are collected in :attr:`item_errors` as the walk reaches their page.

    Three ways to use it::

        async for status in client.clock.list():              # prefetch in background tasks
            ...
        async with client.clock.list() as clocks:             # prefetch in a task group
            async for status in clocks:                       # owned by this block
                ...
        async for page in client.clock.list().pages():        # page by page (ClockPage)
            ...

    Leaving a plain ``async for`` early: call :meth:`aclose` (or use ``async with``) so that
    the fetches still in flight are cancelled at once; otherwise they are cancelled when the
    list is garbage-collected. On trio, a plain ``async for`` fetches each window of
    ``page_concurrency`` pages together inside the iteration (no task may outlive the
    caller's stack there); ``async with`` gives full prefetching on every backend.
    """

    def __init__(self, fetch: protocol.PageFetch, *, page_concurrency: int) -> None:
        super().__init__(
            fetch,
            items=_page_items,
            total_pages=_page_total,
            key=_entry_id,
            concurrency=page_concurrency,
            is_empty=_page_empty,
            unique_page=_unique_page,
        )
        self._item_errors: list[ItemError] = []
        self._item_error_set: set[ItemError] = set()
        #: ``totalItems`` as the latest page read reported it (``None`` before page 1).
        self.total_items: int | None = None

    @property
    def item_errors(self) -> list[ItemError]:
        """The per-item errors (McTime's "400 items") of the pages read so far, each once."""
        return list(self._item_errors)

    @property
    def page_concurrency(self) -> int:
        """The most page requests in flight at once."""
        return self.concurrency

    def _delivered(self, page: ClockPage) -> None:
        self.total_items = page.total_items
        for error in page.item_errors:
            if error not in self._item_error_set:
                self._item_error_set.add(error)
                self._item_errors.append(error)

    def __repr__(self) -> str:
        return (
            f"<ClockList pages_read={self.pages_read} last_page={self.last_page} "
            f"page_concurrency={self.concurrency}>"
        )


def _page_items(page: ClockPage) -> list[ClockStatus]:
    return page.items


def _page_total(page: ClockPage) -> int:
    return page.total_pages


def _page_empty(page: ClockPage) -> bool:
    return not page.items and not page.item_errors


def _entry_id(status: ClockStatus) -> str:
    return status.id


class ClockResource:
    """``client.clock``: who is clocked in (``GET /clock``) and one open entry by id."""

    __slots__ = ("_client",)

    def __init__(self, client: McTimeClient) -> None:
        self._client = client

    def list(
        self,
        *,
        user_ids: Iterable[str] = (),
        time_types: Iterable[TimeType | str] = (),
        organization_ids: Iterable[str] = (),
        organization_names: Iterable[str] = (),
        page_concurrency: int | None = None,
    ) -> ClockList:
        """Every clocked-in user the key may see, matching the filters (not awaited).

        Arguments are checked now (``ValidationError``); nothing is sent until iteration.
        ``page_concurrency`` overrides the client's for this list.
        """
        filters = _filters(user_ids, time_types, organization_ids, organization_names)
        concurrency = (
            self._client.page_concurrency
            if page_concurrency is None
            else _check_concurrency(page_concurrency, error=ValidationError)
        )
        return ClockList(self._client._page_fetch(filters), page_concurrency=concurrency)

    async def page(
        self,
        page: int = 1,
        *,
        user_ids: Iterable[str] = (),
        time_types: Iterable[TimeType | str] = (),
        organization_ids: Iterable[str] = (),
        organization_names: Iterable[str] = (),
    ) -> ClockPage:
        """One page of ``GET /clock`` (20 users a page), per-item errors included."""
        number = check_min_int("page", page, 1)
        filters = _filters(user_ids, time_types, organization_ids, organization_names)
        return await self._client._page_fetch(filters)(number)

    async def get(self, entry_id: str) -> ClockStatus:
        """The open clock entry ``entry_id``.

        Raises:
            errors.ClockedOutError: (404) the entry is clocked out; it is now a time entry
                (McTime ``GET /times/{id}``).
            errors.EntryNotVisibleError: (400) no such id, or the key may not see it.
            errors.AuthenticationError: (401) the API key is missing or wrong.
        """
        entry_id = check_id("entry_id", entry_id)
        return await self._client._call(protocol.get_request(entry_id), ClockStatus)


class McTimeClient(BaseClient):
    """An async client of McTime's clock API v2.

    Args:
        api_key: sent as header ``API_KEY``; default: ``MCTIME_API_KEY`` from the environment.
        base_url: default ``MCTIME_BASE_URL`` from the environment, else
            ``https://mctime.com/api/v2/auth`` (an emulator on loopback may be http).
        pool: a shared :class:`~timeclients.HttpPool`; without one the client owns a private one.
        rate_limit: per API key; McTime publishes 10 requests per second. ``None`` turns
            client-side limiting off.
        retry: the retry policy (McTime answers 503/504 when a request runs past 60 s);
            ``None`` turns retries off.
        timeout: seconds per request (default: the pool's).
        page_concurrency: the most page requests ``clock.list`` keeps in flight.
        allow_insecure_http: allow ``http://`` to a host that is not loopback.

    Raises:
        errors.ConfigurationError: no key, a key with control characters, a bad base URL or a
            bad ``page_concurrency``.
    """

    spec = protocol.SPEC

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = protocol.DEFAULT_BASE_URL,
        pool: HttpPool | None = None,
        rate_limit: RateLimits | None = DEFAULT_RATE_LIMIT,
        retry: RetryPolicy | None = protocol.SPEC.retry,
        timeout: float | None = None,
        page_concurrency: int = DEFAULT_PAGE_CONCURRENCY,
        allow_insecure_http: bool = False,
    ) -> None:
        credential = protocol.resolve_credential(api_key)
        self._page_concurrency = _check_concurrency(page_concurrency, error=ConfigurationError)
        super().__init__(
            pool=pool,
            base_url=base_url,
            allow_insecure_http=allow_insecure_http,
            credential=credential,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
        )
        #: ``clock.list``, ``clock.page``, ``clock.get``.
        self.clock = ClockResource(self)

    @property
    def page_concurrency(self) -> int:
        """The most page requests ``clock.list`` keeps in flight by default."""
        return self._page_concurrency

    def _page_fetch(self, filters: _Filters) -> protocol.PageFetch:
        # A closure over the client and the filters only: a ClockList's background fetches
        # must not keep the list itself alive (see timeclients._paginate).
        async def fetch(number: int) -> ClockPage:
            request = protocol.page_request(
                number,
                user_ids=filters.user_ids,
                time_types=filters.time_types,
                organization_ids=filters.organization_ids,
                organization_names=filters.organization_names,
            )
            wire = await self._call(request, protocol.WirePage)
            return protocol.to_clock_page(wire)

        return fetch
