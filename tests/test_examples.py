"""The examples in examples/ run end to end against the emulator, and the README's code parses."""

from __future__ import annotations

import ast
import contextlib
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestClient as AiohttpTestClient
from aiohttp.test_utils import TestServer

from examples import aiohttp_app, fastapi_app
from timeclients import HttpPool
from timeclients.testing import Emulator

from .cli.conftest import CLOCKED_IN, Served, base_env, served

__all__ = ["served"]  # the session fixture, shared with the command's tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.anyio
async def test_fastapi_example_shares_one_client() -> None:
    """The FastAPI app opens its pool in the lifespan and answers from the emulator."""
    emulator = Emulator(seed=3)
    ws = emulator.seed_clockify_workspace(members=5)
    member = ws.member_ids[0]
    app = fastapi_app.create_app(
        lambda: HttpPool(transport=emulator.transport()), api_key=ws.api_key
    )
    base = f"/workspaces/{ws.workspace_id}/members/{member}"
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client,
    ):
        set_answer = await client.put(f"{base}/cost-rate", params={"amount": 12345})
        assert set_answer.status_code == 200
        assert set_answer.json() == {"cost": 12345}
        rates = (await client.get(f"{base}/rates")).json()
        assert rates["cost"] == 12345
        assert rates["workspace"] == "Cool Company"
        bad = await client.put(f"{base}/cost-rate", params={"amount": -1})
        assert bad.status_code == 422
        assert "amount" in bad.json()["detail"]
        missing = await client.get(f"/workspaces/no-such-workspace/members/{member}/rates")
        assert missing.status_code == 404


@pytest.mark.anyio
async def test_aiohttp_example_lists_who_is_clocked_in() -> None:
    """The aiohttp app keeps its McTime client in cleanup_ctx and walks every page."""
    emulator = Emulator(seed=4)
    org = emulator.seed_mctime_organization(users=45)
    app = aiohttp_app.create_app(
        lambda: HttpPool(transport=emulator.transport()), api_key=org.manager_key
    )
    async with AiohttpTestClient(TestServer(app)) as client:
        answer = await client.get("/clocked-in")
        body = await answer.json()
    assert answer.status == 200
    assert body["count"] >= 45  # the manager may see their own entry too


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


@pytest.mark.parametrize(
    "doc", ["README.md", "docs/clockify.md", "docs/mctime.md", "docs/toggl.md", "docs/testing.md"]
)
def test_documented_python_parses_and_imports_exist(doc: str) -> None:
    """Every python block of the docs compiles, and every name it imports from timeclients
    exists."""
    import importlib

    blocks = python_blocks((ROOT / doc).read_text(encoding="utf-8"))
    assert blocks
    for block in blocks:
        tree = compile(block, doc, "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("timeclients"):
                module = importlib.import_module(node.module or "")
                for alias in node.names:
                    assert hasattr(module, alias.name), f"{doc}: {node.module}.{alias.name}"


# --- the examples as served apps against a served emulator, configured by the environment ------


def free_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serving(argv: list[str], env: dict[str, str], url: str) -> Iterator[None]:
    """Run ``argv`` until the block ends, once ``url`` answers; stop it with Ctrl-C."""
    with subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        argv,
        env={**base_env(), **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(url, timeout=1.0)
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(proc.stderr.read() if proc.stderr else "") from None
                    time.sleep(0.1)
            yield
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


def test_fastapi_example_served_against_a_served_emulator(served: Served) -> None:
    """`uvicorn examples.fastapi_app:app` with only the emulator's variables set answers real
    HTTP requests, reading and writing through the served emulator."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "uvicorn", "examples.fastapi_app:app", "--port", str(port)]
    member = served.member_ids[0]
    path = f"{base}/workspaces/{served.workspace_id}/members/{member}"
    with serving(argv, served.env, f"{base}/docs"):
        answer = httpx.put(f"{path}/cost-rate", params={"amount": 4321}, timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"cost": 4321}
        rates = httpx.get(f"{path}/rates", timeout=10).json()
        assert rates == {"workspace": "Cool Company", "hourly": rates["hourly"], "cost": 4321}
        missing = httpx.get(f"{base}/workspaces/nope/members/{member}/rates", timeout=10)
        assert missing.status_code == 404


def test_aiohttp_example_served_against_a_served_emulator(served: Served) -> None:
    """`python -m aiohttp.web ... examples.aiohttp_app:init_app` lists who is clocked in on the
    served emulator, over real HTTP."""
    port = free_port()
    argv = [sys.executable, "-m", "aiohttp.web", "-H", "127.0.0.1", "-P", str(port)]
    argv.append("examples.aiohttp_app:init_app")
    url = f"http://127.0.0.1:{port}/clocked-in"
    with serving(argv, served.env, url):
        body = httpx.get(url, timeout=10).json()
    assert body["count"] >= CLOCKED_IN
