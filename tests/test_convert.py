"""Shared converters: JSON names, aware datetimes, tolerant enums, DecodeError paths."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import TypeVar

import attrs
import cattrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients._decode import (
    ModelDecoder,
    TolerantEnum,
    camel_case,
    decoders,
    decoding_mode,
    model_structure_fn,
    parse_aware_datetime,
    set_strict_decoding,
    snake_case,
    strict_decoding,
)
from timeclients.errors import DecodeError

T = TypeVar("T")


class Colour(TolerantEnum):
    RED = "RED"
    BLUE = "BLUE"


@attrs.frozen
class Inner:
    user_id: str
    from_: datetime
    colour: Colour


@attrs.frozen
class Outer:
    id: str
    items: list[Inner]
    note: str | None = None


DECODER = ModelDecoder(naming=camel_case)
GOOD = {
    "id": "o1",
    "items": [{"userId": "u1", "from": "2026-01-15T08:00:00+01:00", "colour": "RED"}],
}


def test_camel_and_snake_names() -> None:
    """Attribute names map to the vendors' JSON keys."""
    assert camel_case("user_first_name") == "userFirstName"
    assert camel_case("from_") == "from"
    assert camel_case("id") == "id"
    assert snake_case("from_") == "from"


def test_structures_and_keeps_offset() -> None:
    """A datetime keeps the offset it was sent with."""
    outer = DECODER.structure(GOOD, Outer)
    assert outer.items[0].from_.utcoffset() == timedelta(hours=1)
    assert outer.items[0].colour is Colour.RED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-25T23:00:00Z", datetime(2024, 2, 25, 23, tzinfo=timezone.utc)),
        ("2013-03-06T12:18:42+00:00", datetime(2013, 3, 6, 12, 18, 42, tzinfo=timezone.utc)),
    ],
)
def test_aware_datetimes(text: str, expected: datetime) -> None:
    """Z and explicit offsets are read as aware datetimes."""
    assert parse_aware_datetime(text) == expected


def test_naive_datetime_is_refused() -> None:
    """A datetime without a zone is ambiguous and does not decode."""
    with pytest.raises(ValueError, match="timezone"):
        parse_aware_datetime("2024-01-01T00:00:00")


@given(st.text(min_size=1, max_size=20))
def test_unknown_enum_values_parse(value: str) -> None:
    """Any string decodes into the enum; undocumented ones keep their raw value."""
    colour = Colour(value)
    assert colour.value == value
    assert colour.known is (value in ("RED", "BLUE"))
    assert Colour.is_documented(value) is (value in ("RED", "BLUE"))


def test_unknown_enum_in_payload() -> None:
    """A vendor's new enum value does not break decoding of the model."""
    data = {**GOOD, "items": [{**GOOD["items"][0], "colour": "TEAL"}]}  # type: ignore[dict-item]
    outer = DECODER.structure(data, Outer)
    assert outer.items[0].colour.value == "TEAL"
    assert not outer.items[0].colour.known
    assert list(Colour) == [Colour.RED, Colour.BLUE]


@pytest.mark.parametrize("strict", [True, False])
def test_decode_error_names_the_field(strict: bool) -> None:
    """A misfit field is named by its JSON path, in production and strict mode alike."""
    bad = {"id": "o1", "items": [GOOD["items"][0], {"userId": "u2", "colour": "RED"}]}
    set_strict_decoding(strict)
    try:
        with pytest.raises(DecodeError) as info:
            DECODER.structure(bad, Outer, method="GET", path="/o")
    finally:
        set_strict_decoding(True)
    assert info.value.field == "$.items[1].from"
    assert "GET /o" in str(info.value)


def test_missing_required_is_decode_error_not_keyerror() -> None:
    """A missing required key is a DecodeError, never a KeyError."""
    with pytest.raises(DecodeError) as info:
        DECODER.structure({"items": []}, Outer)
    assert info.value.field == "$.id"


def test_strict_mode_forbids_unknown_keys_production_ignores_them(strict_mode: None) -> None:
    """Drift from the documents fails in the test suite and is ignored in production."""
    data = {**GOOD, "surprise": 1}
    with pytest.raises(DecodeError):
        DECODER.structure(data, Outer)
    set_strict_decoding(False)
    try:
        assert DECODER.structure(data, Outer).id == "o1"
    finally:
        set_strict_decoding(True)


