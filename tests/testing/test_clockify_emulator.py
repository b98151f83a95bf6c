"""The Clockify emulator against Clockify's API docs, driven with plain httpx.

https://docs.clockify.me/ ("Workspace" endpoints).
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from timeclients.testing import Emulator
from timeclients.testing.clockify import CODES

from .conftest import NOW

pytestmark = pytest.mark.anyio
BASE = "https://api.clockify.me/api/v1"

# "Get all my workspaces", 200 response: every key of the sample workspace and its settings
SAMPLE_KEYS = {
    "cakeOrganizationId",
    "costRate",
    "currencies",
    "featureSubscriptionType",
    "features",
    "hourlyRate",
    "id",
    "imageUrl",
    "memberships",
    "name",
    "subdomain",
    "workspaceSettings",
}
SETTINGS_KEYS = {
    "activeBillableHours",
    "adminOnlyPages",
    "automaticLock",
    "canSeeTimeSheet",
    "canSeeTracker",
    "currencyFormat",
    "defaultBillableProjects",
    "durationFormat",
    "entityCreationPermissions",
    "forceDescription",
    "forceProjects",
    "forceTags",
    "forceTasks",
    "isProjectPublicByDefault",
    "lockTimeEntries",
    "lockTimeZone",
    "multiFactorEnabled",
    "numberFormat",
    "onlyAdminsCanChangeBillableStatus",
    "onlyAdminsCreateProject",
    "onlyAdminsCreateTag",
    "onlyAdminsCreateTask",
    "onlyAdminsSeeAllTimeEntries",
    "onlyAdminsSeeBillableRates",
    "onlyAdminsSeeDashboard",
    "onlyAdminsSeePublicProjectsEntries",
    "projectFavorites",
    "projectGroupingLabel",
    "projectLabel",
    "projectPickerSpecialFilter",
    "round",
    "taskLabel",
    "timeRoundingInReports",
    "timeTrackingMode",
    "trackTimeDownToSecond",
    "workingDays",
}


def key(api_key: str) -> dict[str, str]:
    return {"X-Api-Key": api_key}


async def test_workspace_has_every_documented_field(emu: Emulator, http: httpx.AsyncClient):
    """GET /workspaces/{id} returns the sample's full shape, adminOnlyPages and round.minutes as
    strings ("Get workspace info", response)."""
    ws = emu.seed_clockify_workspace(members=2)
    r = await http.get(f"{BASE}/workspaces/{ws.workspace_id}", headers=key(ws.api_key))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == SAMPLE_KEYS
    assert set(body["workspaceSettings"]) == SETTINGS_KEYS
    assert isinstance(body["workspaceSettings"]["adminOnlyPages"], str)
    assert json.loads(body["workspaceSettings"]["adminOnlyPages"]) == ["PROJECT", "TEAM", "REPORTS"]
    assert body["workspaceSettings"]["round"]["minutes"] == "15"
    assert body["hourlyRate"] == {"amount": 10500, "currency": "USD"}
    members = {m["userId"]: m for m in body["memberships"]}
    assert set(members) == {ws.owner_id, *ws.member_ids}
    for m in members.values():
        assert m["membershipType"] == "WORKSPACE"
        assert m["targetId"] == ws.workspace_id


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Api-Key": "nope"}, {"X-Addon-Token": "nope"}],
    ids=["none", "bad-key", "bad-addon-token"],
)
async def test_bad_credential_is_401_in_clockify_shape(emu, http, headers):
    """A missing or unknown X-Api-Key / X-Addon-Token is a 401 {"message", "code"}
    ("Authentication", "Errors")."""
    emu.seed_clockify_workspace(members=0)
    r = await http.get(f"{BASE}/workspaces", headers=headers)
    assert r.status_code == 401
    assert set(r.json()) == {"message", "code"}
    assert r.json()["code"] == CODES["unauthorized"]


async def test_addon_token_authenticates(emu, http):
    """X-Addon-Token is accepted like X-Api-Key ("Authentication")."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.get(f"{BASE}/workspaces", headers={"X-Addon-Token": ws.addon_token})
    assert r.status_code == 200
    assert [w["id"] for w in r.json()] == [ws.workspace_id]


