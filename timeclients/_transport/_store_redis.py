"""The Redis rate store: one sliding-window budget per limiter key for any number of processes.

Each acquisition is one Lua script run atomically on the Redis server, timed by the server's
own clock (``TIME``), so process clocks never matter. Per key the server keeps a small hash
(the GCRA pace, a pause, a sequence number) and one sorted set per window holding the send
times of the last ``requests`` sends: the same rule :class:`SlidingWindowLimiter` applies in one
process, for all processes together. A caller whose slot is near (within a short horizon)
gets it *reserved* by the same script and sleeps until then, so a busy key still costs one
round trip per acquisition; a caller further back is told how long to wait and asks again.

Every process also keeps its own in-process limiter for the key, fed by the same sends: if
Redis loses its state (a restart), a process can still never exceed one window's budget on
its own, and with ``fallback="local"`` that limiter carries on alone while Redis is away.

Why not the ``limits`` library's moving-window Redis storage: it answers "allowed now?" with the
*client's* ``time.time()`` and has no notion of the next free slot (callers poll), no even
spacing and no pause; its TTLs are whole seconds. The three are requirements here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import weakref
from collections.abc import Hashable
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import anyio

from .._wire import RateLimit, RateLimits, rate_limits
from ..errors import ConfigurationError, RateStoreError
from ._ratelimit import Clock, SlidingWindowLimiter

__all__ = ["RedisRateStore"]

logger: Final = logging.getLogger("timeclients")

Fallback = Literal["raise", "local"]

# KEYS[1]: the key's state hash; KEYS[2..]: one sorted set per window (member: sequence
# number, score: send time in server seconds).
# ARGV: pace interval, reservation horizon, then (requests, window) per sorted set (pauses are
# written by _PAUSE). Returns {1, wait, member, at} (granted; wait until the reserved server
# time ``at``) or {0, wait} (not granted; ask again in about wait seconds). Numbers travel as
# strings: a Lua number would be truncated to an integer reply.
_ACQUIRE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tat', 'paused')
local tat = tonumber(state[1]) or 0
local paused = tonumber(state[2]) or 0
local ready = math.max(paused, tat, now - interval)
local longest = 0
for i = 2, #KEYS do
  local n = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  if window > longest then longest = window end
  if redis.call('ZCARD', KEYS[i]) >= n then
    local oldest = redis.call('ZRANGE', KEYS[i], -n, -n, 'WITHSCORES')
    ready = math.max(ready, tonumber(oldest[2]) + window)
  end
end
local ttl = math.ceil((math.max(longest, paused - now) + math.max(ready - now, 0)) * 1000) + 1000
if ready > now + horizon then
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {0, string.format('%.6f', ready - now)}
end
local at = math.max(ready, now)
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('HSET', KEYS[1], 'tat', string.format('%.6f', ready + interval))
redis.call('PEXPIRE', KEYS[1], ttl)
for i = 2, #KEYS do
  local n = tonumber(ARGV[2 * i - 1])
  redis.call('ZADD', KEYS[i], string.format('%.6f', at), seq)
  redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(n + 1))
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return {1, string.format('%.6f', at - now), seq, string.format('%.6f', at)}
"""

# KEYS[1]: the key's state hash. ARGV[1]: seconds to pause from now (server clock).
_PAUSE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local till = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused')) or 0
if till > paused then
  redis.call('HSET', KEYS[1], 'paused', string.format('%.6f', till))
  local ttl = math.ceil((till - now) * 1000) + 1000
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
end
return 1
"""

# KEYS: the window sorted sets. ARGV[1]: a send's member (sequence number), ARGV[2]: the
# server time by which it arrived. Moves the send later, never earlier (a cold start's send
# that waited on a new connection).
_SETTLE: Final = """
for i = 1, #KEYS do
  local score = redis.call('ZSCORE', KEYS[i], ARGV[1])
  if score and tonumber(score) < tonumber(ARGV[2]) then
    redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1])
  end
end
return 1
"""

# How long a store in fallback mode limits locally before it asks Redis again.
_PROBE_EVERY: Final = 1.0
# Redis answers within this or the store counts as unreachable (seconds).
_SOCKET_TIMEOUT: Final = 2.0


def _display_url(url: str) -> str:
    """``url`` without user or password: what messages and ``repr`` may show."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<redis url>"
    path = parts.path if parts.scheme != "unix" else ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}{path}"


