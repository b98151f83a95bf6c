"""HttpPool's network backends (aiohttp, the default, and httpx) against real loopback servers.

Every behaviour the send loop relies on is checked through both backends: what goes on the
wire, the failure kinds (and whether each may have reached the server, so "not sent" retry
semantics hold), timeouts, cancellation, pool limits and closing; then backend selection, the
trio fallback, respx interception, and the aiohttp error table.
"""

from __future__ import annotations

import asyncio
import collections
import gzip
import json
import socket
import socketserver
import threading
import time
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import anyio
import httpx
import pytest
import respx
import uvicorn

import timeclients
from tests.conftest import FakeClock
from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients._transport import Channel, Request, Timeouts
from timeclients._transport._backends import (
    BACKEND_ENV,
    WireFailure,
    httpx_is_mocked,
    resolve_backend,
)
from timeclients._transport._backends._aiohttp import map_aiohttp_error
from timeclients.errors import ConfigurationError, TransportError

BACKENDS = ["aiohttp", "httpx"]


class LoopbackApp:
    """Raw ASGI app: ``/echo`` reflects the request, ``/slow/<ms>`` answers late, ``/gzip``."""

    def __init__(self) -> None:
        # Per query string: requests of earlier tests may still be running on the server.
        self.in_flight: dict[str, int] = collections.Counter()
        self.max_in_flight: dict[str, int] = collections.Counter()
        self.client_ports: list[int] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        self.client_ports.append(scope["client"][1])
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        headers = [(b"content-type", b"application/json")]
        if path.startswith("/slow/"):
            tag = scope["query_string"].decode()
            self.in_flight[tag] += 1
            self.max_in_flight[tag] = max(self.max_in_flight[tag], self.in_flight[tag])
            try:
                await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
            finally:
                self.in_flight[tag] -= 1
            payload = b'{"ok":true}'
        elif path == "/gzip":
            payload = gzip.compress(b'{"zipped":true}')
            headers.append((b"content-encoding", b"gzip"))
        else:
            payload = json.dumps(
                {
                    "method": scope["method"],
                    "raw_path": scope["raw_path"].decode(),
                    "query": scope["query_string"].decode(),
                    "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
                    "body": body.decode(),
                }
            ).encode()
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, LoopbackApp]]:
    """uvicorn on 127.0.0.1 (a free port) in a thread, serving :class:`LoopbackApp`."""
    app = LoopbackApp()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_level="error", access_log=False)
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
    uv.should_exit = True
    thread.join(10)
    sock.close()


class _DropHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            data += chunk
        # Close without a byte of response: "server disconnected".


