"""Pagination: McTime ``clock.list`` concurrent against sequential, and against the rate floor.

One run, side by side, against the same in-process server (an async httpx transport, no
sockets, no emulator): ``--pages`` pages of 20 clocked-in users; every request first travels
0 to ``--jitter-ms`` before it *arrives*, arrivals are counted in a strict sliding window of
``--limit`` requests per second (one more is answered ``429 Too many requests``, without
``Retry-After``, as McTime does), and an accepted page is answered after ``--latency-ms``
(± ``--jitter-ms``).

Rows: ``McTimeClient`` with its defaults (``RateLimit(10, 1.0)``, retries on) at
``page_concurrency`` 1 (sequential), 4 (the default) and 8; and, to show what the client-side
limit is for, ``page_concurrency=8`` with ``rate_limit=None``. Columns: median wall time of
``--runs`` runs, speed-up over sequential, wall time over the floor the rate limit sets
(``(pages - 1) / limit + latency``: the last request cannot be sent sooner, and then takes one
latency), 429s answered, the most requests in flight, and whether every entry came exactly
once. Usage: ``python -m benchmarks.paginate [--pages 24] [--latency-ms 300] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import statistics
import time
from typing import Any

import anyio
import httpx

from timeclients import HttpPool, RateLimit
from timeclients.mctime import McTimeClient

KEY = "bench-key"
BASE = "https://mctime.bench/api/v2/auth"
PAGE_SIZE = 20


class StrictClockServer:
    """``GET /clock`` with latency, jitter and a strict sliding window on arrivals."""

    def __init__(self, pages: int, latency: float, jitter: float, limit: int, seed: int) -> None:
        self.users = pages * PAGE_SIZE
        self.pages = pages
        self.latency = latency
        self.jitter = jitter
        self.limit = limit
        self.rng = random.Random(seed)
        self.arrivals: collections.deque[float] = collections.deque()
        self.throttled = 0
        self.accepted = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def item(self, n: int) -> dict[str, Any]:
        return {
            "userId": f"user-{n:05d}",
            "userFirstName": "Jane",
            "userLastName": f"Doe {n}",
            "clockedIn": True,
            "onBreak": False,
            "from": "2026-01-15T08:00:00+01:00",
            "id": f"entry-{n:05d}",
            "organizationId": "33333333-3333-3333-3333-333333333333",
            "organizationName": "Main Office",
            "timeType": "work",
            "breaks": None,
        }

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.sleep(self.rng.uniform(0, self.jitter))  # the trip to the server
            now = time.monotonic()
            while self.arrivals and self.arrivals[0] <= now - 1.0:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.limit:
                self.throttled += 1
                return httpx.Response(429, json={"message": "Too many requests"})
            self.arrivals.append(now)
            self.accepted += 1
            page = int(request.url.params.get("page", "1"))
            first = (page - 1) * PAGE_SIZE
            items = [self.item(n) for n in range(first, min(first + PAGE_SIZE, self.users))]
            body = {
                "items": items,
                "page": page,
                "totalItems": self.users,
                "totalCount": self.pages,
            }
            await anyio.sleep(max(0.0, self.latency + self.rng.uniform(-self.jitter, self.jitter)))
            return httpx.Response(200, content=json.dumps(body).encode())
        finally:
            self.in_flight -= 1


CASES: list[tuple[str, int, bool]] = [
    ("sequential (page_concurrency=1)", 1, True),
    ("concurrent, page_concurrency=4 (default)", 4, True),
    ("concurrent, page_concurrency=8", 8, True),
    ("page_concurrency=8, rate_limit=None", 8, False),
]


async def measure(
    args: argparse.Namespace, concurrency: int, limited: bool, seed: int
) -> dict[str, float]:
    server = StrictClockServer(
        args.pages, args.latency_ms / 1000, args.jitter_ms / 1000, args.limit, seed
    )
    pool = HttpPool(transport=httpx.MockTransport(server.handle))
    rate_limit = RateLimit(args.limit, 1.0) if limited else None
    async with (
        pool,
        McTimeClient(
            api_key=KEY,
            base_url=BASE,
            pool=pool,
            rate_limit=rate_limit,
            page_concurrency=concurrency,
        ) as client,
    ):
        started = time.perf_counter()
        ids = [status.id async for status in client.clock.list()]
        wall = time.perf_counter() - started
    exact = len(ids) == server.users and len(set(ids)) == server.users
    return {
        "wall": wall,
        "429": server.throttled,
        "in_flight": server.max_in_flight,
        "exact": 1.0 if exact else 0.0,
    }


async def main_async(args: argparse.Namespace) -> None:
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in CASES}
    for run in range(args.runs):
        for name, concurrency, limited in CASES:
            if not limited and args.skip_unlimited:
                continue
            results[name].append(await measure(args, concurrency, limited, seed=run))
    floor = (args.pages - 1) / args.limit + args.latency_ms / 1000
    sequential = statistics.median(r["wall"] for r in results[CASES[0][0]])
    print(
        f"\n{args.pages} pages of {PAGE_SIZE} at {args.latency_ms:g} ms (± {args.jitter_ms:g} ms), "
        f"strict {args.limit}/s sliding window on arrivals; median of {args.runs} run(s); "
        f"floor set by the rate limit = ({args.pages} - 1) / {args.limit} + "
        f"{args.latency_ms / 1000:g} = {floor:.2f} s\n"
    )
    print(
        "| client | wall s | speed-up vs sequential | wall / floor | 429s | max in flight "
        "| every entry once |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        if not runs:
            continue
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"| {name} | {med['wall']:.2f} | {sequential / med['wall']:.2f}x | "
            f"{med['wall'] / floor:.2f} | {max(r['429'] for r in runs):.0f} | "
            f"{max(r['in_flight'] for r in runs):.0f} | "
            f"{'yes' if all(r['exact'] for r in runs) else 'NO'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--jitter-ms", type=float, default=20.0)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--skip-unlimited", action="store_true", help="leave out the rate_limit=None row"
    )
    anyio.run(main_async, parser.parse_args())


if __name__ == "__main__":
    main()
