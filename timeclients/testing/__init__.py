"""The vendor emulator: in-memory Clockify, McTime and Toggl v8/v9, in-process or over a socket.

Test your own integration the way AWS users test against moto::

    emulator = Emulator(seed=1)
    ws = emulator.seed_clockify_workspace(members=120)
    async with HttpPool(transport=emulator.transport()) as pool:
        ...  # a ClockifyClient(api_key=ws.api_key, pool=pool) talks to the emulator

See docs/testing.md.
"""

from ._asgi import EmulatorASGIApp
from ._core import Clock, Reply, SystemClock
from ._emulator import Emulator
from ._engine import EmulatorStats, RequestRecord
from ._faults import Fault, FaultDecision, FaultPlan
from ._ratelimit import LeakyBucket, SlidingWindowCounter
from ._seed import (
    ClockifyWorkspaceSeed,
    McTimeOrganizationSeed,
    TogglUserSeed,
    seed_clockify_workspace,
    seed_mctime_organization,
    seed_toggl_user,
)
from ._serve import ServedEmulator, serve
from ._transport import EmulatorTransport
from ._vendor import VendorState
from .clockify import ClockifyState
from .mctime import McTimeState
from .toggl import TogglState
from .toggltrack import HourlyQuota, TogglTrackState

__all__ = [
    "Clock",
    "ClockifyState",
    "ClockifyWorkspaceSeed",
    "Emulator",
    "EmulatorASGIApp",
    "EmulatorStats",
    "EmulatorTransport",
    "Fault",
    "FaultDecision",
    "FaultPlan",
    "HourlyQuota",
    "LeakyBucket",
    "McTimeOrganizationSeed",
    "McTimeState",
    "Reply",
    "RequestRecord",
    "ServedEmulator",
    "SlidingWindowCounter",
    "SystemClock",
    "TogglState",
    "TogglTrackState",
    "TogglUserSeed",
    "VendorState",
    "seed_clockify_workspace",
    "seed_mctime_organization",
    "seed_toggl_user",
    "serve",
]
