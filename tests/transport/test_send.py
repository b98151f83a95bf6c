"""The send loop: retries, Retry-After, 429 pauses, error mapping, secrecy, URL rules."""

from __future__ import annotations

import logging
from collections.abc import Callable

import anyio
import httpx
import pytest

from timeclients import HttpPool, RateLimit, RetryPolicy
from timeclients._transport import (
    Channel,
    Request,
    check_credential,
    encode_path,
    validate_base_url,
)
from timeclients._transport._backends import WireFailure
from timeclients.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    DecodeError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)

from ..conftest import FakeClock

SECRET = "sk-very-secret-key-123"
Handler = Callable[[httpx.Request], httpx.Response]


def make_channel(
    handler: Handler,
    clock: FakeClock,
    *,
    rate_limit: RateLimit | None = None,
    retry: RetryPolicy | None = None,
    pool: HttpPool | None = None,
) -> Channel:
    pool = pool or HttpPool(transport=httpx.MockTransport(handler), clock=clock)
    return Channel(
        pool,
        vendor="test",
        base_url="https://api.example.com/v1",
        headers={"X-Api-Key": SECRET},
        credential_id="fp",
        rate_limit=rate_limit,
        retry=retry if retry is not None else RetryPolicy(jitter=0.0),
    )


def script(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering with ``responses`` in turn (the last one repeats)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = responses[min(len(seen), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


@pytest.mark.anyio
async def test_get_retried_on_503_then_succeeds(fake_clock: FakeClock) -> None:
    """A GET answered 503 is retried with backoff and the 200 is returned."""
    handler, seen = script(httpx.Response(503), httpx.Response(200, json={"ok": 1}))
    channel = make_channel(handler, fake_clock)
    response = await channel.send(Request("GET", ("things",)))
    assert response.json() == {"ok": 1}
    assert len(seen) == 2
    assert fake_clock.sleeps == [0.5]
    assert channel.stats.retries == 1


@pytest.mark.anyio
async def test_get_gives_up_after_max_attempts(fake_clock: FakeClock) -> None:
    """After max_attempts 503s the call raises ServerError with the status."""
    handler, seen = script(httpx.Response(503, json={"message": "down", "code": 1}))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(ServerError) as info:
        await channel.send(Request("GET", ("things",)))
    assert len(seen) == 3
    assert info.value.status == 503
    assert info.value.message == "down (code 1)"
    assert info.value.path == "/things"


@pytest.mark.anyio
async def test_post_answered_503_is_sent_once(fake_clock: FakeClock) -> None:
    """A POST answered 503 may have been applied: it is not retried."""
    handler, seen = script(httpx.Response(503))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(ServerError):
        await channel.send(Request("POST", ("things",), json={"a": 1}))
    assert len(seen) == 1


@pytest.mark.anyio
async def test_post_answered_429_is_retried_after_retry_after(fake_clock: FakeClock) -> None:
    """A POST answered 429 was not applied: it is retried after the Retry-After delay."""
    handler, seen = script(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(201, json={})
    )
    channel = make_channel(handler, fake_clock)
    response = await channel.send(Request("POST", ("things",), json={"a": 1}))
    assert response.status == 201
    assert len(seen) == 2
    assert fake_clock.sleeps == [2.0]


@pytest.mark.anyio
async def test_429_pauses_the_whole_key(fake_clock: FakeClock) -> None:
    """With a limiter, a 429 pauses the key: the retry and other callers wait Retry-After."""
    handler, seen = script(
        httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={})
    )
    channel = make_channel(handler, fake_clock, rate_limit=RateLimit(100, 1.0))
    started = fake_clock.now()
    await channel.send(Request("GET", ("things",)))
    assert len(seen) == 2
    assert fake_clock.now() - started >= 3.0
    other_started = fake_clock.now()
    await channel.send(Request("GET", ("things",)))
    assert fake_clock.now() - other_started < 0.1


@pytest.mark.anyio
async def test_429_without_retry_after_pauses_key_briefly_and_backs_off(
    fake_clock: FakeClock,
) -> None:
    """Without Retry-After the key pauses two intervals; the 429'd request backs off fully."""
    handler, seen = script(httpx.Response(429), httpx.Response(200, json={}))
    channel = make_channel(handler, fake_clock, rate_limit=RateLimit(50, 1.0))
    limiter = channel.pool.limiters.get(("test", "fp", ""), RateLimit(50, 1.0))
    started = fake_clock.now()
    await channel.send(Request("GET", ("x",)))
    assert len(seen) == 2
    assert 0.5 in fake_clock.sleeps  # the request's own backoff (jitter 0)
    assert fake_clock.now() - started >= 0.5
    paused_until = limiter._paused_until  # type: ignore[attr-defined]
    assert paused_until - started == pytest.approx(2 * RateLimit(50, 1.0).interval)
    await channel.pool.aclose()


@pytest.mark.anyio
async def test_retry_after_longer_than_max_raises_at_once(fake_clock: FakeClock) -> None:
    """A Retry-After beyond max_retry_after is not waited out: RateLimitedError at once."""
    handler, seen = script(httpx.Response(429, headers={"Retry-After": "3600"}))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(RateLimitedError) as info:
        await channel.send(Request("GET", ("things",)))
    assert info.value.retry_after == 3600.0
    assert len(seen) == 1
    assert fake_clock.sleeps == []


@pytest.mark.anyio
async def test_503_with_long_retry_after_is_server_error(fake_clock: FakeClock) -> None:
    """A 503 with a Retry-After beyond the cap raises ServerError carrying retry_after."""
    handler, _ = script(httpx.Response(503, headers={"Retry-After": "600"}))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(ServerError) as info:
        await channel.send(Request("GET", ("things",)))
    assert info.value.retry_after == 600.0


@pytest.mark.anyio
async def test_http_date_retry_after_is_honoured(fake_clock: FakeClock) -> None:
    """Retry-After as an HTTP date in the past means retry now."""
    handler, _seen = script(
        httpx.Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        httpx.Response(200, json={}),
    )
    channel = make_channel(handler, fake_clock)
    await channel.send(Request("GET", ("x",)))
    assert fake_clock.sleeps == [0.0]


@pytest.mark.anyio
async def test_connect_error_retries_even_a_post(fake_clock: FakeClock) -> None:
    """A refused connection sent nothing, so a POST is safe to send again."""
    handler, seen = script(httpx.ConnectError("refused"), httpx.Response(201, json={}))
    channel = make_channel(handler, fake_clock)
    assert (await channel.send(Request("POST", ("x",), json={}))).status == 201
    assert len(seen) == 2


@pytest.mark.anyio
async def test_read_timeout_on_post_is_not_retried(fake_clock: FakeClock) -> None:
    """A POST that timed out reading may have been applied: TransportError, sent once."""
    handler, seen = script(httpx.ReadTimeout("slow"))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(TransportError) as info:
        await channel.send(Request("POST", ("x",), json={}))
    assert len(seen) == 1
    cause = info.value.__cause__
    assert isinstance(cause, WireFailure)
    assert cause.kind == "timeout"
    assert cause.sent


@pytest.mark.anyio
async def test_read_timeout_on_get_is_retried_then_raised(fake_clock: FakeClock) -> None:
    """A GET that keeps timing out raises TransportError after max_attempts."""
    handler, seen = script(httpx.ReadTimeout("slow"))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(TransportError):
        await channel.send(Request("GET", ("x",)))
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, AuthenticationError), (404, NotFoundError), (409, ConflictError), (418, APIError)],
)
@pytest.mark.anyio
async def test_status_maps_to_error_class(
    fake_clock: FakeClock, status: int, cls: type[APIError]
) -> None:
    """Each documented status maps to its class, the body's message is kept."""
    handler, _ = script(httpx.Response(status, json={"message": "nope", "code": 7}))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(cls) as info:
        await channel.send(Request("GET", ("x",)))
    assert type(info.value) is cls
    assert info.value.message == "nope (code 7)"
    assert info.value.status == status


