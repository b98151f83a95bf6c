"""The vendor documents' own examples, run with plain httpx against the served emulator.

The Python examples of Clockify's Workspace API guide (written there with ``requests``;
https://docs.clockify.me/, "Workspace") are transcribed line for line with a sync
``httpx.Client``; the curl samples of Toggl's v8 "Users" chapter
(https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md) and the sample requests
of McTime's "GET /clock" (https://mctime.com/api) become httpx calls. Each checks the
documented status code and response shape. The documents' examples send as fast as they can,
with no pacing, so the emulator's rate limits are off here (the throttle suite covers them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from timeclients.testing import Emulator, ServedEmulator

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: The documented sample workspace (Clockify "Workspace > Get all my workspaces", 200 OK).
SAMPLE_WORKSPACE: dict[str, Any] = json.loads(
    (FIXTURES / "clockify_workspace.json").read_text(encoding="utf-8")
)[0]


@pytest.fixture
def emulator() -> Emulator:
    """An emulator without rate limits: the documents' examples do not pace themselves."""
    return Emulator(seed=13, clockify_rate_limit=None, mctime_rate_limit=None, toggl_rate=None)


@pytest.fixture
def served(emulator: Emulator) -> Iterator[ServedEmulator]:
    """The emulator on a loopback port."""
    with emulator.serve() as running:
        yield running


def assert_documented_workspace(workspace: dict[str, Any]) -> None:
    """Every key of the document's sample workspace (and of its settings) is present."""
    assert set(SAMPLE_WORKSPACE) <= set(workspace)
    settings = SAMPLE_WORKSPACE["workspaceSettings"]
    assert set(settings) <= set(workspace["workspaceSettings"])
    assert isinstance(workspace["workspaceSettings"]["adminOnlyPages"], str)  # JSON in a string
    assert isinstance(workspace["workspaceSettings"]["round"]["minutes"], str)
    for membership in workspace["memberships"]:
        assert set(SAMPLE_WORKSPACE["memberships"][0]) <= set(membership)


class ClockifyExamples:
    """The document's "Implementation Examples", with ``requests`` swapped for ``httpx``.

    Module-level globals in the document (``BASE_URL``, ``headers``) become attributes;
    the bodies are otherwise the guide's ("Implementation Examples" of the Workspace guide).
    """

    def __init__(self, base_url: str, api_key: str) -> None:
        self.BASE_URL = base_url
        self.headers = {"X-Api-Key": api_key, "Content-Type": "application/json"}
        self.http = httpx.Client()
        self.printed: list[str] = []

    def print(self, line: str) -> None:
        self.printed.append(line)

    # "Python: Get All Workspaces"
    def get_all_workspaces(self) -> Any:
        response = self.http.get(f"{self.BASE_URL}/workspaces", headers=self.headers)
        return response.json()

    # "Python: Create Workspace"
    def create_workspace(self, name: str, org_id: str) -> Any:
        url = f"{self.BASE_URL}/workspaces"
        payload = {"name": name, "organizationId": org_id}
        response = self.http.post(url, headers=self.headers, json=payload)
        if response.status_code == 201:
            return response.json()
        raise Exception(f"Failed to create workspace: {response.text}")

    # "Python: Add User to Workspace"
    def add_user_to_workspace(self, workspace_id: str, email: str, send_email: bool = True) -> Any:
        url = f"{self.BASE_URL}/workspaces/{workspace_id}/users"
        params = {"send-email": str(send_email).lower()}
        payload = {"email": email}
        response = self.http.post(url, headers=self.headers, params=params, json=payload)
        if response.status_code == 200:
            return response.json()
        if response.status_code == 402:
            raise Exception("Workspace requires paid subscription")
        if response.status_code == 403:
            raise Exception("No available user seats")
        if response.status_code == 409:
            raise Exception("User already exists in workspace")
        raise Exception(f"Failed to add user: {response.text}")

    # "Python: Update Rates"
    def update_workspace_hourly_rate(
        self,
        workspace_id: str,
        amount_cents: int,
        currency: str = "USD",
        since: datetime | None = None,
    ) -> Any:
        url = f"{self.BASE_URL}/workspaces/{workspace_id}/hourly-rate"
        payload: dict[str, Any] = {"amount": amount_cents, "currency": currency}
        if since:
            payload["since"] = since.isoformat() + "Z"
        response = self.http.put(url, headers=self.headers, json=payload)
        return response.json()

    def update_user_cost_rate(
        self, workspace_id: str, user_id: str, amount_cents: int, since: datetime | None = None
    ) -> Any:
        url = f"{self.BASE_URL}/workspaces/{workspace_id}/users/{user_id}/cost-rate"
        payload: dict[str, Any] = {"amount": amount_cents}
        if since:
            payload["since"] = since.isoformat() + "Z"
        response = self.http.put(url, headers=self.headers, json=payload)
        return response.json()

    # "Python: Deactivate/Reactivate User"
    def set_user_status(self, workspace_id: str, user_id: str, active: bool = True) -> Any:
        url = f"{self.BASE_URL}/workspaces/{workspace_id}/users/{user_id}"
        status = "ACTIVE" if active else "INACTIVE"
        payload = {"status": status}
        response = self.http.put(url, headers=self.headers, json=payload)
        return response.json()

    # "Onboarding New Organization"
    def onboard_organization(self, org_id: str, workspace_name: str, team_emails: list[str]) -> Any:
        workspace = self.create_workspace(workspace_name, org_id)
        workspace_id = workspace["id"]
        self.update_workspace_hourly_rate(workspace_id, 10000)  # $100/hr
        for email in team_emails:
            try:
                self.add_user_to_workspace(workspace_id, email)
            except Exception as e:
                self.print(f"Failed to add {email}: {e}")
        return workspace

    # "Bulk Rate Update"
    def update_all_user_rates(
        self, workspace_id: str, rate_cents: int, effective_date: datetime
    ) -> None:
        users_response = self.http.get(
            f"{self.BASE_URL}/workspaces/{workspace_id}/users",
            headers=self.headers,
            params={"status": "ACTIVE"},
        )
        users = users_response.json()
        for user in users:
            self.update_user_cost_rate(workspace_id, user["id"], rate_cents, since=effective_date)


