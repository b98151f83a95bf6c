"""What every emulated vendor shares: the vendor interface, a declarative route table, helpers.

A vendor state (one per emulated API) says where it lives (its base path and real hosts),
answers a request whose base path is already removed, renders an error in the vendor's own
shape, and seeds itself with test data. The emulator keeps a registry of such states and routes
each request by host and base path.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from threading import RLock
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Protocol,
    TypedDict,
    TypeVar,
    runtime_checkable,
)

import attrs

from ._core import Clock, EmuRequest, Reply, WallClock, first, json_reply

if TYPE_CHECKING:  # typing.Unpack is Python 3.11+; annotations are never evaluated at runtime
    from typing_extensions import Unpack

__all__ = [
    "EMAIL",
    "Match",
    "Route",
    "RouteTable",
    "StoreArgs",
    "VendorState",
    "VendorStore",
    "flag",
    "int_param",
    "json_object",
    "message_error",
    "new_key",
    "page",
    "person",
    "route",
]

#: A loose e-mail check (something@something.tld), as the vendors validate addresses.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@runtime_checkable
class VendorState(Protocol):
    """One emulated vendor API: where it lives, how it answers, its errors and its seed.

    ``name`` keys the registry (``Emulator.base_url(name)``, ``RequestRecord.vendor``);
    ``base_path`` is the path part of the vendor's documented base URL, as segments; ``hosts``
    are its real hosts (the first one makes the real base URL). Several vendors may share a
    host (Toggl's v8 and v9): the base path tells them apart.
    """

    name: ClassVar[str]
    base_path: ClassVar[tuple[str, ...]]
    hosts: ClassVar[tuple[str, ...]]

    #: Guards every state change; the emulator hands one lock to all its states.
    lock: AbstractContextManager[Any]

    def handle(self, req: EmuRequest) -> Reply:
        """Answer one request; ``req.segments`` are the path after ``base_path``."""
        ...

    def error(self, status: int, message: str) -> Reply:
        """An error with ``status`` and ``message`` in the vendor's own shape."""
        ...

    def seed(self, **kwargs: Any) -> object:
        """Fill the state with test data; returns a handle with the ids and keys tests need."""
        ...


class _Required(TypedDict):
    clock: Clock
    wall_clock: WallClock
    rng: random.Random


class StoreArgs(_Required, total=False):
    """The arguments every vendor store takes (see :class:`VendorStore`)."""

    lock: AbstractContextManager[Any]


class VendorStore:
    """What every vendor's data keeps: the clocks, the seeded generator and the lock.

    Args:
        clock: monotonic time for rate windows.
        wall_clock: calendar time.
        rng: the source of generated ids, keys and tokens.
        lock: guards state changes (the emulator passes its own; default: a new one).
    """

    def __init__(self, **args: Unpack[StoreArgs]) -> None:
        self.clock = args["clock"]
        self.wall_clock = args["wall_clock"]
        self.rng = args["rng"]
        self.lock: AbstractContextManager[Any] = args.get("lock") or RLock()

    def issue_key(self, keys: dict[str, str], user_id: str, key: str | None, prefix: str) -> str:
        """Record ``key`` (default: ``prefix`` and 32 fresh hex digits) for ``user_id`` in
        ``keys``; returns it."""
        key = key or new_key(self.rng, prefix)
        keys[key] = user_id
        return key


# ----------------------------------------------------------------- the route table
C = TypeVar("C")
#: A path's named segments (``{workspace}`` in ``workspaces/{workspace}``), percent-decoded.
Params = Mapping[str, str]


@attrs.frozen
class _Segment:
    """One pattern segment: a literal, or a named capture (any value, or one of ``choices``)."""

    literal: str | None
    name: str = ""
    choices: frozenset[str] | None = None


def _parse(path: str) -> tuple[_Segment, ...]:
    """``workspaces/{workspace}/{rate:cost-rate|hourly-rate}`` as segments."""
    segments: list[_Segment] = []
    for part in path.strip("/").split("/") if path.strip("/") else ():
        if part.startswith("{") and part.endswith("}"):
            name, _, choices = part[1:-1].partition(":")
            segments.append(
                _Segment(None, name, frozenset(choices.split("|")) if choices else None)
            )
        else:
            segments.append(_Segment(part))
    return tuple(segments)


@attrs.frozen
class Route(Generic[C]):
    """One row of a route table: a method, a path pattern, and the handler it calls.

    The handler gets the vendor's context (its state, or the authenticated caller), the request
    and the captured path parameters.
    """

    method: str
    pattern: tuple[_Segment, ...]
    handler: Callable[[C, EmuRequest, Params], Reply]

    def params(self, segments: Sequence[str]) -> dict[str, str] | None:
        """The captured parameters when ``segments`` match the pattern, else ``None``."""
        if len(segments) != len(self.pattern):
            return None
        found: dict[str, str] = {}
        for part, value in zip(self.pattern, segments, strict=True):
            if part.literal is not None:
                if value != part.literal:
                    return None
            elif part.choices is None or value in part.choices:
                found[part.name] = value
            else:
                return None
        return found


def route(method: str, path: str, handler: Callable[[C, EmuRequest, Params], Reply]) -> Route[C]:
    """A route: ``method`` and a path pattern such as ``workspaces/{workspace}/users``.

    ``{name}`` captures any one segment; ``{name:a|b}`` captures only ``a`` or ``b``.
    """
    return Route(method.upper(), _parse(path), handler)


@attrs.define
class Match(Generic[C]):
    """A path found in a table: its parameters, and its route (``None``: wrong method, 405)."""

    params: Params
    route: Route[C] | None


class RouteTable(Generic[C]):
    """A vendor's routes, tried in order: the first pattern and method that match win."""

    __slots__ = ("_by_length", "routes")

    def __init__(self, *routes: Route[C]) -> None:
        self.routes = routes
        self._by_length: dict[int, list[Route[C]]] = {}
        for candidate in routes:
            self._by_length.setdefault(len(candidate.pattern), []).append(candidate)

    def resolve(self, method: str, segments: Sequence[str]) -> Match[C] | None:
        """The route for ``method`` and ``segments``; a route-less match when only the method
        is wrong (answer 405); ``None`` when no pattern matches the path (answer 404)."""
        path_params: dict[str, str] | None = None
        for candidate in self._by_length.get(len(segments), ()):
            found = candidate.params(segments)
            if found is None:
                continue
            if candidate.method == method:
                return Match(found, candidate)
            if path_params is None:
                path_params = found
        return None if path_params is None else Match(path_params, None)


# ----------------------------------------------------------------- shared helpers
def message_error(status: int, message: str, **fields: Any) -> Reply:
    """A JSON error ``{"message": ..., **fields}`` (Clockify and McTime answer this shape)."""
    return json_reply(status, {"message": message, **fields})


def json_object(body: bytes) -> dict[str, Any] | None:
    """The request body as a JSON object, or ``None`` when it is empty, not JSON, or not an
    object."""
    if not body:
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def int_param(req: EmuRequest, name: str, default: int, low: int, high: int | None = None) -> int:
    """A query parameter as an integer in ``[low, high]``; ``ValueError`` with a message the
    vendor can answer when it is not one."""
    raw = first(req.params(name))
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer") from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bound}")
    return value


T = TypeVar("T")


def page(items: Sequence[T], number: int, size: int) -> tuple[Sequence[T], bool]:
    """Page ``number`` (from 1) of ``size`` items, and whether it is the last page."""
    start = (number - 1) * size
    return items[start : start + size], start + size >= len(items)


def new_key(rng: random.Random, prefix: str) -> str:
    """A fresh API key: ``prefix`` and 32 hex digits from the seeded generator."""
    return f"{prefix}{rng.getrandbits(128):032x}"


FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
               "Margaret", "Dennis", "Radia", "Linus", "Katherine", "Guido", "Hedy",
               "John")  # fmt: skip
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
              "Thompson", "Hamilton", "Ritchie", "Perlman", "Torvalds", "Johnson",
              "Rossum")  # fmt: skip


def person(index: int) -> tuple[str, str]:
    """The ``index``-th seeded person's first and last name (the lists wrap around)."""
    return FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]


def flag(req: EmuRequest, name: str) -> bool:
    """A ``true``/``false`` query parameter (absent: false), as Toggl reads them."""
    return (first(req.params(name)) or "false").lower() == "true"
