"""The public seed functions: each vendor's seed, called with an emulator instead of a state.

Each returns a handle with the ids and keys tests need: a Clockify workspace with members, a
McTime organization with clocked-in users, a Toggl user with related data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from ._engine import EmulatorCore
from .clockify import ClockifyWorkspaceSeed, seed_workspace
from .mctime import McTimeOrganizationSeed, seed_organization
from .toggl import TogglUserSeed, seed_user

__all__ = [
    "ClockifyWorkspaceSeed",
    "McTimeOrganizationSeed",
    "TogglUserSeed",
    "seed_clockify_workspace",
    "seed_mctime_organization",
    "seed_toggl_user",
]

S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")


def _on_emulator(
    name: str, seed: Callable[Concatenate[S, P], R], state: Callable[[EmulatorCore], S]
) -> Callable[Concatenate[EmulatorCore, P], R]:
    """``seed`` taking an emulator: it seeds the emulator's state that ``state`` picks."""

    def seeded(emulator: EmulatorCore, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return seed(state(emulator), *args, **kwargs)

    seeded.__name__ = seeded.__qualname__ = name
    seeded.__doc__ = seed.__doc__
    return seeded


seed_clockify_workspace = _on_emulator(
    "seed_clockify_workspace", seed_workspace, lambda emulator: emulator.clockify
)
seed_mctime_organization = _on_emulator(
    "seed_mctime_organization", seed_organization, lambda emulator: emulator.mctime
)
seed_toggl_user = _on_emulator("seed_toggl_user", seed_user, lambda emulator: emulator.toggl)