class RedisRateStore:
    """Keep every limiter of an :class:`HttpPool` in Redis: one budget shared by all processes.

    ``HttpPool(rate_store=RedisRateStore("redis://127.0.0.1:6379/0"))``. Processes using the
    same store (same Redis, same ``prefix``) and the same credential share one sliding-window
    budget per limiter key, evenly spaced, with the same guarantee and safety margin as one
    process: a strict server never sees more than the limit in any window from all of them
    together. Times come from the Redis server's clock; a 429 seen by any process pauses the
    key for all; keys expire when idle and hold no secret (a limiter key appears only as an
    HMAC of the credential's fingerprint, keyed by ``key_secret``).

    Args:
        url: a ``redis://``, ``rediss://`` or ``unix://`` URL (redis-py's ``from_url``).
        prefix: the first part of every Redis key; stores with different prefixes never share.
        fallback: when Redis cannot be reached, ``"raise"`` fails the call with
            :class:`~timeclients.errors.RateStoreError` before anything is sent; ``"local"``
            logs one WARNING and limits in process until Redis answers again (asked at most
            once a second).
        key_secret: the HMAC key that turns a limiter key into a Redis key (every process of
            one budget must use the same); by default one derived from ``prefix``. Set it when
            someone who can read Redis must not be able to test guesses of a weak credential
            (Toggl's email and password) against the key names.

    Needs the ``redis`` extra (``pip install 'timeclients[redis]'``) and asyncio: redis-py's
    asyncio client does not run on trio.
    """

    __slots__ = (
        "_client",
        "_down",
        "_errors",
        "_hmac_key",
        "_limiters",
        "_loop",
        "_pause_script",
        "_probe_at",
        "_redis",
        "_retry",
        "_script",
        "_settle_script",
        "_tasks",
        "_url",
        "fallback",
        "prefix",
    )

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "timeclients",
        fallback: Fallback = "raise",
        key_secret: str | bytes | None = None,
    ) -> None:
        try:
            import redis.asyncio as redis_asyncio
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            from redis.exceptions import RedisError
        except ImportError as exc:
            raise ConfigurationError(
                "RedisRateStore needs the Redis client: pip install 'timeclients[redis]'"
            ) from exc
        if not isinstance(url, str) or not url:
            raise ConfigurationError("url must be a non-empty redis:// URL")
        scheme = url.split(":", 1)[0].lower()
        if scheme not in ("redis", "rediss", "unix"):
            raise ConfigurationError(
                f"url must start with redis://, rediss:// or unix://, got {_display_url(url)!r}"
            )
        try:
            from redis.asyncio.connection import parse_url

            parse_url(url)
        except ValueError as exc:  # the message names the part, never the password
            raise ConfigurationError(f"url is not a Redis URL: {exc}") from None
        if fallback not in ("raise", "local"):
            raise ConfigurationError(f"fallback must be 'raise' or 'local', got {fallback!r}")
        if not isinstance(prefix, str) or not prefix or any(c in prefix for c in "{}\r\n "):
            raise ConfigurationError(
                "prefix must be a non-empty string without braces, spaces or line breaks"
            )
        if key_secret is None:
            secret = f"timeclients-rate-store:{prefix}".encode()
        elif isinstance(key_secret, str) and key_secret:
            secret = key_secret.encode("utf-8")
        elif isinstance(key_secret, bytes) and key_secret:
            secret = key_secret
        else:
            raise ConfigurationError("key_secret must be a non-empty str or bytes (or None)")
        #: The first part of every Redis key.
        self.prefix = prefix
        #: What happens when Redis cannot be reached: ``"raise"`` or ``"local"``.
        self.fallback: Fallback = fallback
        self._url = url
        self._hmac_key = secret
        self._redis: Any = redis_asyncio
        # Fail fast (no retries inside redis-py): the store decides what a failure means.
        self._retry: Any = Retry(NoBackoff(), 0)
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError, TimeoutError)
        self._client: Any = None
        self._script: Any = None
        self._pause_script: Any = None
        self._settle_script: Any = None
        # Pauses being written to Redis in the background (``pause()`` is not async).
        self._tasks: set[asyncio.Task[None]] = set()
        # Every limiter handed out since the last aclose(): closing fails their waiters.
        self._limiters: weakref.WeakSet[RedisLimiter] = weakref.WeakSet()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._down = False
        self._probe_at = -math.inf

    def __repr__(self) -> str:
        return (
            f"RedisRateStore({_display_url(self._url)!r}, prefix={self.prefix!r}, "
            f"fallback={self.fallback!r})"
        )

    # --- the RateStore protocol ---------------------------------------------------------------

    def limiter(self, key: Hashable, rate: RateLimits, clock: Clock) -> RedisLimiter:
        """The limiter of ``key`` (a limiter-registry key) with the windows of ``rate``."""
        limiter = RedisLimiter(self, self.redis_key(key), rate, clock)
        self._limiters.add(limiter)
        return limiter

    async def aclose(self) -> None:
        """Close this store's Redis connections. Idempotent.

        The limiters handed out so far are closed with it (their waiters fail with
        ``ConfigurationError``, as calls on a closed pool do); a pool created later gets new
        limiters, which reconnect.
        """
        for limiter in list(self._limiters):
            limiter._closed = True
        self._limiters = weakref.WeakSet()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        client, self._client, self._script, self._loop = self._client, None, None, None
        if client is not None:
            try:
                await client.aclose()
            except Exception as exc:  # noqa: BLE001 - closing never fails the caller
                logger.debug("closing the rate store failed: %s", type(exc).__name__)

    # --- internals ------------------------------------------------------------------------------

    def redis_key(self, key: Hashable) -> str:
        """The Redis key base of a limiter key: ``{prefix}:rl:{<HMAC>}`` (no secret in it).

        The braces are a Redis Cluster hash tag: every key of one limiter lives on one node.
        """
        text = "\x00".join(str(part) for part in key) if isinstance(key, tuple) else str(key)
        digest = hmac.new(self._hmac_key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{self.prefix}:rl:{{{digest[:32]}}}"

    def _connection(self) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ConfigurationError(
                "RedisRateStore needs asyncio (redis-py's asyncio client does not run on trio); "
                "on trio, use HttpPool() without rate_store"
            ) from None
        if self._client is None or self._loop is not loop:
            # A client's connections belong to one event loop: a new loop gets a new client.
            self._client = self._redis.from_url(
                self._url,
                socket_connect_timeout=_SOCKET_TIMEOUT,
                socket_timeout=_SOCKET_TIMEOUT,
                retry=self._retry,
                decode_responses=True,
            )
            self._script = self._client.register_script(_ACQUIRE)
            self._pause_script = self._client.register_script(_PAUSE)
            self._settle_script = self._client.register_script(_SETTLE)
            self._loop = loop
        return self._script

    def _in_background(self, which: str, keys: list[str], args: list[str]) -> None:
        """Run one of the small scripts now, without waiting for it (one round trip)."""
        try:
            self._connection()
        except ConfigurationError:
            return  # not on asyncio: the next acquisition reports it
        task = asyncio.get_running_loop().create_task(self._run(which, keys, args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, which: str, keys: list[str], args: list[str]) -> None:
        script = self._pause_script if which == "pause" else self._settle_script
        try:
            await script(keys=keys, args=args)
        except self._errors as exc:
            # A pause still holds in this process (the others learn from their own 429s); a
            # settle is a refinement: the local log keeps this process's windows regardless.
            logger.debug("could not %s in the rate store: %s", which, type(exc).__name__)

    def _local_only(self, now: float) -> bool:
        """True while Redis is down and not yet due for another try (fallback="local")."""
        return self._down and now < self._probe_at

    def _failed(self, exc: BaseException, now: float) -> None:
        """Redis did not answer: raise RateStoreError, or (fallback="local") go local."""
        what = f"{type(exc).__name__}: {exc}"
        if self.fallback == "raise":
            raise RateStoreError(
                f"the rate store {_display_url(self._url)} did not answer ({what}); nothing "
                "was sent. Check that Redis is running, or use "
                "RedisRateStore(..., fallback='local') to limit in process meanwhile"
            ) from None
        if not self._down:
            logger.warning(
                "the rate store %s did not answer (%s): limiting in this process only until "
                "it answers again",
                _display_url(self._url),
                what,
            )
        self._down = True
        self._probe_at = now + _PROBE_EVERY

    def _answered(self) -> None:
        if self._down:
            logger.info("the rate store %s answers again", _display_url(self._url))
            self._down = False


class RedisLimiter:
    """One limiter key's budget in Redis, plus this process's own log of its sends.

    Implements the limiter seam (:class:`~timeclients._transport.Limiter`): ``acquire`` runs
    the store's script (once, in the common case), then logs the send in the local
    :class:`SlidingWindowLimiter` too. ``pause`` holds this process at once and writes the pause
    to Redis in the background (one round trip), so every process's next acquisition waits.
    """

    __slots__ = (
        "__weakref__",
        "_clock",
        "_closed",
        "_cold",
        "_granted",
        "_keys",
        "_local",
        "_lock",
        "_store",
    )

    def __init__(self, store: RedisRateStore, key_base: str, rate: RateLimits, clock: Clock):
        rates = rate_limits(rate)
        self._store = store
        self._clock = clock
        self._keys = [f"{key_base}:s"] + [f"{key_base}:w{i}" for i in range(len(rates))]
        self._local = SlidingWindowLimiter(rates, clock=clock)
        # Set when the store (with its pool) is closed: no more round trips, waiters fail.
        self._closed = False
        self._lock = anyio.Lock()
        # The last shared grant: (member, server time minus local time), or None (local only).
        self._granted: tuple[str, float] | None = None
        # Cold-start sends not yet settled: local token -> (member, clock offset).
        self._cold: dict[int, tuple[str, float]] = {}

    @property
    def rate(self) -> RateLimit:
        """The window that sets the pace."""
        return self._local.rate

    @property
    def rates(self) -> tuple[RateLimit, ...]:
        """Every window, shortest first."""
        return self._local.rates

    async def acquire(self) -> int | None:
        """Wait for a slot in the shared budget (and this process's own), and take it."""
        lock = self._lock
        await lock.acquire()
        try:
            self._granted = None
            await self._shared_slot()
            token = await self._local.acquire()
            if token is not None and self._granted is not None and len(self._cold) < 4096:
                self._cold[token] = self._granted
            return token
        finally:
            lock.release()

    async def _shared_slot(self) -> None:
        store = self._store
        clock = self._clock
        local = self._local
        while True:
            if self._closed:
                raise ConfigurationError("the HttpPool was closed (and its rate store with it)")
            now = clock.now()
            if store._local_only(now):
                return
            script = store._connection()
            interval = local._interval
            horizon = min(1.0, max(0.05, 4.0 * interval))
            args: list[str] = [f"{interval:.9f}", f"{horizon:.6f}"]
            for r, window in zip(local.rates, local._windows, strict=True):
                args += [str(r.requests), f"{window:.9f}"]
            try:
                answer = await script(keys=self._keys, args=args)
            except store._errors as exc:
                if self._closed:  # the pool closed under this call
                    raise ConfigurationError("the HttpPool was closed during the call") from None
                store._failed(exc, clock.now())
                return
            store._answered()
            seconds = float(answer[1])
            if int(answer[0]):
                # The slot's server time against this process's clock, to settle it later.
                self._granted = (str(answer[2]), float(answer[3]) - (clock.now() + seconds))
                if seconds > 0:
                    await clock.sleep(seconds)
                return
            # Not our turn within the horizon: come back when the slot is about to be near.
            await clock.sleep(max(0.001, seconds - horizon / 2))

    def settle(self, token: int, arrived_by: float) -> None:
        """A cold-start send reached the server by ``arrived_by``: log it then, here and in
        Redis (in the background), as the in-process limiter does."""
        self._local.settle(token, arrived_by)
        cold = self._cold.pop(token, None)
        if cold is not None:
            member, offset = cold
            if not self._closed:
                self._store._in_background(
                    "settle", self._keys[1:], [member, f"{arrived_by + offset:.6f}"]
                )

    def pause(self, seconds: float) -> None:
        """Hold every waiter of every process for ``seconds`` (the server said 429)."""
        if seconds > 0:
            self._local.pause(seconds)
            if not self._closed:
                self._store._in_background("pause", self._keys[:1], [f"{seconds:.6f}"])

    def report_quota(self, remaining: int, resets_in: float) -> None:
        """What the server says remains of a quota: never overspent here; 0 pauses all."""
        self._local.report_quota(remaining, resets_in)
        readable = isinstance(resets_in, (int, float)) and not isinstance(resets_in, bool)
        if readable and remaining <= 0 and math.isfinite(resets_in) and resets_in > 0:
            self.pause(float(resets_in))

    def throttled(self) -> None:
        """A 429: widen this process's margin (its windows are what it asks Redis to keep)."""
        self._local.throttled()

    def idle(self, now: float) -> bool:
        """True when nobody waits here and the local state holds nothing that matters."""
        return not self._lock.locked() and self._local.idle(now)

    def __repr__(self) -> str:
        return f"<RedisLimiter {list(self._local.rates)!r}>"
