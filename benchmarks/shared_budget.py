"""Several processes, one budget: in-process limiters vs ``RedisRateStore``, side by side.

``--processes`` worker processes (default 4) each bulk-update their own ``--per-process``
members (default 125) of ONE workspace against the strict 50/s sliding-window server of
``_strict_server`` (its own process, 0-20 ms of jitter before each arrival, 429 beyond the
window, no Retry-After). Two runs side by side on the same server and machine:

* **in-process limiters** — each process's ``ClockifyClient`` with its default limiter (what
  every FastAPI worker or Celery worker does today);
* **RedisRateStore** — the same clients on ``HttpPool(rate_store=RedisRateStore(url))``.

For each: updates applied, achieved rate (applied per second of wall time) / limit, 429s
answered, the most accepted requests the server saw in any 1 s window, and wall time (median of
``--rounds``). Then the store's own cost per acquisition (µs and Redis round trips, at 1 and at
50 acquisitions in flight, on a limit that never waits) next to the in-process limiter's.
Needs ``redis-server`` on PATH. Usage: ``python -m benchmarks.shared_budget [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from timeclients import ClockifyClient, HttpPool, RateLimit, RedisRateStore
from timeclients._transport import SlidingWindowLimiter, SystemClock

WORKSPACE = "64a687e29ae1f428e7ebe303"
API_KEY = "bench-key"
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A free loopback TCP port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """``redis-server`` on loopback ``port``, no persistence; waits until it answers PING."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError(
            "redis-server is not installed (Debian: apt-get install -y redis-server)"
        )
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
        [binary, "--save", "", "--appendonly", "no", "--port", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"redis-server did not start on port {port}")


