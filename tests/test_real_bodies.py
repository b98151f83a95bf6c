"""Bodies shaped like what the vendors really send, through the public client calls.

Recorded-shape answers (fields left out, ``null`` settings, rates without a currency, old and new
Toggl ``/me`` answers, every error-body shape) decode in both decoding modes; a write answered
2xx whose body does not decode raises ``DecodeError`` with ``applied=True``; error bodies give
the vendor's words in ``.message`` and its own ``.code``. No network: a mock transport answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from timeclients import HttpPool
from timeclients._decode import set_strict_decoding
from timeclients.clockify import ClockifyClient, Rate
from timeclients.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DecodeError,
    NotFoundError,
)
from timeclients.mctime import McTimeClient
from timeclients.toggl import TogglClient

from .clockify import samples as clockify_samples
from .mctime.test_models import SAMPLE_ITEM

WS = "5c9f6b1bb0798751a8b50e47"
USER = "5c9f6b1bb0798751a8b50e48"
MODES = pytest.mark.parametrize("strict", [True, False], ids=["strict", "production"])
Handler = Callable[[httpx.Request], httpx.Response]

#: A 2019-era workspace: no plan, features or currencies; settings without the later keys
#: (activeBillableHours, durationFormat, currencyFormat, numberFormat, multiFactorEnabled...);
#: adminOnlyPages as a real array; a membership rate without a currency; empty imageUrl.
WORKSPACE_2019: dict[str, Any] = {
    "id": WS,
    "name": "Acme's workspace",
    "hourlyRate": {"amount": 0, "currency": "USD"},
    "memberships": [
        {
            "userId": USER,
            "hourlyRate": {"amount": 2500},
            "costRate": None,
            "targetId": WS,
            "membershipType": "WORKSPACE",
            "membershipStatus": "ACTIVE",
        }
    ],
    "workspaceSettings": {
        "timeRoundingInReports": False,
        "onlyAdminsSeeBillableRates": True,
        "onlyAdminsCreateProject": True,
        "onlyAdminsSeeDashboard": False,
        "defaultBillableProjects": True,
        "lockTimeEntries": None,
        "round": {"round": "Round to nearest", "minutes": "15"},
        "projectFavorites": True,
        "canSeeTimeSheet": False,
        "projectPickerSpecialFilter": False,
        "forceProjects": False,
        "forceTasks": False,
        "forceTags": False,
        "forceDescription": False,
        "onlyAdminsSeeAllTimeEntries": False,
        "onlyAdminsSeePublicProjectsEntries": False,
        "trackTimeDownToSecond": True,
        "projectGroupingLabel": "client",
        "adminOnlyPages": [],
        "automaticLock": None,
        "onlyAdminsCreateTag": False,
    },
    "imageUrl": "",
    "featureSubscriptionType": None,
}

#: A workspace as small as Clockify's OpenAPI allows in practice, and one whose settings hold
#: three keys.
MINIMAL_WORKSPACE: dict[str, Any] = {"id": WS, "name": "Bare"}
THREE_SETTINGS: dict[str, Any] = {
    "id": WS,
    "name": "Three",
    "workspaceSettings": {"forceTags": True, "timeTrackingMode": "DEFAULT", "workingDays": None},
}

#: GET /workspaces/{id}/users items: a full one, and one with ``name`` and ``settings`` null.
USERS: list[dict[str, Any]] = [
    {
        "id": USER,
        "email": "ann@example.com",
        "name": "Ann",
        "memberships": [],
        "profilePicture": "https://img.clockify.me/no-user-image.png",
        "activeWorkspace": WS,
        "defaultWorkspace": WS,
        "settings": {"weekStart": "MONDAY", "timeZone": "Europe/Belgrade"},
        "status": "ACTIVE",
        "customFields": [],
    },
    {"id": "5c9f6b1bb0798751a8b50e49", "email": "bob@example.com", "name": None, "settings": None},
]


def _clockify(handler: Handler) -> ClockifyClient:
    pool = HttpPool(transport=httpx.MockTransport(handler))
    return ClockifyClient(api_key="k", pool=pool, rate_limit=None, retry=None)


def _answer(status: int, body: Any) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, (bytes, str)):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)

    return handler


def _mode(strict: bool) -> None:
    set_strict_decoding(strict)  # the suite's autouse fixture restores the selected mode


# --- Clockify: every call that returns a workspace --------------------------------------------

CLOCKIFY_CALLS: dict[str, Callable[[ClockifyClient], Any]] = {
    "workspaces.get": lambda c: c.workspaces.get(WS),
    "workspaces.create": lambda c: c.workspaces.create(name="Acme", organization_id="org1"),
    "workspaces.set_cost_rate": lambda c: c.workspaces.set_cost_rate(WS, amount=100),
    "workspaces.set_hourly_rate": lambda c: c.workspaces.set_hourly_rate(WS, amount=100),
    "users.add": lambda c: c.users.add(WS, email="new@example.com"),
    "users.set_status": lambda c: c.users.set_status(WS, USER, status="ACTIVE"),
    "users.set_cost_rate": lambda c: c.users.set_cost_rate(WS, USER, amount=100),
    "users.set_hourly_rate": lambda c: c.users.set_hourly_rate(WS, USER, amount=100),
}
WRITES = {name for name in CLOCKIFY_CALLS if name != "workspaces.get"}


@MODES
@pytest.mark.anyio
@pytest.mark.parametrize("call", sorted(CLOCKIFY_CALLS))
@pytest.mark.parametrize(
    "body",
    [
        WORKSPACE_2019,
        MINIMAL_WORKSPACE,
        THREE_SETTINGS,
        clockify_samples.workspace(),  # Clockify's own example (the document's sample)
    ],
    ids=["recorded-2019", "minimal", "three-settings", "vendor-example"],
)
async def test_clockify_workspace_calls_read_real_shapes(
    call: str, body: dict[str, Any], strict: bool
) -> None:
    """Every Clockify call returning a workspace decodes each recorded shape."""
    _mode(strict)
    async with _clockify(_answer(200, body)) as client:
        ws = await CLOCKIFY_CALLS[call](client)
    assert ws.id == WS or ws.id == clockify_samples.WORKSPACE_ID


@MODES
@pytest.mark.anyio
async def test_workspaces_list_reads_real_shapes(strict: bool) -> None:
    """GET /workspaces with a recorded, a minimal and a three-settings workspace."""
    _mode(strict)
    async with _clockify(_answer(200, [WORKSPACE_2019, MINIMAL_WORKSPACE, THREE_SETTINGS])) as c:
        found = await c.workspaces.list()
    assert [w.name for w in found] == ["Acme's workspace", "Bare", "Three"]
    assert found[1].workspace_settings is None
    assert found[1].memberships == []
    three = found[2].workspace_settings
    assert three is not None
    assert three.force_tags is True
    assert three.working_days == []  # null reads as empty
    assert three.duration_format is None


@MODES
@pytest.mark.anyio
async def test_a_rate_without_currency_takes_the_workspace_one(strict: bool) -> None:
    """A membership rate with an amount and no currency: hourly_rate_for fills the currency."""
    _mode(strict)
    async with _clockify(_answer(200, WORKSPACE_2019)) as client:
        ws = await client.workspaces.get(WS)
    assert ws.memberships[0].hourly_rate == Rate(2500, None)
    assert ws.hourly_rate_for(USER) == Rate(2500, "USD")
    assert ws.cost_rate_for(USER) is None  # no cost rate anywhere
    assert ws.hourly_rate_for("someone-else") == Rate(0, "USD")
    settings = ws.workspace_settings
    assert settings is not None
    assert settings.active_billable_hours is None
    assert settings.admin_only_pages == []


@MODES
@pytest.mark.anyio
async def test_users_with_null_name_and_settings_list(strict: bool) -> None:
    """GET /workspaces/{id}/users: users with ``name: null`` and ``settings: null`` read."""
    _mode(strict)
    async with _clockify(_answer(200, USERS)) as client:
        users = [u async for u in client.users.list(WS)]
    assert [u.name for u in users] == ["Ann", None]
    assert users[1].settings is None
    assert users[1].memberships == []


@MODES
@pytest.mark.anyio
@pytest.mark.parametrize("call", sorted(WRITES))
async def test_an_applied_clockify_write_is_a_decode_error_with_applied(
    call: str, strict: bool
) -> None:
    """A write answered 200 with a body that does not decode: DecodeError(applied=True)."""
    _mode(strict)
    async with _clockify(_answer(200, {"name": "no id"})) as client:
        with pytest.raises(DecodeError) as info:
            await CLOCKIFY_CALLS[call](client)
    assert info.value.applied is True
    assert info.value.field == "$.id"


@pytest.mark.anyio
@pytest.mark.parametrize("body", [b"<html>proxy</html>", b"[" * 5000 + b"]" * 5000])
async def test_an_applied_write_whose_body_is_not_json_is_applied_too(body: bytes) -> None:
    """Not JSON at all (or nested absurdly deep) after a PUT: still applied=True."""
    async with _clockify(_answer(200, body)) as client:
        with pytest.raises(DecodeError) as info:
            await client.users.set_hourly_rate(WS, USER, amount=100)
    assert info.value.applied is True


@pytest.mark.anyio
async def test_a_read_that_does_not_decode_is_not_applied() -> None:
    """GET answered with a body that does not fit: DecodeError, applied=False."""
    async with _clockify(_answer(200, {"name": "no id"})) as client:
        with pytest.raises(DecodeError) as info:
            await client.workspaces.get(WS)
    assert info.value.applied is False


# --- error bodies -------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "message", "code"),
    [
        (
            401,
            {"message": "Full authentication is required", "code": 4003},
            "Full authentication is required (code 4003)",
            4003,
        ),
        (
            401,
            {"description": "Api key does not exist", "code": 1000},
            "Api key does not exist (code 1000)",
            1000,
        ),
        (400, {"message": "Bad rate"}, "Bad rate", None),
        (400, {"error": "invalid_request"}, "invalid_request", None),
        (400, {"error": {"message": "nested words", "code": "E42"}}, "nested words", "E42"),
        (
            400,
            ["Start can't be blank", "Project is required"],
            "Start can't be blank; Project is required",
            None,
        ),
        (400, {"errors": {"email": ["is invalid"]}}, "email: is invalid", None),
        (400, {"status": 400, "hint": "try again"}, "try again", None),
        (
            500,
            b"<html><body>Bad gateway</body></html>",
            "<html><body>Bad gateway</body></html>",
            None,
        ),
        (400, b"[" * 3000 + b"]" * 3000, None, None),
        (
            400,
            {
                "message": {
                    "message": {
                        "message": {"message": {"message": {"message": {"message": "deep"}}}}
                    }
                }
            },
            None,
            None,
        ),
    ],
)
async def test_error_bodies_give_the_vendors_words(
    status: int, body: Any, message: str | None, code: int | str | None
) -> None:
    """Every error-body shape keeps the vendor's text in .message and its code in .code."""
    async with _clockify(_answer(status, body)) as client:
        with pytest.raises(APIError) as info:
            await client.workspaces.get(WS)
    error = info.value
    if message is not None:
        assert error.message == message
        assert message in str(error)
    else:
        assert isinstance(error.message, str)
    assert error.code == code
    if status == 401:
        assert isinstance(error, AuthenticationError)


