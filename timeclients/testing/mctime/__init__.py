"""The emulated McTime clock status API v2 (https://mctime.com/api), a vendor state.

``_state`` holds the data, ``_render`` the JSON, ``_routes`` the route table and handlers,
``_seed`` the test data; :class:`McTimeState` puts them behind the vendor interface.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._core import EmuRequest, Reply
from ._routes import answer
from ._seed import McTimeOrganizationSeed, seed_organization
from ._state import ROLES, TIME_TYPES, McTimeStore

__all__ = ["ROLES", "TIME_TYPES", "McTimeOrganizationSeed", "McTimeState", "seed_organization"]


class McTimeState(McTimeStore):
    """McTime's server side: organizations, users, API keys, clock entries and the handler.

    Served at ``https://mctime.com/api/v2/auth`` (McTime's documented base URL). See
    :class:`McTimeStore` for the arguments.
    """

    name: ClassVar[str] = "mctime"
    base_path: ClassVar[tuple[str, ...]] = ("api", "v2", "auth")
    hosts: ClassVar[tuple[str, ...]] = ("mctime.com",)

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: authenticate by ``API_KEY``, count it, route it."""
        return answer(self, req)

    def seed(self, **kwargs: Any) -> McTimeOrganizationSeed:
        """See :func:`timeclients.testing.seed_mctime_organization`."""
        return seed_organization(self, **kwargs)
