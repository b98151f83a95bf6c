"""A vendor's decoder: two converters (production and strict) and which one it uses.

Which one is the decoder's own setting, :attr:`ModelDecoder.strict`: production by default
(``TIMECLIENTS_STRICT_DECODING=1`` in the environment makes new decoders strict), switched for
every decoder at once by :func:`set_strict_decoding` or, scoped, :func:`decoding_mode` (the
test suite's fixture). Nothing reads a module global while decoding.
"""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import cattrs

from ._errors import decode_error, not_an_array
from ._hooks import make_converter
from ._values import Naming

__all__ = [
    "ModelDecoder",
    "decoders",
    "decoding_mode",
    "set_strict_decoding",
    "strict_decoding",
]

T = TypeVar("T")

#: Every decoder built so far (each vendor's, and any a test builds): the switches set them all.
_DECODERS: weakref.WeakSet[ModelDecoder] = weakref.WeakSet()


def _strict_from_environment() -> bool:
    return os.environ.get("TIMECLIENTS_STRICT_DECODING", "") not in ("", "0", "false")


class ModelDecoder:
    """Structures one vendor's JSON into its models; every failure is a ``DecodeError``.

    It holds two converters:

    * **production** — ``detailed_validation=False`` (the fast generated code) and unknown
      fields ignored, because vendors add fields and a client must not break when they do;
    * **strict** — detailed validation and ``forbid_extra_keys=True``, switched on by the test
      suite so that drift between our models and the vendors' documents fails a test instead
      of passing silently. It detects drift; it never demands completeness: a field with a
      default is optional in both modes.

    Both modes read the same values the same way; ``strict`` picks the one in force.
    """

    __slots__ = ("__weakref__", "_configure", "_fast", "_naming", "_strict_conv", "strict")

    def __init__(
        self,
        *,
        naming: Naming,
        configure: Callable[[cattrs.Converter], None] | None = None,
        unix_datetimes: bool = False,
        strict: bool | None = None,
    ) -> None:
        self._naming = naming
        self._configure = configure
        self._fast = self._build(strict=False, unix_datetimes=unix_datetimes)
        self._strict_conv = self._build(strict=True, unix_datetimes=unix_datetimes)
        #: Whether this decoder forbids unknown fields and validates in detail.
        self.strict: bool = _strict_from_environment() if strict is None else bool(strict)
        _DECODERS.add(self)

    def _build(self, *, strict: bool, unix_datetimes: bool) -> cattrs.Converter:
        conv = make_converter(naming=self._naming, strict=strict, unix_datetimes=unix_datetimes)
        if self._configure is not None:
            self._configure(conv)
        return conv

    @property
    def converter(self) -> cattrs.Converter:
        """The converter in force (strict under the test suite, fast otherwise)."""
        return self._strict_conv if self.strict else self._fast

    def structure(self, data: Any, cls: type[T], *, method: str = "", path: str = "") -> T:
        """``data`` as ``cls``, or a :class:`DecodeError` naming the field that did not fit.

        ``method`` and ``path`` are the request's: the error names them, and after a write
        (``PUT``, ``POST``...) its ``applied`` is True (the server answered 2xx: it made the
        change).
        """
        conv = self._strict_conv if self.strict else self._fast
        try:
            return conv.structure(data, cls)
        except Exception as exc:
            raise decode_error(
                self._strict_conv, self._naming, data, cls, exc, method=method, path=path
            ) from exc

    def structure_list(
        self, data: Any, cls: type[T], *, method: str = "", path: str = ""
    ) -> list[T]:
        """A JSON array of ``cls``."""
        if not isinstance(data, list):
            raise not_an_array(data, method=method, path=path)
        return self.structure(data, list[cls], method=method, path=path)  # type: ignore[valid-type]


def decoders() -> list[ModelDecoder]:
    """Every decoder alive (the vendors', and any a test built)."""
    return list(_DECODERS)


def set_strict_decoding(strict: bool) -> None:
    """Set :attr:`ModelDecoder.strict` on every decoder alive (the test suite's switch)."""
    for decoder in _DECODERS:
        decoder.strict = bool(strict)


def strict_decoding() -> bool:
    """Whether every decoder alive decodes strictly."""
    return all(decoder.strict for decoder in _DECODERS)


@contextlib.contextmanager
def decoding_mode(*, strict: bool) -> Iterator[None]:
    """Every decoder alive decodes strictly (or not) inside the block; each gets its own
    setting back after it."""
    previous = [(decoder, decoder.strict) for decoder in _DECODERS]
    set_strict_decoding(strict)
    try:
        yield
    finally:
        for decoder, was in previous:
            decoder.strict = was
