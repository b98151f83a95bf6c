"""The emulated Toggl API v9 user endpoints (https://engineering.toggl.com/docs/), a vendor
state over the Toggl v8 state's accounts.

``_state`` holds the hourly quota and v9-only fields, ``_render`` the JSON, ``_routes`` the
route table and handlers, ``_seed`` the test data; :class:`TogglTrackState` puts them behind
the vendor interface.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._core import EmuRequest, Reply
from ..toggl import TogglUserSeed
from ._routes import answer
from ._seed import seed_user_v9
from ._state import HourlyQuota, TogglTrackStore

__all__ = ["HourlyQuota", "TogglTrackState", "TogglTrackStore"]


class TogglTrackState(TogglTrackStore):
    """Toggl v9's server side for the user endpoints, over the accounts of a v8 state.

    Served at ``https://api.track.toggl.com/api/v9``: the same host as v8, told apart by the
    base path. See :class:`TogglTrackStore` for the arguments.
    """

    name: ClassVar[str] = "toggltrack"
    base_path: ClassVar[tuple[str, ...]] = ("api", "v9")
    hosts: ClassVar[tuple[str, ...]] = ("api.track.toggl.com",)

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: Basic auth, the per-second bucket, the hourly quota, the route."""
        return answer(self, req)

    def seed(self, **kwargs: Any) -> TogglUserSeed:
        """See :func:`timeclients.testing.seed_toggl_user` (one account, both versions)."""
        return seed_user_v9(self, **kwargs)