@pytest.mark.parametrize(
    "body",
    [
        {"description": "Api key does not exist", "code": 1000},
        {"message": "x"},
        ["a", "b"],
        {"error": {"message": "y"}},
        {"anything": "with words"},
        "plain words",
    ],
)
def test_an_error_body_with_words_never_gives_an_empty_message(body: Any) -> None:
    """default_error_message finds words wherever a vendor puts them."""
    from timeclients._transport import default_error_message

    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    assert default_error_message(raw)


# --- Toggl: /me answers of various ages, refused updates ---------------------------------------

TOKEN = "1971800d4d82861d8f2c1651fea4d212"
#: An account from 2013: before the timeline, piechart, timezone and e-mail preference fields.
ME_2013: dict[str, Any] = {
    "since": 1361780172,
    "data": {
        "id": 123,
        "api_token": TOKEN,
        "default_wid": 777,
        "email": "johnt@example.com",
        "fullname": "John Swift",
        "jquery_timeofday_format": "h:i A",
        "jquery_date_format": "m/d/Y",
        "timeofday_format": "h:mm A",
        "date_format": "MM/DD/YYYY",
        "store_start_and_stop_time": True,
        "beginning_of_week": 0,
        "language": "en_US",
        "image_url": "https://www.toggl.com/images/profile.png",
        "at": "2013-02-25T08:05:37+00:00",
        "new_blog_post": {},
    },
}
#: A 2021 answer with related data (tasks included, fields of its own era) and nulls.
ME_2021: dict[str, Any] = {
    "since": 1617184800,
    "data": {
        "id": 5123456,
        "api_token": TOKEN,
        "default_wid": 4123456,
        "email": "ann@example.com",
        "fullname": "Ann Example",
        "jquery_timeofday_format": "H:i",
        "jquery_date_format": "d.m.Y",
        "timeofday_format": "H:mm",
        "date_format": "DD.MM.YYYY",
        "store_start_and_stop_time": True,
        "beginning_of_week": 1,
        "language": "en_US",
        "image_url": None,
        "sidebar_piechart": True,
        "at": "2021-03-30T09:15:02+00:00",
        "retention": 9,
        "record_timeline": False,
        "render_timeline": False,
        "timeline_enabled": False,
        "timeline_experiment": False,
        "new_blog_post": {},
        "invitation": {},
        "timezone": "Europe/Tallinn",
        "openid_enabled": False,
        "send_product_emails": False,
        "send_weekly_report": False,
        "send_timer_notifications": True,
        "workspaces": [
            {
                "id": 4123456,
                "name": "Ann's workspace",
                "premium": False,
                "admin": True,
                "at": "2021-01-05T10:00:00+00:00",
            }
        ],
        "projects": [
            {
                "id": 170000001,
                "wid": 4123456,
                "name": "Site",
                "active": True,
                "at": "2021-02-01T10:00:00+00:00",
                "color": "5",
                "billable": None,
            }
        ],
        "tasks": [
            {
                "id": 55000001,
                "name": "Homepage",
                "pid": 170000001,
                "wid": 4123456,
                "active": True,
                "estimated_seconds": 0,
                "at": "2021-02-02T10:00:00+00:00",
            }
        ],
        "time_entries": [
            {
                "id": 1900000001,
                "wid": 4123456,
                "pid": 170000001,
                "billable": False,
                "start": "2021-03-30T08:00:00+00:00",
                "duration": -1617091200,
                "description": "running",
                "tags": None,
                "duronly": False,
                "at": "2021-03-30T08:00:05+00:00",
            }
        ],
        "tags": None,
        "clients": [],
    },
}
#: The same 2021 account's extra fields Toggl added that the models do not declare.
ME_2021_EXTRAS: dict[str, Any] = {
    "achievements_enabled": True,
    "should_upgrade": False,
    "last_blog_entry": "",
    "duration_format": "improved",
    "obm": {"included": False, "nr": 0, "actions": "tab"},
}


