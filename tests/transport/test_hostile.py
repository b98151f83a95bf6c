"""Misbehaving servers against both backends: typed errors only, bounded time, counted attempts.

Raw TCP servers (threads) play the hostile parts: odd redirects, a trickle of bytes, a
kept-alive connection dropped after the request was read, a broken status line. Each case runs
on the aiohttp and the httpx backend.
"""

from __future__ import annotations

import os
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest

from tests.transport.conftest import Hostile, _ok
from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients._transport import NO_BODY, Channel, Request
from timeclients._transport._backends import BACKEND_ENV, WireFailure
from timeclients.errors import (
    APIError,
    ConfigurationError,
    TimeClientsError,
    TransportError,
    ValidationError,
)

SECRET = "sk-live-0123456789abcdef"
EMAIL = "jane.doe@example.com"


@pytest.fixture(params=["aiohttp", "httpx"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs once per backend."""
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    return str(request.param)


def channel(pool: HttpPool, base_url: str, retry: RetryPolicy | None = None) -> Channel:
    return Channel(
        pool,
        vendor="test",
        base_url=base_url,
        headers={"X-Api-Key": SECRET, "Authorization": f"Basic {SECRET}"},
        credential_id="cred",
        rate_limit=None,
        retry=retry,
    )


def chain_texts(exc: BaseException) -> Iterator[str]:
    """The repr, str and args of every exception in ``exc``'s chain, and their attributes."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        link = stack.pop()
        if link is None or id(link) in seen:
            continue
        seen.add(id(link))
        yield repr(link)
        yield str(link)
        yield repr(link.args)
        yield repr(vars(link)) if hasattr(link, "__dict__") else ""
        stack += [link.__cause__, link.__context__]


@pytest.mark.parametrize(
    "location", ["javascript:alert(1)", "mailto:x", "data:,x", "http://xn--/", "http://[::1"]
)
@pytest.mark.anyio
async def test_a_redirect_to_an_odd_target_is_the_3xx_api_error(
    backend: str, hostile: Callable[..., Hostile], location: str
) -> None:
    """A 3xx is never followed nor parsed: its APIError leaves, not httpx.InvalidURL."""

    def redirect(sock: socket.socket, n: int, server: Hostile) -> None:
        head = b"HTTP/1.1 302 Found\r\nLocation: " + location.encode()
        sock.sendall(head + b"\r\nContent-Length: 0\r\n\r\n")

    server = hostile(redirect)
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        with pytest.raises(APIError) as info:
            await channel(pool, server.url).send(Request("GET", ("x",)))
    assert info.value.status == 302


@pytest.mark.anyio
async def test_a_trickling_server_cannot_hold_a_call_past_its_timeout(
    backend: str, hostile: Callable[..., Hostile]
) -> None:
    """One byte every 0.2 s resets no timer: the attempt's total deadline ends it."""
    stop = threading.Event()

    def trickle(sock: socket.socket, n: int, server: Hostile) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 100:
            if stop.is_set():
                return
            sock.sendall(bytes([byte]))
            time.sleep(0.2)

    server = hostile(trickle)
    try:
        async with HttpPool(backend=backend, timeout=1.0) as pool:  # type: ignore[arg-type]
            started = time.monotonic()
            with anyio.fail_after(5), pytest.raises(TransportError, match="timeout"):
                await channel(pool, server.url).send(Request("GET", ("x",)))
            assert time.monotonic() - started < 2.0
    finally:
        stop.set()


@pytest.mark.parametrize("method", ["PUT", "POST", "GET"])
@pytest.mark.anyio
async def test_a_request_dropped_after_it_was_read_reaches_the_server_once(
    backend: str, hostile: Callable[..., Hostile], method: str
) -> None:
    """No silent resend below the send loop: with no retries the server sees one request.

    The first request opens a kept-alive connection; the second is read, then the server
    hangs up. aiohttp used to resend it once by itself (two PUTs for one attempt).
    """

    def drop_second(sock: socket.socket, n: int, server: Hostile) -> None:
        if n == 0:
            _ok(sock)
        else:
            sock.close()
            raise OSError("dropped")

    server = hostile(drop_second)
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        ch = channel(pool, server.url, retry=RetryPolicy.none())
        await ch.send(Request("GET", ("warm",)))
        with pytest.raises(TransportError) as info:
            await ch.send(Request(method, ("x",), json={} if method != "GET" else NO_BODY))
    assert len(server.requests) == 2  # the warm-up and one attempt: nothing resent
    assert ch.stats.requests == 2
    assert info.value.__cause__ is not None


@pytest.mark.anyio
async def test_a_post_dropped_after_it_was_read_is_not_retried(
    backend: str, hostile: Callable[..., Hostile]
) -> None:
    """A POST that may have been applied is sent once, even with retries on."""

    def drop(sock: socket.socket, n: int, server: Hostile) -> None:
        sock.close()
        raise OSError("dropped")

    server = hostile(drop)
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        ch = channel(pool, server.url, retry=RetryPolicy(max_attempts=3, backoff_initial=0.0))
        with pytest.raises(TransportError):
            await ch.send(Request("POST", ("x",), json={}))
        assert len(server.requests) == 1
        with pytest.raises(TransportError):
            await ch.send(Request("PUT", ("x",), json={}))  # idempotent: retried, each counted
    assert len(server.requests) == 1 + 3
    assert ch.stats.requests == 1 + 3


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 300_000 + b"\r\n\r\n",  # header too long
        b"NOT HTTP AT ALL\r\n\r\n",  # bad status line
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad\r\n",  # bad chunk
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort",  # body cut short
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    ],
    ids=["long-header", "status-line", "bad-chunk", "short-body", "bad-gzip", "bad-length"],
)
@pytest.mark.anyio
async def test_no_secret_or_query_anywhere_in_the_exception_chain(
    backend: str, hostile: Callable[..., Hostile], answer: bytes
) -> None:
    """A protocol error's chain holds neither the credential nor the query (personal data)."""

    def broken(sock: socket.socket, n: int, server: Hostile) -> None:
        sock.sendall(answer)
        sock.close()
        raise OSError("done")

    server = hostile(broken)
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        with pytest.raises(TimeClientsError) as info:
            await channel(pool, server.url).send(
                Request("GET", ("users",), query=(("email", EMAIL),))
            )
    assert isinstance(info.value, TransportError)
    assert info.value.path == "/users"
    texts = list(chain_texts(info.value))
    for text in texts:
        assert SECRET not in text
        assert EMAIL not in text
        assert "email=" not in text


