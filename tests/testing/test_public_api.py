"""The public surface of ``timeclients.testing``: a sorted ``__all__``, exactly the exports."""

from __future__ import annotations

import types

import timeclients.testing as testing


def test_all_is_sorted_and_complete():
    """``__all__`` is sorted and equals the public names the package defines."""
    public = {
        name
        for name, value in vars(testing).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert testing.__all__ == sorted(testing.__all__)
    assert set(testing.__all__) == public


def test_emulator_repr_has_no_secrets():
    """The emulator's repr shows counts, never keys or tokens."""
    emu = testing.Emulator()
    ws = emu.seed_clockify_workspace(members=1)
    user = emu.seed_toggl_user()
    text = repr(emu)
    assert ws.api_key not in text
    assert user.api_token not in text
    assert "clockify_workspaces=1" in text