def test_each_decoder_has_its_own_strict_setting() -> None:
    """Strictness is a decoder's setting: a strict and a production decoder of the same models
    read the same answer each their own way, whatever the suite's mode."""
    data = {**GOOD, "surprise": 1}
    strict = ModelDecoder(naming=camel_case, strict=True)
    production = ModelDecoder(naming=camel_case, strict=False)
    with pytest.raises(DecodeError):
        strict.structure(data, Outer)
    assert production.structure(data, Outer).id == "o1"


def test_decoding_mode_sets_every_decoder_and_gives_each_its_own_back() -> None:
    """decoding_mode() switches every decoder alive inside the block, then restores each one's
    own setting (the fixture the suite selects its mode with)."""
    strict = ModelDecoder(naming=camel_case, strict=True)
    production = ModelDecoder(naming=camel_case, strict=False)
    with decoding_mode(strict=False):
        assert not strict.strict
        assert not production.strict
        assert not strict_decoding()
    assert (strict.strict, production.strict) == (True, False)
    with decoding_mode(strict=True):
        assert strict_decoding()
        assert strict in decoders()
        assert production in decoders()
    assert (strict.strict, production.strict) == (True, False)


def test_structure_list_requires_array() -> None:
    """An object where an array is documented is a DecodeError at $."""
    with pytest.raises(DecodeError) as info:
        DECODER.structure_list({"id": "x"}, Outer)
    assert info.value.field == "$"


# --- Production hooks: the fast generated code and the scalar/list hooks (both modes) --------


class Size(TolerantEnum):
    S = "S"
    M = "M"


@attrs.frozen
class Leaf:
    amount: int
    currency: str


@attrs.frozen(kw_only=True)
class Shape:
    name: str
    count: int
    ratio: float
    flag: bool
    size: Size
    leaf: Leaf | None = None
    maybe_text: str | None = None
    required_maybe: int | None
    tags: list[str] = attrs.field(factory=list)
    leaves: list[Leaf] = attrs.field(factory=list)
    sizes: list[Size] = attrs.field(factory=list)
    level: int = 3


SHAPE = {
    "name": "n",
    "count": 2,
    "ratio": 0.5,
    "flag": True,
    "size": "S",
    "leaf": {"amount": 1, "currency": "EUR"},
    "maybeText": "t",
    "requiredMaybe": None,
    "tags": ["a", "b"],
    "leaves": [{"amount": 2, "currency": "USD"}],
    "sizes": ["M", "XL"],
    "level": 4,
}
SHAPE_DECODER = ModelDecoder(naming=camel_case)
BOTH_MODES = pytest.mark.parametrize("strict", [True, False], ids=["strict", "production"])


def _structure(data: object, cls: type[T], *, strict: bool) -> T:
    set_strict_decoding(strict)
    try:
        return SHAPE_DECODER.structure(data, cls)
    finally:
        set_strict_decoding(True)


def _misfit(data: object, cls: type[object], *, strict: bool) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        _structure(data, cls, strict=strict)
    return info.value


def test_production_models_use_the_generated_hook() -> None:
    """Plain frozen slotted models get the generated hook in production, cattrs' when strict."""
    fast = SHAPE_DECODER._fast.get_structure_hook(Shape)
    strict = SHAPE_DECODER._strict_conv.get_structure_hook(Shape)
    assert fast.__code__.co_filename.startswith("<timeclients structure")
    assert not strict.__code__.co_filename.startswith("<timeclients structure")


@BOTH_MODES
def test_both_modes_structure_the_same_model(strict: bool) -> None:
    """The fast and the strict converter give equal models, tolerant enum values included."""
    shape = _structure(SHAPE, Shape, strict=strict)
    assert shape == Shape(
        name="n",
        count=2,
        ratio=0.5,
        flag=True,
        size=Size.S,
        leaf=Leaf(1, "EUR"),
        maybe_text="t",
        required_maybe=None,
        tags=["a", "b"],
        leaves=[Leaf(2, "USD")],
        sizes=[Size.M, Size("XL")],
        level=4,
    )
    assert shape.size is Size.S
    assert not shape.sizes[1].known
    assert type(shape.ratio) is float