def _open_fds() -> int | None:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


@pytest.mark.anyio
async def test_closing_under_load_fails_every_call_and_nothing_leaves_after(
    backend: str, hostile: Callable[..., Hostile]
) -> None:
    """aclose() under 2,000 calls: it returns promptly, the calls waiting fail, no request
    reaches the server after it returned, and no socket stays open."""

    def slow_ok(sock: socket.socket, n: int, server: Hostile) -> None:
        time.sleep(0.05)
        _ok(sock)

    server = hostile(slow_ok)
    fds_before = _open_fds()
    pool = HttpPool(backend=backend, max_connections=20)  # type: ignore[arg-type]
    ch = channel(pool, server.url, retry=RetryPolicy(max_attempts=3, backoff_initial=0.0))
    outcomes: list[Any] = []

    async def call() -> None:
        try:
            outcomes.append(await ch.send(Request("GET", ("x",))))
        except TimeClientsError as exc:
            outcomes.append(exc)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            for _ in range(2000):
                tg.start_soon(call)
            await anyio.sleep(0.3)
            started = time.monotonic()
            await pool.aclose()
            closed_at = time.monotonic()
    assert closed_at - started < 6.0
    assert len(outcomes) == 2000
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) >= 1500
    assert all(isinstance(o, ConfigurationError) for o in failed), {type(o) for o in failed}
    await anyio.sleep(0.3)
    with server.lock:
        late = [t for t, _ in server.requests if t > closed_at]
    assert late == []
    fds_after = _open_fds()
    if fds_before is not None and fds_after is not None:
        assert fds_after <= fds_before + 2  # the hostile server's own sockets may linger


@pytest.mark.anyio
async def test_closing_under_5000_rate_limited_calls_fails_them_at_once(
    backend: str, hostile: Callable[..., Hostile]
) -> None:
    """Calls queued behind a 50/s limit fail when the pool closes, not when their turn comes."""
    server = hostile(lambda sock, n, srv: _ok(sock))
    pool = HttpPool(backend=backend)  # type: ignore[arg-type]
    ch = Channel(
        pool,
        vendor="test",
        base_url=server.url,
        headers={"X-Api-Key": SECRET},
        credential_id="cred",
        rate_limit=RateLimit(50, 1.0),
        retry=RetryPolicy(),
    )
    outcomes: list[Any] = []

    async def call() -> None:
        try:
            outcomes.append(await ch.send(Request("GET", ("x",))))
        except TimeClientsError as exc:
            outcomes.append(exc)

    with anyio.fail_after(20):  # the queue would take 100 s to drain at 50/s
        async with anyio.create_task_group() as tg:
            for _ in range(5000):
                tg.start_soon(call)
            await anyio.sleep(0.5)
            await pool.aclose()
            closed_at = time.monotonic()
    assert len(outcomes) == 5000
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert len(failed) >= 4900
    assert all(isinstance(o, ConfigurationError) for o in failed)
    await anyio.sleep(0.2)
    with server.lock:
        assert [t for t, _ in server.requests if t > closed_at] == []


