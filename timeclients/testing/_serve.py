"""Serve an :class:`Emulator` with uvicorn on a loopback socket, in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import attrs

from ._asgi import EmulatorASGIApp
from ._engine import EmulatorCore, vendor_type

__all__ = ["ServedEmulator", "serve"]


@attrs.frozen
class ServedEmulator:
    """A running server: its root URL and each vendor's base URL on it."""

    emulator: EmulatorCore
    host: str
    port: int

    @property
    def url(self) -> str:
        """``http://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def base_url(self, vendor: str) -> str:
        """The base URL to give a vendor's client (``clockify``, ``mctime``, ``toggl``, ...)."""
        return self.url + "/" + "/".join(vendor_type(vendor).base_path)

    @property
    def clockify_url(self) -> str:
        """Clockify's base URL on this server (``.../api/v1``)."""
        return self.base_url("clockify")

    @property
    def mctime_url(self) -> str:
        """McTime's base URL on this server (``.../api/v2/auth``)."""
        return self.base_url("mctime")

    @property
    def toggl_url(self) -> str:
        """Toggl's base URL on this server (``.../api/v8``)."""
        return self.base_url("toggl")

    @property
    def toggltrack_url(self) -> str:
        """Toggl Track API v9's base URL on this server (``.../api/v9``)."""
        return self.base_url("toggltrack")


class _QuietDrops(logging.Filter):
    """Hide uvicorn's complaint about a response left unfinished: that is an injected drop."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


@contextmanager
def serve(
    emulator: EmulatorCore,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
    startup_timeout: float = 10.0,
) -> Iterator[ServedEmulator]:
    """Run ``emulator`` under uvicorn on ``host:port`` (0: a free port) until the block ends.

    Needs the ``emulator`` extra (``uvicorn``). The server runs in a daemon thread with its own
    event loop; the emulator's state is guarded by its lock.
    """
    import uvicorn

    config = uvicorn.Config(
        EmulatorASGIApp(emulator),
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        access_log=False,
    )
    server = uvicorn.Server(config)
    quiet = _QuietDrops()
    logging.getLogger("uvicorn.error").addFilter(quiet)
    thread = threading.Thread(target=server.run, name="timeclients-emulator", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start on {host}:{port}")
            time.sleep(0.005)
        bound = server.servers[0].sockets[0].getsockname()[1]
        yield ServedEmulator(emulator, host, int(bound))
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        logging.getLogger("uvicorn.error").removeFilter(quiet)