@BOTH_MODES
def test_missing_optional_fields_take_their_defaults(strict: bool) -> None:
    """Absent optional keys give None, a fresh list per object, or the declared default."""
    data = {k: SHAPE[k] for k in ("name", "count", "ratio", "flag", "size", "requiredMaybe")}
    first = _structure(data, Shape, strict=strict)
    second = _structure(data, Shape, strict=strict)
    assert (first.leaf, first.maybe_text, first.level) == (None, None, 3)
    assert (first.tags, first.leaves, first.sizes) == ([], [], [])
    assert first.tags is not second.tags


@BOTH_MODES
def test_explicit_nulls_for_optional_fields(strict: bool) -> None:
    """``null`` for an optional model, string or int reads as None."""
    data = {**SHAPE, "leaf": None, "maybeText": None, "requiredMaybe": None}
    shape = _structure(data, Shape, strict=strict)
    assert (shape.leaf, shape.maybe_text, shape.required_maybe) == (None, None, None)


@BOTH_MODES
def test_required_optional_field_must_be_present(strict: bool) -> None:
    """A required ``int | None`` may be null but not absent."""
    data = {k: v for k, v in SHAPE.items() if k != "requiredMaybe"}
    assert _misfit(data, Shape, strict=strict).field == "$.requiredMaybe"


@BOTH_MODES
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("name", None),
        ("name", {"a": 1}),
        ("name", ["x"]),
        ("name", True),
        ("count", {"a": 1}),
        ("count", None),
        ("count", True),
        ("count", "many"),
        ("count", [1]),
        ("ratio", "half"),
        ("ratio", False),
        ("ratio", None),
        ("flag", "false"),
        ("flag", 0),
        ("flag", None),
        ("size", 3),
        ("size", None),
        ("size", {"S": 1}),
        ("leaf", "EUR 1"),
        ("leaf", [1, "EUR"]),
        ("maybeText", 7.5j),
        ("tags", "ab"),
        ("tags", {"a": 1}),
        ("leaves", {"amount": 1, "currency": "EUR"}),
        ("sizes", "S"),
        ("requiredMaybe", "x"),
    ],
)
def test_wrong_types_are_rejected_and_named(strict: bool, key: str, value: object) -> None:
    """A value of the wrong JSON type is a DecodeError naming its field, in both modes."""
    error = _misfit({**SHAPE, key: value}, Shape, strict=strict)
    assert error.field == f"$.{key}"


@BOTH_MODES
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("$.leaf.amount", {**SHAPE, "leaf": {"amount": None, "currency": "EUR"}}),
        ("$.leaf.currency", {**SHAPE, "leaf": {"amount": 1}}),
        ("$.leaves[1].amount", {**SHAPE, "leaves": [SHAPE["leaves"][0], {"currency": "X"}]}),  # type: ignore[index]
        ("$.tags[1]", {**SHAPE, "tags": ["a", None]}),
        ("$.sizes[0]", {**SHAPE, "sizes": [1]}),
    ],
)
def test_nested_misfits_name_the_nested_path(strict: bool, path: str, data: object) -> None:
    """A misfit inside a nested model or list is named down to the item."""
    assert _misfit(data, Shape, strict=strict).field == path


@BOTH_MODES
@pytest.mark.parametrize("value", [[SHAPE], "text", 3, None])
def test_a_model_must_be_a_json_object(strict: bool, value: object) -> None:
    """An array, string, number or null where an object is expected is refused at $."""
    assert _misfit(value, Shape, strict=strict).field == "$"


@BOTH_MODES
def test_lenient_scalar_conversions(strict: bool) -> None:
    """Numbers as ids, numeric strings as ints (Clockify's rounding minutes), ints as floats."""
    shape = _structure({**SHAPE, "name": 123, "count": "15", "ratio": 2}, Shape, strict=strict)
    assert (shape.name, shape.count, shape.ratio) == ("123", 15, 2.0)
    assert type(shape.ratio) is float


@BOTH_MODES
def test_lists_of_scalars_are_copied_and_checked(strict: bool) -> None:
    """A list field is a new list, and mixed items go through the item hook."""
    data = {**SHAPE, "tags": ["a", 5]}
    shape = _structure(data, Shape, strict=strict)
    assert shape.tags == ["a", "5"]
    assert shape.tags is not data["tags"]
    plain = {**SHAPE}
    assert _structure(plain, Shape, strict=strict).tags is not plain["tags"]


