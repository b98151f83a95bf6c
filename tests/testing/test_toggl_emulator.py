"""The Toggl v8 emulator against Toggl's v8 user documentation, driven with plain httpx.

https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from timeclients.testing import Emulator

from .conftest import NOW

pytestmark = pytest.mark.anyio
BASE = "https://api.track.toggl.com/api/v8"

# "Get current user data", "Update user data": every user field the samples show
USER_KEYS = {
    "id",
    "api_token",
    "default_wid",
    "email",
    "fullname",
    "jquery_timeofday_format",
    "jquery_date_format",
    "timeofday_format",
    "date_format",
    "store_start_and_stop_time",
    "beginning_of_week",
    "language",
    "image_url",
    "sidebar_piechart",
    "at",
    "retention",
    "record_timeline",
    "render_timeline",
    "timeline_enabled",
    "timeline_experiment",
    "new_blog_post",
    "timezone",
    "openid_enabled",
    "send_product_emails",
    "send_weekly_report",
    "send_timer_notifications",
    "invitation",
}
RELATED = {"time_entries", "projects", "tags", "workspaces", "clients"}


def token_auth(token: str) -> httpx.BasicAuth:
    return httpx.BasicAuth(token, "api_token")


async def test_get_me_shape(emu: Emulator, http: httpx.AsyncClient):
    """GET /me answers {"since": unix, "data": user}, no related data by default ("Get current
    user data")."""
    user = emu.seed_toggl_user()
    r = await http.get(f"{BASE}/me", auth=token_auth(user.api_token))
    assert r.status_code == 200
    body = r.json()
    assert body["since"] == int(NOW.timestamp())
    assert set(body["data"]) == USER_KEYS
    assert body["data"]["api_token"] == user.api_token
    assert body["data"]["default_wid"] == user.workspace_id


async def test_email_password_auth(emu, http):
    """Basic auth with email:password works as well as token:api_token ("Authentication")."""
    user = emu.seed_toggl_user()
    r = await http.get(f"{BASE}/me", auth=httpx.BasicAuth(user.email, user.password))
    assert r.status_code == 200
    assert r.json()["data"]["id"] == user.user_id


@pytest.mark.parametrize(
    "auth",
    [None, ("0" * 32, "api_token"), ("john.swift0@example.com", "wrong"), "garbage"],
    ids=["none", "bad-token", "bad-password", "malformed"],
)
async def test_bad_credential_is_403(emu, http, auth):
    """Toggl v8 answers a bad credential with 403, not 401 (toggl_api.md, "Authentication")."""
    emu.seed_toggl_user()
    headers = {"Authorization": "Basic !!!"} if auth == "garbage" else {}
    r = await http.get(
        f"{BASE}/me", auth=auth if isinstance(auth, tuple) else None, headers=headers
    )
    assert r.status_code == 403


async def test_related_data_and_since(emu, http):
    """with_related_data=true adds the related lists; since keeps objects changed after it
    ("Get current user data")."""
    user = emu.seed_toggl_user(related=3)
    auth = token_auth(user.api_token)
    r = await http.get(f"{BASE}/me", params={"with_related_data": "true"}, auth=auth)
    data = r.json()["data"]
    assert set(data) >= RELATED
    assert len(data["time_entries"]) == 3
    assert {
        "id",
        "wid",
        "billable",
        "start",
        "stop",
        "duration",
        "description",
        "tags",
        "at",
    } == set(data["time_entries"][0])
    since = int((NOW - timedelta(minutes=150)).timestamp())
    r = await http.get(
        f"{BASE}/me", params={"with_related_data": "true", "since": since}, auth=auth
    )
    assert len(r.json()["data"]["projects"]) == 2  # changed 1h and 2h ago, not 3h ago
    r = await http.get(f"{BASE}/me", params={"since": "soon"}, auth=auth)
    assert r.status_code == 400


async def test_put_me_updates_fields(emu, http):
    """PUT /me {"user": {...}} changes the fields given, returns {"data": user} ("Update user
    data")."""
    user = emu.seed_toggl_user()
    payload = {
        "user": {
            "fullname": "John Smith",
            "date_format": "DD.MM.YYYY",
            "timeofday_format": "H:mm",
            "beginning_of_week": 1,
            "timezone": "Europe/Tallinn",
            "send_weekly_report": False,
        }
    }
    r = await http.put(f"{BASE}/me", json=payload, auth=token_auth(user.api_token))
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["fullname"] == "John Smith"
    assert (data["date_format"], data["jquery_date_format"]) == ("DD.MM.YYYY", "d.m.Y")
    assert (data["timeofday_format"], data["jquery_timeofday_format"]) == ("H:mm", "H:i")
    assert data["beginning_of_week"] == 1
    assert data["send_weekly_report"] is False


@pytest.mark.parametrize(
    "fields",
    [
        {"beginning_of_week": 7},
        {"beginning_of_week": True},
        {"timezone": "Mars/Olympus"},
        {"timeofday_format": "HH:mm:ss"},
        {"date_format": "YYYY/MM/DD"},
        {"email": "nope"},
        {"send_product_emails": "yes"},
        {"fullname": 3},
        {"password": "newpass1"},
        {"current_password": "wrong-one", "password": "newpass1"},
        {"current_password": "StrongPassword", "password": "short"},
    ],
)
async def test_put_me_rejects_with_an_array_of_messages(emu, http, fields):
    """A rejected update is a 400 with an array of messages (toggl_api.md,
    "Failed requests", says 404; the rules: "Update user data")."""
    user = emu.seed_toggl_user()
    r = await http.put(f"{BASE}/me", json={"user": fields}, auth=token_auth(user.api_token))
    assert r.status_code == 400
    body = r.json()
    assert isinstance(body, list)
    assert body
    assert all(isinstance(m, str) for m in body)


async def test_put_me_collects_every_error(emu, http):
    """All broken rules are reported at once, and nothing is changed."""
    user = emu.seed_toggl_user()
    fields = {"beginning_of_week": 9, "date_format": "x", "fullname": "Changed"}
    r = await http.put(f"{BASE}/me", json={"user": fields}, auth=token_auth(user.api_token))
    assert len(r.json()) == 2
    me = await http.get(f"{BASE}/me", auth=token_auth(user.api_token))
    assert me.json()["data"]["fullname"] == "John Swift"


async def test_change_password(emu, http):
    """current_password + password change the password ("Update user data"); the old one stops."""
    user = emu.seed_toggl_user()
    fields = {"current_password": user.password, "password": "n3w-password"}
    r = await http.put(f"{BASE}/me", json={"user": fields}, auth=token_auth(user.api_token))
    assert r.status_code == 200
    old = await http.get(f"{BASE}/me", auth=httpx.BasicAuth(user.email, user.password))
    assert old.status_code == 403
    new = await http.get(f"{BASE}/me", auth=httpx.BasicAuth(user.email, "n3w-password"))
    assert new.status_code == 200


async def test_email_taken_by_someone_else(emu, http):
    """Changing the e-mail to another user's is rejected."""
    user = emu.seed_toggl_user()
    other = emu.seed_toggl_user()
    r = await http.put(
        f"{BASE}/me", json={"user": {"email": other.email}}, auth=token_auth(user.api_token)
    )
    assert r.status_code == 400


async def test_reset_token(emu, http):
    """POST /reset_token answers the new token as a JSON string; the old token stops working
    ("Reset API token")."""
    user = emu.seed_toggl_user()
    r = await http.post(f"{BASE}/reset_token", auth=token_auth(user.api_token))
    assert r.status_code == 200
    new = r.json()
    assert isinstance(new, str)
    assert re.fullmatch(r"[0-9a-f]{32}", new)
    assert new != user.api_token
    assert (await http.get(f"{BASE}/me", auth=token_auth(user.api_token))).status_code == 403
    assert (await http.get(f"{BASE}/me", auth=token_auth(new))).status_code == 200


async def test_signup(emu, http):
    """POST /signups needs no credential and returns {"data": user} with an api_token that works
    ("Sign up new user")."""
    payload = {
        "user": {
            "email": "test.user@example.com",
            "password": "StrongPassword",
            "timezone": "Etc/UTC",
            "created_with": "my-app",
        }
    }
    r = await http.post(f"{BASE}/signups", json=payload)
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["email"] == "test.user@example.com"
    assert isinstance(data["default_wid"], int)
    me = await http.get(f"{BASE}/me", auth=token_auth(data["api_token"]))
    assert me.json()["data"]["id"] == data["id"]
    again = await http.post(f"{BASE}/signups", json=payload)
    assert again.status_code == 400


@pytest.mark.parametrize(
    "fields",
    [
        {"password": "StrongPassword", "timezone": "Etc/UTC", "created_with": "a"},
        {"email": "x@example.com", "password": "12345", "timezone": "Etc/UTC", "created_with": "a"},
        {"email": "x@example.com", "password": "123456", "created_with": "a"},
        {
            "email": "x@example.com",
            "password": "123456",
            "timezone": "Nowhere/City",
            "created_with": "a",
        },
        {"email": "x@example.com", "password": "123456", "timezone": "Etc/UTC"},
        {
            "email": "x@example.com",
            "password": "123456",
            "timezone": "Etc/UTC",
            "created_with": " ",
        },
    ],
    ids=[
        "no-email",
        "short-password",
        "no-timezone",
        "bad-timezone",
        "no-created-with",
        "blank-app",
    ],
)
async def test_signup_validation(emu, http, fields):
    """email, password >= 6, timezone and created_with are all required ("Sign up new user")."""
    r = await http.post(f"{BASE}/signups", json={"user": fields})
    assert r.status_code == 400
    assert isinstance(r.json(), list)


async def test_password_of_six_is_enough(emu, http):
    """The password bound is "at least 6 characters" ("Sign up new user"): six is accepted."""
    fields = {
        "email": "six@example.com",
        "password": "123456",
        "timezone": "Etc/UTC",
        "created_with": "a",
    }
    assert (await http.post(f"{BASE}/signups", json={"user": fields})).status_code == 200


async def test_signup_body_must_wrap_user(emu, http):
    """The fields go inside {"user": {...}} ("Sign up new user")."""
    r = await http.post(f"{BASE}/signups", json={"email": "a@example.com"})
    assert r.status_code == 400


async def test_unknown_path_and_method(emu, http):
    """Unknown paths are 404, wrong methods 405."""
    user = emu.seed_toggl_user()
    auth = token_auth(user.api_token)
    assert (await http.get(f"{BASE}/workspaces", auth=auth)).status_code == 404
    assert (await http.delete(f"{BASE}/me", auth=auth)).status_code == 405
    assert (await http.get(f"{BASE}/signups")).status_code == 405
