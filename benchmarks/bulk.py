"""Bulk rate updates: client CPU per item as the workspace grows (50, 600, 5,000 members).

Every Clockify rate ``PUT`` answers with the whole workspace. A mock transport (in process, no
sockets) answers each ``PUT`` of ``users.bulk_set_hourly_rate`` with the same workspace of
``--members`` memberships (the document's sample, memberships varied as in
``benchmarks/models.py``), already encoded, so what is measured is the client: building and
sending each request, reading each answer, and structuring the one workspace it keeps.

Rows, per workspace size, run side by side and interleaved:

* ``now``: ``bulk_set_hourly_rate`` as shipped: each item's answer is checked by its status
  only; the last one is kept raw and parsed and structured into ``BulkResult.workspace`` only
  when that is first read (after the timed call here: most callers never read it);
* ``parse every body``: the same job with every answer parsed as JSON, as the client did
  before (the last one structured), for comparison.

Columns: client CPU (``time.process_time``) per item in ms (the whole call over ``--items``),
median of ``--repeats`` runs; that figure over the 50-member ``now`` row; and, for the ``now``
rows, the one-off CPU of parsing and structuring the kept workspace when
``BulkResult.workspace`` is first read. The goal: at 5,000 members at most twice the 50-member
cost, and under 2 ms, whatever the number of items.

Usage: ``python -m benchmarks.bulk [--items 200] [--repeats 5] [--members 50 600 5000]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

from timeclients import HttpPool
from timeclients._bulk import run_bulk
from timeclients._transport import Response
from timeclients.clockify import ClockifyClient, Workspace
from timeclients.clockify import _protocol as proto

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "clockify_workspace.json"
WS = "64a687e29ae1f428e7ebe303"


def workspace_body(members: int) -> bytes:
    """The sample workspace with ``members`` memberships, varied like real ones, as JSON."""
    base: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))[0]
    template = base["memberships"][0]
    memberships = []
    for i in range(members):
        m = copy.deepcopy(template)
        m["userId"] = f"{i:024x}"
        if i % 3 == 0:
            m["membershipType"], m["targetId"] = "WORKSPACE", WS
        if i % 4 == 0:
            m["costRate"] = None
        if i % 5 == 0:
            m["hourlyRate"] = None
        memberships.append(m)
    base["memberships"] = memberships
    return json.dumps(base).encode()


def client_for(body: bytes) -> ClockifyClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    pool = HttpPool(transport=httpx.MockTransport(handler))
    return ClockifyClient(api_key="bench-key", pool=pool, rate_limit=None, retry=None)


async def now(body: bytes, items: int) -> float:
    """CPU seconds per item of ``bulk_set_hourly_rate`` as shipped."""
    rates = {f"u{i:05d}": 1000 + i for i in range(items)}
    async with client_for(body) as client:
        started = time.process_time()
        result = await client.users.bulk_set_hourly_rate(WS, rates)
        spent = time.process_time() - started
    assert len(result.succeeded) == items
    assert result.workspace is not None  # decoded here, on first read: not in the figure
    return spent / items


async def parse_every_body(body: bytes, items: int) -> float:
    """CPU seconds per item when every answer is parsed (the client before this change)."""
    rates = {f"u{i:05d}": 1000 + i for i in range(items)}
    async with client_for(body) as client:
        channel = client._channel

        async def one(user_id: str) -> tuple[object, str, str]:
            request = proto.user_hourly_rate_request(WS, user_id, amount=rates[user_id], since=None)
            response = await channel.send(request)
            return response.json(), response.method, response.path

        started = time.process_time()
        outcome = await run_bulk(list(rates), one, concurrency=16)
        assert outcome.last is not None
        data, method, path = outcome.last
        proto.decoder.structure(data, Workspace, method=method, path=path)
        spent = time.process_time() - started
    assert len(outcome.succeeded) == items
    return spent / items


def decode_once(body: bytes) -> float:
    """CPU seconds to parse and structure one answer, as the job does for the one it keeps."""
    response = Response(200, {}, body, "PUT", "/bench")
    started = time.process_time()
    proto.decoder.structure(response.json(), Workspace, method="PUT", path="/bench")
    return time.process_time() - started


async def main(args: argparse.Namespace) -> None:
    bodies = {n: workspace_body(n) for n in args.members}
    rows: dict[tuple[int, str], list[float]] = {}
    once: dict[int, list[float]] = {}
    for _ in range(args.repeats):
        for n, body in bodies.items():
            for name, run in (("now", now), ("parse every body", parse_every_body)):
                rows.setdefault((n, name), []).append(await run(body, args.items))
            once.setdefault(n, []).append(decode_once(body))
    base = statistics.median(rows[(min(args.members), "now")])
    print(f"bulk_set_hourly_rate: {args.items} items, median of {args.repeats} runs")
    print(
        f"{'members':>8} {'body KB':>8}  {'row':<17} {'CPU/item ms':>11} {'x 50':>6} "
        f"{'read .workspace ms':>18}"
    )
    for (n, name), values in rows.items():
        per_item = statistics.median(values)
        kept = f"{statistics.median(once[n]) * 1e3:>18.2f}" if name == "now" else ""
        print(
            f"{n:>8} {len(bodies[n]) / 1024:>8.0f}  {name:<17} {per_item * 1e3:>11.3f} "
            f"{per_item / base:>6.2f} {kept}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--members", type=int, nargs="+", default=[50, 600, 5000])
    return parser.parse_args()


if __name__ == "__main__":
    anyio.run(main, parse_args())
