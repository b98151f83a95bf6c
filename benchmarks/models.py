"""Model structuring: timeclients' converters against json.loads, cattrs, pydantic v2 and msgspec.

Two workloads, both built from the document's sample workspace (tests/fixtures/
clockify_workspace.json, ~2.2 KB):

* ``small``: ``--small`` (10,000) distinct workspaces of ``--small-members`` (1) membership
  each, every one its own JSON document, as a client receives them one response at a time;
* ``large``: one workspace with ``--large-members`` (600) memberships (~140 KB), structured
  ``--large-loops`` times per run.

Memberships vary the way real ones do: a third are WORKSPACE memberships, a quarter have no
cost rate, a fifth no hourly rate.

Rows (µs per workspace; "ratio" is the row's time over ``json.loads`` of the same bytes):

* ``json.loads``: the bytes to dicts, the yardstick;
* ``tc structure``: ``decoder.structure(data, Workspace)`` of timeclients' production
  converter on the already-parsed dict: **the issue's target (at most 2.5x json.loads)**;
* ``tc loads+structure``: ``json.loads`` then the above, end to end; its ratio is
  (loads + structure) / loads, so 1.0 of it is the parse itself;
* ``tc strict structure``: the test suite's converter (detailed validation, unknown keys
  forbidden), for reference;
* ``cattrs generated``: the production converter as it was before the generated hooks (cattrs'
  ``make_dict_structure_fn`` with ``detailed_validation=False`` plus the tolerant-enum and
  optional-model hooks), to show what the generated hooks bought;
* ``pydantic validate``/``pydantic validate_json``: pydantic v2 ``BaseModel`` classes of the same
  shape (frozen, camelCase aliases, ``str`` enums, a before-validator for ``adminOnlyPages``),
  ``model_validate`` on the dict and ``model_validate_json`` on the bytes;
* ``msgspec convert``/``msgspec decode``: ``msgspec.Struct`` classes of the same shape
  (``rename="camel"``, frozen, ``str`` enums, ``adminOnlyPages`` kept as ``str | list[str]``),
  ``msgspec.convert(dict, Workspace, strict=False)`` and ``msgspec.json.decode(raw, ...)``.

pydantic's and msgspec's enums are closed: an undocumented value would fail there, where
timeclients' tolerant enums read it. Every row runs once per repeat, rows interleaved, and each
figure is the median of ``--repeats`` repeats, so a slow spell of the machine hits every row
alike. The garbage collector stays on (as in a client). pydantic and msgspec are benchmark-only
(dev) dependencies; without them their rows are left out.

Usage: ``python -m benchmarks.models [--small 10000] [--small-members 1] [--large-members 600]
[--large-loops 30] [--repeats 7]``.
"""

# No ``from __future__ import annotations``: msgspec and pydantic resolve the annotations of the
# classes defined inside functions below, which works only if they are evaluated eagerly.
import argparse
import copy
import enum
import importlib.metadata
import json
import statistics
import sys
import time
import types
import typing
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from timeclients._decode import (
    TolerantEnum,
    camel_case,
    parse_aware_datetime,
    set_strict_decoding,
    strict_decoding,
    structure_tolerant_enum,
)
from timeclients.clockify._protocol import decoder, parse_admin_only_pages
from timeclients.clockify.models import Workspace, WorkspaceSettings

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "clockify_workspace.json"

# --- the workloads ---------------------------------------------------------------------------


def sample() -> dict[str, Any]:
    """The document's sample workspace."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text())[0]
    return data


def workspace(base: dict[str, Any], index: int, members: int) -> dict[str, Any]:
    """The sample with its own id and ``members`` memberships, varied like real ones."""
    ws = copy.deepcopy(base)
    ws["id"] = f"{index:024x}"
    template = base["memberships"][0]
    memberships = []
    for i in range(members):
        m = copy.deepcopy(template)
        m["userId"] = f"{index:012x}{i:012x}"
        kind = ("WORKSPACE", "PROJECT", "USERGROUP")[i % 3]
        m["membershipType"] = kind
        m["targetId"] = ws["id"] if kind == "WORKSPACE" else f"{i + 7:024x}"
        m["membershipStatus"] = ("ACTIVE", "PENDING", "INACTIVE")[i % 3 - 1]
        if i % 4 == 1:
            m["costRate"] = None
        if i % 5 == 2:
            m["hourlyRate"] = None
        memberships.append(m)
    ws["memberships"] = memberships
    return ws


# --- the previous production converter (cattrs' generated code), for comparison -------------


def cattrs_generated_converter() -> cattrs.Converter:
    """timeclients' production converter as it was before the generated model hooks."""
    conv = cattrs.Converter(detailed_validation=False, forbid_extra_keys=False)
    conv.register_structure_hook(datetime, lambda v, _: parse_aware_datetime(v))
    conv.register_structure_hook(TolerantEnum, structure_tolerant_enum)

    def is_optional_attrs(t: Any) -> bool:
        args = typing.get_args(t)
        return (
            typing.get_origin(t) in (typing.Union, types.UnionType)
            and len(args) == 2
            and type(None) in args
            and any(attrs.has(a) for a in args)
        )

    def optional_hook(t: Any) -> Callable[[Any, Any], Any]:
        inner = next(a for a in typing.get_args(t) if a is not type(None))
        hook = conv.get_structure_hook(inner)
        return lambda v, _: None if v is None else hook(v, inner)

    conv.register_structure_hook_factory(is_optional_attrs, optional_hook)

    def attrs_hook(cls: type[Any]) -> Callable[[Any, Any], Any]:
        return with_hooks(cls)

    def with_hooks(cls: type[Any], **hooks: Any) -> Callable[[Any, Any], Any]:
        renames = {
            a.name: override(rename=camel_case(a.name), struct_hook=hooks.get(a.name))
            for a in attrs.fields(cls)
        }
        return make_dict_structure_fn(cls, conv, **renames)

    conv.register_structure_hook_factory(attrs.has, attrs_hook)
    conv.register_structure_hook(
        WorkspaceSettings,
        with_hooks(WorkspaceSettings, admin_only_pages=lambda v, _: parse_admin_only_pages(v)),
    )
    return conv


