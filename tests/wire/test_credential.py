"""The one control-character check behind credentials and the pool's default headers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients import HttpPool
from timeclients._wire import check_credential, has_control_character
from timeclients.errors import ConfigurationError

_C0_OR_DEL = re.compile(r"[\x00-\x1f\x7f]")


@given(st.text())
def test_has_control_character_is_c0_or_del(text: str) -> None:
    """Exactly the C0 controls and DEL count, nothing else."""
    assert has_control_character(text) == bool(_C0_OR_DEL.search(text))


@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "tab\there", "del\x7f"])
def test_credentials_and_pool_headers_refuse_control_characters(bad: str) -> None:
    """A credential and a default header value with a control character are both refused."""
    with pytest.raises(ConfigurationError, match="control character"):
        check_credential("api_key", bad)
    with pytest.raises(ConfigurationError, match="control or non-ASCII character"):
        HttpPool(headers={"X-Test": bad})
