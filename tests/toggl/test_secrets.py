"""No token (old or new) and no password ever shows in logs, reprs or exception texts."""

from __future__ import annotations

import base64
import logging

import pytest

from timeclients import HttpPool
from timeclients.errors import TimeClientsError
from timeclients.toggl import TogglClient

from .server import TogglServer


def forms(secret: str) -> list[str]:
    """A secret and the encodings it could leak as (raw, and inside Basic credentials)."""
    found = [secret, base64.b64encode(secret.encode()).decode()]
    for pair in (f"{secret}:api_token", f"john@example.com:{secret}", f"jane@example.com:{secret}"):
        found.append(base64.b64encode(pair.encode()).decode())
    return found


@pytest.mark.parametrize("backend", ["aiohttp", "httpx"])
@pytest.mark.anyio
async def test_no_secret_in_logs_reprs_or_errors(
    toggl_server: TogglServer, caplog: pytest.LogCaptureFixture, backend: str
) -> None:
    """A run of every call, with errors and two resets, leaks no token or password anywhere,
    whichever network backend sends it."""
    caplog.set_level(logging.DEBUG)
    for name in ("timeclients", "httpx", "httpcore", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    base = toggl_server.base_url
    texts: list[str] = []
    secrets: list[str] = ["first-password", "jane-password", "changed-password", "wrong-password"]
    errors: list[TimeClientsError] = []

    async def expect_error(call: object) -> None:
        try:
            await call  # type: ignore[misc]
        except TimeClientsError as exc:
            errors.append(exc)
        else:
            raise AssertionError("expected an error")

    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        assert pool.backend == backend
        anonymous = TogglClient(base_url=base, pool=pool, rate_limit=None)
        jane = await anonymous.signups.create(
            email="jane@example.com",
            password="jane-password",
            timezone="Etc/UTC",
            created_with="tests",
        )
        assert jane.api_token is not None
        secrets.append(jane.api_token)
        await expect_error(anonymous.me.get())

        client = TogglClient(api_token=jane.api_token, base_url=base, pool=pool, rate_limit=None)
        me = await client.me.get(with_related_data=True)
        user = await client.me.update(fullname="Jane Doe")
        await expect_error(client.me.update(email="john@example.com"))
        await expect_error(
            client.me.change_password(
                current_password="wrong-password", password="changed-password"
            )
        )
        await expect_error(client.me.change_password(current_password="x", password="short"))
        await client.me.change_password(
            current_password="jane-password", password="changed-password"
        )
        new = await client.me.reset_token()
        secrets.append(new)
        await client.me.get()

        stale = TogglClient(api_token=jane.api_token, base_url=base, pool=pool, rate_limit=None)
        await expect_error(stale.me.get())
        wrong = TogglClient(
            email="john@example.com",
            password="wrong-password",
            base_url=base,
            pool=pool,
            rate_limit=None,
        )
        await expect_error(wrong.me.get())
        john = TogglClient(
            email="john@example.com",
            password="first-password",
            base_url=base,
            pool=pool,
            rate_limit=None,
        )
        await john.me.get()
        johns_new = await john.me.reset_token()
        secrets.append(johns_new)
        await expect_error(
            anonymous.signups.create(
                email="jane@example.com",
                password="jane-password",
                timezone="Etc/UTC",
                created_with="tests",
            )
        )
        for obj in (anonymous, client, stale, wrong, john, pool, client._channel, me, user, jane):
            texts += [repr(obj), str(obj)]
    for exc in errors:
        texts += [repr(exc), str(exc), getattr(exc, "body", ""), getattr(exc, "message", "")]
        texts += [repr(exc.args)]
    texts += [caplog.text]
    texts += [repr(r.args) + r.getMessage() for r in caplog.records]

    # The check sees the HTTP layer's own DEBUG lines too (httpx's pool logs through httpcore).
    assert any(r.name.startswith("timeclients") for r in caplog.records)
    if backend == "httpx":
        assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert len(errors) == 7
    haystack = "\n".join(texts)
    for secret in secrets:
        for form in forms(secret):
            assert form not in haystack, f"a secret leaked ({secrets.index(secret)})"
