"""Fairness: callers sharing too few connections each get about the same number of calls.

Four callers loop on ``ClockifyClient.workspaces.get`` for ``--seconds`` through one
``HttpPool(max_connections=2)``, on each backend, against the loopback server of
:mod:`benchmarks._server`. A pool that serves waiters first come, first served gives each
caller the mean number of calls; aiohttp's own connector used to give the two callers holding
the connections nearly all of them.

Usage: ``python -m benchmarks.fairness [--seconds 2] [--callers 4] [--connections 2]``.
"""

from __future__ import annotations

import argparse
import time

import anyio

from benchmarks._server import serve_in_subprocess

WORKSPACE_ID = "64a687e29ae1f428e7ebe303"


async def run(
    base_url: str, backend: str, callers: int, connections: int, seconds: float
) -> list[int]:
    """Calls made by each caller in ``seconds`` on ``backend``."""
    from timeclients import ClockifyClient, HttpPool

    counts = [0] * callers
    async with (
        HttpPool(backend=backend, max_connections=connections) as pool,  # type: ignore[arg-type]
        ClockifyClient(
            api_key="bench", pool=pool, base_url=f"{base_url}/api/v1", rate_limit=None
        ) as client,
    ):
        for _ in range(connections * 5):  # warm-up: open the connections
            await client.workspaces.get(WORKSPACE_ID)
        stop = time.perf_counter() + seconds

        async def caller(index: int) -> None:
            while time.perf_counter() < stop:
                await client.workspaces.get(WORKSPACE_ID)
                counts[index] += 1

        async with anyio.create_task_group() as tg:
            for index in range(callers):
                tg.start_soon(caller, index)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    with serve_in_subprocess() as base_url:
        print(f"{args.callers} callers, {args.connections} connections, {args.seconds:g} s each\n")
        print("| backend | calls per caller | mean | largest deviation from the mean |")
        print("|---|---|---:|---:|")
        for backend in ("aiohttp", "httpx"):
            counts = anyio.run(run, base_url, backend, args.callers, args.connections, args.seconds)
            mean = sum(counts) / len(counts)
            worst = max(abs(c - mean) for c in counts) / mean if mean else float("nan")
            listed = ", ".join(f"{c:,}" for c in counts)
            print(f"| {backend} | {listed} | {mean:,.0f} | {worst:.1%} (need ≤ 15%) |")


if __name__ == "__main__":
    main()