@pytest.fixture
def clockify(emulator: Emulator, served: ServedEmulator) -> Iterator[tuple[ClockifyExamples, Any]]:
    """The examples bound to a seeded workspace's owner key, and the seed."""
    ws = emulator.seed_clockify_workspace(members=3, name="Cool Company")
    examples = ClockifyExamples(served.clockify_url, ws.api_key)
    with examples.http:
        yield examples, ws


def test_get_all_workspaces_prints_name_and_id(clockify: tuple[ClockifyExamples, Any]) -> None:
    """get_all_workspaces returns the documented workspace objects; the loop prints name (id)."""
    examples, ws = clockify
    workspaces = examples.get_all_workspaces()
    for w in workspaces:
        examples.print(f"{w['name']} ({w['id']})")
    assert examples.printed == [f"Cool Company ({ws.workspace_id})"]
    assert_documented_workspace(workspaces[0])


def test_update_rates_example(emulator: Emulator, clockify: tuple[ClockifyExamples, Any]) -> None:
    """The "Update Rates" example: $150/h from 2024-01-01 for the workspace, $75 cost for a
    user; both answers are the documented workspace, and the emulator holds both rates."""
    examples, ws = clockify
    member = ws.member_ids[0]
    after_hourly = examples.update_workspace_hourly_rate(
        ws.workspace_id, 15000, since=datetime(2024, 1, 1)
    )
    after_cost = examples.update_user_cost_rate(ws.workspace_id, member, 7500)
    assert after_hourly["hourlyRate"] == {"amount": 15000, "currency": "USD"}
    membership = next(m for m in after_cost["memberships"] if m["userId"] == member)
    assert membership["costRate"] == {"amount": 7500, "currency": "USD"}
    assert_documented_workspace(after_cost)
    assert emulator.clockify.current_rate(ws.workspace_id, None, "hourly") == 15000
    assert emulator.clockify.current_rate(ws.workspace_id, member, "cost") == 7500


def test_deactivate_and_reactivate_example(clockify: tuple[ClockifyExamples, Any]) -> None:
    """set_user_status(active=False) then (active=True): the membership follows each time."""
    examples, ws = clockify
    member = ws.member_ids[1]

    def status_in(workspace: dict[str, Any]) -> str:
        membership = next(m for m in workspace["memberships"] if m["userId"] == member)
        status: str = membership["membershipStatus"]
        return status

    assert status_in(examples.set_user_status(ws.workspace_id, member, active=False)) == "INACTIVE"
    assert status_in(examples.set_user_status(ws.workspace_id, member, active=True)) == "ACTIVE"


