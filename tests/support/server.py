"""Tocsin served by uvicorn on a loopback port, in a thread of the test process."""

from __future__ import annotations

import threading
import time
import warnings

import uvicorn

from tests.support.postgres import free_port
from tocsin.app import create_app, wrap
from tocsin.config import Settings


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        config = uvicorn.Config(
            wrap(self.app, settings),
            host="127.0.0.1",
            port=settings.port,
            log_level="warning",
            access_log=False,
            # Connections still open after this are cut, so the app's shutdown (which stops its
            # engine) always runs before the test's database is dropped.
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="tocsin-test-server", daemon=True)

    @property
    def url(self) -> str:
        """Where clients reach the server, including the path prefix if any."""
        return f"http://127.0.0.1:{self.settings.port}{self.settings.root_path}"

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        # What a SIGTERM does to a served process (tocsin.web.live_pages): open live-update
        # streams end, or uvicorn would wait for them. A server in a thread gets no signal.
        self.app.state.alert_changes.close()
        self._server.should_exit = True
        self._thread.join(timeout=20)
        if self._thread.is_alive():
            warnings.warn(f"the server on port {self.settings.port} did not stop in 20 s", stacklevel=2)


def live_settings(database_url: str, data_dir: str, root_path: str = "") -> Settings:
    port = free_port()
    return Settings(
        database_url=database_url,
        data_dir=data_dir,  # type: ignore[arg-type]
        secret_key="test-secret",
        port=port,
        root_path=root_path,
    )
