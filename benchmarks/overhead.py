"""Client overhead: requests per second and client CPU per request, every client side by side.

The server (:mod:`benchmarks._server`, uvicorn + httptools) runs in its own process; this
process only runs clients. Each row makes ``--requests`` calls of ``GET /workspaces/{id}``
(a ~1.7 KB Clockify workspace) with ``N`` calls in flight (``N`` worker tasks), after a warm-up
that opens the connections. Client CPU per request is ``time.process_time()`` of this process
over the measured calls, divided by their number; the server's CPU is not in it. Every row is
measured once per run, rows interleaved, and each figure is the median of ``--runs`` runs, so
a slow spell of the machine hits every row alike.

Rows (``--rows`` picks some):

* ``aiohttp``: raw ``aiohttp.ClientSession`` (``limit=100``), ``json.loads`` of the body;
* ``httpx``: raw ``httpx.AsyncClient()`` with its default pool (httpcore), ``response.json()``;
* ``tc``: ``timeclients.ClockifyClient.workspaces.get`` on ``HttpPool()`` (the default
  backend, aiohttp), ``rate_limit=None``: request building, send loop, decoding into models;
* ``tc-httpx``: the same on ``HttpPool(backend="httpx")`` (httpx's transport, behind the
  pool's slots);
* ``tc-httpx-aiohttp``: the same on ``HttpPool(transport=httpx_aiohttp.AiohttpTransport())``,
  the third-party candidate (skipped when ``httpx-aiohttp`` is not installed);
* ``cp115``: ``clockify-python-115`` 0.2.0 (httpx + pydantic) ``workspaces.get``: its default
  ``httpx.AsyncClient`` pool; its URL check demands ``https://``, so a one-line transport
  rewrites the URL to the loopback server before httpcore sends it (skipped when it is not
  installed).

Usage: ``python -m benchmarks.overhead [--requests 5000] [--concurrency 1,10,50,200]
[--runs 3] [--rows aiohttp,httpx,tc,tc-httpx,cp115]``. Keep one invocation short on a shared
machine: httpx's pool at 200 in flight runs ~100 req/s, so split the concurrencies.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import anyio
import httpx

from benchmarks._server import serve_in_subprocess

WORKSPACE_ID = "64a687e29ae1f428e7ebe303"
ALL_ROWS = ("aiohttp", "httpx", "tc", "tc-httpx", "tc-httpx-aiohttp", "cp115")
LABELS = {
    "aiohttp": "raw aiohttp.ClientSession",
    "httpx": "raw httpx.AsyncClient (default pool)",
    "tc": "timeclients, default transport (aiohttp)",
    "tc-httpx": "timeclients, backend='httpx'",
    "tc-httpx-aiohttp": "timeclients + httpx_aiohttp.AiohttpTransport",
    "cp115": "clockify-python-115 0.2.0",
}

Call = Callable[[], Awaitable[Any]]


class _LoopbackRewrite(httpx.AsyncBaseTransport):
    """Sends an ``https://bench.invalid`` request to the plain-HTTP loopback server."""

    def __init__(self, base_url: str) -> None:
        url = httpx.URL(base_url)
        self._host, self._port = url.host, url.port
        self._inner = httpx.AsyncHTTPTransport()  # what httpx.AsyncClient() builds by default

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host=self._host, port=self._port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def make_call(row: str, base_url: str, stack: AsyncExitStack) -> Call:
    """Build the client of ``row`` (closed by ``stack``) and return one call of it."""
    url = f"{base_url}/api/v1/workspaces/{WORKSPACE_ID}"
    if row == "aiohttp":
        import aiohttp

        session = await stack.enter_async_context(
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        )

        async def call_aiohttp() -> Any:
            async with session.get(url) as response:
                return json.loads(await response.read())

        return call_aiohttp
    if row == "httpx":
        client = await stack.enter_async_context(httpx.AsyncClient())

        async def call_httpx() -> Any:
            return (await client.get(url)).json()

        return call_httpx
    if row.startswith("tc"):
        from timeclients import ClockifyClient, HttpPool

        if row == "tc":
            pool = HttpPool()
        elif row == "tc-httpx":
            pool = HttpPool(backend="httpx")
        else:
            from httpx_aiohttp import AiohttpTransport

            pool = HttpPool(transport=AiohttpTransport())
        await stack.enter_async_context(pool)
        tc = ClockifyClient(
            api_key="bench-key", base_url=f"{base_url}/api/v1", pool=pool, rate_limit=None
        )
        await stack.enter_async_context(tc)
        return lambda: tc.workspaces.get(WORKSPACE_ID)
    if row == "cp115":
        from clockify import ClockifyClient as Cp115Client
        from clockify.operations.model import Service

        http_client = await stack.enter_async_context(
            httpx.AsyncClient(transport=_LoopbackRewrite(base_url))
        )
        cp = Cp115Client(
            api_key="bench-key",
            workspace_id=WORKSPACE_ID,
            http_client=http_client,
            service_urls={Service.REGULAR: "https://bench.invalid/api/v1"},
            allow_custom_hosts=True,
        )
        await stack.enter_async_context(cp)
        return lambda: cp.workspaces.get(workspace_id=WORKSPACE_ID)
    raise ValueError(f"unknown row {row!r}")


async def measure(call: Call, requests: int, concurrency: int) -> tuple[float, float]:
    """Run ``requests`` calls, ``concurrency`` at a time: (requests/s, client CPU µs/request)."""
    remaining = requests

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    wall0, cpu0 = time.perf_counter(), time.process_time()
    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return requests / wall, cpu / requests * 1e6


