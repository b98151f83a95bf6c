"""Shared argument checks: each names the argument and the rule."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeclients import _validate as v
from timeclients._decode import TolerantEnum
from timeclients.errors import ValidationError


class Kind(TolerantEnum):
    A = "A"
    B = "B"


@pytest.mark.parametrize("bad", ["", "   ", 5, None, b"id"])
def test_check_id_refuses(bad: object) -> None:
    """Ids are non-empty strings."""
    with pytest.raises(ValidationError) as info:
        v.check_id("user_id", bad)
    assert info.value.argument == "user_id"


def test_check_ids_refuses_bare_string() -> None:
    """A bare string is not a list of ids (it would iterate characters)."""
    with pytest.raises(ValidationError):
        v.check_ids("user_ids", "abc")
    with pytest.raises(ValidationError) as info:
        v.check_ids("user_ids", ["a", ""])
    assert info.value.argument == "user_ids[1]"


@given(st.integers(min_value=0))
def test_non_negative_ints_pass(n: int) -> None:
    """Every integer >= 0 is a valid amount."""
    assert v.check_non_negative_int("amount", n) == n


@pytest.mark.parametrize("bad", [-1, 1.5, 2.0, True, "5", None])
def test_amount_refuses(bad: object) -> None:
    """Negative, fractional, boolean and string amounts are refused."""
    with pytest.raises(ValidationError, match="amount"):
        v.check_non_negative_int("amount", bad)


@pytest.mark.parametrize("email", ["john@example.com", "a.b+c@sub.example.co", "ü@exämple.de"])
def test_plausible_emails(email: str) -> None:
    """Ordinary addresses pass."""
    assert v.check_email("email", email) == email


@pytest.mark.parametrize(
    "email",
    [
        "",
        "john",
        "john@",
        "@example.com",
        "john@example",
        "jo hn@example.com",
        "a@b@c.com",
        "john@example.com\r\n",
        5,
    ],
)
def test_implausible_emails(email: object) -> None:
    """Typos and header-injection attempts are refused."""
    with pytest.raises(ValidationError):
        v.check_email("email", email)


def test_text_bounds() -> None:
    """Length bounds are inclusive."""
    assert v.check_text("name", "x" * 50, max_len=50)
    with pytest.raises(ValidationError, match="1-50"):
        v.check_text("name", "x" * 51, max_len=50)
    with pytest.raises(ValidationError):
        v.check_text("name", "", max_len=50)


def test_enum_input_must_be_documented() -> None:
    """Input accepts members or their strings, never an undocumented value."""
    assert v.check_enum("kind", "A", Kind) is Kind.A
    assert v.check_enum("kind", Kind.B, Kind) is Kind.B
    with pytest.raises(ValidationError):
        v.check_enum("kind", "C", Kind)
    with pytest.raises(ValidationError):
        v.check_enum("kind", Kind("C"), Kind)
    with pytest.raises(ValidationError):
        v.check_enums("kinds", "A", Kind)


def test_aware_datetimes_only() -> None:
    """Naive datetimes are refused; aware ones format as UTC with Z."""
    with pytest.raises(ValidationError, match="timezone-aware"):
        v.require_aware("since", datetime(2020, 1, 1))
    plus_two = timezone(timedelta(hours=2))
    since = v.require_aware("since", datetime(2020, 1, 1, 2, tzinfo=plus_two))
    assert v.format_utc(since) == "2020-01-01T00:00:00Z"
    assert v.format_utc(datetime(2020, 1, 1, 0, 0, 0, 5, tzinfo=timezone.utc)) == (
        "2020-01-01T00:00:00.000005Z"
    )


@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_format_utc_roundtrips(value: datetime) -> None:
    """format_utc gives a Z string that parses back to the same instant."""
    text = v.format_utc(value)
    assert text.endswith("Z")
    # Compare instants: Python calls ambiguous (DST fold) times unequal across zones.
    assert datetime.fromisoformat(text[:-1] + "+00:00").timestamp() == value.timestamp()


def test_int_range() -> None:
    """Inclusive integer ranges, bools refused."""
    assert v.check_int_range("beginning_of_week", 6, 0, 6) == 6
    for bad in (7, -1, True, 1.0):
        with pytest.raises(ValidationError):
            v.check_int_range("beginning_of_week", bad, 0, 6)


# --- hostile arguments (issue: names, e-mails, lone surrogates, base URLs) --------------------

TEXT_ALPHABET = st.characters(blacklist_categories=("Cs",))


@pytest.mark.parametrize("bad", ["   ", "\x00\x00\x00", "Acme\n", "A\tB", "a\x7fb", "x\x85y", ""])
def test_text_fields_refuse_blank_and_control_characters(bad: str) -> None:
    """A name that is blank after stripping, or holds a control character, is refused."""
    with pytest.raises(ValidationError) as info:
        v.check_text_field("name", bad, max_len=50)
    assert info.value.argument == "name"


@given(st.text(alphabet=TEXT_ALPHABET, min_size=1, max_size=50))
def test_text_fields_accept_exactly_printable_non_blank_text(text: str) -> None:
    """check_text_field accepts a string iff it is non-blank and has no C0/DEL/C1 character."""
    control = any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text)
    if control or not text.strip():
        with pytest.raises(ValidationError):
            v.check_text_field("name", text, max_len=50)
    else:
        assert v.check_text_field("name", text, max_len=50) == text


@pytest.mark.parametrize(
    "email", ["john@example.com\n", "john@example.com\r", "\njohn@example.com", "jo\ud800@x.com"]
)
def test_emails_are_checked_as_a_whole(email: str) -> None:
    """A trailing newline (which ``$`` lets through) or a lone surrogate is refused."""
    with pytest.raises(ValidationError):
        v.check_email("email", email)


@given(st.emails())
def test_generated_emails_pass_and_a_newline_breaks_them(email: str) -> None:
    """Every address hypothesis generates passes; the same with a newline appended does not."""
    if len(email) <= 254:
        assert v.check_email("email", email) == email
    with pytest.raises(ValidationError):
        v.check_email("email", email + "\n")


@given(st.text(max_size=10), st.sampled_from(["\ud800", "\udfff", "\udc80"]), st.text(max_size=10))
def test_lone_surrogates_are_refused_everywhere(before: str, surrogate: str, after: str) -> None:
    """Ids, id lists, text and e-mails with a lone surrogate are a ValidationError."""
    value = before + surrogate + after
    for check in (v.check_id, v.check_text, v.check_text_field, v.check_email):
        with pytest.raises(ValidationError):
            check("x", value)
    with pytest.raises(ValidationError):
        v.check_ids("x", ["ok", value])


@pytest.mark.anyio
async def test_hostile_arguments_reach_no_wire_and_spend_no_slot() -> None:
    """The issue's cases: each raises ValidationError with nothing sent and no limiter slot."""
    import httpx

    from timeclients import ClockifyClient, HttpPool, McTimeClient, TogglClient

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    async with HttpPool(transport=httpx.MockTransport(handler)) as pool:
        clockify = ClockifyClient(api_key="k", pool=pool)
        mctime = McTimeClient(api_key="k", pool=pool)
        toggl = TogglClient(api_token="t", pool=pool)
        calls = [
            lambda: clockify.workspaces.create(name="   ", organization_id="o1"),
            lambda: clockify.workspaces.create(name="\x00\x00\x00", organization_id="o1"),
            lambda: clockify.users.add("w1", email="john@example.com\n"),
            lambda: clockify.workspaces.get("\ud800"),
            lambda: clockify.users.set_cost_rate("w1", "u\ud800", amount=1),
            lambda: clockify.users.add("w1", email="jo\ud800hn@example.com"),
            lambda: clockify.workspaces.set_hourly_rate("w1", amount=1, currency="US\nD"),
            lambda: mctime.clock.page(user_ids=["\ud800"]),
            lambda: mctime.clock.get("\udfff"),
            lambda: toggl.me.update(email="john@example.com\n"),
            lambda: toggl.me.update(fullname="\x00"),
            lambda: toggl.signups.create(
                email="a@example.com\n", password="secret", timezone="UTC", created_with="x"
            ),
            lambda: toggl.signups.create(
                email="a@example.com", password="sec\ud800ret", timezone="UTC", created_with="x"
            ),
        ]
        for call in calls:
            with pytest.raises(ValidationError):
                await call()
        with pytest.raises(ValidationError):  # a listing checks its filters when it is made
            clockify.users.list("w1", email="\ud800")
        with pytest.raises(ValidationError):
            clockify.users.list("w1", name="  ")
    assert sent == []
    assert clockify.stats.requests == mctime.stats.requests == toggl.stats.requests == 0


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://api.example.com/v1\r\nX-Evil: 1", "whitespace or control"),
        ("https://api.example.com/v1\n", "whitespace or control"),
        ("https://api.exam\x00ple.com/v1", "whitespace or control"),
        ("https://api.example.com/v 1", "whitespace or control"),
        ("https://api.\ud800.com/v1", "not valid Unicode"),
        ("https://api.example.com:99999/v1", "not a valid URL"),
        ("https://api.example.com:port/v1", "not a valid URL"),
        ("https://xn--/v1", "invalid host"),
        ("https://exämple..de/v1", "invalid host"),
        ("https:///v1", "with a host"),
        ("https://user:pw@api.example.com", "credentials"),
        ("http://api.example.com", "must be https://"),
    ],
)
def test_base_url_is_validated_completely(url: str, rule: str) -> None:
    """Everything that would fail at the first call fails at construction, naming base_url."""
    from timeclients import ClockifyClient
    from timeclients.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        ClockifyClient(api_key="k", base_url=url)
    assert str(info.value).startswith("base_url")
    assert rule in str(info.value)