@pytest.mark.anyio
async def test_request_error_override_wins(fake_clock: FakeClock) -> None:
    """A per-endpoint override picks a more specific class for a status."""

    class Special(ConflictError):
        pass

    handler, _ = script(httpx.Response(409, text="already"))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(Special) as info:
        await channel.send(Request("POST", ("x",), json={}, errors={409: Special}))
    assert info.value.message == "already"


@pytest.mark.anyio
async def test_array_of_messages_is_joined(fake_clock: FakeClock) -> None:
    """Toggl-style arrays of localized messages become one message."""
    handler, _ = script(httpx.Response(400, json=["Email is invalid", "Password too short"]))
    channel = make_channel(handler, fake_clock)
    with pytest.raises(APIError) as info:
        await channel.send(Request("PUT", ("me",), json={}))
    assert info.value.message == "Email is invalid; Password too short"


@pytest.mark.anyio
async def test_non_json_success_body_is_decode_error(fake_clock: FakeClock) -> None:
    """A 200 whose body is not JSON becomes DecodeError, not a ValueError."""
    handler, _ = script(httpx.Response(200, text="<html>oops"))
    channel = make_channel(handler, fake_clock)
    response = await channel.send(Request("GET", ("x",)))
    with pytest.raises(DecodeError):
        response.json()


