"""Property tests: the server-side window never over-admits; McTime pages partition the list."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from timeclients.testing import Emulator, SlidingWindowCounter
from timeclients.testing._core import EmuRequest


class StepClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - never awaited here
        self.t += seconds


@settings(max_examples=60, deadline=None)
@given(
    limit=st.integers(1, 8),
    gaps=st.lists(st.floats(0.0, 0.6, allow_nan=False), min_size=1, max_size=80),
)
def test_window_never_admits_more_than_the_limit(limit, gaps):
    """In any interval of `per` seconds at most `limit` requests are accepted, and a request is
    refused only when `limit` accepted ones are younger than `per`."""
    clock = StepClock()
    window = SlidingWindowCounter(limit, 1.0, clock)
    accepted: list[float] = []
    for gap in gaps:
        clock.t += gap
        recent = [t for t in accepted if t > clock.t - 1.0]
        ok = window.hit("k")
        assert ok == (len(recent) < limit)
        if ok:
            accepted.append(clock.t)
    for i, start in enumerate(accepted):
        assert sum(1 for t in accepted[i:] if t < start + 1.0) <= limit


@settings(max_examples=25, deadline=None)
@given(users=st.integers(0, 70), gone=st.sets(st.integers(0, 69), max_size=10))
def test_mctime_pages_partition_the_clocked_in_users(users, gone):
    """Reading every page returns each clocked-in user exactly once, in clock-in order, and
    totalItems / totalCount agree with what the pages hold."""
    emu = Emulator(mctime_rate_limit=None)
    org = emu.seed_mctime_organization(users=users)
    for index in sorted(i for i in gone if i < users):
        emu.mctime.clock_out(org.entry_ids[index])
    expected = [u for i, u in enumerate(org.user_ids) if i not in gone]
    seen: list[str] = []
    page = 1
    while True:
        request = EmuRequest(
            "GET", ("clock",), (("page", str(page)),), {"api_key": org.manager_key}
        )
        body = json.loads(emu.mctime.handle(request).body)
        assert body["totalItems"] == len(expected)
        assert body["totalCount"] == -(-len(expected) // 20)
        assert len(body["items"]) <= 20
        seen += [item["userId"] for item in body["items"]]
        if page >= body["totalCount"]:
            break
        page += 1
    assert seen == expected