def _toggl(handler: Handler, **kwargs: Any) -> TogglClient:
    pool = HttpPool(transport=httpx.MockTransport(handler))
    kwargs.setdefault("api_token", TOKEN)
    return TogglClient(pool=pool, rate_limit=None, retry=None, **kwargs)


@MODES
@pytest.mark.anyio
@pytest.mark.parametrize("body", [ME_2013, ME_2021], ids=["2013", "2021"])
async def test_toggl_me_answers_of_every_age_decode(body: dict[str, Any], strict: bool) -> None:
    """GET /me answers from 2013 (fields missing) to 2021 (tasks, nulls) decode."""
    _mode(strict)
    async with _toggl(_answer(200, body)) as client:
        me = await client.me.get(with_related_data=True)
    assert me.user.id == body["data"]["id"]
    assert me.since is not None
    if body is ME_2021:
        assert me.user.tasks is not None
        assert me.user.tasks[0].name == "Homepage"
        assert me.user.time_entries is not None
        assert me.user.time_entries[0].is_running
        assert me.user.tags is None
    else:
        assert me.user.timezone is None
        assert me.user.sidebar_piechart is None


@pytest.mark.anyio
async def test_toggl_undeclared_fields_are_ignored_in_production() -> None:
    """Fields Toggl added later (not in the models) never break a production read."""
    _mode(False)
    body = json.loads(json.dumps(ME_2021))
    body["data"].update(ME_2021_EXTRAS)
    async with _toggl(_answer(200, body)) as client:
        me = await client.me.get()
    assert me.user.fullname == "Ann Example"