@pytest.mark.anyio
async def test_wire_format(fake_clock: FakeClock) -> None:
    """Path segments are encoded, query keys repeat, JSON is compact with its content type."""
    handler, seen = script(httpx.Response(200, json={}))
    channel = make_channel(handler, fake_clock)
    await channel.send(
        Request("PUT", ("ws", "a/b?c", ".."), query=(("r", "A"), ("r", "B")), json={"x": 1})
    )
    request = seen[0]
    assert request.url.raw_path == b"/v1/ws/a%2Fb%3Fc/%2E%2E?r=A&r=B"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-api-key"] == SECRET
    assert request.content == b'{"x":1}'


@pytest.mark.parametrize(
    ("segments", "raw"),
    [
        ((".",), "/%2E"),
        (("..",), "/%2E%2E"),
        (("a/b",), "/a%2Fb"),
        (("x?y#z",), "/x%3Fy%23z"),
        (("%2F",), "/%252F"),
        (("ünï",), "/%C3%BCn%C3%AF"),
    ],
)
def test_encode_path(segments: tuple[str, ...], raw: str) -> None:
    """No id can escape its path segment."""
    assert encode_path(segments) == raw


@pytest.mark.anyio
async def test_secret_never_in_logs_repr_or_errors(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The credential appears in no log line, repr or exception text."""
    handler, _ = script(httpx.Response(500), httpx.Response(401, json={"message": "bad key"}))
    channel = make_channel(handler, fake_clock)
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as info:
        await channel.send(Request("GET", ("x",)))
    text = caplog.text + repr(channel) + repr(channel.pool) + str(info.value) + repr(info.value)
    assert "GET /x -> 500" in caplog.text
    assert SECRET not in text


@pytest.mark.anyio
async def test_closed_pool_refuses(fake_clock: FakeClock) -> None:
    """Sending on a closed pool is a ConfigurationError, not a hang."""
    handler, _ = script(httpx.Response(200, json={}))
    channel = make_channel(handler, fake_clock)
    await channel.pool.aclose()
    with pytest.raises(ConfigurationError):
        await channel.send(Request("GET", ("x",)))


@pytest.mark.anyio
async def test_two_channels_one_credential_share_a_budget(fake_clock: FakeClock) -> None:
    """Two clients with the same credential on one pool use one limiter; scopes split it."""
    handler, _ = script(httpx.Response(200, json={}))
    pool = HttpPool(transport=httpx.MockTransport(handler), clock=fake_clock)
    a = make_channel(handler, fake_clock, rate_limit=RateLimit(10), pool=pool)
    b = make_channel(handler, fake_clock, rate_limit=RateLimit(10), pool=pool)
    await a.send(Request("GET", ("x",), scope="ws1"))
    await b.send(Request("GET", ("x",), scope="ws1"))
    assert len(pool.limiters) == 1
    await b.send(Request("GET", ("x",), scope="ws2"))
    assert len(pool.limiters) == 2
    await pool.aclose()


class StuckClock(FakeClock):
    """A clock whose sleeps never end on their own: only cancellation gets out."""

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep_forever()


@pytest.mark.anyio
async def test_cancel_while_queued_sends_nothing() -> None:
    """A call cancelled while waiting for the limiter never reaches the server."""
    clock = StuckClock()
    handler, seen = script(httpx.Response(200, json={}))
    channel = make_channel(handler, clock, rate_limit=RateLimit(1, 10.0))
    await channel.send(Request("GET", ("x",)))
    with anyio.move_on_after(0.05) as scope:
        await channel.send(Request("GET", ("x",)))
    assert scope.cancelled_caught
    assert len(seen) == 1
    await channel.pool.aclose()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.clockify.me/api/v1", True),
        ("https://api.clockify.me/api/v1/", True),
        ("http://127.0.0.1:8080/api/v1", True),
        ("http://localhost:9/x", True),
        ("http://[::1]:9/x", True),
        ("http://127.5.5.5/x", True),
        ("http://api.clockify.me/api/v1", False),
        ("ftp://api.clockify.me", False),
        ("https://user:pw@api.clockify.me", False),
        ("https://api.clockify.me/v1?x=1", False),
        ("not a url", False),
        ("", False),
    ],
)
def test_base_url_rules(url: str, ok: bool) -> None:
    """https everywhere; http only on loopback unless allow_insecure_http."""
    if ok:
        assert not validate_base_url(url).endswith("/")
    else:
        with pytest.raises(ConfigurationError):
            validate_base_url(url)


def test_insecure_http_can_be_allowed() -> None:
    """allow_insecure_http=True admits a plain-http non-loopback URL."""
    assert validate_base_url("http://intranet.example/api", allow_insecure_http=True)


@pytest.mark.parametrize("bad", ["key\r\nX-Evil: 1", "key\n", "a\x00b", "", "k\x7f"])
def test_credential_with_control_characters_refused(bad: str) -> None:
    """A credential that could inject a header is a ConfigurationError that does not echo it."""
    with pytest.raises(ConfigurationError) as info:
        check_credential("api_key", bad)
    assert bad not in str(info.value) or bad == ""


def test_pool_timeout_none_is_refused() -> None:
    """An unbounded timeout is a configuration error."""
    with pytest.raises(ConfigurationError):
        HttpPool(timeout=None)  # type: ignore[arg-type]


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_send_loop_runs_on_trio(fake_clock: FakeClock) -> None:
    """The transport is anyio all the way down: retries and the limiter work under trio."""
    handler, seen = script(httpx.Response(503), httpx.Response(200, json={"ok": True}))
    channel = make_channel(handler, fake_clock, rate_limit=RateLimit(5, 1.0))
    assert (await channel.send(Request("GET", ("x",)))).json() == {"ok": True}
    assert len(seen) == 2
    await channel.pool.aclose()


@pytest.mark.anyio
async def test_long_rate_limit_waits_and_429_pauses_are_logged_at_info(
    fake_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A limiter wait over a second and a 429 pause are INFO lines, with no secret."""
    handler, _ = script(
        httpx.Response(200, json={}),
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json={}),
    )
    channel = make_channel(handler, fake_clock, rate_limit=RateLimit(1, 2.0))
    caplog.set_level(logging.INFO, logger="timeclients")
    await channel.send(Request("GET", ("x",)))
    await channel.send(Request("GET", ("x",)))  # waits ~2 s, then 429, pause, retry
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("waited" in m and "rate-limit slot" in m for m in messages), messages
    assert any("429, pausing" in m for m in messages), messages
    assert any("retrying" in m for m in messages), messages
    assert all(SECRET not in m for m in messages)
