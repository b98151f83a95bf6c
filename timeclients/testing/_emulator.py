"""The ``Emulator`` facade: the engine with its ways in (transport, ASGI app, server) and seeds."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from ._asgi import EmulatorASGIApp
from ._engine import EmulatorCore
from ._serve import ServedEmulator, serve
from ._transport import EmulatorTransport
from .clockify import ClockifyWorkspaceSeed
from .mctime import McTimeOrganizationSeed
from .toggl import TogglUserSeed

__all__ = ["Emulator"]


class Emulator(EmulatorCore):
    """An in-memory emulator of Clockify, McTime and Toggl (v8 and v9), reachable over HTTP.

    Use :meth:`transport` for in-process tests (an ``httpx`` transport, no sockets),
    :meth:`asgi_app` for any ASGI server, or :meth:`serve` for a loopback socket. The vendor
    states are :attr:`clockify`, :attr:`mctime`, :attr:`toggl` and :attr:`toggltrack` (v9,
    on the same accounts as v8), registered by name in :attr:`vendors`; the ``seed_*`` methods
    fill them. Every state change is made
    under :attr:`lock` (served mode runs the server in another thread): take it when you
    change a state by hand while a server runs.

    Args:
        seed: seeds every generated id, key and token (and the fault plan, unless given).
        faults: the fault plan (default: none).
        clock: monotonic time and sleep for rate windows and latency (a fake clock in tests).
        wall_clock: calendar time: which rate is in effect, clock-in times, Toggl ``since``.
        clockify_rate_limit: requests per second per workspace (``None``: unlimited).
        clockify_retry_after: whether a Clockify 429 carries ``Retry-After``.
        clockify_free_plan_hourly_limit: requests per hour for a whole FREE workspace.
        mctime_rate_limit: requests per second per API key (``None``: unlimited).
        toggl_rate: requests per second the Toggl bucket drains per user (``None``: unlimited).
        toggl_burst: how many requests the Toggl bucket holds.
        toggl_me_hourly_quota: Toggl v9's hourly quota of requests per user about the user
            (``None``: no quota); a spent quota is a 402 with the quota headers.
        toggl_quota_window: the length of Toggl v9's quota window in seconds.
        new_workspace_plan: the plan of a workspace made by ``POST /workspaces``.
    """

    # ----------------------------------------------------------------- ways in
    def transport(self) -> EmulatorTransport:
        """An ``httpx.AsyncBaseTransport`` answering from this emulator (no sockets)."""
        return EmulatorTransport(self)

    def asgi_app(self) -> EmulatorASGIApp:
        """A raw ASGI application answering from this emulator."""
        return EmulatorASGIApp(self)

    def serve(
        self, *, host: str = "127.0.0.1", port: int = 0
    ) -> AbstractContextManager[ServedEmulator]:
        """Serve this emulator with uvicorn on ``host:port`` (0: a free port) in a thread."""
        return serve(self, host=host, port=port)

    # ----------------------------------------------------------------- seeding
    def seed_clockify_workspace(self, **kwargs: Any) -> ClockifyWorkspaceSeed:
        """See :func:`timeclients.testing.seed_clockify_workspace`."""
        return self.clockify.seed(**kwargs)

    def seed_mctime_organization(self, **kwargs: Any) -> McTimeOrganizationSeed:
        """See :func:`timeclients.testing.seed_mctime_organization`."""
        return self.mctime.seed(**kwargs)

    def seed_toggl_user(self, **kwargs: Any) -> TogglUserSeed:
        """See :func:`timeclients.testing.seed_toggl_user`."""
        return self.toggl.seed(**kwargs)
