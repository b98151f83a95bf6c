"""The emulated Clockify Workspace API v1 (https://docs.clockify.me/), a vendor state.

``_state`` holds the data, ``_render`` the JSON, ``_routes`` the route table and handlers,
``_seed`` the test data; :class:`ClockifyState` puts them behind the vendor interface.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._core import EmuRequest, Reply
from ._routes import answer
from ._seed import ClockifyWorkspaceSeed, seed_workspace
from ._state import CODES, ClockifyStore

__all__ = ["CODES", "ClockifyState", "ClockifyWorkspaceSeed", "seed_workspace"]


class ClockifyState(ClockifyStore):
    """Clockify's server side: accounts, credentials, workspaces, and the request handler.

    Served at ``https://api.clockify.me/api/v1`` (Clockify's documented base URL). See
    :class:`ClockifyStore` for the arguments.
    """

    name: ClassVar[str] = "clockify"
    base_path: ClassVar[tuple[str, ...]] = ("api", "v1")
    hosts: ClassVar[tuple[str, ...]] = ("api.clockify.me",)

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: authenticate, count it, route it."""
        return answer(self, req)

    def seed(self, **kwargs: Any) -> ClockifyWorkspaceSeed:
        """See :func:`timeclients.testing.seed_clockify_workspace`."""
        return seed_workspace(self, **kwargs)
