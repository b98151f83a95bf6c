"""Toggl v9 models read tolerantly: ids required, the rest optional, wrong types named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients import _decode
from timeclients.errors import DecodeError
from timeclients.toggltrack import Quota, User
from timeclients.toggltrack._protocol import decoder


def test_a_user_needs_only_its_id() -> None:
    """Every field but ``id`` may be missing: it is then ``None``."""
    user = decoder.structure({"id": 1}, User)
    assert user == User(id=1)
    assert user.workspaces is None
    assert user.email is None


def test_a_user_without_an_id_is_a_decode_error() -> None:
    """The id is what the object means: without it the answer does not fit."""
    with pytest.raises(DecodeError) as info:
        decoder.structure({"email": "a@example.com"}, User, method="GET", path="/me")
    assert "id" in str(info.value)


def test_a_wrong_type_names_the_field() -> None:
    """A field of the wrong type is a DecodeError naming its JSON path."""
    with pytest.raises(DecodeError) as info:
        decoder.structure({"id": 1, "beginning_of_week": "monday"}, User)
    assert info.value.field is not None
    assert "beginning_of_week" in info.value.field


def test_unknown_fields_are_rejected_strictly_and_ignored_in_production() -> None:
    """The test suite's strict mode rejects drift; production ignores fields Toggl adds."""
    data = {"id": 1, "2fa_enabled": True, "intercom_hash": "x"}
    with _decode.decoding_mode(strict=True), pytest.raises(DecodeError):
        decoder.structure(data, User)
    with _decode.decoding_mode(strict=False):
        assert decoder.structure(data, User) == User(id=1)


def test_timestamps_keep_their_offset() -> None:
    """RFC 3339 timestamps with ``Z`` or an offset decode as aware datetimes."""
    user = decoder.structure({"id": 1, "at": "2025-09-05T12:00:00+03:00"}, User)
    assert user.at is not None
    assert user.at.utcoffset() is not None
    assert user.at.isoformat() == "2025-09-05T12:00:00+03:00"


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "organization_id": st.none() | st.integers(1, 2**40),
            "remaining": st.integers(-100, 10_000),
            "resets_in_secs": st.integers(0, 7200),
            "total": st.integers(0, 10_000),
        },
    )
)
def test_any_documented_quota_decodes(data: dict[str, int | None]) -> None:
    """Every combination of ``me.GetQuotaResult``'s fields decodes to the same values."""
    quota = decoder.structure(data, Quota)
    for name, value in data.items():
        assert getattr(quota, name) == value
    assert quota.is_user_quota == (data.get("organization_id") is None)