@pytest.fixture(scope="module")
def dropper() -> Iterator[str]:
    """A TCP server that reads each request and closes the connection without answering."""
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _DropHandler)
    tcp.daemon_threads = True
    thread = threading.Thread(target=tcp.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{tcp.server_address[1]}"
    tcp.shutdown()
    tcp.server_close()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL whose port nothing listens on."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs once per backend; the environment does not choose for it."""
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    return str(request.param)


@pytest.fixture
async def pool(backend: str, fake_clock: FakeClock) -> AsyncIterator[HttpPool]:
    """A pool on the backend under test; retry backoff runs on the fake clock."""
    async with HttpPool(backend=backend, clock=fake_clock, timeout=5.0) as pool:  # type: ignore[arg-type]
        assert pool.backend == backend
        yield pool


def channel(pool: HttpPool, base_url: str, retry: RetryPolicy | None = None) -> Channel:
    return Channel(
        pool,
        vendor="test",
        base_url=base_url,
        headers={"X-Api-Key": "secret-key"},
        credential_id="cred",
        rate_limit=None,
        retry=retry,
    )


RETRY3 = RetryPolicy(max_attempts=3, jitter=0.0)


@pytest.mark.anyio
async def test_request_on_the_wire(pool: HttpPool, server: tuple[str, LoopbackApp]) -> None:
    """Method, encoded path, repeated query keys, credential and httpx's headers all arrive."""
    base, _ = server
    response = await channel(pool, base).send(
        Request("GET", ("echo", "a b/c"), query=(("roles", "A"), ("roles", "B"), ("q", "x&y")))
    )
    seen = response.json()
    assert seen["method"] == "GET"
    assert seen["raw_path"] == "/echo/a%20b%2Fc"
    assert seen["query"] == "roles=A&roles=B&q=x%26y"
    headers = dict(seen["headers"])
    assert headers["x-api-key"] == "secret-key"
    assert headers["user-agent"] == f"timeclients/{timeclients.__version__}"
    assert headers["accept-encoding"].startswith("gzip")
    assert sum(1 for k, _ in seen["headers"] if k == "user-agent") == 1


@pytest.mark.anyio
async def test_both_backends_put_the_same_request_on_the_wire(
    server: tuple[str, LoopbackApp],
) -> None:
    """aiohttp and httpx send the same method, path, query, headers and body; both decode gzip."""
    base, _ = server
    url = f"{base}/echo/x%2Fy?roles=A&roles=B&q=%C3%A4+b"
    headers = {"X-Api-Key": "k", "Accept": "application/json", "Content-Type": "application/json"}
    seen = []
    for backend in ("aiohttp", "httpx"):
        async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
            reply = await pool.send("POST", url, headers, b'{"a":1}', pool.timeouts)
            assert reply.headers.get("Content-Type") == reply.headers.get("content-type")
            zipped = await pool.send("GET", f"{base}/gzip", {}, None, pool.timeouts)
            assert json.loads(zipped.content) == {"zipped": True}
        seen.append(json.loads(reply.content))
    for echo in seen:
        echo["headers"] = sorted(h for h in echo["headers"] if h[0] != "host")
    assert seen[0] == seen[1]
    assert seen[0]["query"] == "roles=A&roles=B&q=%C3%A4+b"
    assert ["accept", "application/json"] in seen[0]["headers"]
    assert ["content-length", "7"] in seen[0]["headers"]
    assert [h[0] for h in seen[0]["headers"]].count("accept") == 1


@pytest.mark.anyio
async def test_json_body_arrives(pool: HttpPool, server: tuple[str, LoopbackApp]) -> None:
    """A JSON body is sent compactly with its content type, and the status comes back."""
    base, _ = server
    response = await channel(pool, base).send(
        Request("POST", ("echo",), json={"name": "Zoë", "n": [1, 2]})
    )
    seen = response.json()
    assert response.status == 200
    assert seen["method"] == "POST"
    assert json.loads(seen["body"]) == {"name": "Zoë", "n": [1, 2]}
    assert ["content-type", "application/json"] in seen["headers"]


@pytest.mark.anyio
async def test_dot_segments_stay_encoded(pool: HttpPool, server: tuple[str, LoopbackApp]) -> None:
    """An id of ``..`` reaches the server encoded, never as a dot segment that climbs a level."""
    base, _ = server
    response = await channel(pool, base).send(Request("GET", ("echo", "..", ".")))
    assert response.json()["raw_path"] == "/echo/%2E%2E/%2E"


@pytest.mark.anyio
async def test_gzip_body_is_decoded(pool: HttpPool, server: tuple[str, LoopbackApp]) -> None:
    """A gzip-encoded answer is decoded, as httpx decodes it."""
    base, _ = server
    response = await channel(pool, base).send(Request("GET", ("gzip",)))
    assert response.json() == {"zipped": True}


@pytest.mark.anyio
async def test_refused_is_not_sent_and_resent(pool: HttpPool, refused_url: str) -> None:
    """A refused connection is "connection failed", not sent: even a POST is retried."""
    ch = channel(pool, refused_url, RETRY3)
    with pytest.raises(TransportError) as info:
        await ch.send(Request("POST", ("echo",), json={}))
    cause = info.value.__cause__
    assert isinstance(cause, WireFailure)
    assert cause.kind == "connection failed"
    assert not cause.sent
    assert ch.stats.requests == 3
    assert ch.stats.retries == 2


@pytest.mark.anyio
async def test_read_timeout(backend: str, server: tuple[str, LoopbackApp]) -> None:
    """An answer slower than the timeout is a "timeout", maybe sent."""
    base, _ = server
    async with HttpPool(backend=backend, timeout=0.2) as pool:  # type: ignore[arg-type]
        with pytest.raises(TransportError) as info:
            await channel(pool, base).send(Request("GET", ("slow", "1500")))
    cause = info.value.__cause__
    assert isinstance(cause, WireFailure)
    assert cause.kind == "timeout"
    assert cause.sent


@pytest.mark.anyio
async def test_dropped_connection(pool: HttpPool, dropper: str) -> None:
    """A server that hangs up after reading is maybe sent, so a POST is not resent."""
    ch = channel(pool, dropper, RETRY3)
    with pytest.raises(TransportError) as info:
        await ch.send(Request("POST", ("x",), json={}))
    cause = info.value.__cause__
    assert isinstance(cause, WireFailure)
    assert cause.kind in ("connection lost", "protocol error")
    assert cause.sent
    assert ch.stats.requests == 1
    with pytest.raises(TransportError):
        await ch.send(Request("GET", ("x",)))
    assert ch.stats.requests == 1 + 3  # an idempotent GET is retried


@pytest.mark.anyio
async def test_cancelled_request_frees_its_slot(
    backend: str, server: tuple[str, LoopbackApp]
) -> None:
    """A request cancelled mid-flight leaks no connection: the only slot serves the next call."""
    base, _ = server
    async with HttpPool(backend=backend, max_connections=1, timeout=1.0) as pool:  # type: ignore[arg-type]
        ch = channel(pool, base)
        with anyio.move_on_after(0.1) as scope:
            await ch.send(Request("GET", ("slow", "800")))
        assert scope.cancelled_caught
        for _ in range(3):  # would wait for the slot (and PoolTimeout) if it had leaked
            assert (await ch.send(Request("GET", ("echo",)))).status == 200


@pytest.mark.anyio
async def test_max_connections(backend: str, server: tuple[str, LoopbackApp]) -> None:
    """No more than ``max_connections`` requests are in flight at the server at once."""
    base, app = server
    tag = f"max-connections-{backend}"
    async with HttpPool(backend=backend, max_connections=2) as pool:  # type: ignore[arg-type]
        ch = channel(pool, base)
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(ch.send, Request("GET", ("slow", "100"), query=(("t", tag),)))
    assert app.max_in_flight[f"t={tag}"] == 2


@pytest.mark.anyio
async def test_pool_timeout(backend: str, server: tuple[str, LoopbackApp]) -> None:
    """Waiting longer than the pool timeout for a free slot is a "pool timeout", not sent."""
    base, _ = server
    async with HttpPool(backend=backend, max_connections=1) as pool:  # type: ignore[arg-type]
        short_pool = Timeouts(pool=0.1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(pool.send, "GET", f"{base}/slow/600", {}, None, pool.timeouts)
            await anyio.sleep(0.1)
            with pytest.raises(WireFailure) as info:
                await pool.send("GET", f"{base}/echo", {}, None, short_pool)
    assert info.value.kind == "pool timeout"
    assert not info.value.sent


@pytest.mark.anyio
async def test_max_keepalive_connections(backend: str, server: tuple[str, LoopbackApp]) -> None:
    """Only ``max_keepalive_connections`` idle connections survive a burst for reuse."""
    base, app = server
    async with HttpPool(backend=backend, max_connections=4, max_keepalive_connections=1) as pool:  # type: ignore[arg-type]
        ch = channel(pool, base)

        async def burst() -> set[int]:
            start = len(app.client_ports)
            async with anyio.create_task_group() as tg:
                for _ in range(4):
                    tg.start_soon(ch.send, Request("GET", ("slow", "100")))
            return set(app.client_ports[start:])

        first = await burst()
        if backend == "httpx":
            second = await burst()
            assert len(first) == 4
            assert len(second & first) == 1  # one kept connection reused, three new ones
            return
        # aiohttp keeps every released connection: the cap is applied by the next requests,
        # each closing the connection it used until no more than the cap would sit idle.
        start = len(app.client_ports)
        for _ in range(5):
            await ch.send(Request("GET", ("echo",)))
        after = app.client_ports[start:]
    assert len(first) == 4
    assert set(after) <= first  # no new connection was opened
    assert len(set(after[:4])) == 4  # three closed after use, the fourth kept...
    assert after[4] == after[3]  # ...and reused


@pytest.mark.anyio
async def test_aclose_closes_the_session(server: tuple[str, LoopbackApp]) -> None:
    """Closing the pool closes aiohttp's session (no unclosed-session warning) and is idempotent."""
    base, _ = server
    pool = HttpPool(backend="aiohttp")
    assert pool._wire._session is None  # created in the loop, by the first request
    await channel(pool, base).send(Request("GET", ("echo",)))
    session = pool._wire._session
    assert session is not None
    await pool.aclose()
    await pool.aclose()
    assert session.closed
    assert "closed" in repr(pool)


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_trio_falls_back_to_httpx(server: tuple[str, LoopbackApp]) -> None:
    """On trio, where aiohttp cannot run, the aiohttp backend sends through httpx's transport."""
    base, _ = server
    async with HttpPool(backend="aiohttp") as pool:
        response = await channel(pool, base).send(Request("GET", ("echo",)))
        assert response.json()["method"] == "GET"
        assert pool._wire._session is None


@pytest.mark.anyio
async def test_respx_still_intercepts_the_default_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """respx's global mock sees requests of a default (aiohttp) pool: tests need no injection."""
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert not httpx_is_mocked()
    with respx.mock(assert_all_called=True) as router:
        route = router.get("https://api.example.com/v1/thing").respond(json={"ok": 1})
        assert httpx_is_mocked()
        async with HttpPool() as pool:
            assert pool.backend == "aiohttp"
            response = await channel(pool, "https://api.example.com/v1").send(
                Request("GET", ("thing",))
            )
    assert response.json() == {"ok": 1}
    assert route.calls.last.request.headers["x-api-key"] == "secret-key"
    assert not httpx_is_mocked()


@pytest.mark.anyio
async def test_injected_transport_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """``transport=`` wins over any backend: a MockTransport answers, the pool says "custom"."""
    monkeypatch.setenv(BACKEND_ENV, "aiohttp")
    mock = httpx.MockTransport(lambda request: httpx.Response(200, json={"path": request.url.path}))
    async with HttpPool(transport=mock, backend="aiohttp") as pool:
        assert pool.backend == "custom"
        response = await channel(pool, "https://x.example").send(Request("GET", ("a",)))
    assert response.json() == {"path": "/a"}


@pytest.mark.parametrize(
    ("env", "kwargs", "expected"),
    [
        (None, {}, "aiohttp"),
        ("httpx", {}, "httpx"),
        ("aiohttp", {}, "aiohttp"),
        (" HTTPX ", {}, "httpx"),
        ("aiohttp", {"backend": "httpx"}, "httpx"),
        ("httpx", {"backend": "aiohttp"}, "aiohttp"),
    ],
)
def test_backend_selection(
    monkeypatch: pytest.MonkeyPatch, env: str | None, kwargs: dict[str, Any], expected: str
) -> None:
    """``auto`` reads TIMECLIENTS_BACKEND, then prefers aiohttp; an explicit backend wins."""
    if env is None:
        monkeypatch.delenv(BACKEND_ENV, raising=False)
    else:
        monkeypatch.setenv(BACKEND_ENV, env)
    assert HttpPool(**kwargs).backend == expected


def test_http2_takes_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP/2 is httpx's alone: ``auto`` picks httpx for it (aiohttp speaks HTTP/1.1)."""
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    assert resolve_backend("auto", http2=True) == "httpx"
    assert resolve_backend("auto", http2=False) == "aiohttp"


@pytest.mark.parametrize(
    ("env", "kwargs"),
    [
        ("curl", {}),
        (None, {"backend": "requests"}),
        (None, {"backend": "aiohttp", "http2": True}),
    ],
)
def test_backend_misconfiguration(
    monkeypatch: pytest.MonkeyPatch, env: str | None, kwargs: dict[str, Any]
) -> None:
    """An unknown backend (argument or environment), or aiohttp with HTTP/2, is refused."""
    if env is None:
        monkeypatch.delenv(BACKEND_ENV, raising=False)
    else:
        monkeypatch.setenv(BACKEND_ENV, env)
    with pytest.raises(ConfigurationError):
        HttpPool(**kwargs)


def _connector_error() -> aiohttp.ClientConnectorError:
    key = SimpleNamespace(host="127.0.0.1", port=1, ssl=None)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exc", "kind", "sent"),
    [
        (_connector_error(), "connection failed", False),
        (aiohttp.ConnectionTimeoutError("connect"), "connect timeout", False),
        (aiohttp.SocketTimeoutError("read"), "timeout", True),
        (asyncio.TimeoutError(), "timeout", True),
        (aiohttp.ServerDisconnectedError(), "connection lost", True),
        (aiohttp.ClientPayloadError("short body"), "connection lost", True),
        (aiohttp.ClientOSError(104, "reset"), "connection lost", True),
        (aiohttp.ClientConnectionError("gone"), "connection lost", True),
        (aiohttp.InvalidURL("x"), "invalid URL", False),
        (aiohttp.ClientError("other"), "transport error", True),
    ],
)
def test_error_table(exc: BaseException, kind: str, sent: bool) -> None:
    """Each aiohttp failure maps once to a kind; only what failed before sending is "not sent"."""
    mapped = map_aiohttp_error(exc)
    assert (mapped.kind, mapped.sent) == (kind, sent)
    assert mapped.__cause__ is None
    assert mapped.__context__ is None


@pytest.mark.anyio
async def test_a_busy_pool_serves_waiters_first_come_first_served(
    backend: str, server: tuple[str, LoopbackApp]
) -> None:
    """Under sustained load no request starves: a finished request's next call queues too.

    (aiohttp's own order gave [n, n, 0, 0]; httpx's own pool made its slowest caller do
    5-40% of the average. The pool's slots serve both backends in arrival order.)
    """
    base, _ = server
    async with HttpPool(backend=backend, max_connections=2) as pool:  # type: ignore[arg-type]
        ch = channel(pool, base)
        done = [0, 0, 0, 0]
        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                for worker in range(4):  # twice as many callers as connections, back to back

                    async def loop(worker: int = worker) -> None:
                        while sum(done) < 80:
                            await ch.send(Request("GET", ("echo",)))
                            done[worker] += 1

                    tg.start_soon(loop)
    assert sum(done) >= 80
    assert max(done) - min(done) <= 2, done


@pytest.mark.anyio
async def test_closing_the_pool_fails_waiting_and_running_calls_cleanly(
    backend: str, server: tuple[str, LoopbackApp]
) -> None:
    """Calls running or waiting for a connection when the pool closes raise ConfigurationError.

    Not a CancelledError (aiohttp cancels the futures of its waiters on close, which would
    look like a cancellation nobody asked for) and not a bare RuntimeError; the running
    call is cancelled on both backends (httpx's own pool let it finish).
    """
    base, _ = server
    pool = HttpPool(backend=backend, max_connections=1, timeout=5.0)  # type: ignore[arg-type]
    ch = channel(pool, base, retry=RETRY3)
    outcomes: list[BaseException | int] = []

    async def call() -> None:
        try:
            outcomes.append((await ch.send(Request("GET", ("slow", "300")))).status)
        except Exception as exc:
            outcomes.append(exc)

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for _ in range(3):  # one on the only connection, two waiting for it
                tg.start_soon(call)
            await anyio.sleep(0.1)
            await pool.aclose()
    assert len(outcomes) == 3
    assert all(isinstance(o, ConfigurationError) for o in outcomes), outcomes
    assert all("HttpPool was closed" in str(o) for o in outcomes)
    assert ch.stats.requests == 3  # nothing was retried on a closed pool


@pytest.mark.anyio
async def test_a_call_queued_behind_the_rate_limit_fails_cleanly_when_the_pool_closes(
    backend: str, server: tuple[str, LoopbackApp]
) -> None:
    """The pool closing while a call waits for its rate-limit slot: ConfigurationError, unsent."""
    base, _ = server
    pool = HttpPool(backend=backend)  # type: ignore[arg-type]
    ch = Channel(
        pool,
        vendor="test",
        base_url=base,
        headers={},
        credential_id="cred",
        rate_limit=RateLimit(1, 0.5),
        retry=None,
    )
    await ch.send(Request("GET", ("echo",)))  # takes the only slot of the window
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(pool.aclose)
            with pytest.raises(ConfigurationError, match="HttpPool was closed"):
                await ch.send(Request("GET", ("echo",)))
    assert ch.stats.requests == 1


@pytest.mark.anyio
async def test_connections_are_kept_for_waiting_requests(server: tuple[str, LoopbackApp]) -> None:
    """A connection released while requests wait serves them, even past the keep-alive cap."""
    base, app = server
    async with HttpPool(backend="aiohttp", max_connections=3, max_keepalive_connections=1) as pool:
        ch = channel(pool, base)
        start = len(app.client_ports)
        async with anyio.create_task_group() as tg:
            for _ in range(9):  # three rounds of three on three connections
                tg.start_soon(ch.send, Request("GET", ("slow", "50")))
        ports = app.client_ports[start:]
    assert len(ports) == 9
    assert len(set(ports)) == 3  # no request after the first three opened a connection
