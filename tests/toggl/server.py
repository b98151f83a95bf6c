"""A small independent Toggl v8 server on 127.0.0.1 (stdlib only, no timeclients code).

It follows Toggl's v8 "Users" chapter
(https://github.com/toggl/toggl_api_docs/blob/master/chapters/users.md) on its own terms: HTTP
Basic with a token and the literal ``api_token`` or with e-mail and password, 403 for a bad
credential, arrays of messages for rejected updates, a JSON string from ``/reset_token``, and
an optional strict sliding-window limit per credential answered with a bare 429 (no
``Retry-After``).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/api/v8"


class TogglState:
    """Accounts, the requests seen, and the optional strict limit."""

    def __init__(self, *, limit: int | None = None, window: float = 1.0) -> None:
        self.lock = threading.Lock()
        self.users: list[dict[str, Any]] = []
        self.next_id = 1000
        #: (method, path, query, Authorization or None, body) of every request.
        self.seen: list[tuple[str, str, dict[str, list[str]], str | None, Any]] = []
        self.limit = limit
        self.window = window
        self.arrivals: dict[str, deque[float]] = defaultdict(deque)
        self.throttled = 0

    def add_user(self, email: str, password: str, **extra: Any) -> dict[str, Any]:
        self.next_id += 1
        user = {
            "id": self.next_id,
            "api_token": secrets.token_hex(16),
            "default_wid": 777,
            "email": email,
            "password": password,
            "fullname": extra.pop("fullname", "John Swift"),
            "jquery_timeofday_format": "h:i A",
            "jquery_date_format": "m/d/Y",
            "timeofday_format": "h:mm A",
            "date_format": "MM/DD/YYYY",
            "store_start_and_stop_time": True,
            "beginning_of_week": 0,
            "language": "en_US",
            "image_url": "https://www.toggl.com/system/avatars/9000/small/a.png",
            "sidebar_piechart": False,
            "at": "2013-03-06T12:18:42+00:00",
            "retention": 9,
            "record_timeline": True,
            "render_timeline": True,
            "timeline_enabled": True,
            "timeline_experiment": True,
            "new_blog_post": {},
            "timezone": "Etc/UTC",
            "openid_enabled": False,
            "send_product_emails": True,
            "send_weekly_report": True,
            "send_timer_notifications": True,
            "invitation": {},
            **extra,
        }
        self.users.append(user)
        return user

    def authenticate(self, header: str | None) -> dict[str, Any] | None:
        if not header or not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except ValueError:
            return None
        for account in self.users:
            if password == "api_token" and account["api_token"] == user:
                return account
            if account["email"] == user and account["password"] == password:
                return account
        return None

    def over_limit(self, key: str) -> bool:
        if self.limit is None:
            return False
        now = time.monotonic()
        arrivals = self.arrivals[key]
        while arrivals and arrivals[0] <= now - self.window:
            arrivals.popleft()
        if len(arrivals) >= self.limit:
            self.throttled += 1
            return True
        arrivals.append(now)
        return False


def public(user: dict[str, Any], *, related: bool = False) -> dict[str, Any]:
    data = {k: v for k, v in user.items() if k != "password"}
    if related:
        data["time_entries"] = [
            {
                "id": 1,
                "wid": 777,
                "billable": False,
                "start": "2013-03-06T10:08:23+00:00",
                "duration": -1362564503,
                "description": "running",
                "tags": [""],
                "at": "2013-03-06T10:08:23+00:00",
            }
        ]
        data["projects"] = []
        data["tags"] = []
        data["workspaces"] = [
            {"id": 777, "name": "WS", "premium": False, "at": "2013-03-06T09:00:30+00:00"}
        ]
        data["clients"] = []
    return data


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Buffer each response into one write (flushed by the base class after the handler):
    # headers and body in separate packets would meet the client's delayed ACK (~40 ms each).
    wbufsize = 64 * 1024
    state: TogglState

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _reply(self, status: int, payload: Any = None, *, raw: bytes | None = None) -> None:
        body = raw if raw is not None else b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        state = self.state
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._reply(400, ["Invalid JSON"])
            return
        auth = self.headers.get("Authorization")
        with state.lock:
            state.seen.append((method, parts.path, parse_qs(parts.query), auth, body))
            if state.over_limit(auth or "anonymous"):
                self._reply(429, raw=b"")
                return
            route = (method, parts.path.removeprefix(PREFIX))
            if route == ("POST", "/signups"):
                self._signup(body)
                return
            user = state.authenticate(auth)
            if user is None:
                self._reply(403)
                return
            if route == ("GET", "/me"):
                query = parse_qs(parts.query)
                related = query.get("with_related_data") == ["true"]
                self._reply(200, {"since": int(time.time()), "data": public(user, related=related)})
            elif route == ("PUT", "/me"):
                self._update(user, body)
            elif route == ("POST", "/reset_token"):
                user["api_token"] = secrets.token_hex(16)
                self._reply(200, user["api_token"])
            else:
                self._reply(404, raw=b"<html>Not Found</html>")

    def _signup(self, body: Any) -> None:
        fields = (body or {}).get("user") or {}
        missing = [
            k for k in ("email", "password", "timezone", "created_with") if not fields.get(k)
        ]
        if missing:
            self._reply(400, [f"{k} is required" for k in missing])
        elif any(u["email"] == fields["email"] for u in self.state.users):
            self._reply(400, ["User with this email already exists"])
        else:
            user = self.state.add_user(
                fields["email"], fields["password"], fullname="", timezone=fields["timezone"]
            )
            self._reply(200, {"data": public(user)})

    def _update(self, user: dict[str, Any], body: Any) -> None:
        fields = dict((body or {}).get("user") or {})
        if "password" in fields and fields.pop("current_password", None) != user["password"]:
            self._reply(400, ["Current password is not valid", "Praegune parool ei sobi"])
            return
        email = fields.get("email")
        if email and any(u["email"] == email and u is not user for u in self.state.users):
            self._reply(400, ["Email has already been taken", "E-post on juba kasutusel"])
            return
        user.update(fields)
        self._reply(200, {"data": public(user)})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_POST(self) -> None:
        self._handle("POST")


class TogglServer:
    """Serve :class:`TogglState` on 127.0.0.1 in a thread; ``base_url`` ends in ``/api/v8``."""

    def __init__(self, state: TogglState) -> None:
        self.state = state
        handler = type("BoundHandler", (Handler,), {"state": state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"

    def __enter__(self) -> TogglServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
