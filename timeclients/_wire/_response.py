"""What an answer says, read without I/O: the :class:`Response` view and the error-body readers.

The default error reader knows the shapes the shipped vendors send (each named where it is
read); a vendor whose errors read otherwise declares its own reader in its spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from ..errors import DecodeError
from ._body import MAX_JSON_DEPTH, WRITE_METHODS, JSONTooDeep, load_json

__all__ = [
    "ErrorMessage",
    "QuotaReader",
    "Response",
    "default_error_message",
    "error_code",
]


@attrs.frozen
class Response:
    """A successful response: status, headers and the body bytes."""

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=False)
    method: str = ""
    path: str = ""

    @property
    def applied(self) -> bool:
        """True when this 2xx answered a write: the server made the change, whatever the body."""
        return self.method in WRITE_METHODS

    def json(self) -> Any:
        """The body parsed as JSON; a body that is not JSON is a :class:`DecodeError`.

        So is a body nested more than :data:`MAX_JSON_DEPTH` levels deep (never a
        ``RecursionError``). After a write, the error's ``applied`` is True.
        """
        try:
            return load_json(self.content)
        except JSONTooDeep as exc:
            reason = f"nested more than {MAX_JSON_DEPTH} levels deep"
            cause: Exception = exc
        except ValueError as exc:  # UnicodeDecodeError included
            reason = f"not JSON ({exc.__class__.__name__})"
            cause = exc
        raise DecodeError(
            f"{self.method} {self.path}: response body is {reason}",
            method=self.method,
            path=self.path,
            applied=self.applied,
        ) from cause


#: The keys that hold an error's text, in the order they are read (Clockify ``message`` and,
#: in older answers, ``description``; ``error`` alone or as ``{"error": {"message": ...}}``).
_MESSAGE_KEYS: Final = (
    "message",
    "description",
    "error",
    "errors",
    "error_description",
    "detail",
    "title",
    "msg",
)
#: How deep the error-message walk looks, and how many parts of a list it joins.
_MESSAGE_DEPTH: Final = 6
_MESSAGE_PARTS: Final = 20
_MESSAGE_MAX: Final = 500


def default_error_message(content: bytes) -> str:
    """The vendor's error text from an error body, whatever its shape.

    Reads ``{"message": ...}`` and ``{"description": ...}`` (Clockify, with its own ``code``
    appended as ``" (code N)"``), ``{"error": ...}`` and ``{"error": {"message": ...}}``, a JSON
    string, an array of messages (Toggl v8's localized list, joined with ``"; "``), and plain
    text. An object with none of those keys gives its string values. Never fails, never walks
    deeper than a few levels, and never returns ``""`` for a body that holds words.
    """
    text = content.decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    try:
        data = load_json(content)
    except ValueError:  # not JSON (or nested absurdly deep): the text itself
        return text[:_MESSAGE_MAX]
    message = _message_of(data, 0)
    if not message:
        message = "; ".join(_strings_in(data, 0))
    return message[:_MESSAGE_MAX]


def error_code(content: bytes) -> int | str | None:
    """The vendor's own error code in an error body (``{"code": 1000}``, also inside
    ``{"error": {...}}``), or ``None``. Booleans and empty strings are not codes."""
    if b"code" not in content:
        return None
    try:
        data = load_json(content)
    except ValueError:
        return None
    for _ in range(2):
        if not isinstance(data, dict):
            return None
        code = data.get("code")
        if _is_code(code):
            return code
        data = data.get("error")
    return None


def _is_code(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and bool(value.strip()))


def _message_of(data: Any, depth: int) -> str:
    """The message in ``data``: the first message key's text, a list's texts joined."""
    if isinstance(data, str):
        return data.strip()
    if depth >= _MESSAGE_DEPTH:
        return ""
    if isinstance(data, list):
        parts = (_message_of(x, depth + 1) for x in data[:_MESSAGE_PARTS])
        return "; ".join(p for p in parts if p)
    if isinstance(data, dict):
        for key in _MESSAGE_KEYS:
            value = data.get(key)
            if value in (None, "", [], {}):
                continue
            message = _message_of(value, depth + 1)
            if not message and isinstance(value, dict):
                # {"errors": {"email": ["is invalid"]}}: the field names with their texts.
                message = "; ".join(
                    f"{k}: {m}" if isinstance(k, str) else m
                    for k, m in ((k, _message_of(v, depth + 2)) for k, v in value.items())
                    if m
                )
            if not message:
                continue
            code = data.get("code")
            if (
                key in ("message", "description")
                and isinstance(code, int)
                and not isinstance(code, bool)
            ):
                return f"{message} (code {code})"
            return message
        return ""
    if data is None or isinstance(data, bool):
        return ""
    return str(data)


def _strings_in(data: Any, depth: int) -> list[str]:
    """Every non-empty string value in ``data`` (not keys), a bounded walk, at most 20."""
    found: list[str] = []
    stack: list[tuple[Any, int]] = [(data, depth)]
    while stack and len(found) < _MESSAGE_PARTS:
        item, level = stack.pop()
        if isinstance(item, str):
            if item.strip():
                found.append(item.strip())
        elif level < _MESSAGE_DEPTH and isinstance(item, (list, dict)):
            values = list(item.values() if isinstance(item, dict) else item)[:_MESSAGE_PARTS]
            stack.extend((v, level + 1) for v in reversed(values))
    return found


#: Reads a vendor's error text from an error body.
ErrorMessage = Callable[[bytes], str]
#: Reads what a response says of the key's server-side quota: (requests remaining, seconds until
#: it resets), each ``None`` when not said. A vendor whose server reports quotas declares one.
QuotaReader = Callable[[Mapping[str, str]], tuple[int | None, float | None]]
