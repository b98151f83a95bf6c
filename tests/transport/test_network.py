"""HttpPool's network settings and observability on both backends, against local servers.

Default headers and the User-Agent, ``verify=`` against a local TLS server with its own CA
(trustme), ``proxy=`` and proxies from the environment against a local proxy, event hooks,
OpenTelemetry's instrumentations, the ``timeclients`` logger, and the unclosed-pool warning.
"""

from __future__ import annotations

import gc
import json
import logging
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import uvicorn

import timeclients
from tests.transport.conftest import Hostile, _ok
from tests.transport.test_backends import LoopbackApp
from timeclients import HttpPool, RetryPolicy
from timeclients._transport import Channel, Request
from timeclients._transport._backends import BACKEND_ENV
from timeclients.errors import ConfigurationError, TransportError

SECRET = "sk-live-0123456789abcdef"


@pytest.fixture(params=["aiohttp", "httpx"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs once per backend; no proxy from the machine's environment."""
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return str(request.param)


def _serve(app: Any, **ssl_files: str) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_level="error", access_log=False, **ssl_files)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    scheme = "https" if ssl_files else "http"
    yield f"{scheme}://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    """A plain-HTTP loopback server that echoes each request as JSON."""
    yield from _serve(LoopbackApp())


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A certificate authority of this test run only."""
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_echo(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The echo server over TLS, with a certificate for 127.0.0.1 signed by :func:`ca`."""
    folder = tmp_path_factory.mktemp("tls")
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    yield from _serve(LoopbackApp(), ssl_certfile=str(certfile), ssl_keyfile=str(keyfile))


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CA's certificate as a PEM bundle on disk."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def channel(pool: HttpPool, base_url: str, retry: RetryPolicy | None = None) -> Channel:
    return Channel(
        pool,
        vendor="test",
        base_url=base_url,
        headers={"X-Api-Key": SECRET},
        credential_id="cred",
        rate_limit=None,
        retry=retry,
    )


async def echoed(pool: HttpPool, base_url: str) -> dict[str, Any]:
    response = await channel(pool, base_url).send(Request("GET", ("echo",)))
    seen: dict[str, Any] = response.json()
    return seen


@pytest.mark.anyio
async def test_user_agent_and_default_headers(backend: str, echo: str) -> None:
    """``timeclients/<version>`` by default; ``headers=`` adds defaults; the user's UA wins."""
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        plain = dict((await echoed(pool, echo))["headers"])
    assert plain["user-agent"] == f"timeclients/{timeclients.__version__}"
    custom = {"User-Agent": "my-app/2.0", "X-Team": "payroll", "x-api-key": "pool-default"}
    async with HttpPool(backend=backend, headers=custom) as pool:  # type: ignore[arg-type]
        seen = (await echoed(pool, echo))["headers"]
    names = [name for name, _ in seen]
    headers = dict(seen)
    assert headers["user-agent"] == "my-app/2.0"
    assert headers["x-team"] == "payroll"
    assert headers["x-api-key"] == SECRET  # the client's credential header wins
    assert names.count("user-agent") == names.count("x-api-key") == 1


@pytest.mark.parametrize("headers", [{"X-Bad": "a\r\nInjected: 1"}, {"": "x"}, ["not", "a map"]])
def test_bad_default_headers_are_refused(headers: Any) -> None:
    """A default header that would inject another, or is not a mapping, is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="headers"):
        HttpPool(headers=headers)


@pytest.mark.anyio
async def test_verify_with_a_ca_bundle_path_or_context(
    backend: str, tls_echo: str, ca_file: Path, ca: trustme.CA
) -> None:
    """A local TLS server with its own CA is reached with its bundle path or an SSLContext."""
    async with HttpPool(backend=backend, verify=str(ca_file)) as pool:  # type: ignore[arg-type]
        assert (await echoed(pool, tls_echo))["method"] == "GET"
    context = ssl.create_default_context()
    ca.configure_trust(context)
    async with HttpPool(backend=backend, verify=context) as pool:  # type: ignore[arg-type]
        assert (await echoed(pool, tls_echo))["method"] == "GET"


@pytest.mark.anyio
async def test_an_untrusted_certificate_fails_before_sending(backend: str, tls_echo: str) -> None:
    """With the default trust store the local CA is unknown: a connection failure, not sent."""
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        ch = channel(pool, tls_echo, retry=RetryPolicy(max_attempts=2, backoff_initial=0.0))
        with pytest.raises(TransportError, match="connection failed"):
            await ch.send(Request("POST", ("echo",), json={}))
    assert ch.stats.requests == 2  # not sent, so even a POST was tried again


@pytest.mark.anyio
async def test_verify_false_skips_verification(backend: str, tls_echo: str) -> None:
    """``verify=False`` reaches a server whose certificate no trusted CA signed."""
    async with HttpPool(backend=backend, verify=False) as pool:  # type: ignore[arg-type]
        assert (await echoed(pool, tls_echo))["method"] == "GET"


def test_a_missing_ca_bundle_is_a_configuration_error(tmp_path: Path) -> None:
    """``verify=`` naming a file that is not a CA bundle fails when the pool is built."""
    with pytest.raises(ConfigurationError, match="verify"):
        HttpPool(verify=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigurationError, match="verify"):
        HttpPool(verify=3)  # type: ignore[arg-type]


def _proxy_answer(sock: socket.socket, n: int, server: Hostile) -> None:
    with server.lock:
        line = server.requests[-1][1].split(b"\r\n")[0].decode()
    _ok(sock, json.dumps({"proxied": line}).encode())


@pytest.mark.anyio
async def test_proxy_argument(backend: str, hostile: Callable[..., Hostile]) -> None:
    """``proxy=`` sends each request to the proxy, in absolute form, on both backends."""
    proxy = hostile(_proxy_answer)
    target = "http://api.example.test:8080/v1"
    async with HttpPool(backend=backend, proxy=proxy.url) as pool:  # type: ignore[arg-type]
        response = await channel(pool, target).send(Request("GET", ("thing",), query=(("a", "1"),)))
    assert response.json() == {"proxied": f"GET {target}/thing?a=1 HTTP/1.1"}


@pytest.mark.anyio
async def test_proxy_from_the_environment(
    backend: str, hostile: Callable[..., Hostile], echo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``trust_env`` (the default) HTTP_PROXY applies and NO_PROXY hosts go direct."""
    proxy = hostile(_proxy_answer)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        via = await channel(pool, "http://api.example.test").send(Request("GET", ("x",)))
        direct = await echoed(pool, echo)
    assert via.json() == {"proxied": "GET http://api.example.test/x HTTP/1.1"}
    assert direct["method"] == "GET"
    async with HttpPool(backend=backend, trust_env=False) as pool:  # type: ignore[arg-type]
        with pytest.raises(TransportError):  # no proxy now: the name does not resolve
            await channel(pool, "http://api.example.test").send(Request("GET", ("x",)))


def test_a_proxy_must_be_an_http_url() -> None:
    """``proxy=`` other than an http(s) URL is refused when the pool is built."""
    with pytest.raises(ConfigurationError, match="proxy"):
        HttpPool(proxy="socks5://127.0.0.1:1080")


def _fail_then_ok(sock: socket.socket, n: int, server: Hostile) -> None:
    if n == 0:
        sock.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
    else:
        _ok(sock, b'{"ok":true}')


@pytest.mark.anyio
async def test_event_hooks_see_every_attempt(backend: str, hostile: Callable[..., Hostile]) -> None:
    """Request and response hooks run for each attempt; a request hook may add a header."""
    server = hostile(_fail_then_ok)
    seen: list[str] = []

    async def on_request(request: httpx.Request) -> None:
        seen.append(f"{request.method} {request.url.path}")
        request.headers["X-Hooked"] = "yes"

    async def on_response(response: httpx.Response) -> None:
        seen.append(str(response.status_code))

    hooks = {"request": [on_request], "response": [on_response]}
    async with HttpPool(backend=backend, event_hooks=hooks) as pool:  # type: ignore[arg-type]
        retry = RetryPolicy(max_attempts=3, backoff_initial=0.0)
        response = await channel(pool, server.url, retry).send(Request("GET", ("x",)))
    assert response.json() == {"ok": True}
    assert seen == ["GET /x", "503", "GET /x", "200"]
    assert all(b"x-hooked: yes" in head.lower() for _, head in server.requests)


@pytest.mark.anyio
async def test_a_hooks_exception_propagates(backend: str, echo: str) -> None:
    """An exception raised by a hook leaves the call as it is, and nothing is sent."""

    class Refused(Exception):
        pass

    async def refuse(request: httpx.Request) -> None:
        raise Refused("no")

    async with HttpPool(backend=backend, event_hooks={"request": [refuse]}) as pool:  # type: ignore[arg-type]
        with pytest.raises(Refused):
            await echoed(pool, echo)


def test_bad_event_hooks_are_refused() -> None:
    """Only httpx's shape is taken: 'request' and 'response' lists of callables."""
    with pytest.raises(ConfigurationError, match="event_hooks"):
        HttpPool(event_hooks={"reply": []})
    with pytest.raises(ConfigurationError, match="event_hooks"):
        HttpPool(event_hooks={"request": ["not callable"]})


@pytest.mark.anyio
async def test_opentelemetry_sees_every_request(backend: str, echo: str) -> None:
    """The standard instrumentation of the backend's library records a span per request."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor: Any
    if backend == "aiohttp":
        from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor

        instrumentor = AioHttpClientInstrumentor()
    else:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
            assert pool.backend == backend
            for _ in range(3):
                await echoed(pool, echo)
    finally:
        instrumentor.uninstrument()
    spans = exporter.get_finished_spans()
    assert len(spans) == 3
    assert all(span.name.startswith("GET") for span in spans)


def _fail_twice(sock: socket.socket, n: int, server: Hostile) -> None:
    if n < 1:
        sock.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
    else:
        _ok(sock)


@pytest.mark.anyio
async def test_the_logger_reports_attempts_and_retries_without_secrets(
    backend: str, hostile: Callable[..., Hostile], caplog: pytest.LogCaptureFixture
) -> None:
    """DEBUG: each attempt; INFO: each retry; no secret or query string in any record."""
    server = hostile(_fail_twice)
    caplog.set_level(logging.DEBUG, logger="timeclients")
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        retry = RetryPolicy(max_attempts=3, backoff_initial=0.0)
        await channel(pool, server.url, retry).send(
            Request("GET", ("x",), query=(("email", "jane@example.com"),))
        )
    records = [r for r in caplog.records if r.name == "timeclients"]
    debug = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    info = [r.getMessage() for r in records if r.levelno == logging.INFO]
    assert any("GET /x -> 503" in m for m in debug)
    assert any("GET /x -> 200" in m for m in debug)
    assert any("retrying" in m for m in info)
    for record in records:
        assert SECRET not in record.getMessage()
        assert "jane@example.com" not in record.getMessage()


@pytest.mark.anyio
async def test_an_unclosed_pool_warns_with_its_own_resource_warning(
    backend: str, echo: str
) -> None:
    """A pool dropped unclosed warns naming HttpPool, and aiohttp's own warnings stay silent."""
    pool = HttpPool(backend=backend)  # type: ignore[arg-type]
    await echoed(pool, echo)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del pool
        gc.collect()
    messages = [str(w.message) for w in caught]
    assert any("unclosed <HttpPool" in m for m in messages), messages
    assert all(w.category is ResourceWarning for w in caught)
    assert not any("Unclosed" in m for m in messages)  # aiohttp's session/connector warnings