@BOTH_MODES
def test_production_ignores_unknown_keys_strict_names_them(strict: bool) -> None:
    """An unknown key is ignored in production and refused by the strict converter."""
    data = {**SHAPE, "surprise": 1, "leaf": {"amount": 1, "currency": "EUR", "extra": 2}}
    if strict:
        with pytest.raises(DecodeError):
            _structure(data, Shape, strict=True)
    else:
        assert _structure(data, Shape, strict=False).leaf == Leaf(1, "EUR")


@attrs.frozen
class Validated:
    amount: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.define
class Mutable:
    name: str


@attrs.frozen(cache_hash=True)
class CachedHash:
    name: str


@attrs.frozen
class PostInit:
    name: str
    upper: str = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "upper", self.name.upper())


@BOTH_MODES
def test_models_with_init_logic_keep_it(strict: bool) -> None:
    """Validators, post-init, cached hashes and non-frozen models still run their __init__."""
    assert _structure({"amount": 2}, Validated, strict=strict) == Validated(2)
    assert _misfit({"amount": -1}, Validated, strict=strict).field == "$"
    assert _structure({"name": "a"}, Mutable, strict=strict) == Mutable("a")
    cached = _structure({"name": "a"}, CachedHash, strict=strict)
    assert hash(cached) == hash(CachedHash("a"))
    assert _structure({"name": "a"}, PostInit, strict=strict).upper == "A"
    for cls in (Validated, CachedHash, PostInit):
        hook = SHAPE_DECODER._fast.get_structure_hook(cls)
        assert not hook.__code__.co_filename.startswith("<timeclients structure")


def test_mapping_that_is_not_a_dict_is_read() -> None:
    """Any Mapping is accepted where an object is expected (production reads it as a dict)."""
    from types import MappingProxyType

    leaf = _structure(MappingProxyType({"amount": 1, "currency": "EUR"}), Leaf, strict=False)
    assert leaf == Leaf(1, "EUR")


def test_field_hooks_apply_in_both_modes() -> None:
    """A vendor's per-field hook from model_structure_fn runs in production and strict mode."""

    def configure(conv: cattrs.Converter) -> None:
        conv.register_structure_hook(
            Leaf,
            model_structure_fn(
                conv, Leaf, naming=camel_case, hooks={"amount": lambda v, _: int(v) * 100}
            ),
        )

    decoder = ModelDecoder(naming=camel_case, configure=configure)
    for strict in (True, False):
        set_strict_decoding(strict)
        try:
            assert decoder.structure({"amount": "2", "currency": "EUR"}, Leaf).amount == 200
        finally:
            set_strict_decoding(True)


@attrs.frozen
class Note:
    text: str | None = None


def test_field_hooks_see_nulls_in_both_modes() -> None:
    """A per-field hook on an optional field receives null itself, in both modes."""
    seen: list[object] = []

    def hook(value: object, _: object) -> str:
        seen.append(value)
        return "none" if value is None else str(value)

    def configure(conv: cattrs.Converter) -> None:
        conv.register_structure_hook(
            Note, model_structure_fn(conv, Note, naming=camel_case, hooks={"text": hook})
        )

    decoder = ModelDecoder(naming=camel_case, configure=configure)
    for strict in (True, False):
        set_strict_decoding(strict)
        try:
            assert decoder.structure({"text": None}, Note).text == "none"
            assert decoder.structure({}, Note).text is None
        finally:
            set_strict_decoding(True)
    assert seen == [None, None]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@given(key=st.sampled_from(sorted(SHAPE)), value=json_values)
def test_fast_and_strict_agree_on_any_value(key: str, value: object) -> None:
    """For any JSON value in any field both modes accept it into equal models or both refuse."""
    data = {**SHAPE, key: value}
    results = []
    for strict in (True, False):
        try:
            results.append(("ok", _structure(data, Shape, strict=strict)))
        except DecodeError as error:
            results.append(("error", error.field))
    assert results[0] == results[1]


# Clockify's ``_configure`` hook (timeclients/clockify/_protocol.py) lives with the converters:
# its cache of parsed ``adminOnlyPages`` strings is pinned here.