def test_add_user_example_raises_the_documented_errors(
    emulator: Emulator, served: ServedEmulator
) -> None:
    """add_user_to_workspace: 200 with the new member, then 409, 403 (no seat) and 402 (FREE)."""
    ws = emulator.seed_clockify_workspace(members=1, seats=3)  # owner, member, one free seat
    free = emulator.seed_clockify_workspace(members=1, plan="FREE")
    examples = ClockifyExamples(served.clockify_url, ws.api_key)
    with examples.http:
        added = examples.add_user_to_workspace(ws.workspace_id, "johndoe@example.com")
        assert_documented_workspace(added)
        assert len(added["memberships"]) == 3
        with pytest.raises(Exception, match="User already exists in workspace"):
            examples.add_user_to_workspace(ws.workspace_id, "johndoe@example.com")
        with pytest.raises(Exception, match="No available user seats"):
            examples.add_user_to_workspace(ws.workspace_id, "janedoe@example.com", False)
    free_examples = ClockifyExamples(served.clockify_url, free.api_key)
    with free_examples.http, pytest.raises(Exception, match="requires paid subscription"):
        free_examples.add_user_to_workspace(free.workspace_id, "johndoe@example.com")
    assert emulator.clockify.invitations == [(ws.workspace_id, "johndoe@example.com", True)]


def test_onboard_organization_on_a_paid_plan() -> None:
    """onboard_organization: a 201 workspace, its $100/h default, three invitees PENDING, and
    the document's handler printing the one duplicate."""
    emulator = Emulator(seed=14, clockify_rate_limit=None, new_workspace_plan="PREMIUM")
    owner = emulator.seed_clockify_workspace(members=0)
    team = ["ann@example.com", "bob@example.com", "cy@example.com", "ann@example.com"]
    with emulator.serve() as served:
        examples = ClockifyExamples(served.clockify_url, owner.api_key)
        with examples.http:
            workspace = examples.onboard_organization("67d471fb56aa9668b7bfa295", "Acme", team)
            after = examples.http.get(
                f"{examples.BASE_URL}/workspaces/{workspace['id']}", headers=examples.headers
            ).json()
    assert workspace["name"] == "Acme"
    assert_documented_workspace(workspace)
    assert after["hourlyRate"] == {"amount": 10000, "currency": "USD"}
    statuses = sorted(m["membershipStatus"] for m in after["memberships"])
    assert statuses == ["ACTIVE", "PENDING", "PENDING", "PENDING"]
    assert examples.printed == ["Failed to add ann@example.com: User already exists in workspace"]


def test_onboard_organization_on_the_free_plan_reports_every_invite() -> None:
    """A new workspace starts on FREE: the example's handler prints a 402 for every e-mail."""
    emulator = Emulator(seed=15, clockify_rate_limit=None)
    owner = emulator.seed_clockify_workspace(members=0)
    with emulator.serve() as served:
        examples = ClockifyExamples(served.clockify_url, owner.api_key)
        with examples.http:
            workspace = examples.onboard_organization("org", "Startup", ["a@example.com"])
    assert workspace["featureSubscriptionType"] == "FREE"
    assert examples.printed == ["Failed to add a@example.com: Workspace requires paid subscription"]


def test_bulk_rate_update_example_stops_at_the_first_page(
    emulator: Emulator, served: ServedEmulator
) -> None:
    """update_all_user_rates reads one page of users: with 60 members only the first 50
    users get the rate, the pitfall Clockify's users list is known for (the client pages on)."""
    ws = emulator.seed_clockify_workspace(members=60)
    examples = ClockifyExamples(served.clockify_url, ws.api_key)
    with examples.http:
        examples.update_all_user_rates(ws.workspace_id, 9900, datetime(2024, 1, 1))
    everyone = [ws.owner_id, *ws.member_ids]
    updated = [
        u for u in everyone if emulator.clockify.current_rate(ws.workspace_id, u, "cost") == 9900
    ]
    assert updated == everyone[:50]


# ------------------------------------------------------------------ Toggl curl samples

TOGGL_USER_KEYS = {
    "id", "api_token", "default_wid", "email", "fullname", "jquery_timeofday_format",
    "jquery_date_format", "timeofday_format", "date_format", "store_start_and_stop_time",
    "beginning_of_week", "language", "image_url", "sidebar_piechart", "at", "retention",
    "record_timeline", "render_timeline", "timeline_enabled", "timeline_experiment",
    "new_blog_post", "invitation",
}  # fmt: skip  # Toggl v8 "Users", "Get current user data": the sample
RELATED = ("time_entries", "projects", "tags", "workspaces", "clients")


