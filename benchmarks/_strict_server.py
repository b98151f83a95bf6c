"""A strict Clockify-shaped rate-update server for the throttle benchmark, run in its own process.

It models what a vendor's edge does: each request travels 0 to ``--jitter-ms`` of network
delay before it *arrives*; arrivals are counted in a strict sliding window per workspace
(``--limit`` requests in any ``--per`` seconds, counted over accepted requests) and one more is
answered ``429 {"message": "Too many requests", "code": 429}`` without ``Retry-After`` (which
Clockify does not document). Accepted updates are applied; ``GET /_stats`` reports counts.
Usage: ``python -m benchmarks._strict_server --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import time
from typing import Any

from benchmarks._server import _respond

WORKSPACE_TEMPLATE: dict[str, Any] = json.loads(
    """{"cakeOrganizationId":"67d471fb56aa9668b7bfa295","costRate":{"amount":10500,"currency":"USD"},
    "currencies":[{"code":"USD","id":"5b641568b07987035750505e","isDefault":true}],
    "featureSubscriptionType":"PREMIUM","features":["ADD_TIME_FOR_OTHERS"],
    "hourlyRate":{"amount":10500,"currency":"USD"},"id":"WS","imageUrl":"",
    "memberships":[],"name":"Bench","subdomain":{"enabled":false,"name":"bench"},
    "workspaceSettings":{"activeBillableHours":true,"adminOnlyPages":"[]",
    "automaticLock":{"changeDay":"FRIDAY","dayOfMonth":15,"firstDay":"MONDAY",
    "olderThanPeriod":"DAYS","olderThanValue":5,"type":"WEEKLY"},"canSeeTimeSheet":true,
    "canSeeTracker":true,"currencyFormat":"CURRENCY_SPACE_VALUE","defaultBillableProjects":true,
    "durationFormat":"FULL","entityCreationPermissions":{"whoCanCreateProjectsAndClients":"EVERYONE",
    "whoCanCreateTags":"EVERYONE","whoCanCreateTasks":"EVERYONE"},"forceDescription":false,
    "forceProjects":false,"forceTags":false,"forceTasks":false,"isProjectPublicByDefault":true,
    "lockTimeEntries":"2024-02-25T23:00:00Z","lockTimeZone":"Europe/Belgrade",
    "multiFactorEnabled":false,"numberFormat":"COMMA_PERIOD","onlyAdminsCanChangeBillableStatus":false,
    "onlyAdminsCreateProject":false,"onlyAdminsCreateTag":false,"onlyAdminsCreateTask":false,
    "onlyAdminsSeeAllTimeEntries":false,"onlyAdminsSeeBillableRates":false,
    "onlyAdminsSeeDashboard":false,"onlyAdminsSeePublicProjectsEntries":false,
    "projectFavorites":true,"projectGroupingLabel":"","projectLabel":"","projectPickerSpecialFilter":false,
    "round":{"minutes":"15","round":"Round to nearest"},"taskLabel":"",
    "timeRoundingInReports":false,
    "timeTrackingMode":"DEFAULT","trackTimeDownToSecond":true,"workingDays":["MONDAY"]}}"""
)


class StrictServer:
    """Raw ASGI app: strict sliding window per workspace, jittered arrivals, applied rates."""

    def __init__(self, limit: int, per: float, jitter_ms: float, seed: int) -> None:
        self.limit = limit
        self.per = per
        self.jitter = jitter_ms / 1000.0
        self.rng = random.Random(seed)
        self.windows: dict[str, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self.rates: dict[tuple[str, str], int] = {}
        self.accepted = 0
        self.throttled = 0
        self.max_in_window = 0

    def reset(self) -> None:
        self.windows.clear()
        self.rates.clear()
        self.accepted = self.throttled = self.max_in_window = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        if path == "/_stats":
            payload = {
                "accepted": self.accepted,
                "throttled": self.throttled,
                "applied": len(self.rates),
                "max_in_window": self.max_in_window,
            }
            await self._reply(send, 200, payload)
            return
        if path == "/_reset":
            self.reset()
            await self._reply(send, 200, {})
            return
        parts = path.strip("/").split("/")
        # /api/v1/workspaces/{ws}/users/{uid}/cost-rate
        if (
            len(parts) != 7
            or parts[2] != "workspaces"
            or parts[6] not in ("cost-rate", "hourly-rate")
        ):
            await self._reply(send, 404, {"message": "not found", "code": 404})
            return
        if self.jitter:
            await asyncio.sleep(self.rng.uniform(0, self.jitter))  # the trip to the server
        now = time.monotonic()
        window = self.windows[parts[3]]
        while window and window[0] <= now - self.per:
            window.popleft()
        if len(window) >= self.limit:
            self.throttled += 1
            await self._reply(send, 429, {"message": "Too many requests", "code": 429})
            return
        window.append(now)
        self.accepted += 1
        self.max_in_window = max(self.max_in_window, len(window))
        amount = json.loads(body)["amount"]
        self.rates[(parts[3], parts[5])] = amount
        workspace = dict(WORKSPACE_TEMPLATE, id=parts[3])
        workspace["memberships"] = [
            {
                "costRate": {"amount": amount, "currency": "USD"},
                "hourlyRate": None,
                "membershipStatus": "ACTIVE",
                "membershipType": "WORKSPACE",
                "targetId": parts[3],
                "userId": parts[5],
            }
        ]
        await self._reply(send, 200, workspace)

    @staticmethod
    async def _reply(send: Any, status: int, payload: Any) -> None:
        await _respond(send, status, json.dumps(payload).encode())


def strict_arguments() -> argparse.ArgumentParser:
    """The strict server's command-line options (``--port``, ``--limit``, ``--per``, ...)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--per", type=float, default=1.0)
    parser.add_argument("--jitter-ms", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    return parser


def strict_server(args: argparse.Namespace) -> StrictServer:
    """The server the parsed options describe."""
    return StrictServer(args.limit, args.per, args.jitter_ms, args.seed)


def serve(app: Any, port: int) -> None:
    """Serve ``app`` on loopback until the process is stopped."""
    import uvicorn

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        http="httptools",
        lifespan="on",
        access_log=False,
    )


def main() -> None:
    args = strict_arguments().parse_args()
    serve(strict_server(args), args.port)

if __name__ == "__main__":
    main()