@given(st.text(max_size=30))
def test_base_url_validation_never_raises_anything_else(tail: str) -> None:
    """Whatever follows the scheme, the answer is a URL or a ConfigurationError."""
    from timeclients._transport import validate_base_url
    from timeclients.errors import ConfigurationError

    with contextlib.suppress(ConfigurationError):
        validate_base_url("https://" + tail)


def test_request_repr_redacts_secrets() -> None:
    """repr(Request) hides passwords, tokens and keys in the body and the query."""
    from timeclients._transport import Request

    request = Request(
        "PUT",
        ("me",),
        query=(("api_token", "tok-123"), ("page", "2")),
        json={"user": {"current_password": "old-pw-1", "password": "new-pw-2", "email": "a@b.c"}},
    )
    text = repr(request)
    for secret in ("tok-123", "old-pw-1", "new-pw-2"):
        assert secret not in text
    assert "a@b.c" in text
    assert "('page', '2')" in text


@pytest.mark.parametrize(
    "options",
    [
        {"api_token": "tok\ud800en"},
        {"email": "a\udc80@example.com", "password": "secret-pw"},
        {"email": "a@example.com", "password": "secret\ud800"},
    ],
)
def test_credentials_with_a_lone_surrogate_are_a_configuration_error(
    options: dict[str, str],
) -> None:
    """A credential with no UTF-8 form is refused at construction, naming it, never showing it."""
    from timeclients import ClockifyClient, McTimeClient, TogglClient
    from timeclients.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        TogglClient(**options)
    assert "surrogate" in str(info.value)
    assert "secret" not in str(info.value)
    for cls in (ClockifyClient, McTimeClient):
        with pytest.raises(ConfigurationError, match="api_key"):
            cls(api_key="key\ud800")
