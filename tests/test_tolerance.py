"""Tolerant readers: any optional field (or all of them) removed from a full sample still decodes.

For every vendor's models, in both decoding modes: only ids are required; a field the answer
leaves out is ``None`` (or an empty list), at whatever depth it was removed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeclients._decode import ModelDecoder, set_strict_decoding
from timeclients.clockify import Workspace
from timeclients.clockify._protocol import decoder as clockify_decoder
from timeclients.errors import DecodeError
from timeclients.mctime import ClockStatus
from timeclients.mctime._protocol import decoder as mctime_decoder
from timeclients.toggl._protocol import MeEnvelope
from timeclients.toggl._protocol import decoder as toggl_decoder

from .clockify import samples as clockify_samples
from .mctime.test_models import SAMPLE_ITEM as MCTIME_ITEM
from .toggl import samples as toggl_samples

Path = tuple[str | int, ...]
MODES = pytest.mark.parametrize("strict", [True, False], ids=["strict", "production"])


def _key_paths(data: Any, prefix: Path = ()) -> list[Path]:
    """The path of every object key in ``data``, at any depth (list items by index)."""
    found: list[Path] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((*prefix, key))
            found.extend(_key_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_key_paths(value, (*prefix, index)))
    return found


def _without(data: Any, drop: set[Path]) -> Any:
    """A copy of ``data`` without the keys at ``drop`` (a key whose parent went is skipped)."""
    result = copy.deepcopy(data)
    for path in sorted(drop, key=len, reverse=True):
        parent = result
        try:
            for step in path[:-1]:
                parent = parent[step]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(parent, dict):
            parent.pop(path[-1], None)
    return result


def _snake(key: str) -> str:
    name = re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()
    return "from_" if name == "from" else name


def _assert_empty_where_dropped(decoded: object, drop: set[Path]) -> None:
    """Every removed field reads as ``None`` or an empty collection on the decoded model."""
    for path in drop:
        if any(path[:n] in drop for n in range(1, len(path))):
            continue  # its parent went too
        node: Any = decoded
        for step in path[:-1]:
            node = node[step] if isinstance(step, int) else getattr(node, _snake(step))
            if node is None:
                break
        else:
            value = getattr(node, _snake(str(path[-1])))
            assert value in (None, [], {}), (path, value)


class Vendor:
    """One vendor's model under test: a full sample and what is required in it."""

    def __init__(
        self,
        decoder: ModelDecoder,
        cls: type[Any],
        sample: dict[str, Any],
        required: Callable[[Path], bool],
        unwrap: Callable[[Any], Any] = lambda model: model,
    ) -> None:
        self.decoder = decoder
        self.cls = cls
        self.sample = sample
        self.removable = sorted(
            (p for p in _key_paths(sample) if not required(p)), key=lambda p: tuple(map(str, p))
        )
        self.unwrap = unwrap


def _clockify_required(path: Path) -> bool:
    # a workspace's and a currency's id, a membership's user
    return path[-1] == "id" or (path[-1] == "userId" and "memberships" in path)


def _toggl_sample() -> dict[str, Any]:
    data = toggl_samples.me_related()
    data["data"]["invitation"] = {}
    data["data"]["tasks"] = [
        {
            "id": 1894675,
            "name": "Write the report",
            "pid": 193838628,
            "wid": 777,
            "uid": 9000,
            "estimated_seconds": 3600,
            "tracked_seconds": 1200,
            "active": True,
            "at": "2013-03-06T12:00:00+00:00",
        }
    ]
    return data


VENDORS = {
    "clockify": Vendor(
        clockify_decoder, Workspace, clockify_samples.workspace(), _clockify_required
    ),
    "toggl": Vendor(
        toggl_decoder,
        MeEnvelope,
        _toggl_sample(),
        lambda path: path == ("data",) or path[-1] == "id",
        unwrap=lambda envelope: envelope.data,
    ),
    "mctime": Vendor(mctime_decoder, ClockStatus, MCTIME_ITEM, lambda path: path[-1] == "id"),
}


