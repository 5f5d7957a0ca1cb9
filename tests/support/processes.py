"""``tocsin serve`` as a real process, for tests that need the whole program."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.postgres import free_port
from tests.test_cli import TOCSIN

START_TIMEOUT = 60
"""A few seconds on a quiet machine; with other suites loading it, a start took over 30."""


def _until(condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class Serve:
    """One ``tocsin serve`` process with its output in files (read while it runs)."""

    def __init__(self, environment: dict[str, str], logs: Path, *arguments: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        logs.mkdir(parents=True, exist_ok=True)
        self._stdout_path = logs / f"stdout-{self.port}"
        self._stderr_path = logs / f"stderr-{self.port}"
        # As under systemd or Docker: stdout is a pipe (a file here) and Python buffers it.
        environment = {name: value for name, value in environment.items() if name != "PYTHONUNBUFFERED"}
        with self._stdout_path.open("w") as stdout, self._stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                [str(TOCSIN), "serve", "--port", str(self.port), *arguments],
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
            )

    @property
    def stdout(self) -> str:
        return self._stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text()

    def _answers(self) -> bool:
        assert self.process.poll() is None, f"tocsin serve exited early:\n{self.stdout}\n{self.stderr}"
        try:
            httpx.get(f"{self.url}/login", timeout=2)
        except httpx.TransportError:
            return False
        return True

    def wait_until_serving(self) -> None:
        """Until it has said where to log in (on stdout, as it runs) and answers HTTP."""
        _until(lambda: "log in at" in self.stdout, "the 'log in at' line on stdout")
        _until(self._answers, f"{self.url} to answer")

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(how)
        try:
            return self.process.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT)
            raise AssertionError(f"tocsin serve did not stop on {how.name}:\n{self.stderr}") from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=START_TIMEOUT)
