"""A real ``tocsin serve --no-engine`` with no engine anywhere: it stays ready (alert intake goes
on) and /health/ready lists the silent engine once the watchdog has waited its while. The child
process runs on the real clock, so the while is shortened (TOCSIN_WATCHDOG_STALE_SECONDS)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.processes import Serve
from tests.test_cli import tocsin_environment


def test_an_api_only_node_without_any_engine_stays_ready_and_lists_the_silent_engine(
    serves: Callable[..., Serve], tmp_path: Path
) -> None:
    environment = tocsin_environment(data_dir=tmp_path / "data", watchdog_stale_seconds="1")
    serve = serves(environment, "--no-engine")
    assert httpx.get(f"{serve.url}/health/live", timeout=5).json() == {"status": "ok"}

    deadline = time.monotonic() + 20
    while True:
        ready = httpx.get(f"{serve.url}/health/ready", timeout=5)
        assert ready.status_code == 200, ready.text
        if ready.json()["problems"]:
            break
        assert time.monotonic() < deadline, f"the watchdog listed nothing: {ready.text}"
        time.sleep(0.2)

    body = ready.json()
    assert [problem["problem"] for problem in body["problems"]] == ["engine_silent"]
    assert body["problems"][0]["text"].startswith("No engine has ticked for over 1 s (no engine is running)")
    assert body["checks"]["engine"] == {
        "ok": False,
        "required": False,
        "detail": "No engine is running.",
        "in_process": False,
        "last_tick_age_seconds": None,
    }
    assert "No engine has ticked" in serve.stderr  # the watchdog's warning in the log