@pytest.mark.parametrize(
    "request_",
    [
        Request("GET", ("users", "\ud800")),
        Request("GET", ("users",), query=(("email", "\ud800@example.com"),)),
    ],
    ids=["path", "query"],
)
@pytest.mark.anyio
async def test_a_lone_surrogate_is_a_validation_error_and_nothing_is_sent(
    backend: str, hostile: Callable[..., Hostile], request_: Request
) -> None:
    """Text that cannot be encoded as UTF-8 never reaches the wire: ValidationError."""
    server = hostile(lambda sock, n, srv: _ok(sock))
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        ch = channel(pool, server.url)
        with pytest.raises(ValidationError, match="nothing was sent"):
            await ch.send(request_)
    assert server.requests == []


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_closing_on_trio_fails_the_calls_waiting_for_their_turn(
    hostile: Callable[..., Hostile],
) -> None:
    """On trio too, calls queued behind the rate limit fail at once when the pool closes."""
    server = hostile(lambda sock, n, srv: _ok(sock))
    pool = HttpPool(backend="httpx")
    ch = Channel(
        pool,
        vendor="test",
        base_url=server.url,
        headers={},
        credential_id="cred",
        rate_limit=RateLimit(1, 1.0),
        retry=None,
    )
    outcomes: list[Any] = []

    async def call() -> None:
        try:
            outcomes.append(await ch.send(Request("GET", ("x",))))
        except TimeClientsError as exc:
            outcomes.append(exc)

    with anyio.fail_after(5):  # ten calls at 1/s would take ten seconds
        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(call)
            await anyio.sleep(0.3)
            await pool.aclose()
    assert len(outcomes) == 10
    assert sum(isinstance(o, ConfigurationError) for o in outcomes) >= 9


class _ResetAtOnce(socketserver.BaseRequestHandler):
    """Accepts, then resets the connection (RST) without reading a byte."""

    def handle(self) -> None:
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.request.close()


@pytest.mark.anyio
async def test_a_reset_before_the_request_was_read_follows_the_sent_rule(backend: str) -> None:
    """A connection reset at once is a TransportError; a POST is resent only if "not sent".

    Whether the reset lands before or after the client wrote its request is a race on
    loopback: the failure must say which (httpx's WriteError: not sent; a reset while
    reading: maybe sent), and the retry count must follow it.
    """
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _ResetAtOnce)
    tcp.daemon_threads = True
    threading.Thread(target=tcp.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{tcp.server_address[1]}"
        async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
            ch = channel(pool, url, retry=RetryPolicy(max_attempts=3, backoff_initial=0.0))
            with pytest.raises(TransportError) as info:
                await ch.send(Request("POST", ("x",), json={}))
    finally:
        tcp.shutdown()
        tcp.server_close()
    cause = info.value.__cause__
    assert isinstance(cause, WireFailure)
    assert cause.kind in ("connection lost", "connection failed", "protocol error")
    # The last attempt decides: "not sent" is retried until the attempts run out; "maybe
    # sent" stops the POST at once (earlier attempts of the same call may have been "not sent").
    if not cause.sent:
        assert ch.stats.requests == 3
    assert ch.stats.retries == ch.stats.requests - 1


@pytest.mark.anyio
async def test_an_invalid_idna_host_is_a_transport_error(backend: str) -> None:
    """A host no IDNA codec accepts fails as TransportError (not UnicodeError), unsent."""
    async with HttpPool(backend=backend) as pool:  # type: ignore[arg-type]
        ch = channel(pool, "http://xn--", retry=RetryPolicy(max_attempts=2, backoff_initial=0.0))
        with pytest.raises(TransportError, match="invalid URL") as info:
            await ch.send(Request("POST", ("x",), json={}))
    cause = info.value.__cause__
    assert isinstance(cause, WireFailure)
    assert not cause.sent