@BOTH_MODES
def test_clockify_admin_pages_cache_hands_out_fresh_lists(strict: bool) -> None:
    """A cached adminOnlyPages string still gives each workspace its own list, both modes."""
    import json
    from pathlib import Path

    from timeclients.clockify._protocol import decoder as clockify
    from timeclients.clockify.models import WorkspaceSettings

    fixture = Path(__file__).parent / "fixtures" / "clockify_workspace.json"
    settings = json.loads(fixture.read_text())[0]["workspaceSettings"]
    set_strict_decoding(strict)
    try:
        first = clockify.structure(settings, WorkspaceSettings)
        first.admin_only_pages.append("MUTATED")
        second = clockify.structure(settings, WorkspaceSettings)
        as_array = clockify.structure({**settings, "adminOnlyPages": ["TEAM"]}, WorkspaceSettings)
        for _ in range(2):  # a bad string is never cached as good
            with pytest.raises(DecodeError) as info:
                clockify.structure({**settings, "adminOnlyPages": "[1"}, WorkspaceSettings)
            assert info.value.field == "$.adminOnlyPages"
    finally:
        set_strict_decoding(True)
    assert second.admin_only_pages == ["PROJECT", "TEAM", "REPORTS"]
    assert as_array.admin_only_pages == ["TEAM"]


# --- exact numbers (no truncation, no NaN ids) -------------------------------------------------


@BOTH_MODES
@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("count", 1999.99),
        ("count", float("nan")),
        ("count", float("inf")),
        ("count", float("-inf")),
        ("count", True),
        ("count", "1_000"),
        ("count", "\u0663"),  # an Arabic-Indic digit: int() would read it as 3
        ("count", "15.5"),
        ("ratio", float("nan")),
        ("ratio", float("inf")),
        ("name", float("nan")),
        ("name", 1.5),
        ("name", float("inf")),
        ("level", 2.5),
    ],
)
def test_numbers_are_read_exactly_or_refused(strict: bool, key: str, value: object) -> None:
    """A fraction, bool, NaN or infinity where an integer (or id) belongs fails, named."""
    error = _misfit({**SHAPE, key: value}, Shape, strict=strict)
    assert error.field == f"$.{key}"


@BOTH_MODES
@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [("count", 15.0, 15), ("count", "15", 15), ("count", "-3", -3), ("name", 12345, "12345")],
)
def test_integral_numbers_and_integer_ids_are_read(
    strict: bool, key: str, value: object, expected: object
) -> None:
    """An integral float or numeric string is its exact integer; an integer id is its text."""
    shape = _structure({**SHAPE, key: value}, Shape, strict=strict)
    assert getattr(shape, _snake(key)) == expected


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


@BOTH_MODES
@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not f.is_integer()))
def test_no_fraction_ever_becomes_an_integer(strict: bool, value: float) -> None:
    """Property: no non-integral float decodes into an integer field."""
    with pytest.raises(DecodeError):
        _structure({**SHAPE, "count": value}, Shape, strict=strict)


@BOTH_MODES
def test_a_nan_id_never_decodes_as_the_text_nan(strict: bool) -> None:
    """``{"id": NaN}`` is an error, not the id ``'nan'`` (the JSON parser accepts NaN)."""
    data = json.loads('{"id": NaN, "items": []}')
    set_strict_decoding(strict)
    with pytest.raises(DecodeError) as info:
        DECODER.structure(data, Outer)
    assert info.value.field == "$.id"


# --- null collections, applied writes -------------------------------------------------------------


@BOTH_MODES
def test_null_for_a_collection_with_a_default_reads_as_empty(strict: bool) -> None:
    """``"tags": null`` reads as the default empty list, as an absent key does."""
    shape = _structure({**SHAPE, "tags": None, "leaves": None}, Shape, strict=strict)
    assert shape.tags == []
    assert shape.leaves == []


@BOTH_MODES
@pytest.mark.parametrize(
    ("method", "applied"),
    [("GET", False), ("PUT", True), ("POST", True), ("DELETE", True), ("", False)],
)
def test_decode_errors_after_writes_are_applied(strict: bool, method: str, applied: bool) -> None:
    """A DecodeError for a write's 2xx answer says applied=True; for a read, False."""
    set_strict_decoding(strict)
    with pytest.raises(DecodeError) as info:
        DECODER.structure({"items": []}, Outer, method=method, path="/o")
    assert info.value.applied is applied
    with pytest.raises(DecodeError) as info:
        DECODER.structure_list({}, Outer, method=method, path="/o")
    assert info.value.applied is applied
