"""The examples in examples/ run end to end against the emulator, and the README's code parses."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestClient as AiohttpTestClient
from aiohttp.test_utils import TestServer

from examples import aiohttp_app, bulk_from_csv, fastapi_app
from timeclients import ClockifyClient, HttpPool
from timeclients.testing import Emulator

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


@pytest.mark.anyio
async def test_bulk_from_csv_example(tmp_path: Path) -> None:
    """The CSV example reads rows (header skipped) and accounts for every one."""
    emulator = Emulator(seed=5)
    ws = emulator.seed_clockify_workspace(members=30)
    csv_file = tmp_path / "rates.csv"
    rows = ["user_id,amount"] + [f"{m},{9000 + i}" for i, m in enumerate(ws.member_ids)]
    rows.append("not-a-member,100")
    csv_file.write_text("\n".join(rows) + "\n")
    rates = bulk_from_csv.read_rates(csv_file)
    assert len(rates) == 31
    async with HttpPool(transport=emulator.transport()) as pool:
        client = ClockifyClient(api_key=ws.api_key, pool=pool)
        result = await bulk_from_csv.update(client, ws.workspace_id, rates, None)
    assert result.succeeded == list(ws.member_ids)
    assert set(result.failed) == {"not-a-member"}


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
