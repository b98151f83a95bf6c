"""The McTime emulator against McTime's clock API, driven with plain httpx.

https://mctime.com/api ("GET /clock", "GET /clock/{id}").
"""

from __future__ import annotations

import httpx
import pytest

from timeclients.testing import Emulator

pytestmark = pytest.mark.anyio
BASE = "https://mctime.com/api/v2/auth"

ITEM_KEYS = {  # "GET /clock", Response 200 OK
    "userId",
    "userFirstName",
    "userLastName",
    "clockedIn",
    "onBreak",
    "from",
    "id",
    "organizationId",
    "organizationName",
    "timeType",
    "breaks",
}


def key(api_key: str) -> dict[str, str]:
    return {"API_KEY": api_key}


async def test_list_shape_and_breaks(emu: Emulator, http: httpx.AsyncClient):
    """GET /clock returns the documented items, page, totalItems and totalCount; onBreak and
    breaks follow the running entry ("GET /clock", response fields)."""
    org = emu.seed_mctime_organization(users=3, on_break=1, finished_breaks=1)
    r = await http.get(f"{BASE}/clock", headers=key(org.manager_key))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "page", "totalItems", "totalCount"}
    assert (body["page"], body["totalItems"], body["totalCount"]) == (1, 3, 1)
    items = body["items"]
    assert [i["userId"] for i in items] == list(org.user_ids)
    for item in items:
        assert set(item) == ITEM_KEYS
        assert item["clockedIn"] is True
        assert item["from"].endswith("+01:00")
        assert item["organizationName"] == "Main Office"
    on_break, finished, plain = items
    assert on_break["onBreak"] is True
    assert on_break["breaks"][0]["to"] is None
    assert set(on_break["breaks"][0]) == {"id", "from", "to", "automatic"}
    assert finished["onBreak"] is False
    assert finished["breaks"][0]["to"] is not None
    assert plain["breaks"] is None  # "GET /clock": breaks is null when there are none


@pytest.mark.parametrize("headers", [{}, {"API_KEY": "wrong"}], ids=["missing", "invalid"])
async def test_missing_or_invalid_key_is_401(emu, http, headers):
    """A missing or invalid API_KEY is a 401 on both endpoints ("GET /clock", "GET /clock/{id}")."""
    org = emu.seed_mctime_organization(users=1)
    assert (await http.get(f"{BASE}/clock", headers=headers)).status_code == 401
    r = await http.get(f"{BASE}/clock/{org.entry_ids[0]}", headers=headers)
    assert r.status_code == 401


async def test_employee_sees_only_themself(emu, http):
    """An employee's key sees only their own status ("GET /clock")."""
    org = emu.seed_mctime_organization(users=4)
    me = org.user_ids[2]
    r = await http.get(f"{BASE}/clock", headers=key(org.employee_keys[me]))
    assert [i["userId"] for i in r.json()["items"]] == [me]
    assert r.json()["totalItems"] == 1


async def test_manager_sees_only_managed_organizations(emu, http):
    """Higher roles see the clocked-in users of the organizations they manage ("GET /clock")."""
    north = emu.seed_mctime_organization(users=2, name="North")
    south = emu.seed_mctime_organization(users=3, name="South", manager_role="administrator")
    r = await http.get(f"{BASE}/clock", headers=key(north.manager_key))
    assert {i["userId"] for i in r.json()["items"]} == set(north.user_ids)
    r = await http.get(f"{BASE}/clock", headers=key(south.manager_key))
    assert {i["userId"] for i in r.json()["items"]} == set(south.user_ids)


async def test_pages_of_twenty(emu, http):
    """Pages hold 20 items; totalItems counts users, totalCount pages ("GET /clock")."""
    org = emu.seed_mctime_organization(users=45)
    seen: list[str] = []
    for page in (1, 2, 3):
        r = await http.get(f"{BASE}/clock", params={"page": page}, headers=key(org.manager_key))
        body = r.json()
        assert (body["page"], body["totalItems"], body["totalCount"]) == (page, 45, 3)
        assert len(body["items"]) == (20 if page < 3 else 5)
        seen += [i["userId"] for i in body["items"]]
    assert seen == list(org.user_ids)
    r = await http.get(f"{BASE}/clock", params={"page": 4}, headers=key(org.manager_key))
    assert r.json()["items"] == []


