"""What a client authenticates with: :class:`Credential`, and the checks every credential passes."""

from __future__ import annotations

import hashlib

import attrs

from ..errors import ConfigurationError

__all__ = ["Credential", "check_credential", "credential_fingerprint", "has_control_character"]


@attrs.frozen
class Credential:
    """What a client authenticates with: its headers and a limiter id that reveals nothing.

    Each vendor's ``_protocol`` builds these (which header, which encoding); the client and its
    channel only carry them.
    """

    #: How it authenticates, in a word (``"api_key"``, ``"token"``, ``"anonymous"``, ...).
    kind: str
    headers: dict[str, str] = attrs.field(repr=False)
    limiter_id: str = attrs.field(repr=False)
    #: Where it came from, to name in an authentication error: the argument (``"api_key="``)
    #: or the environment variable (``"CLOCKIFY_API_KEY"``); never the value.
    source: str = ""


def has_control_character(text: str) -> bool:
    """True when ``text`` holds a C0 control character or DEL (CR and LF would split headers)."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def check_credential(name: str, value: str, *, header: bool = True) -> str:
    """Refuse a credential that is empty, not a string, or would inject headers."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name} must be a non-empty string")
    if has_control_character(value):
        raise ConfigurationError(f"{name} contains a control character (CR, LF, ...)")
    if header and not value.isascii():
        raise ConfigurationError(f"{name} must be ASCII to be sent in a header")
    return value


def credential_fingerprint(*parts: str) -> str:
    """A short one-way fingerprint of a credential: a limiter key that reveals nothing."""
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8"))
    return digest.hexdigest()[:16]