async def test_list_workspaces_filters_by_repeated_roles(emu, http):
    """roles is repeatable and filters by the caller's roles; an unknown role is a 400 ("Get all
    my workspaces")."""
    ws = emu.seed_clockify_workspace(members=1)
    other = emu.clockify.create_workspace(owner_id=ws.member_ids[0], name="Other")
    emu.clockify.add_member(other, ws.owner_id, roles={"PROJECT_MANAGER"})
    url = f"{BASE}/workspaces"
    both = await http.get(url, headers=key(ws.api_key))
    assert {w["id"] for w in both.json()} == {ws.workspace_id, other}
    owner = await http.get(url, params=[("roles", "OWNER")], headers=key(ws.api_key))
    assert [w["id"] for w in owner.json()] == [ws.workspace_id]
    pm = await http.get(
        url,
        params=[("roles", "WORKSPACE_ADMIN"), ("roles", "PROJECT_MANAGER")],
        headers=key(ws.api_key),
    )
    assert {w["id"] for w in pm.json()} == {ws.workspace_id, other}
    bad = await http.get(url, params={"roles": "KING"}, headers=key(ws.api_key))
    assert bad.status_code == 400


async def test_create_workspace_201_and_owner(emu, http):
    """POST /workspaces answers 201; the caller becomes the owner ("Add workspace")."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.post(
        f"{BASE}/workspaces",
        json={"name": "Cool Company", "organizationId": "67d471fb56aa9668b7bfa295"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 201
    body = r.json()
    assert body["name"] == "Cool Company"
    assert body["cakeOrganizationId"] == "67d471fb56aa9668b7bfa295"
    assert [(m["userId"], m["membershipStatus"]) for m in body["memberships"]] == [
        (ws.owner_id, "ACTIVE")
    ]
    owned = await http.get(f"{BASE}/workspaces", params={"roles": "OWNER"}, headers=key(ws.api_key))
    assert body["id"] in {w["id"] for w in owned.json()}


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "", "organizationId": "o"},
        {"name": "x" * 51, "organizationId": "o"},
        {"name": "   ", "organizationId": "o"},
        {"name": "ok"},
        {"organizationId": "o"},
        {"name": 5, "organizationId": "o"},
    ],
)
async def test_create_workspace_validation(emu, http, payload):
    """name is 1-50 characters and organizationId is required ("Add workspace"): else 400."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.post(f"{BASE}/workspaces", json=payload, headers=key(ws.api_key))
    assert r.status_code == 400
    assert r.json()["code"] == CODES["bad_request"]


async def test_name_of_50_characters_is_accepted(emu, http):
    """The 50-character bound is inclusive ("Add workspace")."""
    ws = emu.seed_clockify_workspace(members=0)
    payload = {"name": "x" * 50, "organizationId": "o"}
    r = await http.post(f"{BASE}/workspaces", json=payload, headers=key(ws.api_key))
    assert r.status_code == 201


async def test_unknown_and_foreign_workspace(emu, http):
    """An unknown workspace is 404; someone else's is 403 (both in Clockify's shape)."""
    mine = emu.seed_clockify_workspace(members=0)
    theirs = emu.seed_clockify_workspace(members=0)
    r = await http.get(f"{BASE}/workspaces/{'0' * 24}", headers=key(mine.api_key))
    assert r.status_code == 404
    r = await http.get(f"{BASE}/workspaces/{theirs.workspace_id}", headers=key(mine.api_key))
    assert r.status_code == 403
    assert r.json()["code"] == CODES["access_denied"]


