"""The strict 50/s server of ``_strict_server``, logging when each request came in.

For the shared-budget benchmark and tests: ``GET /_log`` returns ``[[t, status], ...]`` (server
monotonic seconds at the moment a rate update reached the app, and what it was answered), and
``--retry-after-at K --retry-after S`` answers the K-th rate update ``429`` with
``Retry-After: S`` (once), as a vendor pausing a client would.
Usage: ``python -m benchmarks._budget_server --port 8765 [--retry-after-at 40]``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks._strict_server import StrictServer, serve, strict_arguments, strict_server


class BudgetServer:
    """Wraps :class:`StrictServer`: a log of (arrival, status) and an optional one-shot 429."""

    def __init__(self, inner: StrictServer, retry_after_at: int, retry_after: float) -> None:
        self.inner = inner
        self.retry_after_at = retry_after_at
        self.retry_after = retry_after
        self.log: list[tuple[float, int]] = []
        self.updates = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        path: str = scope["path"]
        if path == "/_log":
            body = json.dumps(self.log).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if path == "/_reset":
            self.log.clear()
            self.updates = 0
        if not path.endswith(("/cost-rate", "/hourly-rate")):
            await self.inner(scope, receive, send)
            return
        arrived = time.monotonic()
        self.updates += 1
        if self.updates == self.retry_after_at:
            while (await receive()).get("more_body"):
                pass
            self.log.append((arrived, 429))
            await send(
                {
                    "type": "http.response.start",
                    "status": 429,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"retry-after", f"{self.retry_after:g}".encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"message":"Too many requests"}'})
            return
        status = 0

        async def tap(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.inner(scope, receive, tap)
        self.log.append((arrived, status))


def main() -> None:
    parser = strict_arguments()
    parser.add_argument("--retry-after-at", type=int, default=0)
    parser.add_argument("--retry-after", type=float, default=2.0)
    args = parser.parse_args()
    serve(BudgetServer(strict_server(args), args.retry_after_at, args.retry_after), args.port)

if __name__ == "__main__":
    main()