def _decode(vendor: Vendor, data: Any, *, strict: bool) -> Any:
    set_strict_decoding(strict)  # the suite's autouse fixture restores the selected mode
    return vendor.decoder.structure(data, vendor.cls)


@MODES
@pytest.mark.parametrize("name", sorted(VENDORS))
def test_the_full_sample_decodes(name: str, strict: bool) -> None:
    """Each vendor's full sample (every declared field) decodes in both modes."""
    vendor = VENDORS[name]
    assert _decode(vendor, vendor.sample, strict=strict) is not None
    assert len(vendor.removable) > 10


@MODES
@pytest.mark.parametrize("name", sorted(VENDORS))
def test_every_optional_field_removed_still_decodes(name: str, strict: bool) -> None:
    """All optional fields gone, at every depth: the model decodes with Nones and empties."""
    vendor = VENDORS[name]
    drop = set(vendor.removable)
    decoded = _decode(vendor, _without(vendor.sample, drop), strict=strict)
    _assert_empty_where_dropped(decoded, drop)


@MODES
@pytest.mark.parametrize("name", sorted(VENDORS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_optional_fields_removed_still_decode(name: str, strict: bool, data: Any) -> None:
    """Any set of optional fields removed from a full sample still decodes (property)."""
    vendor = VENDORS[name]
    drop = data.draw(st.sets(st.sampled_from(vendor.removable), max_size=12))
    decoded = _decode(vendor, _without(vendor.sample, drop), strict=strict)
    _assert_empty_where_dropped(decoded, drop)


@MODES
@pytest.mark.parametrize("name", sorted(VENDORS))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_optional_field_sent_as_null_still_decodes(name: str, strict: bool, data: Any) -> None:
    """``null`` for an optional field reads as absent: ``None``, or the empty list."""
    vendor = VENDORS[name]
    nulled = data.draw(st.sets(st.sampled_from(vendor.removable), min_size=1, max_size=8))
    body = copy.deepcopy(vendor.sample)
    for path in nulled:
        parent: Any = body
        try:
            for step in path[:-1]:
                parent = parent[step]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(parent, dict) and path[-1] in parent:
            parent[path[-1]] = None
    _decode(vendor, body, strict=strict)


@MODES
@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("clockify", ("id",)),
        ("clockify", ("memberships", 0, "userId")),
        ("clockify", ("currencies", 0, "id")),
        ("toggl", ("data", "id")),
        ("toggl", ("data", "time_entries", 0, "id")),
        ("mctime", ("id",)),
        ("mctime", ("breaks", 0, "id")),
    ],
)
def test_a_missing_id_is_a_decode_error_naming_it(name: str, path: Path, strict: bool) -> None:
    """An id is what an object means: without it, a DecodeError naming that field."""
    vendor = VENDORS[name]
    with pytest.raises(DecodeError) as info:
        _decode(vendor, _without(vendor.sample, {path}), strict=strict)
    assert info.value.field is not None
    assert info.value.field.endswith(str(path[-1]))
    assert info.value.applied is False


@MODES
@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        ("clockify", ("workspaceSettings", "forceTags"), "yes"),
        ("clockify", ("memberships", 0, "hourlyRate", "amount"), "lots"),
        ("clockify", ("name",), 12.5),
        ("toggl", ("data", "beginning_of_week"), True),
        ("toggl", ("data", "fullname"), ["John"]),
        ("mctime", ("onBreak",), "no"),
        ("mctime", ("from",), 1700000000),
    ],
)
def test_a_present_field_of_the_wrong_type_is_still_an_error(
    name: str, path: Path, value: object, strict: bool
) -> None:
    """Tolerance is for absence only: a present field of the wrong type fails, named."""
    vendor = VENDORS[name]
    body = copy.deepcopy(vendor.sample)
    parent: Any = body
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    with pytest.raises(DecodeError) as info:
        _decode(vendor, body, strict=strict)
    assert info.value.field is not None
    assert info.value.field.endswith(str(path[-1]))
