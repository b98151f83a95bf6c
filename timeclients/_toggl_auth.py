"""Toggl's credential switching: a client (v8 or v9) that follows the account's own changes.

A new e-mail or password (for a client that signs in with them) and a reset token are used
from the next call on; the credentials themselves are built by ``_toggl_common``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Final, Protocol, TypeVar

from ._base import BaseClient
from ._toggl_common import basic_credential, token_credential
from ._wire import Credential
from .errors import DecodeError

__all__ = ["TogglAccountClient"]

#: Where a credential came from, named (never shown) in an authentication error.
_RESET_SOURCE: Final = "the token me.reset_token() returned"


class _User(Protocol):
    """A Toggl user as ``PUT /me`` answers it (v8 and v9 alike): its e-mail may be left out."""

    @property
    def email(self) -> str | None: ...


U = TypeVar("U", bound=_User)


class TogglAccountClient(BaseClient):
    """A Toggl client (v8 or v9) whose sign-in follows the account's own changes.

    A new e-mail or password (for a client that signs in with them) and a reset token are
    used from the next call on; the limiter key follows and keeps pace, because Toggl counts
    the account, which already saw the request that made the switch.
    """

    #: Kept only for e-mail/password sign-in, to follow an e-mail or password change.
    _email: str | None = None
    _password: str | None = None

    def _remember_login(
        self, credential: Credential, email: str | None, password: str | None
    ) -> None:
        if credential.kind == "basic":
            self._email, self._password = email, password

    def _use(self, credential: Credential) -> None:
        self._use_credential(credential, keep_pace=True)

    async def _change(
        self, change: Awaitable[U], *, email: object = None, password: str | None = None
    ) -> U:
        """Await a ``PUT /me`` that sets ``email`` (a str) or ``password``, and sign in as the
        account now is from the next call on: also when the 2xx answer cannot be decoded
        (the :class:`DecodeError` is ``applied``: the change was made all the same)."""
        try:
            user = await change
        except DecodeError as exc:
            if exc.applied:
                self._changed(email, password, None)
            raise
        self._changed(email, password, user.email)
        return user

    def _changed(self, email: object, password: str | None, accepted: str | None) -> None:
        if isinstance(email, str):
            self._email_changed(email, accepted)
        if password is not None:
            self._password_changed(password)

    def _email_changed(self, requested: str, accepted: str | None) -> None:
        """Sign in with the new address once the server accepted it (and echoed it back)."""
        if self._password is None:
            return
        if accepted is not None and accepted.casefold() != requested.casefold():
            return
        self._email = accepted or requested
        self._use(basic_credential(self._email, self._password))

    def _password_changed(self, password: str) -> None:
        """Sign in with the new password once the server accepted it."""
        if self._email is not None:
            self._password = password
            self._use(basic_credential(self._email, password))

    def _token_reset(self, token: str) -> None:
        """Sign in with the new token from now on, and forget any e-mail and password."""
        self._use(token_credential(token, source=_RESET_SOURCE))
        self._email = self._password = None