async def test_workspace_rates_with_since(emu, http):
    """Workspace cost/hourly rates apply from `since` on; a future since is stored, not yet in
    effect ("Update workspace cost rate", "Update workspace billable rate")."""
    ws = emu.seed_clockify_workspace(members=0, currencies=("USD", "EUR"))
    url = f"{BASE}/workspaces/{ws.workspace_id}"
    r = await http.put(
        f"{url}/cost-rate",
        json={"amount": 20000, "since": "2020-01-01T00:00:00Z"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 200
    assert r.json()["costRate"] == {"amount": 20000, "currency": "USD"}
    future = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = await http.put(
        f"{url}/hourly-rate",
        json={"amount": 2000, "currency": "EUR", "since": future},
        headers=key(ws.api_key),
    )
    assert r.status_code == 200
    assert r.json()["hourlyRate"] == {"amount": 10500, "currency": "USD"}
    emu.set_time(NOW + timedelta(days=2))
    r = await http.get(url, headers=key(ws.api_key))
    assert r.json()["hourlyRate"] == {"amount": 2000, "currency": "EUR"}


async def test_hourly_rate_currency_defaults_to_usd(emu, http):
    """currency defaults to "USD" ("Update workspace billable rate") and the rate without since
    applies now."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.put(
        f"{BASE}/workspaces/{ws.workspace_id}/hourly-rate",
        json={"amount": 0},
        headers=key(ws.api_key),
    )
    assert r.status_code == 200
    assert r.json()["hourlyRate"] == {"amount": 0, "currency": "USD"}


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("cost-rate", {"amount": -1}),
        ("cost-rate", {"amount": 1.5}),
        ("cost-rate", {"amount": True}),
        ("cost-rate", {}),
        ("cost-rate", {"amount": 1, "since": "yesterday"}),
        ("cost-rate", {"amount": 1, "since": "2020-01-01T00:00:00"}),
        ("hourly-rate", {"amount": 1, "currency": ""}),
        ("hourly-rate", {"amount": 1, "currency": "X" * 101}),
        ("hourly-rate", {"amount": 1, "currency": "GBP"}),
        ("users/{user}/cost-rate", {"amount": -5}),
        ("users/{user}/hourly-rate", {"amount": "100"}),
        ("users/{user}", {"status": "DELETED"}),
    ],
)
async def test_rate_and_status_validation(emu, http, path, payload):
    """amount int >= 0, since ISO-8601 with a zone, currency 1-100 and one of the workspace's,
    status ACTIVE/INACTIVE (the rate sections, "Update user's status"): else 400."""
    ws = emu.seed_clockify_workspace(members=1)
    url = f"{BASE}/workspaces/{ws.workspace_id}/{path.format(user=ws.member_ids[0])}"
    r = await http.put(url, json=payload, headers=key(ws.api_key))
    assert r.status_code == 400
    assert r.json()["code"] == CODES["bad_request"]


async def test_request_body_must_be_json(emu, http):
    """A body that is not a JSON object is a 400, not a crash."""
    ws = emu.seed_clockify_workspace(members=0)
    url = f"{BASE}/workspaces/{ws.workspace_id}/cost-rate"
    for content in (b"", b"not json", b"[1]"):
        r = await http.put(url, content=content, headers=key(ws.api_key))
        assert r.status_code == 400


async def test_user_rates_history_and_hierarchy(emu, http):
    """A user's own rate shows in their WORKSPACE membership from its since on; without one the
    membership rate is null and the workspace default applies ("Update workspace user cost rate",
    "Update workspace user hourly rate")."""
    ws = emu.seed_clockify_workspace(members=2)
    alice, bob = ws.member_ids
    url = f"{BASE}/workspaces/{ws.workspace_id}/users/{alice}"
    r = await http.put(f"{url}/cost-rate", json={"amount": 7500}, headers=key(ws.api_key))
    assert r.status_code == 200
    members = {m["userId"]: m for m in r.json()["memberships"]}
    assert members[alice]["costRate"] == {"amount": 7500, "currency": "USD"}
    assert members[bob]["costRate"] is None
    past = "2025-01-01T00:00:00Z"
    later = (NOW + timedelta(hours=1)).isoformat()
    await http.put(
        f"{url}/hourly-rate", json={"amount": 100, "since": past}, headers=key(ws.api_key)
    )
    r = await http.put(
        f"{url}/hourly-rate", json={"amount": 200, "since": later}, headers=key(ws.api_key)
    )
    assert {m["userId"]: m for m in r.json()["memberships"]}[alice]["hourlyRate"]["amount"] == 100
    assert emu.clockify.current_rate(ws.workspace_id, alice, "hourly") == 100
    emu.set_time(NOW + timedelta(hours=2))
    assert emu.clockify.current_rate(ws.workspace_id, alice, "hourly") == 200


async def test_rate_for_non_member_is_404(emu, http):
    """Setting a rate for a user who is not a member answers 404."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.put(
        f"{BASE}/workspaces/{ws.workspace_id}/users/{'f' * 24}/cost-rate",
        json={"amount": 1},
        headers=key(ws.api_key),
    )
    assert r.status_code == 404


async def test_add_user_success_and_send_email(emu, http):
    """POST .../users?send-email=true adds a PENDING member ("Add user to workspace")."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.post(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params={"send-email": "true"},
        json={"email": "johndoe@example.com"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 200
    added = [m for m in r.json()["memberships"] if m["userId"] != ws.owner_id]
    assert [m["membershipStatus"] for m in added] == ["PENDING"]
    assert emu.clockify.invitations == [(ws.workspace_id, "johndoe@example.com", True)]


@pytest.mark.parametrize("params", [{}, {"send-email": "maybe"}])
async def test_add_user_requires_send_email(emu, http, params):
    """send-email is a required query parameter ("Add user to workspace"): missing or not a
    boolean is a 400."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.post(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params=params,
        json={"email": "a@example.com"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 400


async def test_add_user_rejects_a_bad_email(emu, http):
    """The e-mail must be plausible: else 400."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.post(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params={"send-email": "false"},
        json={"email": "not-an-email"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 400


async def test_add_user_free_plan_is_402(emu, http):
    """A workspace without a paid subscription answers 402 ("Add user to workspace")."""
    ws = emu.seed_clockify_workspace(members=0, plan="FREE")
    r = await http.post(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params={"send-email": "true"},
        json={"email": "a@example.com"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 402
    assert r.json()["code"] == CODES["payment_required"]


async def test_add_user_no_seats_is_403(emu, http):
    """With every paid seat taken the answer is 403 ("Add user to workspace")."""
    ws = emu.seed_clockify_workspace(members=1, seats=2)
    r = await http.post(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params={"send-email": "true"},
        json={"email": "new@example.com"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 403
    assert r.json()["code"] == CODES["no_seats"]


async def test_add_existing_member_is_409(emu, http):
    """Adding a member again is 409 ("Add user to workspace"), even when the seats are full."""
    ws = emu.seed_clockify_workspace(members=1, seats=2)
    r = await http.post(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params={"send-email": "true"},
        json={"email": ws.member_emails[0].upper()},
        headers=key(ws.api_key),
    )
    assert r.status_code == 409
    assert r.json()["code"] == CODES["already_member"]


async def test_set_status_and_seats(emu, http):
    """PUT .../users/{id} switches ACTIVE/INACTIVE ("Update user's status"); reactivating needs a
    free seat; one's own status cannot be changed (same section)."""
    ws = emu.seed_clockify_workspace(members=2, seats=3)
    alice, _bob = ws.member_ids
    url = f"{BASE}/workspaces/{ws.workspace_id}/users"
    r = await http.put(f"{url}/{alice}", json={"status": "INACTIVE"}, headers=key(ws.api_key))
    assert r.status_code == 200
    status = {m["userId"]: m["membershipStatus"] for m in r.json()["memberships"]}
    assert status[alice] == "INACTIVE"
    # the freed seat goes to a newcomer, so alice cannot come back
    r = await http.post(
        url,
        params={"send-email": "false"},
        json={"email": "c@example.com"},
        headers=key(ws.api_key),
    )
    assert r.status_code == 200
    r = await http.put(f"{url}/{alice}", json={"status": "ACTIVE"}, headers=key(ws.api_key))
    assert r.status_code == 403
    r = await http.put(f"{url}/{ws.owner_id}", json={"status": "INACTIVE"}, headers=key(ws.api_key))
    assert r.status_code == 400


async def test_non_admin_cannot_change_workspace(emu, http):
    """A plain member may read the workspace but not change it (403)."""
    ws = emu.seed_clockify_workspace(members=1)
    member_key = emu.clockify.add_api_key(ws.member_ids[0])
    url = f"{BASE}/workspaces/{ws.workspace_id}"
    assert (await http.get(url, headers=key(member_key))).status_code == 200
    r = await http.put(f"{url}/cost-rate", json={"amount": 1}, headers=key(member_key))
    assert r.status_code == 403


async def test_users_list_pages_with_last_page_header(emu, http):
    """GET .../users pages 1-based with page-size (default 50), a bare array and Last-Page
    ("Find all users on workspace")."""
    ws = emu.seed_clockify_workspace(members=120)
    url = f"{BASE}/workspaces/{ws.workspace_id}/users"
    first = await http.get(url, headers=key(ws.api_key))
    assert isinstance(first.json(), list)
    assert len(first.json()) == 50
    assert first.headers["Last-Page"] == "false"
    seen: list[str] = []
    page = 1
    while True:
        r = await http.get(url, params={"page": page, "page-size": 40}, headers=key(ws.api_key))
        seen += [u["id"] for u in r.json()]
        if r.headers["Last-Page"] == "true":
            break
        page += 1
    assert page == 4
    assert seen == [ws.owner_id, *ws.member_ids]
    item = first.json()[1]
    assert item["memberships"][0]["membershipType"] == "WORKSPACE"
    assert item["status"] == "ACTIVE"


async def test_users_list_filters(emu, http):
    """email and name are substring filters, status filters the membership ("Find all users on
    workspace")."""
    ws = emu.seed_clockify_workspace(members=6, inactive=2)
    url = f"{BASE}/workspaces/{ws.workspace_id}/users"
    r = await http.get(url, params={"status": "INACTIVE"}, headers=key(ws.api_key))
    assert [u["id"] for u in r.json()] == list(ws.member_ids[-2:])
    part = ws.member_emails[0].split("@")[0][:6].upper()
    r = await http.get(url, params={"email": part}, headers=key(ws.api_key))
    assert ws.member_ids[0] in [u["id"] for u in r.json()]
    r = await http.get(url, params={"name": "owner"}, headers=key(ws.api_key))
    assert [u["id"] for u in r.json()] == [ws.owner_id]
    r = await http.get(url, params={"status": "ALL"}, headers=key(ws.api_key))
    assert len(r.json()) == 7


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "x"}, {"page-size": "5001"}, {"page-size": "0"}, {"status": "GONE"}],
)
async def test_users_list_validation(emu, http, params):
    """page >= 1, page-size 1-5000 ("Find all users on workspace") and a known status, else 400."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.get(
        f"{BASE}/workspaces/{ws.workspace_id}/users", params=params, headers=key(ws.api_key)
    )
    assert r.status_code == 400


async def test_page_size_5000_is_accepted(emu, http):
    """5000 is the largest page size and is accepted ("Find all users on workspace")."""
    ws = emu.seed_clockify_workspace(members=3)
    r = await http.get(
        f"{BASE}/workspaces/{ws.workspace_id}/users",
        params={"page-size": 5000},
        headers=key(ws.api_key),
    )
    assert r.status_code == 200
    assert r.headers["Last-Page"] == "true"


async def test_unknown_endpoint_and_method(emu, http):
    """An unknown path is 404 and a wrong method 405, in Clockify's shape."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.get(f"{BASE}/projects", headers=key(ws.api_key))
    assert r.status_code == 404
    r = await http.delete(f"{BASE}/workspaces/{ws.workspace_id}/cost-rate", headers=key(ws.api_key))
    assert r.status_code == 405
    assert set(r.json()) == {"message", "code"}


async def test_percent_encoded_id_stays_one_segment(emu, http):
    """An id holding '/' arrives as one segment, so it cannot reach another endpoint."""
    ws = emu.seed_clockify_workspace(members=0)
    r = await http.get(f"{BASE}/workspaces/{ws.workspace_id}%2Fcost-rate", headers=key(ws.api_key))
    assert r.status_code == 404