def start_server(port: int, *, jitter_ms: float = 20.0, extra: tuple[str, ...] = ()) -> Any:
    """The strict server (with its arrival log) on ``port``; waits until it answers."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            *("-m", "benchmarks._budget_server", "--port", str(port)),
            *("--jitter-ms", str(jitter_ms), *extra),
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/_stats", timeout=1.0)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("the strict server did not start")


def run_workers(
    base: str, redis_url: str | None, processes: int, per_process: int
) -> list[dict[str, Any]]:
    """Run ``processes`` workers at once (they start together); their JSON reports."""
    start_at = time.time() + 1.5 + 0.4 * processes  # every interpreter is up by then
    workers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                *("-m", "benchmarks.shared_budget", "--worker", "--base", base),
                *("--redis", redis_url or "", "--first", str(i * per_process)),
                *("--count", str(per_process), "--start-at", repr(start_at)),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    reports = []
    for worker in workers:
        out, _ = worker.communicate(timeout=300)
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


async def _worker(args: argparse.Namespace) -> dict[str, Any]:
    rates = {f"user{i:05d}": 10_000 + i for i in range(args.first, args.first + args.count)}
    store = RedisRateStore(args.redis) if args.redis else None
    pool = HttpPool(rate_store=store)
    base_url = f"{args.base}/api/v1"
    async with pool, ClockifyClient(api_key=API_KEY, base_url=base_url, pool=pool) as c:
        delay = args.start_at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        started = time.perf_counter()
        result = await c.users.bulk_set_cost_rate(WORKSPACE, rates)
        wall = time.perf_counter() - started
        failed: dict[str, int] = {}
        for exc in result.failed.values():
            failed[type(exc).__name__] = failed.get(type(exc).__name__, 0) + 1
        return {
            "succeeded": len(result.succeeded),
            "failed": failed,
            "requests": c.stats.requests,
            "throttled": c.stats.throttled,
            "wall": wall,
        }


def max_in_window(times: list[float], per: float) -> int:
    """The most events any window ``[t, t + per)`` holds."""
    import bisect

    times = sorted(times)
    return max((bisect.bisect_left(times, t + per) - i for i, t in enumerate(times)), default=0)


def measure(
    base: str, redis_url: str | None, processes: int, per_process: int, limit: int
) -> dict[str, float]:
    """One side-by-side row: both modes share this function and the server."""
    httpx.get(f"{base}/_reset")
    time.sleep(1.1)  # the previous run's window drains
    reports = run_workers(base, redis_url, processes, per_process)
    stats = httpx.get(f"{base}/_stats").json()
    log = httpx.get(f"{base}/_log").json()
    accepted = [t for t, status in log if status == 200]
    n = processes * per_process
    span = (max(accepted) - min(accepted)) if len(accepted) > 1 else float("nan")
    wall = max(r["wall"] for r in reports)
    return {
        "applied": stats["applied"] / n,
        "rate": stats["applied"] / wall / limit,
        "server_rate": (len(accepted) - 1) / span / limit,
        "429": stats["throttled"],
        "max_window": max_in_window(accepted, 1.0),
        "failed": sum(sum(r["failed"].values()) for r in reports),
        "wall": wall,
    }


async def store_cost(redis_url: str, n: int, in_flight: int) -> tuple[float, float, float]:
    """µs per acquisition (Redis store), Redis round trips per acquisition, µs in process."""
    import redis.asyncio as aioredis

    rate = RateLimit(10_000_000, 1.0)  # never waits: the cost of the bookkeeping alone
    control = aioredis.from_url(redis_url)
    await control.config_resetstat()
    store = RedisRateStore(redis_url, prefix=f"bench{in_flight}")
    limiter = store.limiter(("clockify", "fp", "ws"), rate, SystemClock())
    local = SlidingWindowLimiter(rate)

    async def run(target: Any) -> float:
        async def task(count: int) -> None:
            for _ in range(count):
                await target.acquire()

        started = time.perf_counter()
        await asyncio.gather(*(task(n // in_flight) for _ in range(in_flight)))
        return (time.perf_counter() - started) / n * 1e6

    await run(limiter)  # warm: connection, script cache
    info = await control.info("commandstats")
    before = sum(v["calls"] for k, v in info.items() if k.startswith("cmdstat_eval"))
    redis_us = await run(limiter)
    info = await control.info("commandstats")
    after = sum(v["calls"] for k, v in info.items() if k.startswith("cmdstat_eval"))
    local_us = await run(local)
    await store.aclose()
    await control.aclose()
    return redis_us, (after - before) / n, local_us


def main_bench(args: argparse.Namespace) -> None:
    redis_port, port = free_port(), free_port()
    redis = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    server = start_server(port, jitter_ms=args.jitter_ms)
    base = f"http://127.0.0.1:{port}"
    modes = {"in-process limiters (one per process)": None, "RedisRateStore (shared)": redis_url}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in modes}
    try:
        for _ in range(args.rounds):
            for name, url in modes.items():
                results[name].append(
                    measure(base, url, args.processes, args.per_process, args.limit)
                )
        costs = {k: asyncio.run(store_cost(redis_url, 5000, k)) for k in (1, 50)}
    finally:
        server.terminate()
        server.wait(10)
        redis.terminate()
        redis.wait(10)
    n = args.processes * args.per_process
    print(
        f"\n{args.processes} processes x {args.per_process} cost-rate updates of one workspace, "
        f"strict {args.limit}/s sliding window, 0-{args.jitter_ms:g} ms jitter; "
        f"median of {args.rounds} round(s)\n"
    )
    print(
        "| limiters | applied | achieved rate / limit | 429s | max in any 1 s window "
        "| failed | wall s |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"| {name} | {med['applied']:.1%} | {med['rate']:.3f} | {med['429']:.0f} "
            f"({med['429'] / n:.1%}) | {med['max_window']:.0f} | {med['failed']:.0f} "
            f"| {med['wall']:.2f} |"
        )
    print("\nThe store's cost per acquisition (a limit that never waits; 5,000 acquisitions)\n")
    print("| in flight | RedisRateStore µs | Redis round trips | in-process limiter µs |")
    print("|---|---|---|---|")
    for k, (redis_us, trips, local_us) in costs.items():
        print(f"| {k} | {redis_us:.0f} | {trips:.2f} | {local_us:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--per-process", type=int, default=125)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--jitter-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3)
    # Worker mode (one process of a run).
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--redis", default="", help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        report = asyncio.run(_worker(args))
        sys.stdout.write(json.dumps(report) + "\n")
        return
    main_bench(args)


if __name__ == "__main__":
    main()