# --- pydantic v2 and msgspec models of the same shape ---------------------------------------


class _Status(str, enum.Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    INACTIVE = "INACTIVE"


class _Kind(str, enum.Enum):
    WORKSPACE = "WORKSPACE"
    PROJECT = "PROJECT"
    USERGROUP = "USERGROUP"


def pydantic_workspace() -> Any:
    """pydantic v2 models of the Workspace's shape, or None when pydantic is not installed."""
    try:
        import pydantic
        from pydantic.alias_generators import to_camel
    except ImportError:
        return None

    class Model(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(frozen=True, alias_generator=to_camel)

    class Rate(Model):
        amount: int
        currency: str

    class Currency(Model):
        code: str
        id: str
        is_default: bool

    class Membership(Model):
        cost_rate: Rate | None = None
        hourly_rate: Rate | None = None
        membership_status: _Status
        membership_type: _Kind
        target_id: str
        user_id: str

    class Subdomain(Model):
        enabled: bool
        name: str | None = None

    class AutomaticLock(Model):
        change_day: str | None = None
        day_of_month: int | None = None
        first_day: str | None = None
        older_than_period: str | None = None
        older_than_value: int | None = None
        type: str

    class EntityCreationPermissions(Model):
        who_can_create_projects_and_clients: str
        who_can_create_tags: str
        who_can_create_tasks: str

    class RoundSettings(Model):
        minutes: int
        round: str

    class Settings(Model):
        active_billable_hours: bool
        admin_only_pages: list[str] = pydantic.Field(default_factory=list)
        automatic_lock: AutomaticLock | None = None
        can_see_time_sheet: bool
        can_see_tracker: bool
        currency_format: str
        default_billable_projects: bool
        duration_format: str
        entity_creation_permissions: EntityCreationPermissions | None = None
        force_description: bool
        force_projects: bool
        force_tags: bool
        force_tasks: bool
        is_project_public_by_default: bool
        lock_time_entries: datetime | None = None
        lock_time_zone: str | None = None
        multi_factor_enabled: bool
        number_format: str
        only_admins_can_change_billable_status: bool
        only_admins_create_project: bool
        only_admins_create_tag: bool
        only_admins_create_task: bool
        only_admins_see_all_time_entries: bool
        only_admins_see_billable_rates: bool
        only_admins_see_dashboard: bool
        only_admins_see_public_projects_entries: bool
        project_favorites: bool
        project_grouping_label: str | None = None
        project_label: str | None = None
        project_picker_special_filter: bool
        round: RoundSettings | None = None
        task_label: str | None = None
        time_rounding_in_reports: bool
        time_tracking_mode: str
        track_time_down_to_second: bool
        working_days: list[str] = pydantic.Field(default_factory=list)

        @pydantic.field_validator("admin_only_pages", mode="before")
        @classmethod
        def _pages(cls, value: Any) -> Any:
            return parse_admin_only_pages(value)

    class PWorkspace(Model):
        cake_organization_id: str | None = None
        cost_rate: Rate | None = None
        currencies: list[Currency] = pydantic.Field(default_factory=list)
        feature_subscription_type: str | None = None
        features: list[str] = pydantic.Field(default_factory=list)
        hourly_rate: Rate | None = None
        id: str
        image_url: str | None = None
        memberships: list[Membership] = pydantic.Field(default_factory=list)
        name: str
        subdomain: Subdomain | None = None
        workspace_settings: Settings | None = None

    return PWorkspace


def msgspec_workspace() -> Any:
    """msgspec Structs of the Workspace's shape, or None when msgspec is not installed."""
    try:
        import msgspec
    except ImportError:
        return None

    # kw_only (like the attrs models): optional fields come first, alphabetically.
    options: dict[str, Any] = {"rename": "camel", "frozen": True, "kw_only": True}
    Struct = msgspec.Struct

    class Rate(Struct, **options):
        amount: int
        currency: str

    class Currency(Struct, **options):
        code: str
        id: str
        is_default: bool

    class Membership(Struct, **options):
        cost_rate: Rate | None = None
        hourly_rate: Rate | None = None
        membership_status: _Status
        membership_type: _Kind
        target_id: str
        user_id: str

    class Subdomain(Struct, **options):
        enabled: bool
        name: str | None = None

    class AutomaticLock(Struct, **options):
        change_day: str | None = None
        day_of_month: int | None = None
        first_day: str | None = None
        older_than_period: str | None = None
        older_than_value: int | None = None
        type: str

    class EntityCreationPermissions(Struct, **options):
        who_can_create_projects_and_clients: str
        who_can_create_tags: str
        who_can_create_tasks: str

    class RoundSettings(Struct, **options):
        minutes: int
        round: str

    class Settings(Struct, **options):
        active_billable_hours: bool
        # msgspec has no field validators: the JSON-in-a-string form stays a string.
        admin_only_pages: str | list[str] = msgspec.field(default_factory=list)
        automatic_lock: AutomaticLock | None = None
        can_see_time_sheet: bool
        can_see_tracker: bool
        currency_format: str
        default_billable_projects: bool
        duration_format: str
        entity_creation_permissions: EntityCreationPermissions | None = None
        force_description: bool
        force_projects: bool
        force_tags: bool
        force_tasks: bool
        is_project_public_by_default: bool
        lock_time_entries: datetime | None = None
        lock_time_zone: str | None = None
        multi_factor_enabled: bool
        number_format: str
        only_admins_can_change_billable_status: bool
        only_admins_create_project: bool
        only_admins_create_tag: bool
        only_admins_create_task: bool
        only_admins_see_all_time_entries: bool
        only_admins_see_billable_rates: bool
        only_admins_see_dashboard: bool
        only_admins_see_public_projects_entries: bool
        project_favorites: bool
        project_grouping_label: str | None = None
        project_label: str | None = None
        project_picker_special_filter: bool
        round: RoundSettings | None = None
        task_label: str | None = None
        time_rounding_in_reports: bool
        time_tracking_mode: str
        track_time_down_to_second: bool
        working_days: list[str] = msgspec.field(default_factory=list)

    class MWorkspace(Struct, **options):
        cake_organization_id: str | None = None
        cost_rate: Rate | None = None
        currencies: list[Currency] = msgspec.field(default_factory=list)
        feature_subscription_type: str | None = None
        features: list[str] = msgspec.field(default_factory=list)
        hourly_rate: Rate | None = None
        id: str
        image_url: str | None = None
        memberships: list[Membership] = msgspec.field(default_factory=list)
        name: str
        subdomain: Subdomain | None = None
        workspace_settings: Settings | None = None

    return MWorkspace


# --- measuring --------------------------------------------------------------------------------

#: A row: a label and a function of (raw bytes list, parsed dicts list) that processes them all.
Row = tuple[str, Callable[[list[bytes], list[Any]], None]]


def rows() -> list[Row]:
    """Every row this machine can run."""
    fast = decoder._fast  # the production converter, whatever the test-suite switch says
    strict = decoder._strict_conv
    previous = cattrs_generated_converter()
    loads = json.loads
    ws_fast = fast.get_structure_hook(Workspace)
    ws_strict = strict.get_structure_hook(Workspace)
    ws_previous = previous.get_structure_hook(Workspace)

    def structure_all(raws: list[bytes], datas: list[Any]) -> None:
        for d in datas:
            decoder.structure(d, Workspace)

    def loads_structure_all(raws: list[bytes], datas: list[Any]) -> None:
        for r in raws:
            decoder.structure(loads(r), Workspace)

    # Every row drops each result at once (as a loop over responses would), so no row pays for
    # the garbage collector walking results that another row does not keep.
    def loads_all(raws: list[bytes], _: list[Any]) -> None:
        for r in raws:
            loads(r)

    def strict_all(_: list[bytes], datas: list[Any]) -> None:
        for d in datas:
            ws_strict(d, Workspace)

    def previous_all(_: list[bytes], datas: list[Any]) -> None:
        for d in datas:
            ws_previous(d, Workspace)

    result: list[Row] = [
        ("json.loads", loads_all),
        ("tc structure (production)", structure_all),
        ("tc loads+structure (production)", loads_structure_all),
        ("tc strict structure (test suite)", strict_all),
        ("cattrs generated (previous)", previous_all),
    ]
    assert ws_fast is not ws_previous
    pyd = pydantic_workspace()
    if pyd is not None:
        validate, validate_json = pyd.model_validate, pyd.model_validate_json

        def pydantic_all(_: list[bytes], datas: list[Any]) -> None:
            for d in datas:
                validate(d)

        def pydantic_json_all(raws: list[bytes], _: list[Any]) -> None:
            for r in raws:
                validate_json(r)

        result += [
            ("pydantic validate (dict)", pydantic_all),
            ("pydantic validate_json (bytes)", pydantic_json_all),
        ]
    mws = msgspec_workspace()
    if mws is not None:
        import msgspec

        convert = msgspec.convert
        decode = msgspec.json.Decoder(mws, strict=False).decode

        def msgspec_all(_: list[bytes], datas: list[Any]) -> None:
            for d in datas:
                convert(d, mws, strict=False)

        def msgspec_json_all(raws: list[bytes], _: list[Any]) -> None:
            for r in raws:
                decode(r)

        result += [
            ("msgspec convert (dict)", msgspec_all),
            ("msgspec decode (bytes)", msgspec_json_all),
        ]
    return result


def check_rows(raws: list[bytes], datas: list[Any]) -> None:
    """Every row reads the workload into the same thing (a benchmark of failures is no use)."""
    ours = decoder.structure(datas[0], Workspace)
    assert ours == decoder._strict_conv.structure(datas[0], Workspace)
    assert ours == cattrs_generated_converter().structure(datas[0], Workspace)
    pyd = pydantic_workspace()
    if pyd is not None:
        theirs = pyd.model_validate_json(raws[0])
        assert len(theirs.memberships) == len(ours.memberships)
        assert (
            theirs.workspace_settings.admin_only_pages == ours.workspace_settings.admin_only_pages
        )
    mws = msgspec_workspace()
    if mws is not None:
        import msgspec

        m = msgspec.json.decode(raws[0], type=mws, strict=False)
        assert [x.user_id for x in m.memberships] == [x.user_id for x in ours.memberships]


def measure(
    table: list[Row], raws: list[bytes], datas: list[Any], *, loops: int, repeats: int
) -> dict[str, float]:
    """Median µs per workspace of every row; rows interleaved within each repeat."""
    samples: dict[str, list[float]] = {label: [] for label, _ in table}
    count = len(raws) * loops
    for _ in range(repeats):
        for label, run in table:
            start = time.perf_counter_ns()
            for _ in range(loops):
                run(raws, datas)
            samples[label].append((time.perf_counter_ns() - start) / count / 1000)
    return {label: statistics.median(values) for label, values in samples.items()}


def report(title: str, results: dict[str, float], size: int) -> str:
    """A Markdown table of the results with ratios against json.loads."""
    base = results["json.loads"]
    lines = [
        f"### {title} ({size:,} bytes of JSON per workspace)",
        "",
        "| row | µs per workspace | ratio vs json.loads |",
        "|---|---:|---:|",
    ]
    lines += [f"| {label} | {us:,.1f} | {us / base:.2f}x |" for label, us in results.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--small-members", type=int, default=1)
    parser.add_argument("--large-members", type=int, default=600)
    parser.add_argument("--large-loops", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)

    was_strict = strict_decoding()
    set_strict_decoding(False)  # the production converter, as a client runs it
    try:
        base = sample()
        small = [workspace(base, i, args.small_members) for i in range(args.small)]
        small_raws = [json.dumps(w).encode() for w in small]
        small_datas = [json.loads(r) for r in small_raws]
        large_raw = json.dumps(workspace(base, 0, args.large_members)).encode()
        large_raws, large_datas = [large_raw], [json.loads(large_raw)]
        check_rows(small_raws, small_datas)
        check_rows(large_raws, large_datas)
        table = rows()

        print(f"Python {sys.version.split()[0]}", end="")
        for name in ("attrs", "cattrs", "pydantic", "msgspec"):
            try:
                print(f", {name} {importlib.metadata.version(name)}", end="")
            except importlib.metadata.PackageNotFoundError:
                print(f", {name} not installed", end="")
        print(f"; median of {args.repeats} repeats\n")
        small_size = round(statistics.mean(len(r) for r in small_raws))
        results = measure(table, small_raws, small_datas, loops=1, repeats=args.repeats)
        print(
            report(
                f"{args.small:,} workspaces of {args.small_members} membership(s)",
                results,
                small_size,
            )
        )
        print()
        results = measure(
            table, large_raws, large_datas, loops=args.large_loops, repeats=args.repeats
        )
        print(report(f"One workspace of {args.large_members} memberships", results, len(large_raw)))
    finally:
        set_strict_decoding(was_strict)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