async def test_mutations_shift_pages_mid_walk(emu, http):
    """Clocking out someone on page 1 shifts later users forward, as on the live service."""
    org = emu.seed_mctime_organization(users=25)
    r1 = await http.get(f"{BASE}/clock", params={"page": 1}, headers=key(org.manager_key))
    emu.mctime.clock_out(org.entry_ids[0])
    r2 = await http.get(f"{BASE}/clock", params={"page": 2}, headers=key(org.manager_key))
    first = [i["userId"] for i in r1.json()["items"]]
    second = [i["userId"] for i in r2.json()["items"]]
    assert second == list(org.user_ids[21:])
    assert org.user_ids[20] not in first + second  # shifted onto page 1 after it was read
    assert r2.json()["totalItems"] == 24


async def test_user_filter_with_invisible_user_is_a_400_item(emu, http):
    """userIds restricts; a user the key may not see is a 400 item, the others still come
    ("GET /clock", userIds)."""
    org = emu.seed_mctime_organization(users=3)
    other = emu.seed_mctime_organization(users=1, name="Elsewhere")
    wanted = [org.user_ids[1], other.user_ids[0]]
    r = await http.get(
        f"{BASE}/clock", params=[("userIds", u) for u in wanted], headers=key(org.manager_key)
    )
    assert r.status_code == 200
    error, item = r.json()["items"]
    assert error["userId"] == other.user_ids[0]
    assert error["status"] == 400
    assert isinstance(error["message"], str)
    assert item["userId"] == org.user_ids[1]
    assert r.json()["totalItems"] == 1


async def test_employee_asking_for_a_colleague_gets_a_400_item(emu, http):
    """For an employee every other user id is a 400 item ("GET /clock")."""
    org = emu.seed_mctime_organization(users=2)
    me, colleague = org.user_ids
    params = [("userIds", me), ("userIds", colleague)]
    r = await http.get(f"{BASE}/clock", params=params, headers=key(org.employee_keys[me]))
    items = r.json()["items"]
    assert [i.get("status") for i in items] == [400, None]
    assert items[1]["userId"] == me


async def test_organization_filters(emu, http):
    """organizationIds and organizationNames accept managed organizations only; others are 400
    items ("GET /clock")."""
    main = emu.seed_mctime_organization(users=2, name="Main Office")
    other = emu.seed_mctime_organization(users=2, name="Branch")
    emu.mctime.users[main.manager_id].manages.add(other.organization_id)
    emu.mctime.users[main.manager_id].organizations.add(other.organization_id)
    foreign = emu.seed_mctime_organization(users=1, name="Foreign")
    h = key(main.manager_key)
    r = await http.get(
        f"{BASE}/clock", params={"organizationIds": other.organization_id}, headers=h
    )
    assert {i["userId"] for i in r.json()["items"]} == set(other.user_ids)
    r = await http.get(f"{BASE}/clock", params={"organizationNames": "Main Office"}, headers=h)
    assert {i["userId"] for i in r.json()["items"]} == set(main.user_ids)
    params = [
        ("organizationIds", foreign.organization_id),
        ("organizationNames", "Foreign"),
        ("organizationIds", main.organization_id),
    ]
    r = await http.get(f"{BASE}/clock", params=params, headers=h)
    items = r.json()["items"]
    assert [i.get("status") for i in items] == [400, 400, None, None]
    assert {i["userId"] for i in items[2:]} == set(main.user_ids)


async def test_employee_organization_filter_is_a_400_item(emu, http):
    """An employee manages nothing: any organization filter is a 400 item ("GET /clock")."""
    org = emu.seed_mctime_organization(users=1)
    me = org.user_ids[0]
    r = await http.get(
        f"{BASE}/clock",
        params={"organizationIds": org.organization_id},
        headers=key(org.employee_keys[me]),
    )
    assert [i["status"] for i in r.json()["items"]] == [400]
    assert r.json()["totalItems"] == 0


