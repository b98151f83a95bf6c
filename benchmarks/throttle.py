"""Throttle accuracy: N concurrent rate updates against a strict 50/s sliding-window server.

Side by side in one run, against the same loopback server (its own process; 0-20 ms of
network jitter before each arrival; a strict sliding window of 50 accepted requests per
second per workspace; 429 beyond it, without Retry-After):

* **timeclients** — ``ClockifyClient.users.bulk_set_cost_rate`` with its defaults;
* **naive** — ``httpx.AsyncClient`` + ``aiolimiter.AsyncLimiter(50, 1)`` around every PUT,
  all updates gathered at once, no retry;
* **sequential** — the vendor document's "Bulk Rate Update" loop: one PUT after another.

For each: updates applied / N, achieved rate (applied per second of wall time) / limit, 429s
answered, the most accepted requests the server saw in any window, and wall time. Each row is
the median of ``--rounds`` rounds. Usage: ``python -m benchmarks.throttle [--updates 500]``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from timeclients import ClockifyClient

WORKSPACE = "64a687e29ae1f428e7ebe303"
API_KEY = "bench-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_ready(base: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                await client.get(f"{base}/_stats")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError("benchmark server did not start")


async def run_timeclients(base: str, rates: dict[str, int]) -> None:
    async with ClockifyClient(api_key=API_KEY, base_url=f"{base}/api/v1") as client:
        result = await client.users.bulk_set_cost_rate(WORKSPACE, rates)
        assert len(result.succeeded) + len(result.failed) == len(rates)


async def run_naive(base: str, rates: dict[str, int]) -> None:
    limiter = AsyncLimiter(50, 1)
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", headers={"X-Api-Key": API_KEY}) as c:

        async def one(user: str, amount: int) -> None:
            async with limiter:
                await c.put(
                    f"/workspaces/{WORKSPACE}/users/{user}/cost-rate", json={"amount": amount}
                )

        await asyncio.gather(*(one(u, a) for u, a in rates.items()))


async def run_sequential(base: str, rates: dict[str, int]) -> None:
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", headers={"X-Api-Key": API_KEY}) as c:
        for user, amount in rates.items():
            await c.put(f"/workspaces/{WORKSPACE}/users/{user}/cost-rate", json={"amount": amount})


CLIENTS: dict[str, Callable[[str, dict[str, int]], Awaitable[None]]] = {
    "timeclients (bulk_set_cost_rate)": run_timeclients,
    "naive: AsyncLimiter(50, 1) + gather": run_naive,
    "sequential loop (the document's example)": run_sequential,
}


async def measure(base: str, name: str, n: int, limit: int) -> dict[str, float]:
    rates = {f"user{i:05d}": 10_000 + i for i in range(n)}
    async with httpx.AsyncClient() as control:
        await control.get(f"{base}/_reset")
        await asyncio.sleep(1.1)  # let the previous run's window drain
        started = time.perf_counter()
        await CLIENTS[name](base, rates)
        wall = time.perf_counter() - started
        stats: dict[str, Any] = (await control.get(f"{base}/_stats")).json()
    applied = stats["applied"]
    return {
        "applied": applied / n,
        "rate": applied / wall / limit,
        "429": stats["throttled"],
        "max_window": stats["max_in_window"],
        "wall": wall,
    }


async def main_async(args: argparse.Namespace) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603, ASYNC220 - our own module, fixed arguments; once
        [
            sys.executable,
            "-m",
            "benchmarks._strict_server",
            "--port",
            str(port),
            "--limit",
            str(args.limit),
            "--jitter-ms",
            str(args.jitter_ms),
        ],
    )
    try:
        await wait_ready(base)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in CLIENTS}
        for _ in range(args.rounds):
            for name in CLIENTS:
                results[name].append(await measure(base, name, args.updates, args.limit))
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"\n{args.updates} cost-rate updates, one workspace, strict {args.limit}/s sliding window, "
        f"0-{args.jitter_ms:g} ms jitter; median of {args.rounds} round(s)\n"
    )
    print("| client | applied | achieved rate / limit | 429s | max in any 1 s window | wall s |")
    print("|---|---|---|---|---|---|")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"| {name} | {med['applied']:.1%} | {med['rate']:.3f} | {med['429']:.0f} "
            f"({med['429'] / args.updates:.1%}) | {med['max_window']:.0f} | {med['wall']:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--jitter-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