def test_toggl_curl_samples(emulator: Emulator, served: ServedEmulator) -> None:
    """GET /me (plain and with related data), PUT /me, POST /reset_token as the curl lines
    send them (-u token:api_token), each with the documented status and shape."""
    user = emulator.seed_toggl_user(fullname="John Swift")
    with httpx.Client(base_url=served.toggl_url) as http:
        auth = (user.api_token, "api_token")
        plain = http.get("/me", auth=auth)
        assert plain.status_code == 200
        body = plain.json()
        assert set(body) == {"since", "data"}
        assert isinstance(body["since"], int)
        assert set(body["data"]) >= TOGGL_USER_KEYS
        assert not set(RELATED) & set(body["data"])
        full = http.get("/me?with_related_data=true", auth=auth).json()["data"]
        assert all(isinstance(full[key], list) for key in RELATED)
        assert {"id", "wid", "start", "stop", "duration", "description", "at"} <= set(
            full["time_entries"][0]
        )
        changed = http.put("/me", auth=auth, json={"user": {"fullname": "John Smith"}})
        assert changed.status_code == 200
        assert changed.json()["data"]["fullname"] == "John Smith"
        reset = http.post("/reset_token", auth=auth)
        assert reset.status_code == 200
        token = reset.json()
        assert re.fullmatch(r"[0-9a-f]{32}", token)
        assert http.get("/me", auth=auth).status_code == 403  # the old token is gone
        assert http.get("/me", auth=(token, "api_token")).status_code == 200


def test_toggl_signup_sample(served: ServedEmulator) -> None:
    """POST /signups needs no credential; the curl sample's body lacks the two fields the
    document lists as required (timezone, created_with): 400; with them, 200 and a token."""
    with httpx.Client(base_url=served.toggl_url) as http:
        sample = {"user": {"email": "test.user@example.com", "password": "StrongPassword"}}
        refused = http.post("/signups", json=sample)
        assert refused.status_code == 400
        complete = {"user": {**sample["user"], "timezone": "Etc/UTC", "created_with": "curl"}}
        created = http.post("/signups", json=complete)
    assert created.status_code == 200
    data = created.json()["data"]
    assert data["email"] == "test.user@example.com"
    assert data["api_token"]
    assert {"id", "default_wid", "fullname", "new_blog_post", "invitation"} <= set(data)


# ------------------------------------------------------------------ McTime sample requests

CLOCK_ITEM_KEYS = {
    "userId", "userFirstName", "userLastName", "clockedIn", "onBreak", "from", "id",
    "organizationId", "organizationName", "timeType", "breaks",
}  # fmt: skip  # McTime "GET /clock", the sample response
BREAK_KEYS = {"id", "from", "to", "automatic"}


def test_mctime_sample_requests(emulator: Emulator, served: ServedEmulator) -> None:
    """GET /clock and GET /clock/{id} answer the documented shapes; 404 clocked out, 400 not
    found, 401 without a key, a 400 item for a user the key may not see."""
    org = emulator.seed_mctime_organization(users=21, on_break=1, clocked_out=1)
    outsider = emulator.seed_mctime_organization(users=1, name="Elsewhere")
    headers = {"API_KEY": org.manager_key}
    with httpx.Client(base_url=served.mctime_url, headers=headers) as http:
        first = http.get("/clock")
        assert first.status_code == 200
        page = first.json()
        assert set(page) == {"items", "page", "totalItems", "totalCount"}
        assert (page["page"], page["totalItems"], page["totalCount"]) == (1, 21, 2)
        assert len(page["items"]) == 20
        assert all(set(item) == CLOCK_ITEM_KEYS for item in page["items"])
        on_break = page["items"][0]
        assert on_break["onBreak"] is True
        assert set(on_break["breaks"][0]) == BREAK_KEYS
        assert on_break["breaks"][0]["to"] is None
        assert page["items"][1]["breaks"] is None
        assert re.search(r"[+-]\d\d:\d\d$", on_break["from"])
        second = http.get("/clock", params={"page": 2}).json()
        assert [item["userId"] for item in second["items"]] == [org.user_ids[20]]
        one = http.get(f"/clock/{org.entry_ids[0]}")
        assert one.status_code == 200
        assert set(one.json()) == CLOCK_ITEM_KEYS
        assert http.get(f"/clock/{org.clocked_out_entry_ids[0]}").status_code == 404
        missing = http.get("/clock/00000000-0000-0000-0000-000000000000")
        assert (missing.status_code, missing.json()) == (400, {"message": "Report was not found"})
        filtered = http.get(
            "/clock", params=[("userIds", org.user_ids[3]), ("userIds", outsider.user_ids[0])]
        ).json()
        assert [i.get("userId") for i in filtered["items"]] == [
            outsider.user_ids[0],
            org.user_ids[3],
        ]
        assert filtered["items"][0]["status"] == 400
        assert filtered["totalItems"] == 1
        assert http.get("/clock", headers={"API_KEY": ""}).status_code == 401
