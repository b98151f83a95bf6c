"""Depth-bounded JSON reading and the bounded error-message walk: never a RecursionError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeclients._wire import (
    MAX_JSON_DEPTH,
    JSONTooDeep,
    Response,
    default_error_message,
    error_code,
    json_depth,
    load_json,
)
from timeclients.errors import DecodeError


def nested(depth: int, *, kind: str = "array") -> bytes:
    """A JSON text nested ``depth`` levels deep (``mixed``: an odd depth is one more)."""
    if kind == "array":
        return b"[" * depth + b"1" + b"]" * depth
    if kind == "object":
        return b'{"a":' * depth + b"1" + b"}" * depth
    pairs = (depth + 1) // 2  # an odd depth rounds up
    return b'[{"a":' * pairs + b"1" + b"}]" * pairs


def true_depth(value: Any) -> int:
    """The nesting depth of a parsed JSON value (containers only)."""
    if isinstance(value, list):
        return 1 + max((true_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((true_depth(v) for v in value.values()), default=0)
    return 0


@pytest.mark.parametrize("kind", ["array", "object", "mixed"])
@pytest.mark.parametrize("depth", [65, 200, 1000, 100_000])
def test_too_deep_bodies_are_refused_without_recursion_error(kind: str, depth: int) -> None:
    """Deeper than 64 levels: JSONTooDeep (a ValueError), at any depth, never RecursionError."""
    with pytest.raises(JSONTooDeep):
        load_json(nested(depth, kind=kind))


@pytest.mark.parametrize("kind", ["array", "object", "mixed"])
def test_sixty_four_levels_are_read(kind: str) -> None:
    """A body exactly at the limit parses as json.loads would."""
    text = nested(MAX_JSON_DEPTH, kind=kind)
    assert load_json(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        b"[" * 100_000,  # unclosed
        b"]" * 100_000,
        b'{"a": "' + b"[" * 1000 + b'"}',  # brackets inside a string do not count
        b'{"a": "\\"' + b"[" * 1000 + b'"}',  # nor after an escaped quote
        b'"\\\\"',
    ],
)
def test_brackets_in_strings_and_garbage(text: bytes) -> None:
    """Strings with brackets read normally; unbalanced garbage is a ValueError, never a crash."""
    try:
        value = load_json(text)
    except ValueError:
        return
    assert true_depth(value) <= MAX_JSON_DEPTH


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.integers(min_value=0, max_value=8))
def test_json_depth_is_exact_up_to_the_limit(value: Any, limit: int) -> None:
    """Property: json_depth agrees with the parsed value's depth at every limit."""
    text = json.dumps(value).encode()
    depth = true_depth(value)
    measured = json_depth(text, limit=limit)
    if depth <= limit:
        assert measured <= limit
    else:
        assert measured > limit


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_response_json_turns_depth_into_decode_error(method: str) -> None:
    """A 2xx body nested too deep is a DecodeError (applied after a write), not RecursionError."""
    response = Response(200, {}, nested(50_000), method, "/x")
    with pytest.raises(DecodeError) as info:
        response.json()
    assert "levels deep" in str(info.value)
    assert info.value.applied is (method == "PUT")


@pytest.mark.parametrize(
    "body", [nested(100_000), nested(500, kind="object"), nested(300, kind="mixed")]
)
def test_error_message_of_deep_bodies_is_bounded(body: bytes) -> None:
    """The error-message walk never recurses without bound; it gives text, never raises."""
    assert isinstance(default_error_message(body), str)
    assert error_code(body) is None


def test_error_message_walk_is_depth_capped() -> None:
    """A message nested inside 60 objects is not hunted down level by level."""
    value: Any = "deep words"
    for _ in range(60):
        value = {"message": value}
    message = default_error_message(json.dumps(value).encode())
    assert isinstance(message, str)
    assert len(message) <= 500


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"message": "m", "code": 4003}, 4003),
        ({"description": "d", "code": 1000}, 1000),
        ({"error": {"message": "m", "code": "E1"}}, "E1"),
        ({"message": "m", "code": True}, None),
        ({"message": "m", "code": ""}, None),
        (["code"], None),
    ],
)
def test_error_code_reads_the_vendors_own_code(body: Any, code: object) -> None:
    """error_code finds the vendor's code (an int or a string), never a boolean."""
    assert error_code(json.dumps(body).encode()) == code
