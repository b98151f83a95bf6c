"""The emulated Toggl API v8 user endpoints (https://github.com/toggl/toggl_api_docs), a vendor
state.

``_state`` holds the accounts (which Toggl v9 shares), ``_render`` the JSON, ``_routes`` the
route table and handlers, ``_seed`` the test data; :class:`TogglState` puts them behind the
vendor interface.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._core import EmuRequest, Reply
from ._routes import answer
from ._seed import TogglUserSeed, seed_user
from ._state import DATE_FORMATS, TIMEOFDAY_FORMATS, TogglStore, TogglUser, valid_timezone

__all__ = [
    "DATE_FORMATS",
    "TIMEOFDAY_FORMATS",
    "TogglState",
    "TogglStore",
    "TogglUser",
    "TogglUserSeed",
    "seed_user",
    "valid_timezone",
]


class TogglState(TogglStore):
    """Toggl v8's server side: users, tokens, and the request handler.

    Served at ``https://api.track.toggl.com/api/v8`` (Toggl's v8 base URL). See
    :class:`TogglStore` for the arguments.
    """

    name: ClassVar[str] = "toggl"
    base_path: ClassVar[tuple[str, ...]] = ("api", "v8")
    hosts: ClassVar[tuple[str, ...]] = ("api.track.toggl.com",)

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request: sign-up needs no credential, everything else Basic auth."""
        return answer(self, req)

    def seed(self, **kwargs: Any) -> TogglUserSeed:
        """See :func:`timeclients.testing.seed_toggl_user`."""
        return seed_user(self, **kwargs)