async def run_cell(row: str, base_url: str, requests: int, concurrency: int) -> tuple[float, float]:
    """One measurement of one row: build, warm up (open the connections), measure, close."""
    async with AsyncExitStack() as stack:
        call = await make_call(row, base_url, stack)
        await measure(call, max(2 * concurrency, 100), concurrency)
        return await measure(call, requests, concurrency)


def available(row: str) -> bool:
    module = {"tc-httpx-aiohttp": "httpx_aiohttp", "cp115": "clockify", "aiohttp": "aiohttp"}
    name = module.get(row)
    if name is None:
        return True
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def table(
    results: dict[int, dict[str, tuple[float, float]]], rows: list[str], requests: int, runs: int
) -> str:
    lines = [
        f"{requests} × GET /workspaces/{{id}}, median of {runs} runs; "
        "ratios are req/s over raw httpx and raw aiohttp",
        "",
        "| in flight | client | req/s | client CPU µs/req | × httpx | × aiohttp |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for concurrency, cells in results.items():
        base_httpx = cells.get("httpx", (float("nan"), 0.0))[0]
        base_aiohttp = cells.get("aiohttp", (float("nan"), 0.0))[0]
        for row in rows:
            rps, cpu = cells[row]
            lines.append(
                f"| {concurrency} | {LABELS[row]} | {rps:,.0f} | {cpu:,.0f} | "
                f"{rps / base_httpx:.2f} | {rps / base_aiohttp:.2f} |"
            )
    return "\n".join(lines)


def paired_drop(samples: dict[int, dict[str, list[tuple[float, float]]]], row: str) -> float | None:
    """Median over runs of ``1 - req/s at 200 / req/s at 10``, both from the same run.

    Each run measures the two levels back to back, so a slow spell of a shared machine that
    lasts longer than one run cancels out of the ratio instead of landing on one side of it.
    """
    low, high = samples.get(10, {}).get(row), samples.get(200, {}).get(row)
    if not low or not high:
        return None
    return statistics.median(1 - h[0] / lo[0] for lo, h in zip(low, high, strict=True))


def checks(
    results: dict[int, dict[str, tuple[float, float]]],
    samples: dict[int, dict[str, list[tuple[float, float]]]] | None = None,
) -> list[str]:
    """The issue's acceptance figures, where this run measured them."""
    out = []
    at50 = results.get(50, {})
    if {"tc", "httpx", "aiohttp"} <= at50.keys():
        vs_httpx = at50["tc"][0] / at50["httpx"][0]
        vs_aiohttp = at50["tc"][0] / at50["aiohttp"][0]
        out.append(f"at 50 in flight: timeclients = {vs_httpx:.1f}× raw httpx (need ≥ 6)")
        out.append(f"at 50 in flight: timeclients = {vs_aiohttp:.2f}× raw aiohttp (need ≥ 0.5)")
    if {"tc", "cp115"} <= at50.keys():
        out.append(
            f"at 50 in flight: CPU/call timeclients {at50['tc'][1]:.0f} µs, "
            f"clockify-python-115 {at50['cp115'][1]:.0f} µs (need less)"
        )
    if "tc" in results.get(10, {}) and "tc" in results.get(200, {}):
        drop = 1 - results[200]["tc"][0] / results[10]["tc"][0]
        line = f"timeclients from 10 to 200 in flight: {drop:+.0%} drop of the medians"
        paired = paired_drop(samples or {}, "tc")
        if paired is not None:
            line += f", {paired:+.0%} median of the paired runs"
        out.append(line + " (need ≤ 20%)")
        for row in ("aiohttp", "httpx"):
            if row in results[10] and row in results.get(200, {}):
                base = 1 - results[200][row][0] / results[10][row][0]
                paired = paired_drop(samples or {}, row)
                extra = f", {paired:+.0%} paired" if paired is not None else ""
                out.append(f"{LABELS[row]} from 10 to 200 in flight: {base:+.0%} drop{extra}")
    return out


async def main_async(args: argparse.Namespace) -> None:
    rows = [r for r in args.rows.split(",") if r]
    skipped = [r for r in rows if not available(r)]
    rows = [r for r in rows if r not in skipped]
    if skipped:
        print(f"skipped (not installed): {', '.join(skipped)}", file=sys.stderr)
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    samples: dict[int, dict[str, list[tuple[float, float]]]] = {
        c: {r: [] for r in rows} for c in concurrencies
    }
    with serve_in_subprocess() as base_url:
        for run in range(args.runs):
            for concurrency in concurrencies:
                for row in rows:
                    cell = await run_cell(row, base_url, args.requests, concurrency)
                    samples[concurrency][row].append(cell)
                    print(
                        f"run {run + 1} n={concurrency} {row}: {cell[0]:,.0f} req/s "
                        f"{cell[1]:,.0f} µs CPU",
                        file=sys.stderr,
                    )
    results = {
        c: {
            r: (
                statistics.median(s[0] for s in cells[r]),
                statistics.median(s[1] for s in cells[r]),
            )
            for r in rows
        }
        for c, cells in samples.items()
    }
    print(table(results, rows, args.requests, args.runs))
    for line in checks(results, samples):
        print(f"- {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", default="1,10,50,200")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", default="aiohttp,httpx,tc,tc-httpx,cp115")
    anyio.run(main_async, parser.parse_args(), backend="asyncio")


if __name__ == "__main__":
    main()
