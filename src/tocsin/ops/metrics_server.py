"""/metrics on a port of its own (``TOCSIN_METRICS_PORT`` for ``tocsin serve``, ``--metrics-port``
for ``tocsin engine``): a tiny ASGI app served by uvicorn in a thread of the process that starts
it, so the main port need not be reachable by Prometheus, nor /metrics by the public."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import timedelta

import uvicorn

from tocsin.db import Database
from tocsin.ops.liveness import STALE
from tocsin.ops.metrics_endpoint import MetricsEndpoint, scrape_registry

STARTUP_SECONDS = 10.0


class MetricsPortError(RuntimeError):
    pass


class MetricsServer:
    def __init__(self, server: uvicorn.Server, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @property
    def port(self) -> int:
        (listener,) = self._server.servers[0].sockets
        return int(listener.getsockname()[1])

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def start(
    host: str, port: int, *, db: Database | None, token: str = "", stale: timedelta = STALE
) -> MetricsServer:
    """Serve the metrics (with the database's state when ``db`` is given; ``stale``: the
    watchdog's threshold) at ``host:port`` (0: any free port) until ``stop``; a clear error if
    the port cannot be listened on."""
    app = MetricsEndpoint(scrape_registry(db, stale), token)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=_run, args=(server,), name="tocsin-metrics", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise MetricsPortError(
                f"cannot serve metrics on {host}:{port} (in use, or not an address of this machine): "
                "change TOCSIN_METRICS_PORT / TOCSIN_METRICS_HOST (tocsin engine: --metrics-port)"
            )
        time.sleep(0.01)
    return MetricsServer(server, thread)


def _run(server: uvicorn.Server) -> None:
    with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot bind: start() reports it
        server.run()