@pytest.mark.anyio
async def test_toggl_user_with_only_an_id_decodes() -> None:
    """PUT /me answered with a user holding only its id: a User with Nones."""
    async with _toggl(_answer(200, {"data": {"id": 7}})) as client:
        user = await client.me.update(fullname="X")
    assert user.id == 7
    assert user.email is None


REFUSED = ["Email has already been taken", "Fullname can't be blank"]
TOGGL_WRITES: dict[str, Callable[[TogglClient], Any]] = {
    "me.update": lambda c: c.me.update(fullname="Ann"),
    "me.change_password": lambda c: c.me.change_password(
        current_password="old", password="secret1"
    ),
    "signups.create": lambda c: c.signups.create(
        email="ann@example.com", password="secret1", timezone="Europe/Tallinn", created_with="t"
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("status", [400, 404])
@pytest.mark.parametrize("call", sorted(TOGGL_WRITES))
async def test_toggl_refused_update_is_a_bad_request_either_way(call: str, status: int) -> None:
    """Toggl v8 refuses an update with 404 + an array of messages (or 400): BadRequestError."""
    async with _toggl(_answer(status, REFUSED)) as client:
        with pytest.raises(BadRequestError) as info:
            await TOGGL_WRITES[call](client)
    assert info.value.status == status
    assert info.value.message == "; ".join(REFUSED)
    assert not isinstance(info.value, NotFoundError)


@pytest.mark.anyio
async def test_toggl_404_without_messages_stays_not_found() -> None:
    """A 404 whose body is not an array of messages is still NotFoundError."""
    async with _toggl(_answer(404, b"Not found")) as client:
        with pytest.raises(NotFoundError):
            await client.me.update(fullname="Ann")


@pytest.mark.anyio
async def test_toggl_get_404_with_an_array_stays_not_found() -> None:
    """Only writes are refusals: GET /me answered 404 with an array is NotFoundError."""
    async with _toggl(_answer(404, ["gone"])) as client:
        with pytest.raises(NotFoundError):
            await client.me.get()


@pytest.mark.anyio
async def test_toggl_applied_password_change_switches_the_credential() -> None:
    """A password change answered 2xx with a body that does not decode: applied, and the
    client signs in with the new password from then on."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if request.method == "PUT":
            return httpx.Response(200, json={"data": {"fullname": "no id"}})
        return httpx.Response(200, json=ME_2013)

    async with _toggl(handler, api_token=None, email="ann@example.com", password="oldpass") as c:
        with pytest.raises(DecodeError) as info:
            await c.me.change_password(current_password="oldpass", password="newpass1")
        assert info.value.applied is True
        await c.me.get()
    assert seen[0] != seen[1]  # the GET went with the new password


@pytest.mark.anyio
async def test_toggl_applied_email_change_switches_the_credential() -> None:
    """An e-mail change answered 2xx with a body that does not decode: applied, and the
    client signs in with the new e-mail from then on."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if request.method == "PUT":
            return httpx.Response(200, content=b"<html>ok</html>")
        return httpx.Response(200, json=ME_2013)

    async with _toggl(handler, api_token=None, email="ann@example.com", password="secret1") as c:
        with pytest.raises(DecodeError) as info:
            await c.me.update(email="ann.new@example.com")
        assert info.value.applied is True
        await c.me.get()
    assert seen[0] != seen[1]


@pytest.mark.anyio
async def test_toggl_reset_token_bad_answer_is_applied() -> None:
    """POST /reset_token answered 200 with no usable token: DecodeError(applied=True)."""
    async with _toggl(_answer(200, {"token": "x"})) as client:
        with pytest.raises(DecodeError) as info:
            await client.me.reset_token()
    assert info.value.applied is True


# --- McTime: the documented example -------------------------------------------------------------

MCTIME_EXAMPLE: dict[str, Any] = {
    "items": [
        SAMPLE_ITEM,
        {"id": "22222222-2222-2222-2222-222222222223", "from": "2026-01-15T09:00:00Z"},
    ],
    "page": 1,
    "totalItems": 2,
    "totalCount": 1,
}


@MODES
@pytest.mark.anyio
async def test_mctime_documented_example_and_a_sparse_item_decode(strict: bool) -> None:
    """McTime's documented example, plus an item holding only id and from, list and get."""
    _mode(strict)
    pool = HttpPool(transport=httpx.MockTransport(_answer(200, MCTIME_EXAMPLE)))
    async with McTimeClient(api_key="key-123", pool=pool, rate_limit=None, retry=None) as client:
        page = await client.clock.page()
        listed = [s async for s in client.clock.list()]
    assert [s.id for s in page.items] == [i["id"] for i in MCTIME_EXAMPLE["items"]]
    assert page.items[1].user_id is None
    assert page.items[1].breaks is None
    assert [s.id for s in listed] == [s.id for s in page.items]
    pool = HttpPool(transport=httpx.MockTransport(_answer(200, {"id": "e1"})))
    async with McTimeClient(api_key="key-123", pool=pool, rate_limit=None, retry=None) as client:
        status = await client.clock.get("e1")
    assert status.id == "e1"
    assert status.time_type is None