async def test_time_type_filter(emu, http):
    """timeTypes filters by the documented names; an unknown name is a 400 ("GET /clock")."""
    org = emu.seed_mctime_organization(users=4, time_types=("work", "home_office"))
    h = key(org.manager_key)
    r = await http.get(f"{BASE}/clock", params={"timeTypes": "home_office"}, headers=h)
    assert [i["timeType"] for i in r.json()["items"]] == ["home_office", "home_office"]
    both = [("timeTypes", "home_office"), ("timeTypes", "work")]
    assert (await http.get(f"{BASE}/clock", params=both, headers=h)).json()["totalItems"] == 4
    r = await http.get(f"{BASE}/clock", params={"timeTypes": "nap"}, headers=h)
    assert r.status_code == 400


@pytest.mark.parametrize("page", ["0", "-1", "one"])
async def test_bad_page_is_400(emu, http, page):
    """page starts at 1 ("GET /clock"): anything else is a 400."""
    org = emu.seed_mctime_organization(users=1)
    r = await http.get(f"{BASE}/clock", params={"page": page}, headers=key(org.manager_key))
    assert r.status_code == 400


async def test_get_one_statuses(emu, http):
    """GET /clock/{id}: 200 open, 404 clocked out, 400 "Report was not found" for an unknown or
    invisible id ("GET /clock/{id}")."""
    org = emu.seed_mctime_organization(users=2, clocked_out=1)
    h = key(org.manager_key)
    r = await http.get(f"{BASE}/clock/{org.entry_ids[0]}", headers=h)
    assert r.status_code == 200
    assert set(r.json()) == ITEM_KEYS
    r = await http.get(f"{BASE}/clock/{org.clocked_out_entry_ids[0]}", headers=h)
    assert r.status_code == 404
    r = await http.get(f"{BASE}/clock/00000000-0000-0000-0000-000000000000", headers=h)
    assert r.status_code == 400
    assert r.json()["message"] == "Report was not found"
    employee = org.employee_keys[org.user_ids[0]]
    r = await http.get(f"{BASE}/clock/{org.entry_ids[1]}", headers=key(employee))
    assert r.status_code == 400


async def test_empty_list_has_zero_pages(emu, http):
    """With nobody clocked in the list is empty: 200, totalItems 0, totalCount 0 ("GET /clock")."""
    org = emu.seed_mctime_organization(users=0, idle=2)
    r = await http.get(f"{BASE}/clock", headers=key(org.manager_key))
    assert r.status_code == 200
    assert r.json() == {"items": [], "page": 1, "totalItems": 0, "totalCount": 0}


async def test_mutation_helpers(emu, http):
    """clock_in/start_break/end_break/clock_out drive what GET /clock shows."""
    org = emu.seed_mctime_organization(users=0, idle=1)
    (uid,) = org.employee_keys
    eid = emu.mctime.clock_in(uid, org.organization_id, time_type="travel")
    with pytest.raises(ValueError, match="already clocked in"):
        emu.mctime.clock_in(uid, org.organization_id)
    emu.mctime.start_break(eid)
    r = await http.get(f"{BASE}/clock/{eid}", headers=key(org.manager_key))
    assert (r.json()["onBreak"], r.json()["timeType"]) == (True, "travel")
    emu.mctime.end_break(eid)
    r = await http.get(f"{BASE}/clock/{eid}", headers=key(org.manager_key))
    assert r.json()["onBreak"] is False
    emu.mctime.clock_out(eid)
    assert (await http.get(f"{BASE}/clock/{eid}", headers=key(org.manager_key))).status_code == 404


async def test_other_paths_and_methods(emu, http):
    """Paths outside /clock are 404 and writes 405."""
    org = emu.seed_mctime_organization(users=1)
    h = key(org.manager_key)
    assert (await http.get(f"{BASE}/times", headers=h)).status_code == 404
    assert (await http.post(f"{BASE}/clock", headers=h)).status_code == 405
